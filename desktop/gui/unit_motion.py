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

from desktop.core.sidc import SymbolSpec
from desktop.gui.symbology import FRAME_STROKE, MIN_ICON_PX, movement_arrow
from desktop.gui.unit_items import PixelSizedItem

LEADER_S = 120.0     # the leader ends where the aircraft will be in two minutes
MIN_SPEED_MPS = 0.5     # below walking pace a course is noise in the reports
Z_MOTION = 29.0    # under the symbols, as the standard draws a leader from behind the frame
_GEOD = Geod(ellps="WGS84")


class UnitMotionItem(PixelSizedItem):
    """Per unit at display (x, y) with spec specs[cls[i]]: a land arrow along display
    direction (ux, uy), or an air leader to display (x2, y2)."""

    def __init__(self, size_px: float) -> None:
        super().__init__(Z_MOTION)
        self.size_px = size_px
        self.x = self.y = self.ux = self.uy = self.x2 = self.y2 = np.empty(0)
        self.cls = np.empty(0, dtype=np.int32)
        self.specs: list[SymbolSpec] = []
        self._bounds = QtCore.QRectF()

    def set_motion(self, x, y, ux, uy, x2, y2, cls, specs: list[SymbolSpec]) -> None:
        self.prepareGeometryChange()
        self.x, self.y, self.ux, self.uy, self.x2, self.y2, self.cls, self.specs = x, y, ux, uy, x2, y2, cls, specs
        xs, ys = np.concatenate([x, x2[np.isfinite(x2)]]), np.concatenate([y, y2[np.isfinite(y2)]])
        self._bounds = (QtCore.QRectF(float(xs.min()), float(ys.min()), float(np.ptp(xs)), float(np.ptp(ys)))
                        if len(xs) else QtCore.QRectF())
        self.update()

    def data_rect(self) -> QtCore.QRectF | None:
        return QtCore.QRectF(self._bounds) if len(self.x) else None

    def pad_px(self) -> float:
        return self.size_px * 1.5  # a land arrow: the staff and the arrow below the frame

    def paint(self, p: QtGui.QPainter, option, widget=None) -> None:
        if not len(self.x):
            return
        t = p.transform()

        def screen(x, y):
            return t.m11() * x + t.m21() * y + t.dx(), t.m12() * x + t.m22() * y + t.dy()

        sx, sy = screen(self.x, self.y)
        ex, ey = screen(self.x2, self.y2)
        # Display direction to screen direction (the view may flip y): the angle from screen up.
        dux, duy = t.m11() * self.ux + t.m21() * self.uy, t.m12() * self.ux + t.m22() * self.uy
        angle = np.degrees(np.arctan2(dux, -duy))
        size = self.size_px * self.export_scale
        k = size / 200.0
        lines, heads = QtGui.QPainterPath(), QtGui.QPainterPath()
        for i in range(len(sx)):
            spec = self.specs[self.cls[i]]
            if np.isfinite(ex[i]):  # aircraft: the speed leader from the symbol's centre
                lines.moveTo(sx[i], sy[i])
                lines.lineTo(ex[i], ey[i])
            elif np.isfinite(angle[i]):
                path = QtGui.QTransform(k, 0, 0, k, sx[i], sy[i]).map(movement_arrow(spec, float(angle[i])))
                lines.addPath(path)
                heads.addPath(path)
        p.save()
        p.resetTransform()
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        pen = QtGui.QPen(QtGui.QColor(0, 0, 0), max(FRAME_STROKE * k, MIN_ICON_PX * self.export_scale))
        p.setPen(pen)
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        p.drawPath(lines)
        p.setBrush(QtGui.QColor(0, 0, 0))
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.drawPath(heads)  # the arrowheads are closed: filled, as the standard draws them
        p.restore()


def motion_geometry(view, lon: np.ndarray, lat: np.ndarray, course: np.ndarray, speed: np.ndarray,
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
    ax, ay = view.to_display(lon[m], lat[m])
    bx, by = view.to_display(lon2, lat2)
    length = np.hypot(bx - ax, by - ay)
    ok = length > 0
    ux[m[ok]], uy[m[ok]] = (bx - ax)[ok] / length[ok], (by - ay)[ok] / length[ok]
    leader = m[ok & air[m]]
    x2[leader], y2[leader] = bx[ok & air[m]], by[ok & air[m]]
    return ux, uy, x2, y2

