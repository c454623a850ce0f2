"""Structure of a WKB geometry, checked before GEOS sees it.

GEOS reads nested geometry collections by recursion: a GeometryCollection nested 20,000
deep (a 180 KB blob) overflows the C stack and the process dies (segfault). This walks
the blob iteratively, as a stack of counts, and refuses nesting deeper than MAX_NESTING
and any count of parts, rings or points the rest of the blob cannot hold. Accepted: ISO
WKB (what GeoPackage stores; XY, Z, M, ZM) and EWKB flags, both byte orders, the seven
simple-feature types.
"""
from __future__ import annotations

import struct

MAX_NESTING = 32  # collections in collections; real data rarely goes past 3
_MIN_PART = 9     # the smallest geometry: byte order, type, an empty count
_COLLECTIONS = (4, 5, 6, 7)
_U32 = (struct.Struct(">I"), struct.Struct("<I"))
_NAMES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
          7: "GeometryCollection"}


class WKBError(ValueError):
    """A blob that is not a well-formed WKB geometry; the message says what is wrong."""


def _header(wkb: bytes, at: int) -> tuple[int, int, struct.Struct, int]:
    """(base type, dimensions, uint32 reader, offset after the header) at `at`."""
    if at + 5 > len(wkb):
        raise WKBError("truncated geometry")
    order = wkb[at]
    if order > 1:
        raise WKBError(f"byte {at}: byte order {order} is neither 0 nor 1")
    u32 = _U32[order]
    code = u32.unpack_from(wkb, at + 1)[0]
    at += 5
    z, m = bool(code & 0x80000000), bool(code & 0x40000000)  # EWKB flags
    if code & 0x20000000:  # EWKB with an SRID
        at += 4
    code &= 0x0FFFFFFF
    base, iso = code % 1000, code // 1000
    if base not in _NAMES or iso > 3:
        raise WKBError(f"geometry type {code} is not a simple-feature type")
    dims = 2 + (z or iso in (1, 3)) + (m or iso in (2, 3))
    return base, dims, u32, at


def _count(wkb: bytes, at: int, u32: struct.Struct, size: int, what: str) -> tuple[int, int]:
    """A count of items of at least `size` bytes each that must fit in the rest of the blob."""
    if at + 4 > len(wkb):
        raise WKBError("truncated geometry")
    n = u32.unpack_from(wkb, at)[0]
    at += 4
    if n * size > len(wkb) - at:
        raise WKBError(f"{n:,} {what} cannot fit in the {len(wkb) - at:,} bytes left")
    return n, at


def check_wkb(wkb: bytes) -> None:
    """WKBError unless `wkb` is a well-formed geometry GEOS can read without recursing
    deeper than MAX_NESTING."""
    at = 0
    pending = [1]  # geometries still to read at each open level of nesting
    while pending:
        if pending[-1] == 0:
            pending.pop()
            continue
        pending[-1] -= 1
        base, dims, u32, at = _header(wkb, at)
        point = 8 * dims
        if base == 1:
            if at + point > len(wkb):
                raise WKBError("truncated point")
            at += point
        elif base == 2:
            n, at = _count(wkb, at, u32, point, "points")
            at += n * point
        elif base == 3:
            rings, at = _count(wkb, at, u32, 4, "rings")
            for _ in range(rings):
                n, at = _count(wkb, at, u32, point, "points")
                at += n * point
        else:
            if len(pending) > MAX_NESTING:  # (the first entry is the top level)
                raise WKBError(f"geometry collections nested more than {MAX_NESTING} deep")
            parts, at = _count(wkb, at, u32, _MIN_PART, "parts")
            pending.append(parts)
