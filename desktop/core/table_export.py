"""The units table as CSV: what the sectors panel's "Export table to CSV…" writes.

Pure core (no Qt) so the CLI and tests can write the same file the GUI does.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

import numpy as np

from desktop.core.document import Analysis, Document

CSV_COLUMNS = ("id", "name", "side", "affiliation", "sector_id", "sector_name", "owner",
               "distance_km", "near_line", "wrong_side")


def write_units_csv(path: str | Path, document: Document, analysis: Analysis,
                    rows: Iterable[int] | np.ndarray | None = None) -> int:
    """Write one row per unit to `path`, in the order of `rows` (unit indices; None = all
    units in table order). A unit in no sector has empty sector and owner fields; flags are
    written as true/false, distances in km with 3 decimals. Returns the number of rows."""
    units = document.units
    cls = analysis.classification
    idx = np.arange(len(units)) if rows is None else np.asarray(rows, dtype=np.int64).reshape(-1)
    sectors = analysis.sectors.sectors
    # One lookup per column; index -1 (no sector) lands on the trailing empty string.
    lookup = {
        "id": np.array([s.id for s in sectors] + [""], dtype=object),
        "name": np.array([s.name for s in sectors] + [""], dtype=object),
        "owner": np.array([s.owner for s in sectors] + [""], dtype=object),
    }
    sec = cls.sector[idx].astype(np.int64)
    sec[sec < 0] = len(sectors)
    dist = cls.distance_km[idx]
    dist_text = np.where(np.isfinite(dist), np.char.mod("%.3f", dist), "")
    flag = np.array(["false", "true"], dtype=object)
    columns = (units.ids[idx], units.names[idx], units.sides[idx], units.affiliations[idx],
               lookup["id"][sec], lookup["name"][sec], lookup["owner"][sec], dist_text,
               flag[cls.near_line[idx].astype(np.intp)], flag[cls.wrong_side[idx].astype(np.intp)])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(zip(*(c.tolist() for c in columns)))
    return len(idx)


# -- the table's filter and sort, shared with the sectors panel (whole-array numpy) ----------
_STR = getattr(np, "strings", np.char)
_STRING_DTYPE = getattr(getattr(np, "dtypes", None), "StringDType", None)


def as_text(col: np.ndarray, lower: bool = False) -> np.ndarray:
    """An object column as a numpy string array, so search and sort run in C."""
    text = col.astype(_STRING_DTYPE() if _STRING_DTYPE is not None else str)
    return _STR.lower(text) if lower else text


def contains(lowered: np.ndarray, needle: str) -> np.ndarray:
    """Mask of the entries of a lower-cased string array (see `as_text`) holding `needle`."""
    return _STR.find(lowered, needle.lower()) >= 0


def dense_rank(col: np.ndarray) -> np.ndarray:
    """Case-insensitive rank of each string; equal strings share a rank (so ties keep the
    units' order under a stable sort, in both directions)."""
    text = as_text(col, lower=True)
    order = np.argsort(text, kind="stable")
    srt = text[order]
    rank = np.empty(len(text), dtype=np.int64)
    if len(text):
        rank[order] = np.concatenate([[0], np.cumsum(srt[1:] != srt[:-1])])
    return rank


def first_sorted(members: np.ndarray, key: np.ndarray, limit: int | None) -> np.ndarray:
    """`members` ordered by ascending `key` (stable: ties keep member order), the first
    `limit` of them. O(n) plus a sort of `limit` items when limit is well below n."""
    if limit is None or len(members) <= limit:
        return members[np.argsort(key, kind="stable")]
    # Keep every tie of the boundary value, so the answer does not depend on the
    # partition's arbitrary tie order (a live view would flicker).
    kth = np.partition(key, limit - 1)[limit - 1]
    cand = np.flatnonzero(key <= kth)
    return members[cand[np.argsort(key[cand], kind="stable")[:limit]]]
