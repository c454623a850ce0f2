"""MIL-STD-2525 / APP-6 unit symbols drawn with QPainterPath: frame by identity and
dimension, outline by status and identity, icon and sector modifiers, and the amplifiers
around the frame (echelon, HQ staff, task force, feint/dummy, installation, mobility,
condition, exercise letters).

Geometry is the standard's 200 x 200 construction space (the frame centre at 100,100; a
friendly land unit frame is the 150 x 100 rectangle from 25,50), with the numbers and
layering of milsymbol.js, the reference renderer of the field, which the tests compare
against (tests/reference/symbols). Icons come from resources/symbols/icons.json (see
desktop.gui.symbol_icons).

`SymbolArt` holds the layers of one SymbolSpec; `symbol_pixmap` caches a rendering per
(spec, size, device pixel ratio) for the map; `paint_symbol` draws the layers (vector) for
exports, legends and `deconflict symbol`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6 import QtCore, QtGui

from desktop.core.sidc import SymbolSpec
from desktop.gui import style
from desktop.gui.symbol_icons import Layer, circle, icon_layers, svg_path, text_path

DESIGN = 200.0            # the construction space is DESIGN units square
FRAME_STROKE = 4.0        # design units
HQ_STAFF = 100.0          # below the frame's bottom
MIN_FRAME_PX, MIN_ICON_PX = 1.3, 1.1   # small symbols keep legible lines
DASHES = {"dashed": (8.0, 12.0), "dotted": (4.0, 4.0)}  # white gaps laid over the black outline
FEINT_DASH = (8.0, 8.0)
OFF_WHITE = (239, 239, 239)
SUSPECT_FILL = (255, 229, 153)  # 2525E
CONDITION_COLOURS = {"capable": (0, 255, 0), "damaged": (255, 255, 0), "destroyed": (255, 0, 0),
                     "full": (0, 180, 240)}

# Frames: (outline path data, bounding box x1, y1, x2, y2) per frame family and affiliation.
# Air and subsurface outlines are open (the fill closes them).
_UNKNOWN = ("M63,63 C63,20 137,20 137,63 C180,63 180,137 137,137 C137,180 63,180 63,137 C20,137 20,63 63,63 Z",
            (30.75, 30.75, 169.25, 169.25))
_HOSTILE = ("M 100,28 L172,100 100,172 28,100 100,28 Z", (28, 28, 172, 172))
_NEUTRAL = ("M45,45 l110,0 0,110 -110,0 z", (45, 45, 155, 155))
_FRAMES = {
    "ground": {"friend": ("M25,50 l150,0 0,100 -150,0 z", (25, 50, 175, 150)), "hostile": _HOSTILE,
               "neutral": _NEUTRAL, "unknown": _UNKNOWN},
    "sea": {"friend": ("circle", (40, 40, 160, 160)), "hostile": _HOSTILE, "neutral": _NEUTRAL, "unknown": _UNKNOWN},
    "air": {"friend": ("M 155,150 C 155,50 115,30 100,30 85,30 45,50 45,150", (45, 30, 155, 150)),
            "hostile": ("M 45,150 L45,70 100,20 155,70 155,150", (45, 20, 155, 150)),
            "neutral": ("M 45,150 L 45,30,155,30,155,150", (45, 30, 155, 150)),
            "unknown": ("M 65,150 c -55,0 -50,-90 0,-90 0,-50 70,-50 70,0 50,0 55,90 0,90", (25, 20, 175, 150))},
    "subsurface": {"friend": ("m 45,50 c 0,100 40,120 55,120 15,0 55,-20 55,-120", (45, 50, 155, 170)),
                   "hostile": ("M45,50 L45,130 100,180 155,130 155,50", (45, 50, 155, 180)),
                   "neutral": ("M45,50 L45,170 155,170 155,50", (45, 50, 155, 170)),
                   "unknown": ("m 65,50 c -55,0 -50,90 0,90 0,50 70,50 70,0 50,0 55,-90 0,-90", (25, 50, 175, 180))},
}
_FAMILY = {"ground": "ground", "installation": "ground", "equipment": "sea", "sea": "sea", "air": "air",
           "space": "air", "subsurface": "subsurface"}
_SPACE_CAP = {"friend": "M 100,30 C 90,30 80,35 68.65625,50 l 62.6875,0 C 120,35 110,30 100,30",
              "hostile": "M67,50 L100,20 133,50 z", "neutral": "M45,50 l0,-20 110,0 0,20 z",
              "unknown": "M 100 22.5 C 85 22.5 70 31.669211 66 50 L 134 50 C 130 31.669204 115 22.5 100 22.5 z"}
_TF_WIDTH = {"corps": 110.0, "army": 145.0, "army group": 180.0, "region": 215.0}
_CROSSES = {"brigade": (87.5,), "division": (70, 105), "corps": (52.5, 87.5, 122.5), "army": (35, 70, 105, 140),
            "army group": (17.5, 52.5, 87.5, 122.5, 157.5), "region": (0, 35, 70, 105, 140, 175)}
_DOTS = {"squad": (100,), "section": (115, 85), "platoon": (100, 70, 130)}
_BARS = {"company": (100,), "battalion": (90, 110), "regiment": (100, 120, 80)}
# Mobility amplifiers below the frame (y = 0 at its bottom): (path data, filled), circles.
_MOBILITY = {
    "wheeled limited cross country": ("M 53,1 l 94,0", ((58, 8), (142, 8))),
    "wheeled cross country": ("M 53,1 l 94,0", ((58, 8), (142, 8), (100, 8))),
    "tracked": ("M 53,1 l 100,0 c15,0 15,15 0,15 l -100,0 c-15,0 -15,-15 0,-15", ()),
    "wheeled and tracked": ("M 83,1 l 70,0 c15,0 15,15 0,15 l -70,0 c-15,0 -15,-15 0,-15", ((58, 8),)),
    "towed": ("M 63,1 l 74,0", ((58, 3), (142, 3))),
    "rail": ("M 53,1 l 96,0", ((58, 8), (73, 8), (127, 8), (142, 8))),
    "over snow": ("M 50,-9 l10,10 90,0", ()),
    "sled": ("M 145,-12  c15,0 15,15 0,15 l -90,0 c-15,0 -15,-15 0,-15", ()),
    "pack animals": ("M 80,20 l 10,-20 10,20 10,-20 10,20", ()),
    "barge": ("M 50,1 l 100,0 c0,10 -100,10 -100,0", ()),
    "amphibious": ("M 65,10 c 0,-10 10,-10 10,0 0,10 10,10 10,0 0,-10 10,-10 10,0 0,10 10,10 10,0 0,-10 10,-10 10,0 "
                   "0,10 10,10 10,0 0,-10 10,-10 10,0", ()),
    "short towed array": ("M 50,5 l 100,0 M50,0 l10,0 0,10 -10,0 z M150,0 l-10,0 0,10 10,0 z M100,0 l5,5 -5,5 -5,-5 z",
                          ()),
    "long towed array": ("M 50,5 l 100,0 M50,0 l10,0 0,10 -10,0 z M150,0 l-10,0 0,10 10,0 z M105,0 l-10,0 0,10 10,0 z "
                         "M75,0 l5,5 -5,5 -5,-5 z  M125,0 l5,5 -5,5 -5,-5 z", ()),
}
_NEUTRAL_MOBILITY_DROP = {"towed": 8, "short towed array": 8, "long towed array": 8, "over snow": 18, "sled": 18,
                          "barge": 5}


def _amp(path: QtGui.QPainterPath, fill: str | None = None, dash: tuple[float, ...] = ()) -> Layer:
    """An amplifier line (frame colour, frame width), as milsymbol draws its modifiers."""
    return Layer(path, fill, "ink", FRAME_STROKE, dash)


def _frame_layers(spec: SymbolSpec, family: str, shape: str) -> list[Layer]:
    d, _ = _FRAMES[family][shape]
    outline = circle(100, 100, 60) if d == "circle" else svg_path(d)
    body = QtGui.QPainterPath(outline)
    body.closeSubpath()
    layers = [Layer(body, "fill", None), Layer(outline, None, "ink", FRAME_STROKE, role="frame")]
    if spec.outline in DASHES:
        layers.append(Layer(outline, None, "offwhite", FRAME_STROKE + 1, DASHES[spec.outline], role="frame"))
    if spec.domain == "space":
        layers.append(Layer(svg_path(_SPACE_CAP[shape]), "ink", None))
    return layers


def _echelon(echelon: str, top: float) -> list[Layer]:
    path, filled = QtGui.QPainterPath(), QtGui.QPainterPath()
    if echelon == "team":
        path.addPath(circle(100, top - 20, 15))
        path.moveTo(80, top - 10)
        path.lineTo(120, top - 30)
    for x in _DOTS.get(echelon, ()):
        filled.addPath(circle(x, top - 20, 7.5))
    for x in _BARS.get(echelon, ()):
        path.moveTo(x, top - 10)
        path.lineTo(x, top - 35)
    for x in _CROSSES.get(echelon, ()):
        path.addPath(svg_path(f"M{x},{top - 10} l25,-25 m0,25 l-25,-25"))
    if echelon == "command":
        path.addPath(svg_path(f"M70,{top - 22.5} l25,0 m-12.5,12.5 l0,-25 M105,{top - 22.5} l25,0 m-12.5,12.5 l0,-25"))
    return [_amp(p, fill) for p, fill in ((path, None), (filled, "ink")) if not p.isEmpty()]


def _mobility(mobility: str, bottom: float) -> list[Layer]:
    d, wheels = _MOBILITY[mobility]
    path = svg_path(d)
    for x, y in wheels:
        path.addPath(circle(x, y, 8))
    return [_amp(path.translated(0, bottom), "ink" if "array" in mobility else None)]


def _amplifier_layers(spec: SymbolSpec, family: str, shape: str, bars: bool) -> list[Layer]:
    """Everything around the frame, in milsymbol's order (modifiers, status, exercise)."""
    x1, y1, x2, y2 = _FRAMES[family][shape][1]
    layers: list[Layer] = []
    if spec.hq:
        y = y2 if f"{family}/{shape}" in ("air/friend", "air/neutral", "ground/friend", "ground/neutral",
                                          "sea/neutral", "subsurface/neutral") else 100.0
        layers.append(_amp(svg_path(f"M{x1},{y} L{x1},{y2 + HQ_STAFF}")))
    if spec.task_force:
        w = _TF_WIDTH.get(spec.echelon, 90.0) / 2
        layers.append(_amp(svg_path(f"M{100 - w},{y1} L{100 - w},{y1 - 40} {100 + w},{y1 - 40} {100 + w},{y1}")))
    installation = spec.domain == "installation"
    if installation:
        gap = 14 if shape == "hostile" else 2 if shape == "unknown" or (shape == "friend" and family == "sea") else 0
        low = y1 + gap - FRAME_STROKE / 2
        layers.append(_amp(svg_path(f"M85,{low} 85,{y1 - 10} 115,{y1 - 10} 115,{low} 100,{y1 - FRAME_STROKE} Z"),
                           "ink"))
    if spec.dummy:
        top = y1 - (x2 - x1) / 2
        layers.append(_amp(svg_path(f"M100,{top} L{x1},{y1} M100,{top} L{x2},{y1}"), dash=FEINT_DASH))
    if spec.echelon:
        layers += _echelon(spec.echelon, y1 - (15 if installation else 0))
    bottom = y2 + (_NEUTRAL_MOBILITY_DROP.get(spec.mobility, 0) if shape == "neutral" else 0)
    if spec.mobility in _MOBILITY:
        layers += _mobility(spec.mobility, bottom)
    if spec.condition and bars:
        top = y2 + (25 if spec.mobility else 5)
        layers.append(Layer(svg_path(f"M{x1},{top} l{x2 - x1},0 0,25 -{x2 - x1},0 z"),
                            f"rgb:{spec.condition}", "ink", FRAME_STROKE))
    elif spec.condition in ("damaged", "destroyed"):
        marks = "M150,20 L50,180" + (" M50,20 L150,180" if spec.condition == "destroyed" else "")
        layers.append(Layer(svg_path(marks), None, "ink", 2 * FRAME_STROKE))
    letter = {"joker": "J", "faker": "K"}.get(spec.identity, "X") if spec.context == "exercise" else \
        "S" if spec.context == "simulation" else ""
    if letter:
        spacing = -10 if shape == "unknown" or (shape == "hostile" and family != "subsurface") else 10
        y = 50 if letter == "X" else 40
        layers.append(Layer(text_path(letter, x2 + spacing, y, 35, "start"), "ink", None))
    return layers


@dataclass(frozen=True, eq=False)
class SymbolArt:
    """The layers of one symbol in design units, its colours and where it is anchored."""

    layers: tuple[Layer, ...]
    colour: QtGui.QColor            # the frame's fill
    bounds: QtCore.QRectF           # everything, design units, with the stroke
    anchor: QtCore.QPointF          # the design point placed on the unit: frame centre, or an HQ staff's foot

    def scale_for(self, size_px: float) -> float:
        """Pixels per design unit for a symbol `size_px` wide (the 200-unit square)."""
        return size_px / DESIGN


def fill_colour(spec: SymbolSpec) -> QtGui.QColor:
    if spec.identity == "suspect":
        return style.qcolor(SUSPECT_FILL)
    return style.qcolor(style.AFFILIATION_COLOURS.get(spec.affiliation, style.AFFILIATION_COLOURS["unknown"]))


@lru_cache(maxsize=1024)
def symbol_art(spec: SymbolSpec, bars: bool = False) -> SymbolArt:
    """The symbol's layers; `bars` draws the condition as the coloured bar below the frame
    (the standard's alternative) instead of the damaged / destroyed slashes."""
    shape = spec.shape if spec.shape in _FRAMES["ground"] else "unknown"
    family = _FAMILY.get(spec.domain, "ground")
    layers = _frame_layers(spec, family, shape)
    for key in (spec.icon, *spec.modifiers):
        if key:
            layers += icon_layers(key, shape)
    layers += _amplifier_layers(spec, family, shape, bars)
    bounds = QtCore.QRectF()
    for layer in layers:
        r = layer.path.boundingRect()
        pad = layer.width / 2 if layer.stroke else 0.0
        bounds = bounds.united(r.adjusted(-pad, -pad, pad, pad))
    x1, _, _, y2 = _FRAMES[family][shape][1]
    anchor = QtCore.QPointF(x1, y2 + HQ_STAFF) if spec.hq else QtCore.QPointF(100, 100)
    return SymbolArt(tuple(layers), fill_colour(spec), bounds, anchor)


def _colour(token: str, art: SymbolArt) -> QtGui.QColor:
    if token == "ink":
        return QtGui.QColor(0, 0, 0)
    if token == "fill":
        return art.colour
    if token == "offwhite":
        return style.qcolor(OFF_WHITE)
    if token == "white":
        return QtGui.QColor(255, 255, 255)
    if token.startswith("rgb:"):
        return style.qcolor(CONDITION_COLOURS[token[4:]])
    return style.qcolor(style.AFFILIATION_COLOURS.get(token.partition(":")[2], (255, 255, 255)))


def paint_symbol(p: QtGui.QPainter, spec: SymbolSpec, centre: QtCore.QPointF, size_px: float,
                 bars: bool = False) -> None:
    """Draw the symbol with its anchor (frame centre; an HQ's staff foot) at `centre`
    (painter coordinates, no rotation), `size_px` wide for the design square. Vector:
    paths, not a pixmap."""
    art = symbol_art(spec, bars)
    k = art.scale_for(size_px)
    p.save()
    p.translate(centre.x() - art.anchor.x() * k, centre.y() - art.anchor.y() * k)
    p.scale(k, k)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    for layer in art.layers:
        p.setBrush(_colour(layer.fill, art) if layer.fill else QtCore.Qt.BrushStyle.NoBrush)
        if layer.stroke:
            least = (MIN_FRAME_PX if layer.role == "frame" else MIN_ICON_PX) / k
            width = max(layer.width, least)
            pen = QtGui.QPen(_colour(layer.stroke, art), width, QtCore.Qt.PenStyle.SolidLine,
                             QtCore.Qt.PenCapStyle.FlatCap, QtCore.Qt.PenJoinStyle.MiterJoin)
            if layer.dash:  # Qt counts dashes in pen widths, SVG in user units
                pen.setDashPattern([d / width for d in layer.dash])
            p.setPen(pen)
        else:
            p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.drawPath(layer.path)
    p.restore()


def symbol_rect(spec: SymbolSpec, size_px: float, bars: bool = False) -> QtCore.QRectF:
    """Where the symbol reaches, relative to its anchor (the unit's position), in pixels."""
    art = symbol_art(spec, bars)
    k = art.scale_for(size_px)
    b = art.bounds.translated(-art.anchor)
    return QtCore.QRectF(b.left() * k, b.top() * k, b.width() * k, b.height() * k)


@lru_cache(maxsize=1024)
def symbol_pixmap(spec: SymbolSpec, size_px: float, dpr: float,
                  bars: bool = False) -> tuple[QtGui.QPixmap, QtCore.QPointF]:
    """The symbol rendered once for the map: (pixmap at `dpr`, offset of its top-left from
    the anchor in logical pixels)."""
    rect = symbol_rect(spec, size_px, bars).adjusted(-1, -1, 1, 1)
    w, h = max(1, round(rect.width() * dpr)), max(1, round(rect.height() * dpr))
    image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    p = QtGui.QPainter(image)
    p.scale(dpr, dpr)
    paint_symbol(p, spec, QtCore.QPointF(-rect.left(), -rect.top()), size_px, bars)
    p.end()
    pixmap = QtGui.QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(dpr)
    return pixmap, rect.topLeft()


def marker_path(affiliation: str) -> QtGui.QPainterPath:
    """The ground frame outline for a small marker, as a pyqtgraph symbol: centred on 0,
    1 unit = the friendly frame's width, y down as pyqtgraph symbols are drawn."""
    d = _FRAMES["ground"].get(affiliation, _UNKNOWN)[0]
    return QtGui.QTransform.fromScale(1 / 150, 1 / 150).translate(-100, -100).map(svg_path(d))


def _svg_data(path: QtGui.QPainterPath) -> str:
    out, i = [], 0
    types = QtGui.QPainterPath.ElementType
    while i < path.elementCount():
        e = path.elementAt(i)
        if e.type == types.MoveToElement:
            out.append(f"M{e.x:.2f},{e.y:.2f}")
        elif e.type == types.LineToElement:
            out.append(f"L{e.x:.2f},{e.y:.2f}")
        else:  # a curve: this element and the two CurveToData after it
            c2, end = path.elementAt(i + 1), path.elementAt(i + 2)
            out.append(f"C{e.x:.2f},{e.y:.2f} {c2.x:.2f},{c2.y:.2f} {end.x:.2f},{end.y:.2f}")
            i += 2
        i += 1
    return " ".join(out)


def symbol_svg(spec: SymbolSpec, size_px: float, bars: bool = False) -> str:
    """The symbol as a standalone SVG `size_px` wide for the design square, cropped to what
    it draws, transparent: plain paths with real stroke widths (no vector-effect), so any
    renderer draws it the same."""
    art = symbol_art(spec, bars)
    k = art.scale_for(size_px)
    b = art.bounds.adjusted(-1, -1, 1, 1)

    def colour(token: str | None) -> str:
        return "none" if token is None else "#{:02x}{:02x}{:02x}".format(*_colour(token, art).getRgb()[:3])

    parts = []
    for layer in art.layers:
        attrs = f'fill="{colour(layer.fill)}" stroke="{colour(layer.stroke)}"'
        if layer.stroke:
            attrs += f' stroke-width="{layer.width:g}" stroke-linejoin="miter"'
            if layer.dash:
                attrs += f' stroke-dasharray="{",".join(f"{d:g}" for d in layer.dash)}"'
        parts.append(f'<path d="{_svg_data(layer.path)}" {attrs}/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{b.width() * k:.1f}" '
            f'height="{b.height() * k:.1f}" viewBox="{b.left():.2f} {b.top():.2f} {b.width():.2f} {b.height():.2f}">'
            + "".join(parts) + "</svg>\n")


def symbol_image(spec: SymbolSpec, size_px: float, bars: bool = False) -> QtGui.QImage:
    """The symbol on a transparent image `size_px` wide for the design square, cropped to
    what it draws (as symbol_svg)."""
    art = symbol_art(spec, bars)
    k = art.scale_for(size_px)
    b = art.bounds.adjusted(-1, -1, 1, 1)
    image = QtGui.QImage(max(1, round(b.width() * k)), max(1, round(b.height() * k)),
                         QtGui.QImage.Format.Format_ARGB32)
    image.fill(0)
    p = QtGui.QPainter(image)
    paint_symbol(p, spec, QtCore.QPointF((art.anchor.x() - b.left()) * k, (art.anchor.y() - b.top()) * k), size_px,
                 bars)
    p.end()
    return image


def movement_arrow(spec: SymbolSpec, angle_deg: float) -> QtGui.QPainterPath:
    """The direction-of-movement amplifier (field Q) of a land symbol, in design units from
    its anchor: a staff down from the frame's bottom centre, then an arrow turned
    `angle_deg` clockwise from screen up; an HQ's arrow starts at its staff's foot. Made once
    per spec and tenth of a degree (a map of moving units repaints them many times a second);
    callers map the path, never change it."""
    return _movement_arrow(spec, round(float(angle_deg) * 10.0))


@lru_cache(maxsize=4096)
def _movement_arrow(spec: SymbolSpec, tenths: int) -> QtGui.QPainterPath:
    angle_deg = tenths / 10.0
    art = symbol_art(spec)
    shape = spec.shape if spec.shape in _FRAMES["ground"] else "unknown"
    y2 = _FRAMES[_FAMILY.get(spec.domain, "ground")][shape][1][3]
    arrow = QtGui.QTransform().rotate(angle_deg).map(svg_path("M0,0 l0,-75 -5,3 5,-15 5,15 -5,-3"))
    if spec.hq:
        return arrow
    path = svg_path(f"M{100 - art.anchor.x()},{y2 - art.anchor.y()} l0,{HQ_STAFF}")
    path.addPath(arrow.translated(100 - art.anchor.x(), y2 + HQ_STAFF - art.anchor.y()))
    return path
