"""Map markup on the map: every annotation of the document, plus the one being drawn or
moved, in the display CRS.

Geometry comes from the model (`Annotation.outline()`: geodesic edges and rings) and is
projected here; pens, arrowheads and labels are sized in screen pixels (an annotation's
`width` is in points), so markup reads the same at every zoom and, scaled by the export,
on paper. The layer draws and answers "what is under the mouse"; the markup tools turn
gestures into previews and undoable commands.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from PySide6 import QtCore, QtGui

from desktop.core.annotations import ARROW, CIRCLE, MEASURE, POLYGON, TEXT, Annotation, Annotations
from desktop.core.time_cursor import shown_time
from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import map_transform

PT_PX = 96.0 / 72.0      # screen pixels per point
LABEL_PX = 12            # label font, screen pixels
HIT_PX = 7.0             # how close a click must be to a stroke to pick it
FILL_ALPHA = 45          # areas are translucent: the map stays readable under them


@dataclass(frozen=True, eq=False)
class Shape:
    """One annotation projected to display coordinates: its outline and its points."""

    annotation: Annotation
    x: np.ndarray
    y: np.ndarray
    px: np.ndarray
    py: np.ndarray
    label: str = ""  # what it says (a measurement, a ring's radius) in the units of measure

    @property
    def id(self) -> str:
        return self.annotation.id


class ShapePainter:
    """Draws one Shape in device pixels: `t` maps display coordinates to them, `scale` is
    device pixels per screen pixel, `bounds` what can be seen (device pixels)."""

    def __init__(self, p: QtGui.QPainter | None, t: QtGui.QTransform, scale: float, bounds: QtCore.QRectF) -> None:
        self.p, self.t, self.k = p, t, scale
        self.bounds = bounds

    def labels(self, shape: Shape) -> list[tuple[str, QtCore.QRectF]]:
        """Where a shape's labels go (device pixels): what the map draws and what unit names
        keep clear of."""
        a = shape.annotation
        pts = self.device_points(shape)
        if pts is None:
            return []
        x, y, px, py = pts
        k = self.k
        if a.kind == TEXT:
            return [(a.text, self._label_rect(a.text, QtCore.QPointF(x[0] + 12 * k, y[0] - 16 * k), "bottom-left",
                                              bold=True))]
        label = shape.label or a.label()
        if a.kind == CIRCLE:  # on the ring's northernmost point (the outline starts due north)
            return [(label, self._label_rect(label, QtCore.QPointF(x[0], y[0]), "centre"))]
        if a.kind == MEASURE:
            text = label if not a.text else f"{a.text}: {label}"
            mid = len(x) // 2
            if abs(x[-1] - x[0]) >= abs(y[-1] - y[0]):  # mostly across: the label above the middle
                return [(text, self._label_rect(text, QtCore.QPointF(x[mid], y[mid] - 8 * k), "bottom-centre"))]
            box = self._label_rect(text, QtCore.QPointF(x[mid], y[mid]), "centre")  # up and down: beside it
            box.moveLeft(x[mid] + 10 * k)
            if box.right() > self.bounds.right():  # no room on the right: the other side
                box.moveRight(x[mid] - 10 * k)
            return [(text, box)]
        if not a.text:
            return []
        if a.kind == POLYGON:
            return [(a.text, self._label_rect(a.text, QtCore.QPointF(float(np.mean(px)), float(np.mean(py))),
                                              "centre"))]
        # Arrow: at the tail; freehand: at the end; on the side away from the stroke.
        (ex, ey), other = ((x[0], y[0]), (x[-1], y[-1])) if a.kind == ARROW else ((x[-1], y[-1]), (x[0], y[0]))
        rect = self._label_rect(a.text, QtCore.QPointF(ex, ey), "centre")
        rect.moveLeft(ex - rect.width() - 8 * k if other[0] > ex else ex + 8 * k)
        return [(a.text, rect)]

    def device(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = self.t
        return t.m11() * x + t.m21() * y + t.dx(), t.m12() * x + t.m22() * y + t.dy()

    def device_points(self, shape: Shape):
        """(outline x, y, points x, y) in device pixels, the outline without points that
        did not project; None when nothing did."""
        x, y = self.device(shape.x, shape.y)
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return None
        return (x[ok], y[ok], *self.device(shape.px, shape.py))

    def draw(self, shape: Shape, highlight: bool = False) -> None:
        a = shape.annotation
        pts = self.device_points(shape)
        if pts is None:
            return
        x, y, px, py = pts
        colour = QtGui.QColor(a.color)
        width = a.width * PT_PX * self.k
        path = _polyline(x, y, closed=a.kind in (POLYGON, CIRCLE))
        if highlight:
            halo = QtGui.QColor(*style.SELECTION_COLOUR, 110)
            self.p.setPen(QtGui.QPen(halo, width + 7 * self.k, QtCore.Qt.PenStyle.SolidLine,
                                     QtCore.Qt.PenCapStyle.RoundCap, QtCore.Qt.PenJoinStyle.RoundJoin))
            self.p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            if a.kind == TEXT:
                self.p.drawEllipse(QtCore.QPointF(x[0], y[0]), 6 * self.k, 6 * self.k)
            else:
                self.p.drawPath(path)
        pen = QtGui.QPen(colour, width, QtCore.Qt.PenStyle.SolidLine, QtCore.Qt.PenCapStyle.RoundCap,
                         QtCore.Qt.PenJoinStyle.RoundJoin)
        if a.kind == MEASURE:  # dashed: no one takes a measurement for the (solid) line
            pen.setCapStyle(QtCore.Qt.PenCapStyle.FlatCap)
            pen.setDashPattern([4.0, 2.5])
        getattr(self, f"_draw_{a.kind}")(shape, a, path, x, y, px, py, pen, colour)
        if highlight:
            self._handles(px, py)

    # -- kinds ------------------------------------------------------------------------------
    def _draw_text(self, shape, a, path, x, y, px, py, pen, colour) -> None:
        k = self.k
        anchor = QtCore.QPointF(x[0], y[0])
        self.p.setPen(QtCore.Qt.PenStyle.NoPen)
        self.p.setBrush(colour)
        self.p.drawEllipse(anchor, 3 * k, 3 * k)
        (text, box), = self.labels(shape)
        self.p.setPen(QtGui.QPen(colour, max(a.width * PT_PX * k * 0.6, 0.8 * k)))
        self.p.drawLine(anchor, QtCore.QPointF(box.left(), box.bottom()))
        self._label(text, box, colour, border=colour, bold=True)

    def _draw_arrow(self, shape, a, path, x, y, px, py, pen, colour) -> None:
        head = self._arrowhead(x, y, pen.widthF())
        if head is None:  # too short on screen for a head
            self._stroke(path, pen)
            self._labels(shape, colour)
            return
        polygon, trim = head
        self._stroke(_polyline(*_trim_end(x, y, trim)), pen)
        self.p.setPen(QtGui.QPen(colour, 1.0 * self.k))
        self.p.setBrush(colour)
        self.p.drawPolygon(polygon)
        self._labels(shape, colour)

    def _draw_freehand(self, shape, a, path, x, y, px, py, pen, colour) -> None:
        self._stroke(path, pen)
        self._labels(shape, colour)

    def _draw_polygon(self, shape, a, path, x, y, px, py, pen, colour) -> None:
        fill = QtGui.QColor(colour)
        fill.setAlpha(FILL_ALPHA)
        self.p.setPen(pen)
        self.p.setBrush(fill)
        self.p.drawPath(path)
        self._labels(shape, colour)

    def _draw_circle(self, shape, a, path, x, y, px, py, pen, colour) -> None:
        self.p.setPen(pen)
        self.p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        self.p.drawPath(path)
        c, s = QtCore.QPointF(px[0], py[0]), 5 * self.k
        self.p.setPen(QtGui.QPen(colour, 1.5 * self.k))
        self.p.drawLine(c - QtCore.QPointF(s, 0), c + QtCore.QPointF(s, 0))
        self.p.drawLine(c - QtCore.QPointF(0, s), c + QtCore.QPointF(0, s))
        self._labels(shape, colour)

    def _draw_measure(self, shape, a, path, x, y, px, py, pen, colour) -> None:
        self._stroke(path, pen)
        self.p.setPen(QtGui.QPen(colour, pen.widthF()))  # solid end ticks
        k = self.k
        for (x0, y0), (x1, y1) in (((px[0], py[0]), (x[1], y[1])), ((px[-1], py[-1]), (x[-2], y[-2]))):
            d = math.hypot(x1 - x0, y1 - y0) or 1.0
            nx, ny = -(y1 - y0) / d * 6 * k, (x1 - x0) / d * 6 * k
            self.p.drawLine(QtCore.QPointF(x0 - nx, y0 - ny), QtCore.QPointF(x0 + nx, y0 + ny))
        self._labels(shape, colour)

    # -- pieces -----------------------------------------------------------------------------
    def _stroke(self, path: QtGui.QPainterPath, pen: QtGui.QPen) -> None:
        self.p.setPen(pen)
        self.p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        self.p.drawPath(path)

    def _arrowhead(self, x, y, pen_width: float):
        """Filled head at the last point, along the last visible piece; None if too short."""
        tip = np.array([x[-1], y[-1]])
        length = (7.0 + 2.2 * pen_width / self.k) * self.k
        d = np.hypot(x - tip[0], y - tip[1])
        back = np.flatnonzero(d >= length)
        if not len(back):
            return None
        base = np.array([x[back[-1]], y[back[-1]]])
        u = (tip - base) / np.hypot(*(tip - base))
        n = np.array([-u[1], u[0]]) * length * 0.45
        root = tip - u * length
        pts = [tip, root + n, tip - u * length * 0.8, root - n]
        return QtGui.QPolygonF([QtCore.QPointF(*q) for q in pts]), length * 0.7

    def _handles(self, px, py) -> None:
        s = 3.5 * self.k
        self.p.setPen(QtGui.QPen(QtGui.QColor(*style.SELECTION_COLOUR), 1.5 * self.k))
        self.p.setBrush(QtGui.QColor("white"))
        for hx, hy in zip(px, py):
            self.p.drawRect(QtCore.QRectF(hx - s, hy - s, 2 * s, 2 * s))

    def _font(self, bold: bool = False) -> QtGui.QFont:
        font = QtGui.QFont()
        font.setPixelSize(max(1, round(LABEL_PX * self.k)))
        font.setBold(bold)
        return font

    def _label_rect(self, text: str, at: QtCore.QPointF, where: str, bold: bool = False) -> QtCore.QRectF:
        fm = QtGui.QFontMetricsF(self._font(bold))
        pad = 3 * self.k
        w, h = fm.horizontalAdvance(text) + 2 * pad, fm.height() + pad
        x = {"bottom-left": at.x(), "centre": at.x() - w / 2, "bottom-centre": at.x() - w / 2}[where]
        y = {"bottom-left": at.y() - h, "centre": at.y() - h / 2, "bottom-centre": at.y() - h}[where]
        return QtCore.QRectF(x, y, w, h)

    def _labels(self, shape: Shape, colour: QtGui.QColor) -> None:
        for text, rect in self.labels(shape):
            self._label(text, rect, colour)

    def _label(self, text: str, rect: QtCore.QRectF, colour: QtGui.QColor, border: QtGui.QColor | None = None,
               bold: bool = False) -> None:
        if not text:
            return
        self.p.setPen(QtGui.QPen(border, 1.2 * self.k) if border is not None else QtCore.Qt.PenStyle.NoPen)
        self.p.setBrush(QtGui.QColor(255, 255, 255, 225))
        self.p.drawRoundedRect(rect, 2 * self.k, 2 * self.k)
        self.p.setFont(self._font(bold))
        self.p.setPen(colour.darker(125) if border is None else colour)
        self.p.drawText(rect, int(QtCore.Qt.AlignmentFlag.AlignCenter), text)


class MarkupLayer(MapLayer):
    """The document's annotations in the display CRS, with a selection and a preview.

    `preview` is an annotation being drawn or moved: it is drawn in place of the committed
    one with the same id (a move), or on top (a new one). Labels, arrowheads and pens are in
    screen pixels; markup labels are reserved in the shared label registry, so names and
    towns keep clear of them."""

    id, title, group, z = "markup", "Markup", "Operations", 45.0
    label_rank = 10

    def __init__(self) -> None:
        super().__init__()
        self.shapes: list[Shape] = []
        self.selected: str | None = None
        self._preview: Shape | None = None

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.document.annotations_changed, self._on_annotations_changed)
        self.links.connect(scene.measure_units_changed, self.refresh)
        self.refresh()

    def _on_annotations_changed(self, _annotations) -> None:
        self.refresh()

    def projection_changed(self) -> None:
        self.refresh()

    # -- state --------------------------------------------------------------------------------
    @property
    def annotations(self) -> Annotations:
        return self.document.annotations

    def refresh(self) -> None:
        """Re-project every annotation (markup or display CRS changed)."""
        self.shapes = [self.project(a) for a in self.annotations]
        if self.selected is not None and self.selected not in self.annotations:
            self.selected = None
        self.scene.relayout_labels()  # names and towns keep clear of markup labels
        self.changed()

    def project(self, annotation: Annotation) -> Shape:
        lon, lat = annotation.outline()
        x, y = self.scene.to_display(lon, lat)
        px, py = self.scene.to_display(annotation.points[:, 0], annotation.points[:, 1])
        # In the scene's units of measure; a magnetic bearing with the variation when the map shows.
        return Shape(annotation, *(np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, y, px, py)),
                     label=annotation.label(self.scene.measure_units, shown_time(self.document)))

    def select(self, annotation_id: str | None) -> None:
        if annotation_id != self.selected:
            self.selected = annotation_id
            self.changed()

    def set_preview(self, annotation: Annotation | None) -> None:
        self._preview = None if annotation is None else self.project(annotation)
        self.changed()

    @property
    def preview(self) -> Annotation | None:
        return None if self._preview is None else self._preview.annotation

    def drawn_shapes(self) -> list[Shape]:
        """What is painted, in order: committed shapes (one may be replaced by the preview)."""
        preview = self._preview
        if preview is None:
            return self.shapes
        out = [preview if s.id == preview.id else s for s in self.shapes]
        return out if any(s is preview for s in out) else out + [preview]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        shapes = self.drawn_shapes()
        if not shapes:
            return
        shape_painter = ShapePainter(painter, map_transform(settings), settings.pixel_ratio,
                                     QtCore.QRectF(0, 0, *settings.size))
        for shape in shapes:
            shape_painter.draw(shape, highlight=shape.id == self.selected)

    def layout_labels(self, settings: MapSettings, registry) -> None:
        """Every markup label is shown: reserved so other labels keep clear of it."""
        r = settings.pixel_ratio
        t = map_transform(settings) * QtGui.QTransform.fromScale(1 / r, 1 / r)
        painter = ShapePainter(None, t, 1.0, QtCore.QRectF(0, 0, registry.width, registry.height))  # screen px
        registry.reserve([(b.left(), b.top(), b.right(), b.bottom()) for shape in self.shapes
                          for _, b in painter.labels(shape)])

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        colour = QtGui.QColor("#d62728")
        painter.setPen(QtGui.QPen(colour, 2))
        painter.drawLine(rect.bottomLeft(), rect.topRight())

    # -- picking ------------------------------------------------------------------------------
    def annotation_at(self, x: float, y: float, tolerance: float) -> str | None:
        """Id of the topmost annotation under display (x, y): a stroke, ring or area edge
        within `tolerance` map units, a text anchor or its label, or the inside of an area."""
        for shape in reversed(self.shapes):
            if _near(shape, x, y, tolerance):
                return shape.id
        for shape in reversed(self.shapes):
            if shape.annotation.kind == POLYGON and shapely.contains_xy(
                    shapely.Polygon(np.column_stack([shape.x, shape.y])), x, y):
                return shape.id
        return None


def _near(shape: Shape, x: float, y: float, tol: float) -> bool:
    a = shape.annotation
    if a.kind == TEXT:
        # The anchor, or the label box up-right of it (about LABEL_PX high, 7 px a character).
        px = tol / HIT_PX
        dx, dy = (x - shape.px[0]) / px, (y - shape.py[0]) / px
        return math.hypot(dx, dy) <= HIT_PX or (0 <= dx <= 14 + 7.5 * len(a.text) and 0 <= dy <= 34)
    if a.kind == CIRCLE and math.hypot(x - shape.px[0], y - shape.py[0]) <= tol:
        return True
    return _distance_to_polyline(shape.x, shape.y, x, y) <= tol


def _distance_to_polyline(xs: np.ndarray, ys: np.ndarray, x: float, y: float) -> float:
    if len(xs) == 1:
        return float(math.hypot(xs[0] - x, ys[0] - y))
    ax, ay, bx, by = xs[:-1], ys[:-1], xs[1:], ys[1:]
    dx, dy = bx - ax, by - ay
    l2 = dx * dx + dy * dy
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / np.where(l2 == 0, 1.0, l2), 0, 1)
    return float(np.sqrt(np.nanmin((ax + t * dx - x) ** 2 + (ay + t * dy - y) ** 2)))


def _polyline(x: np.ndarray, y: np.ndarray, closed: bool = False) -> QtGui.QPainterPath:
    path = QtGui.QPainterPath()
    path.addPolygon(QtGui.QPolygonF([QtCore.QPointF(a, b) for a, b in zip(x, y)]))
    if closed:
        path.closeSubpath()
    return path


def _trim_end(x: np.ndarray, y: np.ndarray, length: float) -> tuple[np.ndarray, np.ndarray]:
    """The polyline shortened by `length` pixels at its end (so a thick shaft stops inside
    the arrowhead instead of poking through its tip)."""
    tip = np.array([x[-1], y[-1]])
    d = np.hypot(x - tip[0], y - tip[1])
    keep = np.flatnonzero(d > length)
    if not len(keep):
        return x, y
    i = keep[-1]
    a, b = np.array([x[i], y[i]]), np.array([x[i + 1], y[i + 1]])
    # The point between a and b at `length` from the tip (d falls from d[i] to d[i+1]).
    f = (d[i] - length) / max(d[i] - d[i + 1], 1e-9)
    cut = a + (b - a) * min(max(f, 0.0), 1.0)
    return np.append(x[:i + 1], cut[0]), np.append(y[:i + 1], cut[1])


def markup_layer(context) -> MarkupLayer:
    """The `map_layer` contribution."""
    return MarkupLayer()
