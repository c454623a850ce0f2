"""Unit symbols: frames, outlines and anchors (the comparison with milsymbol.js is in
test_symbol_reference), cached per spec; the symbol level of the unit layer and its names;
symbols as vector paths in exports."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from desktop.core.demo import demo_document
from desktop.core.sidc import SymbolSpec, unit_symbol
from desktop.gui import style
from desktop.gui.export import render
from desktop.gui.export.settings import ExportSettings
from desktop.gui.symbology import DESIGN, paint_symbol, symbol_pixmap
from desktop.gui.unit_symbols import FULL_SYMBOL_LIMIT
from tests.gui.big_units import random_document
from tests.gui.test_unit_layer import make_view


def draw(fn, size=200) -> np.ndarray:
    """h x w x 4 (RGBA) of whatever fn(painter) draws on a transparent size x size image."""
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_RGBA8888)
    image.fill(0)
    p = QtGui.QPainter(image)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    fn(p)
    p.end()
    return np.frombuffer(image.constBits(), np.uint8).reshape(size, size, 4).copy()


def ours(spec: SymbolSpec, size=200) -> np.ndarray:
    return draw(lambda p: paint_symbol(p, spec, QtCore.QPointF(size / 2, size / 2), DESIGN * size / 200), size)


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


def test_planned_frame_is_broken_and_present_frame_is_not(qapp):
    """Along the top edge of a friendly frame (y = 50): a present unit's outline is black
    all along, a planned unit's is broken by light gaps."""
    present = ours(unit_symbol("SFGPUCI--------", ""))
    planned = ours(unit_symbol("SFGAUCI--------", ""))
    assert (present[50, 30:170, :3].max(axis=1) < 60).all()
    gaps = planned[50, 30:170, :3].min(axis=1) > 200
    assert 0.25 < gaps.mean() < 0.6


def test_hq_is_anchored_at_its_staff_foot(qapp):
    """A headquarters symbol stands on its staff: the staff's foot is the unit's position."""
    image = draw(lambda p: paint_symbol(p, unit_symbol("SFGPUCI---A----", ""), QtCore.QPointF(100, 190), 100), 200)
    ink = (image[..., 3] > 200) & (image[..., :3].max(axis=-1) < 60)
    rows = np.flatnonzero(ink.any(axis=1))
    assert abs(rows.max() - 190) <= 1  # nothing below the position
    staff = ink[145:188, 97:104].any(axis=1)
    assert staff.all()  # the staff rises from there along the frame's left edge
    assert not ink[145:188, 110:180].any()  # under the frame: nothing but the staff


def test_pixmaps_are_cached_per_spec_and_pixel_ratio(qapp):
    spec = SymbolSpec("friend", "ground", "brigade", "infantry")
    a, offset = symbol_pixmap(spec, 36.0, 1.0)
    assert symbol_pixmap(spec, 36.0, 1.0)[0] is a
    b, _ = symbol_pixmap(spec, 36.0, 2.0)
    assert b is not a and b.width() == pytest.approx(2 * a.width(), abs=2) and b.devicePixelRatio() == 2.0
    assert offset.y() < -18 * 0.5  # the echelon reaches above the frame


# -- on the map --------------------------------------------------------------------------------
def name_rects(view) -> list[QtCore.QRectF]:
    """Where the names are drawn, in device pixels (as UnitNames paints them)."""
    return view.layer("units").detail.names.device_rects(view.settings())


def test_demo_names_do_not_pile_up(qtbot):
    view = make_view(qtbot, demo_document())
    detail = view.layer("units").detail
    assert detail.active and len(detail.names.texts) >= 15
    assert set(detail.names.texts) <= set(view.document.units.names)
    rects = name_rects(view)
    assert not [(i, j) for i in range(len(rects)) for j in range(i + 1, len(rects)) if rects[i].intersects(rects[j])]
    # The flagged units by Ma'dan are named even in the crowd there (on leaders if need be).
    before = set(detail.names.texts)
    assert {"SAA River Recon Tm", "SDF Kasra Coy", "SAA Ma'dan South Bn"} <= before
    # Zoomed in, names that did not fit before appear; only those in view are laid out.
    for (lon, lat), names in (((39.0, 35.93), {"SDF Raqqa West Bde", "SDF Raqqa East Bde", "SDF Raqqa South Bn"}),
                              ((39.75, 35.72), {"SDF Ma'dan North Bn", "SDF Kasra Coy", "SAA Ma'dan South Bn"})):
        x, y = view.to_display(lon, lat)
        view.set_view_rect(float(x) - 25e3, float(y) - 16e3, float(x) + 25e3, float(y) + 16e3)
        view.flush()  # the names are laid out again once the view rests
        shown = set(detail.names.texts)
        assert names <= shown and len(shown) < len(view.document.units), shown
        rects = name_rects(view)
        assert not [(i, j) for i in range(len(rects)) for j in range(i + 1, len(rects))
                    if rects[i].intersects(rects[j])]


def test_symbol_level_follows_units_in_view(qtbot):
    doc = random_document(3 * FULL_SYMBOL_LIMIT)
    view = make_view(qtbot, doc)
    layer = view.layer("units")
    assert not layer.detail.active and sum(len(m) for m in layer.markers.values()) == len(doc.units)
    i = int(np.argmin(np.hypot(layer.x - np.median(layer.x), layer.y - np.median(layer.y))))
    view.set_view_rect(layer.x[i] - 25e3, layer.y[i] - 16e3, layer.x[i] + 25e3, layer.y[i] + 16e3)
    qtbot.waitUntil(lambda: layer.detail.active, timeout=2000)
    x0, y0, x1, y1 = view.view_rect()
    in_view = np.flatnonzero((layer.x >= x0) & (layer.x <= x1) & (layer.y >= y0) & (layer.y <= y1))
    assert set(in_view) <= set(layer.detail.idx)
    assert sum(len(m) for m in layer.markers.values()) == 0
    assert layer.rings["near"].size > 30  # rings are sized round full symbols
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
    from desktop.gui.map.layers.markup import ShapePainter
    from desktop.gui.map.layers.painting import map_transform
    doc = demo_document()
    view = make_view(qtbot, doc)
    detail = view.layer("units").detail
    assert "SAA Ithriya Bn" in detail.names.texts
    # A callout right over the Ithriya battalion's name, where it is by default.
    i = doc.units.index_of("SAA-13")
    doc.set_annotations(Annotations([Annotation("text-1", "text", [(doc.units.lon[i] + 0.02, doc.units.lat[i] - 0.1)],
                                                text="Ithriya road open")]))
    view.flush()  # the names are laid out again once the view rests
    settings = view.settings()
    (text, box), = ShapePainter(None, map_transform(settings), settings.pixel_ratio,
                                QtCore.QRectF(0, 0, *settings.size)).labels(view.layer("markup").shapes[0])
    markup = np.array([[box.left(), box.top(), box.right(), box.bottom()]]) / settings.pixel_ratio  # as drawn
    box = QtCore.QRectF(QtCore.QPointF(*markup[0, :2]), QtCore.QPointF(*markup[0, 2:]))
    r = settings.pixel_ratio
    for rect, text in zip(detail.names.device_rects(settings), detail.names.texts):
        shown = QtCore.QRectF(rect.left() / r, rect.top() / r, rect.width() / r, rect.height() / r)
        assert not shown.intersects(box), text


# -- amplifiers --------------------------------------------------------------------------------
def test_land_names_sit_left_and_aircraft_names_right_of_their_symbols(qtbot):
    """Where nothing is in the way, the unique designation takes the standard's place: left
    of a land unit's frame, right of an aircraft's; where it is, the other side."""
    from desktop.core.units import UnitTable
    doc = demo_document()
    doc.set_units(UnitTable.from_records([
        dict(id="G", name="Ground Bn", side="US-backed", affiliation="friend", domain="ground", lon=39.6, lat=35.2,
             symbol="SFGPUCI----F---"),
        dict(id="A", name="Air Orbit", side="US-backed", affiliation="friend", domain="air", lon=40.3, lat=36.1,
             symbol="SFAPMF---------"),
        dict(id="B", name="Blocked Bn", side="US-backed", affiliation="friend", domain="ground", lon=38.5, lat=35.2,
             symbol="SFGPUCI----F---"),
        dict(id="C", name="Close Coy", side="US-backed", affiliation="friend", domain="ground", lon=38.47, lat=35.2,
             symbol="SFGPUCI----E---")]))
    view = make_view(qtbot, doc)
    names = view.layer("units").detail.names
    side = {t: ("right" if box[0] > 0 else "left") for t, box in zip(names.texts, names.boxes)}
    assert side["Ground Bn"] == "left" and side["Air Orbit"] == "right"
    assert side["Blocked Bn"] == "right"  # its left is Close Coy's symbol


def test_speed_leaders_end_where_the_aircraft_will_be(qtbot):
    from pyproj import Geod

    from desktop.core.motion import motion_at
    from desktop.gui.unit_motion import LEADER_S
    view = make_view(qtbot, demo_document())
    doc, motion = view.document, view.layer("units").detail.motion
    air = np.flatnonzero(doc.units.domains == "air")
    course, speed = motion_at(doc.tracks, None, air)
    lon2, lat2, _ = Geod(ellps="WGS84").fwd(doc.units.lon[air], doc.units.lat[air], course, speed * LEADER_S)
    want = np.column_stack(view.to_display(lon2, lat2))
    got = np.column_stack([motion.x2, motion.y2])[np.isfinite(motion.x2)]
    assert len(got) == len(air)
    assert np.abs(np.sort(got, axis=0) - np.sort(want, axis=0)).max() < 1.0  # display metres


def test_view_menu_turns_amplifiers_off_and_the_brief_follows_its_own_settings(qtbot, tmp_path):
    from tests.gui.test_main_window import make_window
    window = make_window(qtbot)
    detail = window.map_view.layer("units").detail
    window.map_view.flush()
    assert detail.names.texts and len(detail.motion.x) > 0
    actions = {a.data(): a for a in window.amplifiers_menu.actions()}
    actions["unit_names"].setChecked(False)
    actions["speed_leaders"].setChecked(False)
    # The names are the unit labels layer: hidden, they are not drawn (and the panel says so).
    assert "units.labels" not in [layer.id for layer in window.scene.drawing_order()]
    assert window.panels["layers"].list.item(window.panels["layers"].row_ids().index("units.labels")).checkState() \
        == QtCore.Qt.CheckState.Unchecked
    assert not len(detail.motion.x)
    out = tmp_path / "brief.svg"
    render.export_map(demo_document(), ExportSettings(format="svg", width=1400, height=1000, unit_names=False), out)
    texts = "".join(t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    assert "SDF Ain Issa Bn" not in texts  # (test_export_draws_symbols_as_vector_paths: present by default)
