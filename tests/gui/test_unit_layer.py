"""Units on the map: markers and rings for few units, density/overlay rasters for many."""
import numpy as np
import pytest
from PySide6 import QtGui

from desktop.core.demo import demo_document
from desktop.gui import style
from desktop.gui.map.layers import units as unit_layer
from tests.gui import mouse
from tests.gui.big_units import random_document
from tests.gui.conftest import make_map_view

N_BIG = 200_000


def make_view(qtbot, doc):
    return make_map_view(qtbot, doc)


def as_set(x, y) -> set:
    return set(zip(np.round(x, 3), np.round(y, 3)))


def zoom_to(view, x, y, half_w=15e3, half_h=10e3) -> None:
    view.set_view_rect(x - half_w, y - half_h, x + half_w, y + half_h)


def in_view(view, x, y, strict=False) -> np.ndarray:
    x0, y0, x1, y1 = view.view_rect()
    if strict:
        return np.flatnonzero((x > x0) & (x < x1) & (y > y0) & (y < y1))
    return np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))


def argb_at(layer, item, x, y) -> int:
    """The raster pixel drawn at display (x, y)."""
    g = layer.grid
    col, row = int((x - g.x0) / g.cell), int((y - g.y0) / g.cell)
    return int(item.buffer[row, col])


@pytest.fixture
def demo_view(qtbot):
    return make_view(qtbot, demo_document())


@pytest.fixture(scope="module")
def big_doc_factory():
    units = random_document(N_BIG).units  # the slow part, built once

    def make():
        doc = random_document(10)
        doc.set_units(units)
        return doc
    return make


@pytest.fixture
def big_view(qtbot, big_doc_factory):
    return make_view(qtbot, big_doc_factory())


def moved_line(doc, dlat=0.12):
    """Vertex 4 moved north past Raqqa: units between get the other owner."""
    lon, lat = doc.line.vertices[3]
    return doc.line.moved(3, lon, lat + dlat)


# -- few units: markers --------------------------------------------------------------------------
def test_demo_symbols_and_rings_sit_on_the_units(demo_view):
    view, doc = demo_view, demo_view.document
    layer = view.layer("units")
    assert layer.mode == "markers"
    x, y = view.to_display(doc.units.lon, doc.units.lat)
    assert np.allclose(layer.x, x) and np.allclose(layer.y, y)
    # Few units: every one is a full symbol of its own affiliation; no small markers.
    symbols = layer.detail.symbols
    assert as_set(symbols.x, symbols.y) == as_set(x, y)
    assert [symbols.specs[k].affiliation for k in symbols.cls] == list(doc.units.affiliations)
    assert sum(len(item) for item in layer.markers.values()) == 0
    cls = doc.analysis.classification
    assert cls.near_line.any() and cls.wrong_side.any()
    assert as_set(*layer.near_rings.data()) == as_set(x[cls.near_line], y[cls.near_line])
    assert as_set(*layer.wrong_rings.data()) == as_set(x[cls.wrong_side], y[cls.wrong_side])
    view.selection.set_units([3, 25])
    assert as_set(*layer.selection_rings.data()) == as_set(x[[3, 25]], y[[3, 25]])
    assert layer.density.empty  # no raster for the demo


def test_demo_never_rebuilds_on_pan(demo_view, qtbot):
    layer = demo_view.layer("units")
    demo_view.pan_by(-50e3 / demo_view.pixel_size(), 0)
    qtbot.wait(150)
    assert not layer.rebuild_pending and layer.mode == "markers"


def test_demo_wrong_side_ring_appears_during_drag_preview(demo_view):
    doc, layer = demo_view.document, demo_view.layer("units")
    sdf05 = doc.units.index_of("SDF-05")
    assert not doc.analysis.classification.wrong_side[sdf05]
    doc.set_preview(doc.line.moved(3, 39.05, 35.985))
    assert doc.analysis.classification.wrong_side[sdf05]
    assert (round(layer.x[sdf05], 3), round(layer.y[sdf05], 3)) in as_set(*layer.wrong_rings.data())


# -- many units: level of detail -----------------------------------------------------------------
def test_lod_zoomed_out_and_markers_zoomed_in(big_view):
    view, layer = big_view, big_view.layer("units")
    assert layer.mode == "lod"
    assert all(len(item) == 0 for item in layer.markers.values())
    # Every unit in view lands on an opaque density cell; cells with no unit are clear.
    inside = in_view(view, layer.x, layer.y, strict=True)
    assert len(inside) > unit_layer.MARKER_LIMIT
    cells = layer._cell_of[inside]
    assert np.all(cells > 0)
    density = layer.density.buffer.reshape(-1)
    assert np.all(density[cells] >> 24 == 255)
    assert (density != 0).sum() == len(np.unique(layer._cell_of[layer._cell_of > 0]))

    cx, cy = float(np.median(layer.x)), float(np.median(layer.y))
    zoom_to(view, cx, cy)
    view.layer("units").flush()
    assert layer.mode == "markers"
    assert layer.density.empty
    shown = in_view(view, layer.x, layer.y)
    assert 0 < len(shown) <= unit_layer.MARKER_LIMIT
    drawn = set()
    for item in layer.markers.values():
        drawn |= as_set(*item.data())
    assert as_set(layer.x[shown], layer.y[shown]) <= drawn


def test_pan_past_the_margin_rebuilds_after_the_throttle(big_view, qtbot):
    view, layer = big_view, big_view.layer("units")
    grid = layer.grid
    view.pan_by(-0.1 * view.width(), 0)  # inside the margin: nothing to do
    assert not layer.rebuild_pending and layer.grid is grid
    view.pan_by(-0.3 * view.width(), 0)
    assert layer.rebuild_pending
    qtbot.waitUntil(lambda: layer.grid is not grid, timeout=2000)
    x0, y0, x1, y1 = view.view_rect()
    c = layer._coverage
    assert c[0] <= x0 and c[1] <= y0 and c[2] >= x1 and c[3] >= y1


@pytest.mark.parametrize("ring_limit", [0, 10**9], ids=["raster", "rings"])
def test_unit_turning_wrong_side_is_flagged_during_preview(big_view, monkeypatch, ring_limit):
    monkeypatch.setattr(unit_layer, "RING_LIMIT", ring_limit)
    doc, layer = big_view.document, big_view.layer("units")
    layer.rebuild_view()
    assert layer.mode == "lod"
    before = doc.analysis.classification.wrong_side.copy()
    line = moved_line(doc)
    doc.set_preview(line)
    after = doc.analysis.classification.wrong_side
    turned = np.flatnonzero(after & ~before & (layer._cell_of > 0))
    assert len(turned) > 10
    if ring_limit:
        assert as_set(layer.x[turned], layer.y[turned]) <= as_set(*layer.wrong_rings.data())
    else:
        assert len(layer.wrong_rings) == 0
        buf = layer.flag_raster.buffer.reshape(-1)
        wrong = layer._flag_argb["wrong"]
        assert np.all(buf[layer._cell_of[turned]] == wrong)
    # Back and forth: the incrementally patched overlay equals one built from scratch.
    doc.set_preview(moved_line(doc, 0.05))
    doc.set_preview(line)
    patched = layer.flag_raster.buffer.copy()
    rings = as_set(*layer.wrong_rings.data())
    layer.rebuild_view()
    assert np.array_equal(patched, layer.flag_raster.buffer)
    assert rings == as_set(*layer.wrong_rings.data())
    doc.set_preview(None)
    if not ring_limit:
        cells = layer._cell_of[np.flatnonzero(doc.analysis.classification.wrong_side)]
        assert np.count_nonzero(layer.flag_raster.buffer.reshape(-1) == wrong) == len(np.unique(cells[cells > 0]))


def test_unit_turning_wrong_side_gets_a_ring_when_zoomed_in(big_view):
    view, doc, layer = big_view, big_view.document, big_view.layer("units")
    before = doc.analysis.classification.wrong_side.copy()
    line = moved_line(doc)
    turned = np.flatnonzero(doc.analyse(line).classification.wrong_side & ~before)
    i = turned[len(turned) // 2]
    zoom_to(view, layer.x[i], layer.y[i])
    layer.flush()
    assert layer.mode == "markers"
    assert (round(layer.x[i], 3), round(layer.y[i], 3)) not in as_set(*layer.wrong_rings.data())
    doc.set_preview(line)
    assert (round(layer.x[i], 3), round(layer.y[i], 3)) in as_set(*layer.wrong_rings.data())


def test_large_selection_becomes_an_overlay(big_view):
    view, layer = big_view, big_view.layer("units")
    everyone = np.arange(len(view.document.units))
    view.selection.set_units(everyone[::2], source=view)
    assert len(layer.selection_rings) == 0
    cells = layer._cell_of[everyone[::2]]
    assert np.all(layer.flag_raster.buffer.reshape(-1)[cells[cells > 0]] == layer._flag_argb["selection"])
    view.selection.set_units([7], source=view)
    assert len(layer.selection_rings) == 1
    assert not np.any(layer.flag_raster.buffer == layer._flag_argb["selection"])


def _non_background(image: QtGui.QImage, rgb) -> int:
    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4)[:, :, 2::-1]
    return int(np.all(np.abs(a.astype(int) - rgb) <= 2, axis=2).sum())


def test_grab_both_modes_to_png(big_view):
    """Saves /tmp/units_lod.png and /tmp/units_markers.png for a look by eye."""
    view, doc, layer = big_view, big_view.document, big_view.layer("units")
    doc.set_preview(moved_line(doc))
    view.selection.set_units([int(np.argmin(np.hypot(layer.x, layer.y)))], source=view)
    assert layer.mode == "lod"
    lod = view.grab().toImage()
    assert lod.save("/tmp/units_lod.png")
    wrong = style.WRONG_SIDE_COLOUR
    assert _non_background(lod, wrong) > 0 or len(layer.wrong_rings) > 0
    x, y = view.to_display(*doc.shown_line.vertices[3])
    zoom_to(view, float(x), float(y))
    layer.flush()
    assert layer.mode == "markers"
    markers = view.grab().toImage()
    assert markers.save("/tmp/units_markers.png")
    assert _non_background(markers, style.AFFILIATION_COLOURS["friend"]) > 100
    assert _non_background(markers, style.AFFILIATION_COLOURS["hostile"]) > 100
    assert _non_background(markers, wrong) > 20  # wrong-side rings near the moved vertex


@pytest.mark.parametrize("zoomed", [False, True], ids=["lod", "markers"])
def test_click_picks_the_unit_under_the_mouse(big_view, zoomed):
    view, layer = big_view, big_view.layer("units")
    i = int(np.argmin(np.hypot(layer.x - np.median(layer.x), layer.y - np.median(layer.y))))
    if zoomed:
        zoom_to(view, layer.x[i], layer.y[i], 2e3, 1.5e3)
        layer.flush()
    mouse.click(view, mouse.to_viewport(view, layer.x[i], layer.y[i]))
    picked = view.selection.units
    assert len(picked) == 1
    j = int(picked[0])
    tol = unit_layer_click_tolerance(view)
    assert np.hypot(layer.x[j] - layer.x[i], layer.y[j] - layer.y[i]) <= tol
    if zoomed:
        assert j == i
    assert layer.unit_at(layer.x[i] + 3 * tol, layer.y[i] + 3 * tol, 0.0) is None


def unit_layer_click_tolerance(view) -> float:
    from desktop.gui.map.view import CLICK_TOLERANCE_PX
    return CLICK_TOLERANCE_PX * view.pixel_size()


def test_display_crs_change_reprojects_the_rasters(big_view):
    from desktop.core.geodesy import Projection
    view, layer, doc = big_view, big_view.layer("units"), big_view.document
    view.set_projection(Projection.for_crs(3857, doc.ao.centre))
    layer.flush()
    x, y = view.to_display(doc.units.lon, doc.units.lat)
    assert np.allclose(layer.x, x) and np.allclose(layer.y, y)
    assert layer.mode == "lod"
    inside = in_view(view, x, y, strict=True)
    assert len(inside) and np.all(layer.density.buffer.reshape(-1)[layer._cell_of[inside]] >> 24 == 255)


def test_units_replaced_by_a_few_drops_the_rasters(big_view):
    view, layer = big_view, big_view.layer("units")
    demo = demo_document()
    view.document.set_units(demo.units)
    assert layer.mode == "markers" and layer.density.empty
    assert len(layer.detail.symbols) == len(demo.units)
    assert len(layer.x) == len(demo.units)
    near = view.document.analysis.classification.near_line
    assert len(layer.near_rings) == int(near.sum()) > 0
