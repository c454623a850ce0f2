"""Numpy to Qt drawing, with no Python loop per point: paths from coordinate arrays,
images sharing a numpy buffer, one pre-rendered symbol drawn at many points, the same
symbol as one vector path (PDF/SVG), and text labels anchored on a point.

Everything here paints in device pixels or through a `map_transform`; no graphics view is
involved, so the window and the export draw with the same code.
"""
from __future__ import annotations

import math
import struct

import numpy as np
import shapely
from PySide6 import QtCore, QtGui
from shiboken6 import Shiboken

from desktop.core.map_settings import MapSettings

# Unit-size symbols centred on 0 (y down), as markers and rings are drawn.
_STAR = [(0, -0.5), (-0.1123, -0.1545), (-0.4755, -0.1545), (-0.1816, 0.059), (-0.2939, 0.4045), (0, 0.1910),
         (0.2939, 0.4045), (0.1816, 0.059), (0.4755, -0.1545), (0.1123, -0.1545)]


def _symbols() -> dict[str, QtGui.QPainterPath]:
    circle, square, star = QtGui.QPainterPath(), QtGui.QPainterPath(), QtGui.QPainterPath()
    circle.addEllipse(QtCore.QRectF(-0.5, -0.5, 1, 1))
    square.addRect(QtCore.QRectF(-0.5, -0.5, 1, 1))
    star.addPolygon(QtGui.QPolygonF([QtCore.QPointF(*p) for p in _STAR]))
    star.closeSubpath()
    return {"o": circle, "s": square, "star": star}


SYMBOLS = _symbols()
_ELEMENT = np.dtype([("c", ">i4"), ("x", ">f8"), ("y", ">f8")])


def pen(rgb, width: float = 1.0, alpha: int = 255, style=QtCore.Qt.PenStyle.SolidLine) -> QtGui.QPen:
    """A cosmetic pen `width` screen pixels wide (scaled for the device by `scaled`)."""
    p = QtGui.QPen(QtGui.QColor(*rgb[:3], rgb[3] if len(rgb) > 3 else alpha), width)
    p.setStyle(style)
    p.setCosmetic(True)
    return p


def scaled(p: QtGui.QPen, ratio: float) -> QtGui.QPen:
    """`p` for a device with `ratio` device pixels per screen pixel (an export at 300 dpi:
    3.125): cosmetic widths are in device pixels."""
    if ratio == 1.0 or not p.isCosmetic():
        return p
    out = QtGui.QPen(p)
    out.setWidthF(max(p.widthF(), 1.0) * ratio)  # width 0 is a 1-pixel hairline
    return out


def map_transform(settings: MapSettings) -> QtGui.QTransform:
    """Display coordinates -> device pixels (y flipped)."""
    x0, _, _, y1 = settings.extent
    sx, sy = settings.map_units_per_pixel
    return QtGui.QTransform(1 / sx, 0, 0, -1 / sy, -x0 / sx, y1 / sy)


def lines_path(x, y, link_next=None) -> QtGui.QPainterPath:
    """One path of polylines: point i joins point i + 1 where `link_next[i]` (default: all),
    never across a non-finite point. Built as one binary blob read by QDataStream, the
    layout `QPainterPath` serialises to."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    if n == 0:
        return QtGui.QPainterPath()
    finite = np.isfinite(x) & np.isfinite(y)
    link = np.ones(n, dtype=bool) if link_next is None else np.asarray(link_next, dtype=bool).copy()
    link &= finite
    joins = np.zeros(n, dtype=bool)
    joins[1:] = link[:-1]
    keep = np.flatnonzero(finite)
    if not len(keep):
        return QtGui.QPainterPath()
    m = len(keep)
    blob = bytearray(4 + m * _ELEMENT.itemsize + 8)
    struct.pack_into(">i", blob, 0, m)
    elements = np.frombuffer(blob, dtype=_ELEMENT, count=m, offset=4)
    elements["c"] = joins[keep]   # 0: MoveTo, 1: LineTo
    elements["c"][0] = 0
    elements["x"] = x[keep]
    elements["y"] = y[keep]
    struct.pack_into(">ii", blob, 4 + m * _ELEMENT.itemsize, 0, 0)  # cStart, fill rule (odd-even)
    path = QtGui.QPainterPath()
    QtCore.QDataStream(QtCore.QByteArray(bytes(blob))) >> path
    return path


def polylines_path(x, y, offsets) -> QtGui.QPainterPath:
    """Polylines given as points and `offsets` (polyline k = points offsets[k]:offsets[k+1])."""
    link = np.ones(len(x), dtype=bool)
    link[np.asarray(offsets[1:], dtype=np.int64) - 1] = False
    return lines_path(x, y, link)


def rings_path(rings: list[np.ndarray]) -> QtGui.QPainterPath:
    """One path holding every ring (n x 2 arrays); odd-even fill makes holes holes."""
    if not rings:
        return QtGui.QPainterPath()
    xy = np.concatenate(rings)
    return polylines_path(xy[:, 0], xy[:, 1], np.cumsum([0] + [len(r) for r in rings]))


def polygon_rings(geom) -> list[np.ndarray]:
    """Exterior and interior rings of a shapely Polygon/MultiPolygon as coordinate arrays."""
    out = []
    for poly in getattr(geom, "geoms", [geom]):
        if isinstance(poly, shapely.Polygon) and not poly.is_empty:
            out.append(np.asarray(poly.exterior.coords))
            out.extend(np.asarray(r.coords) for r in poly.interiors)
    return out


def image_of(buffer: np.ndarray) -> QtGui.QImage:
    """A QImage on `buffer` (h x w uint32 premultiplied ARGB, C order), sharing its memory:
    in-place edits of the buffer show at the next paint. The caller keeps `buffer` alive as
    long as the image."""
    h, w = buffer.shape
    return QtGui.QImage(buffer, w, h, buffer.strides[0], QtGui.QImage.Format.Format_ARGB32_Premultiplied)


def render_symbol(symbol, size: float, p: QtGui.QPen, brush: QtGui.QBrush, ratio: float) -> QtGui.QPixmap:
    """A symbol (name in SYMBOLS or a unit-size QPainterPath) `size` screen pixels wide,
    rendered for a device of `ratio` device pixels per screen pixel (pixmap in device pixels)."""
    path = SYMBOLS[symbol] if isinstance(symbol, str) else symbol
    side = int(math.ceil(ratio * (size + max(math.ceil(p.widthF()), 1))))
    image = QtGui.QImage(side, side, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.translate(side / 2, side / 2)
    painter.scale(size * ratio, size * ratio)
    painter.setPen(scaled(p, ratio))
    painter.setBrush(brush)
    painter.drawPath(path)
    painter.end()
    return QtGui.QPixmap.fromImage(image)


class Fragments:
    """A reusable array of QPainter.PixmapFragment: one drawPixmapFragments call draws a
    pixmap at many points (PySide takes a pointer to the first fragment and a count)."""

    def __init__(self) -> None:
        self._array = np.empty((0, 10), dtype=np.float64)

    def draw(self, painter: QtGui.QPainter, pixmap: QtGui.QPixmap, cx: np.ndarray, cy: np.ndarray) -> None:
        """`pixmap` (device pixels) centred on each device point (cx, cy)."""
        n = len(cx)
        if not n:
            return
        if len(self._array) < n:
            self._array = np.empty((max(n, 2 * len(self._array)), 10), dtype=np.float64)
        a = self._array[:n]
        a[:, 0] = cx
        a[:, 1] = cy
        a[:, 2:6] = (0, 0, pixmap.width(), pixmap.height())
        a[:, 6:10] = (1.0, 1.0, 0.0, 1.0)  # scale x, y, rotation, opacity
        first = Shiboken.wrapInstance(self._array.ctypes.data, QtGui.QPainter.PixmapFragment)
        painter.drawPixmapFragments(first, n, pixmap)


def symbol_polygon(symbol, size: float) -> np.ndarray:
    """Closed outline (k x 2) of a symbol (name or unit-size path) `size` wide, centred on 0,
    y down."""
    path = SYMBOLS[symbol] if isinstance(symbol, str) else symbol
    polys = path.toSubpathPolygons(QtGui.QTransform.fromScale(size, size))
    pts = np.array([(q.x(), q.y()) for q in polys[0]], dtype=float)
    if not np.allclose(pts[0], pts[-1]):
        pts = np.vstack([pts, pts[:1]])
    return pts


def tiled_path(shape: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> QtGui.QPainterPath:
    """One path: `shape` translated to every (dx, dy), built with numpy (no Python loop).
    Winding fill so overlapping symbols do not punch holes in each other."""
    k = len(shape)
    xs = (np.asarray(dx)[:, None] + shape[None, :, 0]).ravel()
    ys = (np.asarray(dy)[:, None] + shape[None, :, 1]).ravel()
    link = np.ones((len(dx), k), dtype=bool)
    link[:, -1] = False
    path = lines_path(xs, ys, link.ravel())
    path.setFillRule(QtCore.Qt.FillRule.WindingFill)
    return path


def in_device(settings: MapSettings, dx: np.ndarray, dy: np.ndarray, pad: float) -> np.ndarray:
    """Indices of device points within `pad` pixels of the output."""
    w, h = settings.size
    return np.flatnonzero((dx > -pad) & (dx < w + pad) & (dy > -pad) & (dy < h + pad))


def label_font(size_pt: float, ratio: float, bold: bool = False) -> QtGui.QFont:
    """A map label font: `size_pt` on a 96-dpi screen, in device pixels (the page does not
    depend on the machine's dpi)."""
    font = QtGui.QFont()
    font.setPixelSize(max(1, round(size_pt * 96.0 / 72.0 * ratio)))
    font.setBold(bold)
    return font


def label_rect(font: QtGui.QFont, text: str, x: float, y: float, anchor, margin: float) -> QtCore.QRectF:
    """Device rect of `text` (with `margin` around it) whose `anchor` (fractions across, down)
    sits on (x, y)."""
    fm = QtGui.QFontMetricsF(font)
    w, h = fm.horizontalAdvance(text) + 2 * margin, fm.height() + 2 * margin
    return QtCore.QRectF(x - anchor[0] * w, y - anchor[1] * h, w, h)


NIGHT_BACKING = (24, 28, 34)  # a label's backing in night mode (MapSettings.night), on the dark basemap


def label_inks(night: bool, text: QtGui.QColor, alpha: int) -> tuple[QtGui.QColor, QtGui.QColor]:
    """(text, backing) of a map label: `text` on white by day; in night mode the same hue
    made light, on a dark backing."""
    if not night:
        return text, QtGui.QColor(255, 255, 255, alpha)
    h, s, lightness, a = text.getHslF()
    return QtGui.QColor.fromHslF(max(h, 0.0), s, max(lightness, 0.82), a), QtGui.QColor(*NIGHT_BACKING, alpha)


def draw_label(painter: QtGui.QPainter, font: QtGui.QFont, text: str, x: float, y: float, anchor,
               colour: QtGui.QColor, ratio: float, fill: QtGui.QColor | None = None) -> None:
    """Plain text (never rich text: names come from files) anchored on device (x, y)."""
    rect = label_rect(font, text, x, y, anchor, 3.0 * ratio)
    if fill is not None:
        painter.fillRect(rect, fill)
    painter.setFont(font)
    painter.setPen(colour)
    painter.drawText(rect, int(QtCore.Qt.AlignmentFlag.AlignCenter), text)
