"""Where the units drawn in full are heading (MIL-STD-2525 field Q): a direction-of-movement
arrow under land symbols, and a speed leader from aircraft symbols whose length is the
ground they cover in LEADER_S seconds (so it scales with the map, like the distances it
stands for). Course and speed come from each unit's last two reports
(desktop.core.motion); a unit slower than MIN_SPEED_MPS shows none.
"""
from __future__ import annotations

import numpy as np
from pyproj import Geod
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.core.sidc import SymbolSpec
from desktop.gui.symbology import FRAME_STROKE, MIN_ICON_PX, movement_arrow

LEADER_S = 120.0     # the leader ends where the aircraft will be in two minutes
MIN_SPEED_MPS = 0.5     # below walking pace a course is noise in the reports
_GEOD = Geod(ellps="WGS84")


class UnitMotion:
    """Per unit at display (x, y) with spec specs[cls[i]]: a land arrow along display
    direction (ux, uy), or an air leader to display (x2, y2). Painted in device pixels from
    a MapSettings, under the symbols (the standard draws a leader from behind the frame)."""

    def __init__(self, size_px: float) -> None:
        self.size_px = size_px
        self.x = self.y = self.ux = self.uy = self.x2 = self.y2 = np.empty(0)
        self.cls = np.empty(0, dtype=np.int32)
        self.specs: list[SymbolSpec] = []
        self._made: tuple | None = None   # (settings, paths) last made (a path per unit: ~5 ms for 500)

    def set_motion(self, x, y, ux, uy, x2, y2, cls, specs: list[SymbolSpec]) -> None:
        self.x, self.y, self.ux, self.uy, self.x2, self.y2, self.cls, self.specs = x, y, ux, uy, x2, y2, cls, specs
        self._made = None

    def _paths(self, settings: MapSettings) -> tuple[QtGui.QPainterPath, QtGui.QPainterPath, float]:
        """(arrow shafts and speed leaders, arrowheads, pen width), device pixels."""
        if self._made is None or self._made[0] != settings:
            self._made = settings, self._make_paths(settings)
        return self._made[1]

    def _make_paths(self, settings: MapSettings) -> tuple[QtGui.QPainterPath, QtGui.QPainterPath, float]:
        lines, heads = QtGui.QPainterPath(), QtGui.QPainterPath()
        ratio = settings.pixel_ratio
        k = self.size_px * ratio / 200.0
        width = max(FRAME_STROKE * k, MIN_ICON_PX * ratio)
        if not len(self.x):
            return lines, heads, width
        sx, sy = settings.to_device(self.x, self.y)
        ex, ey = settings.to_device(self.x2, self.y2)
        # Display direction to device direction (y flips): the angle from the output's up.
        sxp, syp = settings.map_units_per_pixel
        dux, duy = self.ux / sxp, -self.uy / syp
        angle = np.degrees(np.arctan2(dux, -duy))
        for i in range(len(sx)):
            spec = self.specs[self.cls[i]]
            if np.isfinite(ex[i]):  # aircraft: the speed leader from the symbol's centre
                lines.moveTo(sx[i], sy[i])
                lines.lineTo(ex[i], ey[i])
            elif np.isfinite(angle[i]):
                path = QtGui.QTransform(k, 0, 0, k, sx[i], sy[i]).map(movement_arrow(spec, float(angle[i])))
                lines.addPath(path)
                heads.addPath(path)
        return lines, heads, width

    def segments(self, settings: MapSettings) -> np.ndarray:
        """The arrows and leaders as line segments (x0, y0, x1, y1), device pixels: what
        labels keep off."""
        lines, _, _ = self._paths(settings)
        out = []
        for poly in lines.toSubpathPolygons():
            xy = np.array([(q.x(), q.y()) for q in poly], dtype=float).reshape(-1, 2)
            out.append(np.hstack([xy[:-1], xy[1:]]))
        return np.vstack(out) if out else np.empty((0, 4))

    def paint(self, p: QtGui.QPainter, settings: MapSettings) -> None:
        if not len(self.x):
            return
        lines, heads, width = self._paths(settings)
        p.save()
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        p.setPen(QtGui.QPen(QtGui.QColor(0, 0, 0), width))
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        p.drawPath(lines)
        if not heads.isEmpty():  # (aircraft only: no heads; an empty path is bad SVG path data)
            p.setBrush(QtGui.QColor(0, 0, 0))
            p.setPen(QtCore.Qt.PenStyle.NoPen)
            p.drawPath(heads)  # the arrowheads are closed: filled, as the standard draws them
        p.restore()


def motion_geometry(scene, lon: np.ndarray, lat: np.ndarray, course: np.ndarray, speed: np.ndarray,
                    air: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ux, uy) unit display direction of each course, and (x2, y2) the display end of the
    aircraft's speed leaders (NaN for land units and the units that show nothing)."""
    n = len(lon)
    ux, uy, x2, y2 = (np.full(n, np.nan) for _ in range(4))
    moving = np.isfinite(course) & (speed >= MIN_SPEED_MPS)
    if not moving.any():
        return ux, uy, x2, y2
    m = np.flatnonzero(moving)
    reach = np.where(air[m], speed[m] * LEADER_S, 1000.0)
    lon2, lat2, _ = _GEOD.fwd(lon[m], lat[m], course[m], reach)
    ax, ay = scene.to_display(lon[m], lat[m])
    bx, by = scene.to_display(lon2, lat2)
    length = np.hypot(bx - ax, by - ay)
    ok = length > 0
    ux[m[ok]], uy[m[ok]] = (bx - ax)[ok] / length[ok], (by - ay)[ok] / length[ok]
    leader = m[ok & air[m]]
    x2[leader], y2[leader] = bx[ok & air[m]], by[ok & air[m]]
    return ux, uy, x2, y2

