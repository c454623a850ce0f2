"""Drawing instructions for symbols: SVG path data to QPainterPath, and the icon drawings
(resources/symbols/icons.json, taken from milsymbol.js by
tests/reference/symbols/extract_icons.mjs) to layers.

A layer is one shape painted one way: filled with a colour token, stroked with one, or
both. Tokens: "ink" (black), "fill" (the frame's fill colour), "white", "fill:<affiliation>"
(another affiliation's fill); the painter turns them into colours.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from PySide6 import QtCore, QtGui

from desktop.gui.resources import resources_dir

_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


@dataclass(frozen=True, eq=False)
class Layer:
    path: QtGui.QPainterPath
    fill: str | None = None       # colour token
    stroke: str | None = None     # colour token
    width: float = 3.0            # design units
    dash: tuple[float, ...] = ()  # SVG dash array, design units
    role: str = "line"            # "frame" lines keep a thicker minimum on screen


def svg_path(d: str) -> QtGui.QPainterPath:
    """A QPainterPath from SVG path data (all commands, absolute and relative)."""
    path = QtGui.QPainterPath()
    tokens = _TOKEN.findall(d)
    i, cmd = 0, ""
    cur = start = QtCore.QPointF(0, 0)
    last_ctrl: QtCore.QPointF | None = None
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                path.closeSubpath()
                cur, last_ctrl = QtCore.QPointF(start), None
                continue
        up = cmd.upper()
        if up not in _ARGS:
            raise ValueError(f"unsupported path command {cmd!r}")
        n = _ARGS[up]
        args = [float(t) for t in tokens[i:i + n]]
        i += n
        rel = cmd.islower()
        base = cur if rel else QtCore.QPointF(0, 0)

        def pt(k: int) -> QtCore.QPointF:
            return QtCore.QPointF(args[k] + base.x(), args[k + 1] + base.y())

        ctrl = None
        if up == "M":
            cur = start = pt(0)
            path.moveTo(cur)
            cmd = "l" if rel else "L"  # further pairs are line-tos
        elif up == "L":
            cur = pt(0)
            path.lineTo(cur)
        elif up == "H":
            cur = QtCore.QPointF(args[0] + (cur.x() if rel else 0), cur.y())
            path.lineTo(cur)
        elif up == "V":
            cur = QtCore.QPointF(cur.x(), args[0] + (cur.y() if rel else 0))
            path.lineTo(cur)
        elif up in "CS":
            c1 = pt(0) if up == "C" else (2 * cur - last_ctrl if last_ctrl is not None else QtCore.QPointF(cur))
            c2, end = (pt(2), pt(4)) if up == "C" else (pt(0), pt(2))
            path.cubicTo(c1, c2, end)
            cur, ctrl = end, c2
        elif up in "QT":
            c = pt(0) if up == "Q" else (2 * cur - last_ctrl if last_ctrl is not None else QtCore.QPointF(cur))
            end = pt(2) if up == "Q" else pt(0)
            path.quadTo(c, end)
            cur, ctrl = end, c
        else:  # A
            end = QtCore.QPointF(args[5] + base.x(), args[6] + base.y())
            _arc(path, cur, args[0], args[1], args[2], bool(args[3]), bool(args[4]), end)
            cur = end
        last_ctrl = ctrl
    return path


def _arc(path: QtGui.QPainterPath, p0: QtCore.QPointF, rx: float, ry: float, rotation: float, large: bool,
         sweep: bool, p1: QtCore.QPointF) -> None:
    """SVG's endpoint arc as cubic segments (SVG 1.1 implementation notes, F.6.5)."""
    if not rx or not ry:
        path.lineTo(p1)
        return
    phi = math.radians(rotation)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (p0.x() - p1.x()) / 2, (p0.y() - p1.y()) / 2
    x1, y1 = cos * dx + sin * dy, -sin * dx + cos * dy
    rx, ry = abs(rx), abs(ry)
    scale = x1 * x1 / (rx * rx) + y1 * y1 / (ry * ry)
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    num = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    k = math.sqrt(max(0.0, num / (rx * rx * y1 * y1 + ry * ry * x1 * x1))) * (-1 if large == sweep else 1)
    cx1, cy1 = k * rx * y1 / ry, -k * ry * x1 / rx
    cx = cos * cx1 - sin * cy1 + (p0.x() + p1.x()) / 2
    cy = sin * cx1 + cos * cy1 + (p0.y() + p1.y()) / 2
    a0 = math.atan2((y1 - cy1) / ry, (x1 - cx1) / rx)
    a1 = math.atan2((-y1 - cy1) / ry, (-x1 - cx1) / rx)
    span = a1 - a0
    if sweep and span < 0:
        span += 2 * math.pi
    elif not sweep and span > 0:
        span -= 2 * math.pi
    n = max(1, math.ceil(abs(span) / (math.pi / 2)))
    step = span / n
    t = 4 / 3 * math.tan(step / 4)

    def at(a: float, r: float = 1.0) -> tuple[float, float]:
        return rx * math.cos(a), ry * math.sin(a)

    for s in range(n):
        a, b = a0 + s * step, a0 + (s + 1) * step
        (ax, ay), (bx, by) = at(a), at(b)
        pts = [(ax - t * rx * math.sin(a), ay + t * ry * math.cos(a)),
               (bx + t * rx * math.sin(b), by - t * ry * math.cos(b)), (bx, by)]
        q = [QtCore.QPointF(cx + cos * x - sin * y, cy + sin * x + cos * y) for x, y in pts]
        path.cubicTo(q[0], q[1], q[2])


def circle(cx: float, cy: float, r: float) -> QtGui.QPainterPath:
    path = QtGui.QPainterPath()
    path.addEllipse(QtCore.QPointF(cx, cy), r, r)
    return path


def text_path(text: str, x: float, y: float, size: float, anchor: str = "middle", bold: bool = True,
              middle: bool = True) -> QtGui.QPainterPath:
    """Text as outlines (Arial, or the system's stand-in), anchored as SVG's text-anchor;
    `middle` puts half the x-height on y, as SVG's dominant-baseline: middle."""
    font = QtGui.QFont("Arial")
    font.setBold(bold)
    font.setPixelSize(max(1, round(size)))
    glyphs = QtGui.QPainterPath()
    glyphs.addText(0, 0, font, text)
    r = glyphs.boundingRect()
    dx = {"middle": -r.center().x(), "end": -r.right()}.get(anchor, -r.left())
    dy = QtGui.QFontMetricsF(font).xHeight() / 2 if middle else 0.0
    return glyphs.translated(x + dx, y + dy)


def _layers(items: list, transform: QtGui.QTransform) -> list[Layer]:
    out: list[Layer] = []
    for item in items:
        kind = item["t"]
        if kind == "translate":
            out += _layers(item["draw"], QtGui.QTransform.fromTranslate(item["x"], item["y"]) * transform)
            continue
        if kind == "scale":  # about the origin (a translate around it centres the result)
            out += _layers(item["draw"], QtGui.QTransform.fromScale(item["k"], item["k"]) * transform)
            continue
        if kind == "path":
            path = svg_path(item["d"])
        elif kind == "circle":
            path = circle(item["cx"], item["cy"], item["r"])
        else:
            path = text_path(item["text"], item["x"], item["y"], item["size"], item["anchor"], item["bold"],
                             item["middle"])
        scale = math.sqrt(abs(transform.determinant())) or 1.0
        out.append(Layer(transform.map(path), item["fill"], item["stroke"], item["w"] * scale))
    return out


@lru_cache(maxsize=1)
def _icon_table() -> dict:
    try:
        return json.loads((resources_dir() / "symbols" / "icons.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # an installed wheel without the resources: frames only
        return {"drawings": [], "icons": {}}


@lru_cache(maxsize=2048)
def icon_layers(key: str, affiliation: str) -> tuple[Layer, ...]:
    """The layers of icon `key` (a desktop.core.sidc_tables key) in a frame of `affiliation`."""
    table = _icon_table()
    entry = table["icons"].get(key)
    if not entry:
        return ()
    return tuple(_layers(table["drawings"][entry[affiliation]], QtGui.QTransform()))
