"""Snapping a dragged point to nearby vertices or lines (all in display coordinates)."""
from __future__ import annotations

from dataclasses import dataclass

from typing import Mapping, Sequence

import numpy as np


@dataclass(frozen=True)
class Snap:
    x: float
    y: float
    target: str  # what was snapped to, for the status bar: "vertex", "AO edge", "river", …
    name: str = ""  # which one, when the points are named: "Raqqa", "3"

    @property
    def description(self) -> str:
        """"place Raqqa", "line vertex 3", "river"."""
        return f"{self.target} {self.name}" if self.name else self.target


def snap_point(x: float, y: float, tolerance: float, points: dict[str, np.ndarray],
               polylines: dict[str, list[np.ndarray]], names: Mapping[str, Sequence[str]] | None = None) -> Snap | None:
    """Nearest target within `tolerance`: points (n x 2) win over lines (lists of m x 2).

    `points` and `polylines` map a target name to coordinates; `names` the points of a
    target to what each is called (a place's name), so the snap can say which one.
    """
    names = names or {}
    best: tuple[float, Snap] | None = None
    for name, pts in points.items():
        if len(pts):
            d2 = (pts[:, 0] - x) ** 2 + (pts[:, 1] - y) ** 2
            i = int(np.argmin(d2))
            if d2[i] <= tolerance**2 and (best is None or d2[i] < best[0]):
                called = names.get(name)
                best = (float(d2[i]), Snap(float(pts[i, 0]), float(pts[i, 1]), name,
                                           str(called[i]) if called is not None and i < len(called) else ""))
    if best is not None:
        return best[1]
    for name, lines in polylines.items():
        for line in lines:
            if len(line) < 2:
                continue
            a, b = line[:-1], line[1:]
            d = b - a
            l2 = np.einsum("ij,ij->i", d, d)
            l2[l2 == 0] = 1.0
            t = np.clip(((x - a[:, 0]) * d[:, 0] + (y - a[:, 1]) * d[:, 1]) / l2, 0.0, 1.0)
            cx, cy = a[:, 0] + t * d[:, 0], a[:, 1] + t * d[:, 1]
            d2 = (cx - x) ** 2 + (cy - y) ** 2
            i = int(np.argmin(d2))
            if d2[i] <= tolerance**2 and (best is None or d2[i] < best[0]):
                best = (float(d2[i]), Snap(float(cx[i]), float(cy[i]), name))
    return best[1] if best else None
