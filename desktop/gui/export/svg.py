"""SVG that every renderer draws the same: Qt's own, librsvg (rsvg-convert, Inkscape,
GNOME) and browsers.

Qt's SVG generator writes SVG Tiny 1.2 by default, which has no clipping: the map, clipped
to its frame on every other device, then spills over the banners and the title block. As
SVG 1.1 it writes clip paths. And it writes a cosmetic pen (a stroke width in device
pixels, whatever the transform: every map line) as `vector-effect="non-scaling-stroke"`,
which librsvg 2.54 ignores altogether (the line, the AO, rivers and graticule vanish) and
browsers size against the screen rather than the page. `portable_strokes` turns those
strokes into ordinary ones: the width (and dashes) divided by the scale of the group's
transform, which is what the cosmetic pen meant on the page.
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from PySide6 import QtCore, QtSvg

SVG_NS = "http://www.w3.org/2000/svg"
NON_SCALING = "non-scaling-stroke"
_MATRIX = re.compile(r"matrix\(([^)]*)\)")


def svg_generator(out: QtCore.QIODevice) -> QtSvg.QSvgGenerator:
    """A generator of SVG 1.1 (clip paths) writing to `out`."""
    gen = QtSvg.QSvgGenerator(QtSvg.QSvgGenerator.SvgVersion.Svg11)
    gen.setOutputDevice(out)
    return gen


def portable_strokes(data: bytes) -> bytes:
    """`data` (an SVG from Qt's generator) with every non-scaling stroke made an ordinary
    one of the same drawn width. Qt puts the pen on a group (with the transform) and
    `vector-effect` on its shapes; a group whose transform is not a uniform scale (no map
    draws one) keeps its non-scaling strokes."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(data)
    for group in root.iter(f"{{{SVG_NS}}}g"):
        shapes = [e for e in group if e.get("vector-effect") == NON_SCALING]
        if not shapes:
            continue
        k = _uniform_scale(group.get("transform", ""))
        if k is None:
            continue
        for name in ("stroke-width", "stroke-dashoffset"):
            if group.get(name) is not None:
                group.set(name, _fmt(float(group.get(name)) / k))
        dashes = group.get("stroke-dasharray")
        if dashes and dashes != "none":
            group.set("stroke-dasharray", ",".join(_fmt(float(v) / k) for v in re.split(r"[ ,]+", dashes.strip())))
        for shape in shapes:
            shape.set("vector-effect", "none")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                                       xml_declaration=False)


def _uniform_scale(transform: str) -> float | None:
    """The scale of a `matrix(a,b,c,d,e,f)` transform (1 for none), or None when it
    stretches one way more than the other."""
    m = _MATRIX.search(transform)
    if not m:
        return 1.0 if not transform.strip() else None
    a, b, c, d, _, _ = (float(v) for v in re.split(r"[ ,]+", m.group(1).strip()))
    sx, sy = math.hypot(a, b), math.hypot(c, d)
    if sx <= 0 or sy <= 0 or abs(sx - sy) > 1e-3 * max(sx, sy):  # the page's rounding leaves ~1e-4
        return None
    return math.sqrt(sx * sy)


def _fmt(v: float) -> str:
    return f"{v:.6g}"
