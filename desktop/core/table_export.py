"""The sectors panel's table without Qt: its CSV export (the CLI's CSV layout) and the
whole-array filter and sort helpers the panel's model uses."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np

from desktop.core.document import Analysis, Document
from desktop.core.report import write_csv


def write_units_csv(path: str | Path, document: Document, analysis: Analysis,
                    rows: Iterable[int] | np.ndarray | None = None) -> int:
    """Write the units `rows` (indices, in that order; None = all) to `path` in the same
    CSV layout as `deconflict sectors --format csv`. Returns the number of rows."""
    idx = None if rows is None else np.asarray(list(rows) if not isinstance(rows, np.ndarray) else rows, dtype=np.int64)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        return write_csv(document, fh, analysis, idx)


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
