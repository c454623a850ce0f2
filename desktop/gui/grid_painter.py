"""Paints the MGRS/UTM grid (`desktop.core.mgrs_grid`) into any QPainter.

Lines in one path per kind (grid lines, zone boundaries), the 100 km square letters where
each square's visible part is, and the easting/northing figures inside the map's edges on
a pale backing so they read over imagery. Sizes are screen pixels times the output's
pixel ratio, so an export at 300 dpi looks like the screen. Text is cached as QStaticText.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.core.mgrs_grid import MIN_SPACING_PX, GridFrame, MgrsGridCache
from desktop.gui.map.layers.painting import lines_path

# Opaque: Qt strokes a translucent path as one filled outline, 4x slower than opaque lines.
GRID_COLOUR = QtGui.QColor(40, 80, 170)
ZONE_COLOUR = QtGui.QColor(20, 50, 140)
SQUARE_COLOUR = QtGui.QColor(20, 60, 150, 120)
LABEL_COLOUR = QtGui.QColor(10, 40, 120)
BACKING = QtGui.QColor(255, 255, 255, 190)
# (lines, zone boundaries, square letters, edge figures, their backing) by day and in night
# mode (MapSettings.night): lighter blues on a dark backing.
INK = {False: (GRID_COLOUR, ZONE_COLOUR, SQUARE_COLOUR, LABEL_COLOUR, BACKING),
       True: (QtGui.QColor(95, 135, 215), QtGui.QColor(130, 170, 245), QtGui.QColor(150, 185, 250, 130),
              QtGui.QColor(190, 210, 255), QtGui.QColor(20, 22, 26, 190))}
EDGE_FONT_PX = 11.0
SQUARE_FONT_PX = 22.0
MARGIN_PX = 2.0


class GridPainter:
    """`paint(painter, settings)` draws the grid; `frame(settings)` is what it would draw
    (for tests and the export's caption: `frame(settings).description`). Holds no thread
    and no file: nothing to close."""

    def __init__(self, min_spacing_px: float = MIN_SPACING_PX) -> None:
        self.cache = MgrsGridCache(min_spacing_px)
        self._texts: dict[tuple[str, int, bool], QtGui.QStaticText] = {}
        self._sizes: dict[tuple[str, int, bool], QtCore.QSizeF] = {}
        self._fonts: dict[tuple[int, bool], QtGui.QFont] = {}

    def frame(self, settings: MapSettings) -> GridFrame:
        return self.cache.frame(settings)

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        g = self.frame(settings)
        r = settings.pixel_ratio
        lines, zones, squares, figures, backing = INK[settings.night]
        painter.save()
        try:
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            # Grid lines run nearly along the pixel rows and columns: crisp without
            # antialiasing, and 2.5x faster to draw; zone boundaries (few) are smoothed.
            for x, y, colour, width, smooth in ((g.lines_x, g.lines_y, lines, 1.0, False),
                                                (g.zones_x, g.zones_y, zones, 2.0, True)):
                if len(x):
                    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, smooth)
                    painter.setPen(QtGui.QPen(colour, width * r))
                    painter.drawPath(lines_path(x, y))  # NaN between polylines: no pyqtgraph on the map
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
            self._square_labels(painter, g, r, squares)
            self._edge_labels(painter, g, settings, r, figures, backing)
        finally:
            painter.restore()

    def _font(self, px: float, bold: bool) -> QtGui.QFont:
        key = (max(1, round(px)), bold)
        font = self._fonts.get(key)
        if font is None:
            font = self._fonts[key] = QtGui.QFont()
            font.setPixelSize(key[0])
            font.setBold(bold)
        return font

    def _text(self, text: str, px: float, bold: bool) -> tuple[QtGui.QStaticText, QtGui.QFont]:
        font = self._font(px, bold)
        key = (text, font.pixelSize(), bold)
        st = self._texts.get(key)
        if st is None:
            if len(self._texts) > 2000:
                self._texts.clear()
            st = self._texts[key] = QtGui.QStaticText(text)
            st.setTextFormat(QtCore.Qt.TextFormat.PlainText)
            st.prepare(QtGui.QTransform(), font)
            self._sizes[key] = st.size()
        return st, font

    def _square_labels(self, painter: QtGui.QPainter, g: GridFrame, r: float, colour: QtGui.QColor) -> None:
        labels = list(g.squares)
        if g.interval is None or g.interval >= 100_000:
            labels += list(g.gzd)   # small scales: name the grid zones too
        if not labels:
            return
        painter.setPen(colour)
        for text, x, y in labels:
            st, font = self._text(text, SQUARE_FONT_PX * r * (0.6 if g.interval == 100_000 else 1.0), True)
            painter.setFont(font)
            size = st.size()
            painter.drawStaticText(QtCore.QPointF(x - size.width() / 2, y - size.height() / 2), st)

    def _edge_labels(self, painter: QtGui.QPainter, g: GridFrame, settings: MapSettings, r: float,
                     colour: QtGui.QColor, backing: QtGui.QColor) -> None:
        if not g.edge_labels:
            return
        w, h = settings.size
        m = MARGIN_PX * r
        texts, lefts, tops, widths, heights = [], [], [], [], []
        for text, side, x, y in g.edge_labels:
            st, font = self._text(text, EDGE_FONT_PX * r, False)
            size = self._sizes[(text, font.pixelSize(), False)]
            tw, th = size.width(), size.height()
            if side == "top":
                left, top = x - tw / 2, m
            elif side == "bottom":
                left, top = x - tw / 2, h - m - th
            elif side == "left":
                left, top = m, y - th / 2
            else:
                left, top = w - m - tw, y - th / 2
            texts.append(st)
            lefts.append(left - m)
            tops.append(top)
            widths.append(tw + 2 * m)
            heights.append(th)
        kept = _first_of_overlapping(np.array(lefts), np.array(tops), np.array(widths), np.array(heights))
        boxes = [QtCore.QRectF(lefts[i], tops[i], widths[i], heights[i]) for i in kept]
        spots = [(QtCore.QPointF(lefts[i] + m, tops[i]), texts[i]) for i in kept]
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(backing)
        painter.drawRects(boxes)
        painter.setPen(colour)
        painter.setFont(font)   # one size for every edge label
        for point, st in spots:
            painter.drawStaticText(point, st)


def _first_of_overlapping(left, top, width, height) -> list[int]:
    """Indices of the boxes kept when each box is dropped if it overlaps one kept before it
    (two zones' lines meeting at a boundary: the first label stays). The pairwise test is
    one array operation: a frame has ~60 edge labels, and a Python pairwise loop cost ~1 ms."""
    right, bottom = left + width, top + height
    overlaps = ((left[:, None] < right[None, :]) & (left[None, :] < right[:, None])
                & (top[:, None] < bottom[None, :]) & (top[None, :] < bottom[:, None]))
    np.fill_diagonal(overlaps, False)
    if not overlaps.any():
        return list(range(len(left)))
    kept = np.zeros(len(left), dtype=bool)
    for i in range(len(left)):
        kept[i] = not (overlaps[i, :i] & kept[:i]).any()
    return np.flatnonzero(kept).tolist()
