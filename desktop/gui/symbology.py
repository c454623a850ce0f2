"""MIL-STD-2525 / APP-6 unit symbols drawn with QPainterPath: frame by affiliation and
domain, function icon, echelon amplifier.

Geometry is the standard's 200 x 200 construction space (the frame centre at 100,100; a
friendly ground frame is the 150 x 100 rectangle from 25,50), the same numbers milsymbol
uses, so symbols match that renderer (tests compare the two). Why not milsymbol itself:
the PyPI port (0.2.0, alpha) is a frozen table of milsymbol.js output whose 2525C table is
a 66 MB JSON (about 2 s and 400 MB to load), that finds no letter code whose status is
not '-' (our demo's `SFGPUCI----H---`) and draws no echelon above brigade.

`SymbolArt` holds the paths of one SymbolSpec; `symbol_pixmap` caches a rendering per
(spec, size, device pixel ratio) for the map; `paint_symbol` draws the paths (vector) for
exports and legends.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6 import QtCore, QtGui

from desktop.core.sidc import SymbolSpec
from desktop.gui import style

DESIGN = 200.0            # the construction space is DESIGN units square
FRAME_STROKE = 4.0        # design units
ICON_STROKE = 3.0
MIN_FRAME_PX, MIN_ICON_PX = 1.3, 1.1   # small symbols keep legible lines


def _path(svg: str) -> QtGui.QPainterPath:
    """A path from SVG path data with M/L/C/Z commands, absolute or (lower case) relative:
    the form the standard's drawings are published in."""
    path = QtGui.QPainterPath()
    tokens = svg.replace(",", " ").replace("-", " -").split()
    i, cmd = 0, "M"
    cur = QtCore.QPointF(0, 0)

    def point(rel: bool) -> QtCore.QPointF:
        nonlocal i
        q = QtCore.QPointF(float(tokens[i]), float(tokens[i + 1]))
        i += 2
        return q + cur if rel else q

    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                path.closeSubpath()
                cur = path.currentPosition()
            continue
        rel = cmd.islower()
        if cmd in "Mm":
            cur = point(rel)
            path.moveTo(cur)
            cmd = "l" if rel else "L"  # further pairs are line-tos
        elif cmd in "Ll":
            cur = point(rel)
            path.lineTo(cur)
        elif cmd in "Cc":
            c1, c2, end = point(rel), point(rel), point(rel)
            path.cubicTo(c1, c2, end)
            cur = end
        else:
            raise ValueError(f"unsupported path command {cmd!r}")
    return path


def _circle(cx: float, cy: float, r: float) -> QtGui.QPainterPath:
    path = QtGui.QPainterPath()
    path.addEllipse(QtCore.QPointF(cx, cy), r, r)
    return path


# Frames: (fill outline, stroke outline) per (domain, affiliation). Air frames are open below.
_GROUND = {
    "friend": "M 25,50 L 175,50 175,150 25,150 Z",
    "hostile": "M 100,28 L 172,100 100,172 28,100 Z",
    "neutral": "M 45,45 L 155,45 155,155 45,155 Z",
    "unknown": "M 63,63 C 63,20 137,20 137,63 C 180,63 180,137 137,137 C 137,180 63,180 63,137 "
               "C 20,137 20,63 63,63 Z",
}
_AIR = {
    "friend": "M 155,150 C 155,50 115,30 100,30 C 85,30 45,50 45,150",
    "hostile": "M 45,150 L 45,70 100,20 155,70 155,150",
    "neutral": "M 45,150 L 45,30 155,30 155,150",
    "unknown": "M 65,150 C 10,150 15,60 65,60 C 65,10 135,10 135,60 C 185,60 190,150 135,150",
}
FRAME_TOP = {("ground", "friend"): 50.0, ("ground", "hostile"): 28.0, ("ground", "neutral"): 45.0,
             ("ground", "unknown"): 30.75, ("air", "friend"): 30.0, ("air", "hostile"): 20.0,
             ("air", "neutral"): 30.0, ("air", "unknown"): 22.5}
# Icons whose lines run to the frame differ by affiliation: (friend, hostile, neutral, unknown).
_CLIPPED = {
    "infantry": ("M 25,50 L 175,150 M 25,150 L 175,50", "M 60,70 L 140,130 M 60,130 L 140,70",
                 "M 45,45 L 155,155 M 45,155 L 155,45", "M 50,65 L 150,135 M 50,135 L 150,65"),
    "recon": ("M 25,150 L 175,50", "M 60,130 L 140,70", "M 45,155 L 155,45", "M 50,135 L 150,65"),
    "supply": ("M 25,120 L 175,120", "M 50,120 L 150,120", "M 45,120 L 155,120", "M 35,120 L 165,120"),
    "air_defence": ("M 25,150 C 25,110 175,110 175,150", "M 70,140 C 70,115 130,115 130,140",
                    "M 45,150 C 45,110 155,110 155,150", "M 55,135 C 65,115 135,115 145,135"),
}
_OVAL = "M 125,80 C 150,80 150,120 125,120 L 75,120 C 50,120 50,80 75,80 Z"
_STROKED = {"armour": _OVAL, "engineer": "M 60,118 L 60,83 140,83 140,118 M 100,83 L 100,110"}
_FILLED = {
    "rotary_wing": "M 60,85 L 100,100 140,85 140,115 100,100 60,115 Z",
    "uav": "M 60,84 L 100,104 140,84 140,92 100,117 60,92 Z",
    "fixed_wing": "m 99.2,58.2 c -3,0.8 -2.5,5.8 -2.5,5.8 l -0.3,16 -37.2,36.5 1.3,4.6 L 96.7,96.6 97,128.6 "
                  "l -8.5,8.2 0,4.6 9.3,-4.2 c 0.7,0.6 1.8,1.7 1.8,1.7 0,0 1.2,-1.1 1.9,-1.7 l 9.3,4.2 0,-4.6 "
                  "-8.5,-8.2 0.3,-32 36.2,24.5 1.3,-4.6 -37.2,-36.5 -0.3,-16 c 0,0 0.5,-5 -2.5,-5.8 -0.4,-0.1 "
                  "-0.7,-0.1 -1.1,0 z",
}
_TEXT = {"military_police": ("MP", 45.0), "sustainment": ("CSS", 39.0)}
_AFFILIATION_INDEX = {"friend": 0, "hostile": 1, "neutral": 2, "unknown": 3}


def _echelon(echelon: str, dy: float) -> tuple[QtGui.QPainterPath, QtGui.QPainterPath]:
    """(stroked, filled) echelon amplifier above a frame whose top is 50 + dy."""
    stroked, filled = QtGui.QPainterPath(), QtGui.QPainterPath()
    y = 30.0 + dy
    dots = {"squad": (100,), "section": (85, 115), "platoon": (70, 100, 130)}
    bars = {"company": (100,), "battalion": (90, 110), "regiment": (80, 100, 120)}
    crosses = {"brigade": 1, "division": 2, "corps": 3, "army": 4, "army group": 5, "region": 6}
    if echelon == "team":
        stroked.addEllipse(QtCore.QPointF(100, y), 15, 15)
        stroked.moveTo(80, y + 10)
        stroked.lineTo(120, y - 10)
    elif echelon in dots:
        for x in dots[echelon]:
            filled.addEllipse(QtCore.QPointF(x, y), 7.5, 7.5)
    elif echelon in bars:
        for x in bars[echelon]:
            stroked.moveTo(x, y + 10)
            stroked.lineTo(x, y - 15)
    elif echelon in crosses:
        n = crosses[echelon]
        left = 100 - (n * 25 + (n - 1) * 5) / 2
        for k in range(n):
            x0 = left + k * 30
            stroked.moveTo(x0, y + 10)
            stroked.lineTo(x0 + 25, y - 15)
            stroked.moveTo(x0, y - 15)
            stroked.lineTo(x0 + 25, y + 10)
    return stroked, filled


@dataclass(frozen=True, eq=False)
class SymbolArt:
    """The paths of one symbol in design units, and its fill colour."""

    frame_fill: QtGui.QPainterPath
    frame_stroke: QtGui.QPainterPath
    strokes: QtGui.QPainterPath     # icon and echelon lines
    fills: QtGui.QPainterPath       # solid icon parts, echelon dots, text
    colour: QtGui.QColor
    bounds: QtCore.QRectF           # everything, design units, with the stroke

    def scale_for(self, size_px: float) -> float:
        """Pixels per design unit for a symbol `size_px` wide (the 200-unit square)."""
        return size_px / DESIGN


@lru_cache(maxsize=512)
def symbol_art(spec: SymbolSpec) -> SymbolArt:
    aff = spec.affiliation if spec.affiliation in _GROUND else "unknown"
    air = spec.domain == "air"
    stroke = _path((_AIR if air else _GROUND)[aff])
    fill = QtGui.QPainterPath(stroke)
    fill.closeSubpath()
    strokes, fills = QtGui.QPainterPath(), QtGui.QPainterPath()
    icon = spec.icon
    if icon in ("infantry", "mech_infantry") and not air:
        strokes.addPath(_path(_CLIPPED["infantry"][_AFFILIATION_INDEX[aff]]))
    if icon == "mech_infantry" and not air:
        strokes.addPath(_path(_OVAL))
    elif icon in _CLIPPED and icon != "infantry" and not air:
        strokes.addPath(_path(_CLIPPED[icon][_AFFILIATION_INDEX[aff]]))
    elif icon in _STROKED:
        strokes.addPath(_path(_STROKED[icon]))
    elif icon in _FILLED:
        fills.addPath(_path(_FILLED[icon]))
    elif icon == "artillery":
        fills.addPath(_circle(100, 100, 15))
    elif icon in _TEXT:
        text, size = _TEXT[icon]
        font = QtGui.QFont("Arial")
        font.setBold(True)
        font.setPixelSize(round(size))
        glyphs = QtGui.QPainterPath()
        glyphs.addText(0, 0, font, text)
        r = glyphs.boundingRect()
        fills.addPath(glyphs.translated(100 - r.center().x(), 100 - r.center().y()))
    if spec.echelon and not air:
        e_stroke, e_fill = _echelon(spec.echelon, FRAME_TOP[("ground", aff)] - 50.0)
        strokes.addPath(e_stroke)
        fills.addPath(e_fill)
    bounds = fill.boundingRect().united(strokes.boundingRect()).united(fills.boundingRect())
    bounds = bounds.adjusted(-FRAME_STROKE, -FRAME_STROKE, FRAME_STROKE, FRAME_STROKE)
    return SymbolArt(fill, stroke, strokes, fills, style.qcolor(style.AFFILIATION_COLOURS[aff]), bounds)


def paint_symbol(p: QtGui.QPainter, spec: SymbolSpec, centre: QtCore.QPointF, size_px: float) -> None:
    """Draw the symbol with its frame centre at `centre` (painter coordinates, no rotation),
    `size_px` wide for the design square. Vector: paths, not a pixmap."""
    art = symbol_art(spec)
    k = art.scale_for(size_px)
    p.save()
    p.translate(centre.x() - 100 * k, centre.y() - 100 * k)
    p.scale(k, k)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    frame_w = max(FRAME_STROKE, MIN_FRAME_PX / k)
    icon_w = max(ICON_STROKE, MIN_ICON_PX / k)
    black = QtGui.QColor(0, 0, 0)
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.setBrush(art.colour)
    p.drawPath(art.frame_fill)
    p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
    p.setPen(QtGui.QPen(black, frame_w, QtCore.Qt.PenStyle.SolidLine, QtCore.Qt.PenCapStyle.FlatCap,
                        QtCore.Qt.PenJoinStyle.MiterJoin))
    p.drawPath(art.frame_stroke)
    if not art.strokes.isEmpty():
        p.setPen(QtGui.QPen(black, icon_w))
        p.drawPath(art.strokes)
    if not art.fills.isEmpty():
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(black)
        p.drawPath(art.fills)
    p.restore()


def symbol_rect(spec: SymbolSpec, size_px: float) -> QtCore.QRectF:
    """Where the symbol reaches, relative to its frame centre, in pixels."""
    art = symbol_art(spec)
    k = art.scale_for(size_px)
    b = art.bounds
    return QtCore.QRectF((b.left() - 100) * k, (b.top() - 100) * k, b.width() * k, b.height() * k)


@lru_cache(maxsize=1024)
def symbol_pixmap(spec: SymbolSpec, size_px: float, dpr: float) -> tuple[QtGui.QPixmap, QtCore.QPointF]:
    """The symbol rendered once for the map: (pixmap at `dpr`, offset of its top-left from
    the frame centre in logical pixels)."""
    rect = symbol_rect(spec, size_px).adjusted(-1, -1, 1, 1)
    w, h = max(1, round(rect.width() * dpr)), max(1, round(rect.height() * dpr))
    image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    p = QtGui.QPainter(image)
    p.scale(dpr, dpr)
    paint_symbol(p, spec, QtCore.QPointF(-rect.left(), -rect.top()), size_px)
    p.end()
    pixmap = QtGui.QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(dpr)
    return pixmap, rect.topLeft()


def marker_path(affiliation: str) -> QtGui.QPainterPath:
    """The ground frame outline for a small marker, as a pyqtgraph symbol: centred on 0,
    1 unit = the friendly frame's width, y down as pyqtgraph symbols are drawn."""
    path = _path(_GROUND.get(affiliation, _GROUND["unknown"]))
    return QtGui.QTransform.fromScale(1 / 150, 1 / 150).translate(-100, -100).map(path)
