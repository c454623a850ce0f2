"""The sectors panel's table without Qt: its CSV export (the CLI's CSV layout) and the
whole-array numbers, filter, sort and lookup helpers and tooltips the panel's model uses."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from desktop.core.document import Analysis, Document
from desktop.core.measure_units import DEFAULT as KM, MeasureUnits, format_area, format_buffer, format_distance
from desktop.core.report import write_csv
from desktop.core.sidc import code_note


def write_units_csv(path: str | Path, document: Document, analysis: Analysis,
                    rows: Iterable[int] | np.ndarray | None = None, units: MeasureUnits | None = None) -> int:
    """Write the units `rows` (indices, in that order; None = all) to `path` in the same
    CSV layout as `deconflict sectors --format csv` (with `--distance-unit` when `units`
    are given). Returns the number of rows."""
    idx = None if rows is None else np.asarray(list(rows) if not isinstance(rows, np.ndarray) else rows, dtype=np.int64)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        return write_csv(document, fh, analysis, idx, units)


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


def first_members(group: np.ndarray, key: int, mask: np.ndarray | None, limit: int | None) -> np.ndarray:
    """Ascending indices i with group[i] == key (and mask[i]), the first `limit` of them.
    Scans growing chunks from the start: a page of a big group costs a sliver of one pass."""
    n = len(group)
    step = n if limit is None else max(4 * limit, 8192)
    parts, found, start = [], 0, 0
    while start < n and (limit is None or found < limit):
        stop = min(n, start + step)
        hit = group[start:stop] == key
        if mask is not None:
            hit &= mask[start:stop]
        parts.append(np.flatnonzero(hit) + start)
        found += len(parts[-1])
        start, step = stop, 2 * step
    out = np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)
    return out if limit is None else out[:limit]


def positions_in(listed: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `items` in `listed` (unique values, any order) and a mask of the items
    found there (vectorised lookup)."""
    if not len(listed) or not len(items):
        return np.empty(0, dtype=np.int64), np.zeros(len(items), dtype=bool)
    order = np.argsort(listed, kind="stable")
    pos = np.minimum(np.searchsorted(listed, items, sorter=order), len(listed) - 1)
    hit = listed[order[pos]] == items
    return order[pos[hit]], hit


def group_tally(sector: np.ndarray, near: np.ndarray, wrong: np.ndarray, mask: np.ndarray | None,
                n_groups: int, inside: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Per group (sector + 1; 0 = in no sector), of the units passing `mask` (None = all):
    how many, how many near the line, how many on the wrong side. `inside`, the unfiltered
    units per sector when already known, spares a pass. ~1.5 ms at 1M units unfiltered."""
    if mask is not None:
        sector, near, wrong = sector[mask], near[mask], wrong[mask]
    if mask is None and inside is not None:
        counts = np.r_[len(sector) - int(inside.sum()), inside]
    else:
        counts = np.bincount(sector + 1, minlength=n_groups)
    return (counts, np.bincount(sector[near] + 1, minlength=n_groups),
            np.bincount(sector[wrong] + 1, minlength=n_groups))


OUTSIDE = -1  # group key of the units in no sector


@dataclass(eq=False)
class Tally:
    """The numbers of one analysis under a filter, per group (index key + 1, so 0 = in no
    sector): units passing the filter (`mask`, None = all), how many of them are near the
    line, how many on the wrong side; `outside`: every unit in no sector, unfiltered."""

    analysis: Analysis
    mask: np.ndarray | None
    counts: np.ndarray
    near: np.ndarray
    wrong: np.ndarray
    outside: int

    def count(self, key: int) -> int:
        return int(self.counts[key + 1]) if 0 <= key + 1 < len(self.counts) else 0

    @classmethod
    def of(cls, analysis: Analysis, mask: np.ndarray | None, prev: Tally | None = None,
           changed: np.ndarray | None = None) -> Tally:
        """Counted afresh (~1.5 ms at 1M units), or from `prev` when `changed` lists every
        unit whose sector or flags differ between the two analyses (a drag step: ~0.1 ms)."""
        c = analysis.classification
        inside = analysis.counts()  # kept up to date by the core: no pass over the units
        numbers = None if prev is None or changed is None else prev._step(analysis, mask, inside, changed)
        if numbers is None:
            numbers = group_tally(c.sector, c.near_line, c.wrong_side, mask, len(inside) + 1, inside)
        return cls(analysis, mask, *numbers, len(c.sector) - int(inside.sum()))

    def _step(self, analysis: Analysis, mask, inside: np.ndarray, units) -> tuple[np.ndarray, ...] | None:
        """This tally's numbers moved to `analysis`, looking at `units` only; None when that
        disagrees with what the core counted (`units` missed a difference)."""
        old, new, n_groups = self.analysis.classification, analysis.classification, len(self.counts)
        if len(inside) + 1 != n_groups:
            return None
        units = np.asarray(units, dtype=np.intp)
        parts = [group_tally(c.sector[units], c.near_line[units], c.wrong_side[units],
                             None if m is None else m[units], n_groups) for c, m in ((old, self.mask), (new, mask))]
        moved = parts[1][0] if mask is None else np.bincount(new.sector[units] + 1, minlength=n_groups)
        was = parts[0][0] if self.mask is None else np.bincount(old.sector[units] + 1, minlength=n_groups)
        if not np.array_equal(self.analysis.counts() + (moved - was)[1:], inside):
            return None
        for a, b in ((old.near_line, new.near_line), (old.wrong_side, new.wrong_side)):  # two more checks
            if np.count_nonzero(b) - np.count_nonzero(a) != np.count_nonzero(b[units]) - np.count_nonzero(a[units]):
                return None
        return tuple(t - o + n for t, o, n in zip((self.counts, self.near, self.wrong), *parts))


def filter_mask(c, text_mask: np.ndarray | None, near_only: bool, wrong_only: bool) -> np.ndarray | None:
    """Units of classification `c` passing every filter given (None: no filter)."""
    mask = text_mask
    for on, flag in ((near_only, c.near_line), (wrong_only, c.wrong_side)):
        if on:
            mask = flag if mask is None else mask & flag
    return mask


def group_order(t: Tally, by: str | None, descending: bool) -> list[int]:
    """Group keys in display order: sectors (by "name", "owner", "count", "area", "near" or
    "wrong", "id"; None: as computed), then OUTSIDE when a unit is in no sector."""
    sectors = t.analysis.sectors.sectors
    keys = list(range(len(sectors)))
    if by is not None:
        value = {"name": lambda k: sectors[k].name.lower(), "owner": lambda k: sectors[k].owner.lower(),
                 "id": lambda k: k,  # ids are S<index + 1>
                 "count": lambda k: t.counts[k + 1], "area": lambda k: sectors[k].area_km2,
                 "near": lambda k: t.near[k + 1], "wrong": lambda k: t.wrong[k + 1]}[by]
        keys.sort(key=value, reverse=descending)
    return keys + [OUTSIDE] if t.outside else keys  # always last: it is not a sector


_FLAG_KEY = 1.0e6  # > any distance in km: flag first, then distance


def sort_key(value: np.ndarray, descending: bool, flag: np.ndarray | None = None) -> np.ndarray:
    """Ascending float key realising an order of `value` (distances or ranks): ties keep
    the units' order under a stable sort, NaN goes last. With `flag`, flagged units come
    last (ascending) or first (descending), nearest first either way (`value` = distance)."""
    value = value.astype(float)
    if flag is not None:
        key = np.where(flag != descending, _FLAG_KEY, 0.0) + value
    else:
        key = -value if descending else value
    return np.where(np.isnan(key), np.inf, key)


class TextIndex:
    """Unit ids and names lower-cased once, for case-insensitive substring filtering."""

    def __init__(self, ids: np.ndarray, names: np.ndarray) -> None:
        self.ids, self.names = as_text(ids, lower=True), as_text(names, lower=True)

    def mask(self, text: str) -> np.ndarray:
        return contains(self.ids, text) | contains(self.names, text)


# -- the table's tooltips ---------------------------------------------------------------------
def group_tip(sector, any_sectors: bool, near: int, wrong: int, measure: MeasureUnits = KM) -> str:
    """Tooltip of a sector row; `sector` None for the units in no sector."""
    if sector is None:
        return ("Units outside the AO: in no sector, still measured against the line"
                if any_sectors else "The line cannot split the AO, so no unit is in a sector")
    return (f"{sector.id}: owned by {sector.owner} ({sector.side} of the line), "
            f"{format_area(sector.area_km2, measure)}\n{near:,} near the line, {wrong:,} on the wrong side")


def unit_tip(units, cls, sectors, u: int, about: str, measure: MeasureUnits = KM) -> str:
    """Tooltip of unit `u`'s row: about "near", "wrong" (those cells) or "unit"."""
    d, sec = format_distance(float(cls.distance_km[u]), measure), int(cls.sector[u])
    buffer = format_buffer(float(cls.buffer_km), measure)
    if about == "near":
        return (f"Near the line: {d}, within the {buffer} buffer" if cls.near_line[u]
                else f"{d} from the line, outside the {buffer} buffer")
    if about == "wrong":
        if cls.wrong_side[u]:
            return f"Wrong side: a {units.sides[u]} unit inside a sector owned by {sectors[sec].owner}"
        return "On its own side of the line" if sec >= 0 else "Not in a sector"
    where = f"in {sectors[sec].name}" if sec >= 0 else "in no sector"
    note = code_note(str(units.symbols[u] or ""))  # a code only partly drawn says so
    return (f"{units.ids[u]} — {units.names[u]}\n{units.sides[u]}, {units.affiliations[u]}, "
            f"{units.domains[u]}; {where}, {d} from the line" + (f"\n{note}" if note else ""))
