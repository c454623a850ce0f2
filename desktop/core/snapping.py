"""Snapping a dragged point to nearby vertices or lines (all in display coordinates)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Snap:
    x: float
    y: float
    target: str  # what was snapped to, for the status bar: "vertex", "AO edge", "river", …


def snap_point(x: float, y: float, tolerance: float, points: dict[str, np.ndarray],
               polylines: dict[str, list[np.ndarray]]) -> Snap | None:
    """Nearest target within `tolerance`: points (n x 2) win over lines (lists of m x 2).

    `points` and `polylines` map a target name to coordinates.
    """
    best: tuple[float, Snap] | None = None
    for name, pts in points.items():
        if len(pts):
            d2 = (pts[:, 0] - x) ** 2 + (pts[:, 1] - y) ** 2
            i = int(np.argmin(d2))
            if d2[i] <= tolerance**2 and (best is None or d2[i] < best[0]):
                best = (float(d2[i]), Snap(float(pts[i, 0]), float(pts[i, 1]), name))
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
