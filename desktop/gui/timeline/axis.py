"""Axes of the timeline: date-time in UTC or a fixed offset, and the lane names.

pyqtgraph's DateAxisItem mixes in the machine's own time zone (and its DST rules) when it
places hour ticks; planners want UTC or one fixed offset (the AOCs are three hours apart),
so ticks are computed here: aligned to whole minutes/hours/days/weeks/months of the shown
offset, two levels (dates above, times below) chosen from the zoom.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pyqtgraph as pg

MINUTE, HOUR, DAY = 60, 3600, 86_400
# Candidate spacings (seconds) for the minor ticks, finest first; months are handled apart.
STEPS = (60, 300, 600, 900, 1800, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY)
MONTH = 30 * DAY
LABEL_PX = 64       # room a minor tick label needs
_MONDAY = 4 * DAY   # the epoch was a Thursday: weeks start 4 days later


def offset_label(offset_s: int) -> str:
    if offset_s == 0:
        return "UTC"
    sign = "+" if offset_s > 0 else "-"
    h, m = divmod(abs(offset_s) // 60, 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


def _dt(t: float, offset_s: int) -> datetime:
    return datetime.fromtimestamp(t, timezone(timedelta(seconds=offset_s)))


def format_short(t: float, offset_s: int = 0) -> str:
    """'18 Jun 2017 14:00Z' (or '... 17:00 +03:00'): the cursor, tooltips and details."""
    d = _dt(t, offset_s)
    zone = "Z" if offset_s == 0 else f" {offset_label(offset_s)[3:]}"
    return d.strftime("%d %b %Y %H:%M") + zone


def format_entry(t: float, offset_s: int = 0) -> str:
    """'2017-06-18 17:00:00' at the offset: what time fields show and `parse_time_in` reads back."""
    return _dt(t, offset_s).strftime("%Y-%m-%d %H:%M:%S")


def aligned(t0: float, t1: float, step: int, offset_s: int) -> np.ndarray:
    """Multiples of `step` in local time (t + offset) within [t0, t1]; weeks start on Monday."""
    phase = _MONDAY if step == 7 * DAY else 0
    first = math.ceil((t0 + offset_s - phase) / step) * step + phase - offset_s
    return np.arange(first, t1 + 1, step, dtype=np.float64)


def month_starts(t0: float, t1: float, offset_s: int) -> np.ndarray:
    d = _dt(t0, offset_s)
    y, m = d.year, d.month
    out = []
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        t = datetime(y, m, 1, tzinfo=timezone(timedelta(seconds=offset_s))).timestamp()
        if t > t1:
            return np.array(out)
        out.append(t)


class TimeAxis(pg.AxisItem):
    """Bottom axis in epoch seconds shown at a fixed UTC offset."""

    def __init__(self, offset_s: int = 0, **kwargs) -> None:
        super().__init__("bottom", **kwargs)
        self.offset_s = offset_s
        self.enableAutoSIPrefix(False)

    def set_offset(self, offset_s: int) -> None:
        self.offset_s = int(offset_s)
        self.picture = None
        self.update()

    def _minor_step(self, span: float, px: float) -> int | None:
        per_px = span / max(px, 1.0)
        for step in STEPS:
            if step / per_px >= LABEL_PX:
                return step
        return None  # months

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph API
        if not (np.isfinite(minVal) and np.isfinite(maxVal)) or maxVal <= minVal:
            return []
        step = self._minor_step(maxVal - minVal, size)
        if step is None:
            return [(MONTH, month_starts(minVal, maxVal, self.offset_s).tolist())]
        if step >= DAY:
            return [(step, aligned(minVal, maxVal, step, self.offset_s).tolist())]
        majors = aligned(minVal, maxVal, DAY, self.offset_s)
        minors = aligned(minVal, maxVal, step, self.offset_s)
        return [(DAY, majors.tolist()), (step, minors[~np.isin(minors, majors)].tolist())]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        if spacing >= MONTH:
            return [_dt(v, self.offset_s).strftime("%b %Y") for v in values]
        if spacing >= DAY:
            return [_dt(v, self.offset_s).strftime("%d %b") for v in values]
        return [_dt(v, self.offset_s).strftime("%H:%M") for v in values]


class LaneAxis(pg.AxisItem):
    """Left axis naming the lanes: lane k spans y in [k, k + 1], the first lane on top."""

    def __init__(self, **kwargs) -> None:
        super().__init__("left", **kwargs)
        self.names: tuple[str, ...] = ()
        self.setWidth(140)

    def set_names(self, names) -> None:
        self.names = tuple(names)
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):  # noqa: N802
        return [(1.0, [k + 0.5 for k in range(len(self.names))])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        n = len(self.names)
        return [self.names[n - 1 - int(v)] if 0 <= int(v) < n else "" for v in values]
