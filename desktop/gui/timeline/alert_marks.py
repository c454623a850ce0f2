"""Alerts on the timeline: a small triangle at the top of the calls-per-day strip at each
alert's time, red for a crossing or a unit on the wrong side, amber for the rest; alerts
closer than a pixel share one mark in the colour of the gravest. Drawn from numpy arrays
in device pixels, like the call bars (no item per alert).
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.gui.timeline.call_bars import _DevicePainted

GRAVE = ("cross_line", "wrong_side")
COLOURS = (QtGui.QColor(220, 140, 0), QtGui.QColor(200, 0, 0))   # by gravity
SIZE_PX = 7.0


class AlertMarks(_DevicePainted):
    def __init__(self) -> None:
        super().__init__()
        self.times = np.empty(0)
        self.grave = np.empty(0, dtype=np.int8)
        self.setZValue(40)

    def set_alerts(self, times: np.ndarray, kinds: np.ndarray) -> None:
        """Alert times (epoch s) and kinds, in any order."""
        order = np.argsort(np.asarray(times, dtype=float), kind="stable")
        self.prepareGeometryChange()
        self.times = np.asarray(times, dtype=float)[order]
        self.grave = np.isin(np.asarray(kinds, dtype=object)[order], GRAVE).astype(np.int8)
        lo, hi = (float(self.times[0]), float(self.times[-1])) if len(self.times) else (0.0, 1.0)
        self._bounds = QtCore.QRectF(lo, 0.0, max(hi - lo, 1.0), 1.0)
        self.update()

    def paint(self, p: QtGui.QPainter, *args) -> None:
        device = self._device(p)
        if device is None or not len(self.times):
            return
        x0, x1, sx, dx, tr = device
        lo, hi = np.searchsorted(self.times, [x0, x1])
        if hi <= lo:
            return
        col = np.floor(self.times[lo:hi] * sx + dx).astype(np.int64)
        starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
        cols, grave = col[starts], np.maximum.reduceat(self.grave[lo:hi], starts)
        (_, _), (_, top) = self.getViewBox().viewRange()
        y = top * tr.m22() + tr.dy()
        p.save()
        p.resetTransform()
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        p.setPen(QtGui.QPen(QtGui.QColor(255, 255, 255), 1))
        h = SIZE_PX / 2
        for g in (0, 1):
            p.setBrush(COLOURS[g])
            for x in cols[grave == g].tolist():
                p.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(x - h, y), QtCore.QPointF(x + h, y),
                                               QtCore.QPointF(x, y + SIZE_PX)]))
        p.restore()
