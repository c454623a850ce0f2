"""The tracks layer's LINESTRING M blobs, built and read for all tracks at once in numpy.

A blob as written here: the GeoPackage header with an xy envelope (40 bytes), the ISO WKB
header (byte order, type 2002, vertex count: 9 bytes), then (x, y, m) per vertex. Blobs
of one vertex count share one layout, a packed numpy record, so the tracks of each count
are built or read by one structured array: no Python work per track, and few layouts
(tracks of distinct lengths over V reports number at most about sqrt(2 V)).
"""
from __future__ import annotations

import numpy as np

WGS84 = 4326
_FLAGS = 0x03        # little-endian header, xy envelope, not empty
_LINESTRING_M = 2002  # ISO WKB
_FIXED = 49           # bytes before the vertices


def _layout(n: int) -> np.dtype:
    """The packed record of a blob of n vertices."""
    return np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("env", "<f8", (4,)),
                     ("order", "u1"), ("type", "<u4"), ("count", "<u4"), ("xym", "<f8", (n, 3))])


def linestring_m_blobs(x: np.ndarray, y: np.ndarray, m: np.ndarray, offsets: np.ndarray,
                       srs_id: int = WGS84) -> list[bytes]:
    """One LINESTRING M blob (xy envelope) per run `offsets[k]:offsets[k + 1]` of the
    vertex columns. Every run holds a vertex; a run of one repeats it (a line needs two)."""
    offsets = np.asarray(offsets, dtype=np.int64)
    counts = np.diff(offsets)
    if (counts < 1).any():
        raise ValueError("a track without vertices")
    vertices = np.maximum(counts, 2)
    out = np.empty(len(counts), dtype=object)
    for n in np.unique(vertices).tolist():
        rows = np.flatnonzero(vertices == n)
        idx = offsets[rows, None] + np.minimum(np.arange(n), counts[rows, None] - 1)
        xs, ys = x[idx], y[idx]
        rec = np.zeros(len(rows), dtype=_layout(n))
        rec["magic"], rec["flags"], rec["srs"] = b"GP", _FLAGS, srs_id
        rec["order"], rec["type"], rec["count"] = 1, _LINESTRING_M, n
        rec["env"] = np.column_stack([xs.min(axis=1), xs.max(axis=1), ys.min(axis=1), ys.max(axis=1)])
        rec["xym"] = np.stack([xs, ys, m[idx]], axis=-1)
        # (fromiter: a list of bytes given to numpy directly would become an S array, losing trailing NULs)
        out[rows] = np.fromiter(rec.view(f"V{rec.dtype.itemsize}").tolist(), dtype=object, count=len(rows))
    return out.tolist()


def tracks_from_blobs(blobs: list) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path: ((x, y, m) of every vertex in feature order, vertex count per feature)
    when every blob is laid out as `linestring_m_blobs` writes it, in EPSG:4326; None
    otherwise (the general path then reads the blobs and says what is wrong)."""
    if not blobs or set(map(type, blobs)) != {bytes}:
        return None
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    counts = (sizes - _FIXED) // 24
    if ((sizes - _FIXED) % 24 != 0).any() or (counts < 1).any():
        return None
    start = np.concatenate([[0], np.cumsum(counts)])
    xym = np.empty((int(start[-1]), 3))
    features = np.fromiter(blobs, dtype=object, count=len(blobs))
    for n in np.unique(counts).tolist():
        rows = np.flatnonzero(counts == n)
        rec = np.frombuffer(b"".join(features[rows].tolist()), dtype=_layout(n))
        if not (np.all(rec["magic"] == b"GP") and np.all(rec["flags"] == _FLAGS) and np.all(rec["srs"] == WGS84)
                and np.all(rec["order"] == 1) and np.all(rec["type"] == _LINESTRING_M)
                and np.all(rec["count"] == n)):
            return None
        xym[start[rows, None] + np.arange(n)] = rec["xym"]
    return xym, counts
