"""Unit symbols: 2525 frames, icons and echelons, checked against milsymbol (an independent
renderer of the standard), cached per spec; the symbol level of the unit layer and its
names; symbols as vector paths in exports."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtSvg

from desktop.core.demo import demo_document
from desktop.core.sidc import SymbolSpec, unit_symbol
from desktop.gui import style
from desktop.gui.export import render
from desktop.gui.export.settings import ExportSettings
from desktop.gui.symbology import DESIGN, paint_symbol, symbol_pixmap
from desktop.gui.unit_symbols import FULL_SYMBOL_LIMIT, LABEL_PX
from tests.gui.big_units import random_document
from tests.gui.test_unit_layer import make_view

AFFS = {"friend": "3", "hostile": "6", "neutral": "4", "unknown": "1"}


def draw(fn, size=200) -> np.ndarray:
    """h x w x 4 (RGBA) of whatever fn(painter) draws on a transparent size x size image."""
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_RGBA8888)
    image.fill(0)
    p = QtGui.QPainter(image)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    fn(p)
    p.end()
    return np.frombuffer(image.constBits(), np.uint8).reshape(size, size, 4).copy()


def ours(spec: SymbolSpec) -> np.ndarray:
    return draw(lambda p: paint_symbol(p, spec, QtCore.QPointF(100, 100), DESIGN))


def theirs(code: str) -> np.ndarray:
    milsymbol = pytest.importorskip("milsymbol")
    svg = milsymbol.Symbol(code, size=100).as_svg()
    renderer = QtSvg.QSvgRenderer(QtCore.QByteArray(svg.encode()))
    renderer.setViewBox(QtCore.QRectF(0, 0, 200, 200))  # back to the standard's design square
    return draw(lambda p: renderer.render(p, QtCore.QRectF(0, 0, 200, 200)))


def masks(rgba: np.ndarray, fill_rgb) -> tuple[np.ndarray, np.ndarray]:
    """(frame fill, black ink) pixels."""
    rgb, alpha = rgba[..., :3].astype(int), rgba[..., 3]
    fill = (alpha > 200) & np.all(np.abs(rgb - fill_rgb) <= 30, axis=-1)
    ink = (alpha > 200) & np.all(rgb < 60, axis=-1)
    return fill, ink


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def test_friend_and_hostile_frames_differ_in_shape_and_colour(qapp):
    friend = ours(SymbolSpec("friend", "ground"))
    hostile = ours(SymbolSpec("hostile", "ground"))
    # A friendly frame is a 150 x 100 rectangle: its corner area is filled, the diamond's is not.
    assert tuple(friend[60, 35, :3]) == style.AFFILIATION_COLOURS["friend"]
    assert hostile[60, 35, 3] == 0
    # A hostile frame is a diamond reaching y = 28: above the rectangle's top edge (y = 50).
    assert tuple(hostile[38, 100, :3]) == style.AFFILIATION_COLOURS["hostile"]
    assert friend[38, 100, 3] == 0
    air = ours(SymbolSpec("friend", "air"))
    assert air[140, 100, 3] and not air[160, 100, 3]  # the dome is open below, at y = 150


@pytest.mark.parametrize("affiliation", list(AFFS))
@pytest.mark.parametrize("what, number", [
    ("ground infantry battalion", "100{a}1000161211000000"),
    ("ground armour company", "100{a}1000151205000000"),
    ("ground artillery brigade", "100{a}1000181303000000"),
    ("ground recon team", "100{a}1000111213000000"),
    # (Fixed wing is left out: 2525D draws a smaller aeroplane than 2525C, whose we draw.)
    ("air rotary wing", "100{a}0100001102000000"),
    ("air UAV", "100{a}0100001103000000"),
])
def test_symbols_match_milsymbol(qapp, affiliation, what, number):
    code = number.format(a=AFFS[affiliation])
    fill_rgb = style.AFFILIATION_COLOURS[affiliation]
    mine_fill, mine_ink = masks(ours(unit_symbol(code, affiliation)), fill_rgb)
    ref_fill, ref_ink = masks(theirs(code), fill_rgb)
    assert ref_fill.sum() > 3000, "the reference drew no frame"
    assert iou(mine_fill, ref_fill) > 0.93, (what, iou(mine_fill, ref_fill))
    # Frame outline, icon and echelon: the same black strokes within a pixel or two.
    grow = lambda m: m | np.roll(m, 1, 0) | np.roll(m, -1, 0) | np.roll(m, 1, 1) | np.roll(m, -1, 1)  # noqa: E731
    assert (mine_ink & grow(grow(ref_ink))).sum() > 0.9 * mine_ink.sum(), what
    assert (ref_ink & grow(grow(mine_ink))).sum() > 0.9 * ref_ink.sum(), what


def test_pixmaps_are_cached_per_spec_and_pixel_ratio(qapp):
    spec = SymbolSpec("friend", "ground", "brigade", "infantry")
    a, offset = symbol_pixmap(spec, 36.0, 1.0)
    assert symbol_pixmap(spec, 36.0, 1.0)[0] is a
    b, _ = symbol_pixmap(spec, 36.0, 2.0)
    assert b is not a and b.width() == pytest.approx(2 * a.width(), abs=2) and b.devicePixelRatio() == 2.0
    assert offset.y() < -18 * 0.5  # the echelon reaches above the frame


# -- on the map --------------------------------------------------------------------------------
def name_rects(view) -> list[QtCore.QRectF]:
    """Where the names are drawn, in viewport pixels (as UnitNamesItem lays them out)."""
    names = view.unit_layer.detail.names
    font = QtGui.QFont()
    font.setPixelSize(LABEL_PX)
    fm = QtGui.QFontMetricsF(font)
    out = []
    for x, y, off, text in zip(names.x, names.y, names.offset, names.texts):
        p = view.mapFromScene(view.view_box.mapViewToScene(QtCore.QPointF(x, y)))
        r = QtCore.QRectF(p.x() + off, p.y() - fm.height() / 2, fm.horizontalAdvance(text) + 4, fm.height())
        if off < 0:
            r.moveRight(p.x() + off)
        out.append(r)
    return out


def test_demo_names_do_not_pile_up(qtbot):
    view = make_view(qtbot, demo_document())
    detail = view.unit_layer.detail
    assert detail.active and len(detail.names.texts) >= 15
    assert set(detail.names.texts) <= set(view.document.units.names)
    rects = name_rects(view)
    assert not [(i, j) for i in range(len(rects)) for j in range(i + 1, len(rects)) if rects[i].intersects(rects[j])]
    # Zoomed in, names that did not fit before appear; only those in view are laid out.
    before = set(detail.names.texts)
    for (lon, lat), names in (((39.0, 35.93), {"SDF Raqqa West Bde", "SDF Raqqa East Bde", "SDF Raqqa South Bn"}),
                              ((39.75, 35.72), {"SAA River Recon Tm", "SDF Kasra Coy", "SAA Ma'dan South Bn"})):
        assert not names <= before
        x, y = view.to_display(lon, lat)
        view.view_box.setRange(xRange=(float(x) - 25e3, float(x) + 25e3), yRange=(float(y) - 16e3, float(y) + 16e3),
                               padding=0)
        qtbot.waitUntil(lambda: not detail._timer.isActive(), timeout=1000)
        shown = set(detail.names.texts)
        assert names <= shown and len(shown) < len(view.document.units), shown
        rects = name_rects(view)
        assert not [(i, j) for i in range(len(rects)) for j in range(i + 1, len(rects))
                    if rects[i].intersects(rects[j])]


def test_symbol_level_follows_units_in_view(qtbot):
    doc = random_document(3 * FULL_SYMBOL_LIMIT)
    view = make_view(qtbot, doc)
    layer = view.unit_layer
    assert not layer.detail.active and sum(len(m) for m in layer.markers.values()) == len(doc.units)
    i = int(np.argmin(np.hypot(layer.x - np.median(layer.x), layer.y - np.median(layer.y))))
    view.view_box.setRange(xRange=(layer.x[i] - 25e3, layer.x[i] + 25e3), yRange=(layer.y[i] - 16e3, layer.y[i] + 16e3),
                           padding=0)
    qtbot.waitUntil(lambda: layer.detail.active, timeout=2000)
    rect = view.view_box.viewRect()
    in_view = np.flatnonzero((layer.x >= rect.left()) & (layer.x <= rect.right())
                             & (layer.y >= rect.top()) & (layer.y <= rect.bottom()))
    assert set(in_view) <= set(layer.detail.idx)
    assert sum(len(m) for m in layer.markers.values()) == 0
    assert layer.rings["near"]._style[1] > 30  # rings are sized round full symbols  # noqa: SLF001
    view.zoom_to_ao()
    qtbot.waitUntil(lambda: not layer.detail.active, timeout=2000)


def test_export_draws_symbols_as_vector_paths(qapp, tmp_path):
    out = tmp_path / "brief.svg"
    render.export_map(demo_document(), ExportSettings(format="svg", width=1400, height=1000), out)
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    fills = [p.get("fill", "") for p in root.iter(f"{ns}path")] + [g.get("fill", "") for g in root.iter(f"{ns}g")]
    friend = "#{:02x}{:02x}{:02x}".format(*style.AFFILIATION_COLOURS["friend"])
    hostile = "#{:02x}{:02x}{:02x}".format(*style.AFFILIATION_COLOURS["hostile"])
    # Each symbol's frame is a path in its affiliation's fill (map and legend).
    assert fills.count(friend) >= 22 and fills.count(hostile) >= 22, (fills.count(friend), fills.count(hostile))
    texts = "".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "SDF Ain Issa Bn" in texts and "Friend aircraft (3)" in texts


def test_names_keep_clear_of_markup_labels(qtbot):
    from desktop.core.annotations import Annotation, Annotations
    from desktop.gui import labels
    doc = demo_document()
    view = make_view(qtbot, doc)
    detail = view.unit_layer.detail
    assert "SAA Ithriya Bn" in detail.names.texts
    # A callout right over the Ithriya battalion's name, where it is by default.
    i = doc.units.index_of("SAA-13")
    doc.set_annotations(Annotations([Annotation("text-1", "text", [(doc.units.lon[i] + 0.02, doc.units.lat[i] - 0.1)],
                                                text="Ithriya road open")]))
    qtbot.waitUntil(lambda: not detail._timer.isActive(), timeout=1000)
    vb = view.view_box
    px, py = vb.viewPixelSize()
    rect = vb.viewRect()
    markup = view.annotation_layer.label_boxes(px, py, rect)
    assert len(markup) == 1
    font = QtGui.QFont()
    font.setPixelSize(LABEL_PX)
    fm = QtGui.QFontMetricsF(font)
    names = detail.names
    sx, sy = labels.to_pixels(names.x, names.y, px, py, rect)
    for x, y, off, text in zip(sx, sy, names.offset, names.texts):
        w = fm.horizontalAdvance(text) + 4
        left = x + off if off > 0 else x + off - w
        box = QtCore.QRectF(left, y - fm.height() / 2, w, fm.height())
        assert not box.intersects(QtCore.QRectF(QtCore.QPointF(*markup[0, :2]), QtCore.QPointF(*markup[0, 2:]))), text
