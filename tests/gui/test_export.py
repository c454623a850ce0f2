"""Briefing-map export: file formats, page geometry, what is drawn where, the dialog."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
import zlib
from datetime import datetime, timezone

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Proj
from PySide6 import QtCore, QtGui

from desktop.core.annotations import Annotation, Annotations
from desktop.core.demo import demo_document
from desktop.core.geodesy import Projection
from desktop.gui import style
from desktop.gui.map.layers.basemap import LAND
from desktop.gui.map.layers.sectors import sector_fill
from desktop.gui.export import render
from desktop.gui.export.dialog import ExportDialog
from desktop.gui.export.settings import ExportSettings, ExportSettingsError, date_time_group
from desktop.gui.main_window import MainWindow
from desktop.gui.symbology import DESIGN
from desktop.gui.unit_symbols import SYMBOL_PX
from tests.gui.big_units import random_document

GEOD = Geod(ellps="WGS84")
WHEN = datetime(2017, 8, 14, 15, 30, tzinfo=timezone.utc)


def settings(**kw) -> ExportSettings:
    base = dict(title="Evening brief", timestamp=WHEN)
    base.update(kw)
    return ExportSettings(**base)


def rgb(image: QtGui.QImage) -> np.ndarray:
    """h x w x 3 uint8 copy of a QImage."""
    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, :img.width(), 2::-1].copy()


@pytest.fixture(scope="module")
def demo_page(qapp):
    """The demo at A4 landscape, 150 dpi: (document, image array, layout)."""
    doc = demo_document()
    image, layout = render.render_image(doc, settings(format="png", paper="A4", landscape=True, dpi=150))
    return doc, rgb(image), layout


# -- formats ---------------------------------------------------------------------------------
def test_png_has_the_requested_pixels_and_dpi(qapp, tmp_path):
    out = tmp_path / "map.png"
    render.export_map(demo_document(), settings(format="png", width=1200, height=800, dpi=144), out)
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    assert image.dotsPerMeterX() == image.dotsPerMeterY() == round(144 / 0.0254)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*.tmp"))  # written aside and renamed


def test_paper_png_size_follows_paper_and_dpi(demo_page):
    _, pixels, layout = demo_page
    assert pixels.shape[:2] == (1240, 1754)  # A4 landscape at 150 dpi
    assert layout.page.width() == 1754


def test_jpeg_carries_dpi(qapp, tmp_path):
    out = tmp_path / "map.jpg"
    render.export_map(demo_document(), settings(format="jpg", width=640, height=480, dpi=200), out)
    image = QtGui.QImage(str(out))
    assert out.read_bytes()[:2] == b"\xff\xd8"
    assert (image.width(), image.height()) == (640, 480)
    assert abs(image.dotsPerMeterX() - 200 / 0.0254) < 40  # JFIF stores whole dots per inch


def _pdf_streams(data: bytes) -> list[bytes]:
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            out.append(m.group(1))
    return out


def test_a3_landscape_pdf_page_size_and_vector_content(qapp, tmp_path):
    out = tmp_path / "brief.pdf"
    render.export_map(demo_document(), settings(format="pdf", paper="A3", landscape=True, dpi=300), out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert len(boxes) == 1
    x0, y0, x1, y1 = map(float, boxes[0])
    assert (x0, y0) == (0, 0)
    assert x1 == pytest.approx(420 / 25.4 * 72, abs=1.0) and y1 == pytest.approx(297 / 25.4 * 72, abs=1.0)
    content = b"\n".join(_pdf_streams(data))
    ops = {op: len(re.findall(rb"\s" + op + rb"\s", content)) for op in (rb"m", rb"l", rb"c", rb"f", rb"S")}
    # Sectors, line, rivers, graticule and unit symbols are paths, not a picture of them.
    assert ops[rb"m"] > 100 and ops[rb"l"] > 2000, ops
    assert ops[rb"f"] > 10 and ops[rb"S"] > 10, ops
    images = len(re.findall(rb"/Subtype\s*/Image", data))
    assert images <= 2  # at most the (empty) unit density rasters; the map is vector


def test_svg_parses_and_is_made_of_paths(qapp, tmp_path):
    out = tmp_path / "brief.svg"
    render.export_map(demo_document(), settings(format="svg", width=1400, height=1000), out)
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.get("viewBox") == "0 0 1400 1000"
    paths = root.findall(f".//{ns}path")
    # One path per layer (sectors, buffer, AO, rivers, coast, graticule, unit classes, ...),
    # with the geometry in them: thousands of vertices, not a picture.
    assert len(paths) > 20
    assert sum(len(p.get("d", "")) for p in paths) > 50_000
    assert len(root.findall(f".//{ns}image")) <= 2
    texts = "".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "UNCLASSIFIED // EXERCISE" in texts and "Evening brief" in texts and "Raqqa" in texts


def test_bad_settings_are_refused():
    with pytest.raises(ExportSettingsError, match="dpi"):
        ExportSettings(dpi=1000).validate()
    with pytest.raises(ExportSettingsError, match="width and a height"):
        ExportSettings(width=800).validate()
    with pytest.raises(ExportSettingsError, match="format"):
        ExportSettings(format="gif").validate()
    with pytest.raises(ExportSettingsError, match="view"):
        ExportSettings(extent="view").validate()
    assert ExportSettings.from_dict({"dpi": "nonsense", "title": 3}) == ExportSettings()


# -- what is drawn where ---------------------------------------------------------------------
def _near_colour(pixels, x, y, colour, radius=1, tol=12) -> bool:
    x, y = int(round(float(x))), int(round(float(y)))
    patch = pixels[y - radius:y + radius + 1, x - radius:x + radius + 1].reshape(-1, 3).astype(int)
    return bool(np.any(np.all(np.abs(patch - np.asarray(colour)) <= tol, axis=1)))


def test_line_sector_fills_and_units_are_where_they_project(demo_page):
    doc, pixels, layout = demo_page
    analysis = doc.analysis
    # The line: points of its densified geodesic, through the page layout, are near black.
    proj = doc.analysis_projection
    xy = analysis.sectors.line_xy
    for i in (len(xy) // 5, len(xy) // 2, 4 * len(xy) // 5):
        lon, lat = proj.inverse(xy[i, 0], xy[i, 1])
        px, py = layout.lonlat_to_page(lon, lat)
        assert _near_colour(pixels, px, py, style.LINE_COLOUR, radius=2, tol=40), (i, px, py)
    # Units: inside the frame, left of the infantry cross (which passes the centre), the
    # symbol has its affiliation's fill.
    units = doc.units
    inside = 45 / DESIGN * SYMBOL_PX * layout.scale  # design units from the frame centre
    for uid in ("SDF-15", "SAA-07", "SDF-10"):
        i = units.index_of(uid)
        px, py = layout.lonlat_to_page(units.lon[i], units.lat[i])
        colour = style.AFFILIATION_COLOURS[units.affiliations[i]]
        assert _near_colour(pixels, px - inside, py, colour, radius=1, tol=6), (uid, pixels[int(py), int(px)])
    # Sector fills: patches inside each sector, clear of the buffer band, have the owner's
    # wash over land (a few may be over a lake instead) where nothing else is drawn: the
    # whole patch, or for the hatched side the pixels between its hatch lines.
    line = shapely.LineString(analysis.sectors.effective_xy)
    clear_m = (analysis.classification.buffer_km + 3) * 1000
    for sector in analysis.sectors.sectors:
        fill = sector_fill(sector.owner, doc.sides)
        a = fill.alpha() / 255
        want = np.array([LAND.red(), LAND.green(), LAND.blue()]) * (1 - a) + np.array(fill.getRgb()[:3]) * a
        hatched = sector.owner == doc.sides[1]
        minx, miny, maxx, maxy = sector.polygon.bounds
        calm = match = 0
        for x in np.linspace(minx, maxx, 25):
            for y in np.linspace(miny, maxy, 25):
                pt = shapely.Point(x, y)
                if not sector.polygon.contains(pt) or line.distance(pt) < clear_m:
                    continue
                px, py = (int(v) for v in layout.lonlat_to_page(*proj.inverse(x, y)))
                patch = pixels[py - 4:py + 5, px - 4:px + 5].reshape(-1, 3).astype(float)
                if hatched:  # the lightest pixels lie between the hatch lines
                    patch = patch[patch.sum(axis=1) >= np.percentile(patch.sum(axis=1), 80)]
                if patch.std(axis=0).max() < 0.6:  # nothing else drawn here
                    calm += 1
                    match += np.abs(patch.mean(axis=0) - want).max() <= 4
        assert match >= 20 and match >= 0.8 * calm, (sector.owner, match, calm)


def test_scale_bar_matches_geodesic_distance(demo_page):
    _, pixels, layout = demo_page
    bar = layout.scale_bar
    assert bar is not None and bar.km in (10, 20, 50, 100, 200)
    # The bar's length, laid across the map's centre, is bar.km on the ellipsoid.
    c = layout.frame.center()
    lon, lat = layout.page_to_lonlat([c.x() - bar.length_px / 2, c.x() + bar.length_px / 2], [c.y(), c.y()])
    _, _, metres = GEOD.inv(lon[0], lat[0], lon[1], lat[1])
    assert metres == pytest.approx(bar.km * 1000, rel=0.01)
    # And it is drawn that long: dark pixels along its middle row span its length.
    row = pixels[int(bar.rect.center().y())]
    x0, x1 = int(bar.rect.left()) - 10, int(bar.rect.right()) + 10
    dark = np.flatnonzero(row[x0:x1].max(axis=1) < 90) + x0
    assert dark[-1] - dark[0] == pytest.approx(bar.length_px, abs=3)


def test_north_arrow_follows_grid_convergence(demo_page):
    _, _, layout = demo_page
    c = layout.frame.center()
    lon, lat = layout.page_to_lonlat(c.x(), c.y())
    convergence = Proj(CRS.from_epsg(32637)).get_factors(float(lon), float(lat)).meridian_convergence
    assert layout.projection.crs.to_epsg() == 32637
    # East of the zone's central meridian (39 E) true north leans left of grid north.
    assert float(lon) > 39 and layout.north_deg < 0
    assert layout.north_deg == pytest.approx(-convergence, abs=0.01)


def test_north_arrow_in_web_mercator_points_up(qapp):
    doc = demo_document()
    proj = Projection.for_crs(3857, doc.ao.centre)
    _, layout = render.render_image(doc, settings(width=600, height=400), projection=proj)
    assert abs(layout.north_deg) < 1e-6
    assert layout.projection is proj


def test_decorations_can_be_left_out(qapp):
    doc = demo_document()
    full, lay_full = render.render_image(doc, settings(width=900, height=600))
    bare, lay_bare = render.render_image(doc, settings(width=900, height=600, legend=False, summary_table=False,
                                                       scale_bar=False, north_arrow=False, footer=False,
                                                       marking=""))
    assert lay_bare.scale_bar is None and lay_bare.panel is None
    assert lay_bare.frame.width() > lay_full.frame.width() + 100  # the map takes the panel's room
    assert lay_bare.frame.top() < lay_full.frame.top()  # no banner
    banner = style.qcolor((0, 122, 51))
    assert tuple(rgb(full)[2, 450]) == (banner.red(), banner.green(), banner.blue())
    assert tuple(rgb(bare)[2, 450]) == (255, 255, 255)


def test_view_extent_shows_the_given_rectangle(qapp):
    doc = demo_document()
    x, y = Projection.utm_for(*doc.ao.centre).forward(39.0, 35.95)  # Raqqa
    rect = (float(x) - 20_000, float(y) - 15_000, float(x) + 20_000, float(y) + 15_000)
    _, layout = render.render_image(doc, settings(width=1000, height=700, extent="view", view_rect=rect))
    vr = layout.view_rect
    assert vr.left() <= rect[0] + 1 and vr.right() >= rect[2] - 1
    assert vr.top() <= rect[1] + 1 and vr.bottom() >= rect[3] - 1
    assert vr.width() < 60_000  # zoomed in, not the AO
    assert layout.scale_bar.km <= 10


def test_many_units_are_drawn_as_density_at_export_size(qapp):
    from desktop.core.units import UnitTable
    doc = random_document(40_000)
    s = settings(width=1000, height=700)
    image, layout = render.render_image(doc, s)
    assert layout.unit_mode == "lod"
    doc.set_units(UnitTable.empty())
    empty, _ = render.render_image(doc, s)
    f = layout.frame
    box = np.s_[int(f.top()) + 2:int(f.bottom()) - 2, int(f.left()) + 2:int(f.right()) - 2]
    changed = np.abs(rgb(image)[box].astype(int) - rgb(empty)[box].astype(int)).max(axis=2) > 30
    # Units cover the AO's bounding box: the density carpet covers much of the frame.
    assert changed.mean() > 0.3


def test_export_leaves_the_document_and_the_map_alone(qtbot, tmp_path):
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    doc = win.document
    names = ("analysis_changed", "units_changed", "line_changed", "annotations_changed", "positions_changed",
             "revisions_changed", "time_view_changed", "ao_changed", "live_updated")
    listeners = {name: len(getattr(doc, name)) for name in names}
    state = win.scene.layer_state()
    view_rect = win.map_view.view_rect()
    render.export_map(doc, settings(width=800, height=600), tmp_path / "a.png")
    assert {name: len(getattr(doc, name)) for name in names} == listeners  # no listener left behind
    assert win.scene.layer_state() == state and win.map_view.view_rect() == view_rect


def test_date_time_group():
    assert date_time_group(WHEN) == "141530Z AUG 17"


# -- dialog ----------------------------------------------------------------------------------
def test_file_menu_opens_the_dialog_and_it_exports(qtbot, tmp_path):
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    assert win.export_action.shortcut().toString() == "Ctrl+E"
    win.export_action.trigger()
    dialog = win.export_dialog
    assert dialog.isVisible()
    assert dialog.marking_combo.currentText() == "UNCLASSIFIED // EXERCISE"
    assert dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("pdf"))
    dialog.title_edit.setText("Evening brief")
    out = dialog.export_to(tmp_path / "brief.pdf")
    assert out.read_bytes().startswith(b"%PDF-")
    dialog.close()


def test_dialog_current_view_extent_uses_the_map_view(qtbot, tmp_path):
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.map_view.zoom_by(1 / 0.3)
    dialog = win.show_export_dialog()
    dialog.extent_combo.setCurrentIndex(1)
    s = dialog.settings()
    assert s.extent == "view" and s.view_rect == pytest.approx(win.map_view.view_rect())
    dialog.timestamp = WHEN
    dialog.export_to(tmp_path / "view.png")
    dialog.close()


def test_dialog_remembers_the_last_settings(qtbot, tmp_path):
    qs = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    doc = demo_document()
    first = ExportDialog(doc, settings=qs)
    qtbot.addWidget(first)
    first.pixels_radio.setChecked(True)
    first.width_spin.setValue(1600)
    first.height_spin.setValue(900)
    first.title_edit.setText("Night brief")
    first.toggles["footer"].setChecked(False)
    first.export_to(tmp_path / "a.png")
    second = ExportDialog(doc, settings=qs)
    qtbot.addWidget(second)
    s = second.settings()
    assert (s.width, s.height, s.title, s.footer) == (1600, 900, "Night brief", False)


def test_copy_to_clipboard(qtbot):
    dialog = ExportDialog(demo_document())
    qtbot.addWidget(dialog)
    dialog.pixels_radio.setChecked(True)
    dialog.width_spin.setValue(800)
    dialog.height_spin.setValue(500)
    image = dialog.copy_to_clipboard()
    clip = QtGui.QGuiApplication.clipboard().image()
    assert (clip.width(), clip.height()) == (image.width(), image.height()) == (800, 500)


def test_preview_is_the_same_page_smaller(qtbot):
    dialog = ExportDialog(demo_document())
    qtbot.addWidget(dialog)
    dialog.timestamp = WHEN
    dialog.update_preview()
    small = dialog.preview_image
    s = dialog.settings()
    w, h = s.page_pixels()
    assert max(small.width(), small.height()) <= 600
    assert math.isclose(small.width() / small.height(), w / h, rel_tol=0.01)


# -- markup, buffer, provenance ------------------------------------------------------------
TABQA_DAM = (38.570, 35.870)


def svg_texts(doc, tmp_path, **kw) -> str:
    out = tmp_path / "page.svg"
    render.export_map(doc, settings(format="svg", width=1600, height=1000, **kw), out)
    return " ".join(t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))


def test_markup_is_exported_where_it_projects_and_listed_in_the_legend(qapp, tmp_path):
    doc = demo_document()
    ring = Annotation("circle-1", "circle", [TABQA_DAM], radius_km=20, text="Dam 20 km", color="#1f4e9c", width=3)
    arrow = Annotation("arrow-1", "arrow", [(39.20, 35.45), (39.50, 35.62)], text="Advance", color="#d62728", width=3)
    doc.set_annotations(Annotations([ring, arrow]))
    image, layout = render.render_image(doc, settings(format="png", paper="A4", landscape=True, dpi=150))
    pixels = rgb(image)
    # The ring passes 20 km (geodesic) from the dam in every direction; the arrow's shaft
    # passes the geodesic midpoint of its ends.
    for az in (45, 135, 225, 315):
        lon, lat, _ = GEOD.fwd(*TABQA_DAM, az, 20_000)
        assert _near_colour(pixels, *layout.lonlat_to_page(lon, lat), (0x1f, 0x4e, 0x9c), radius=2, tol=40), az
    (mid_lon, mid_lat), = GEOD.npts(*arrow.points[0], *arrow.points[1], 1)
    assert _near_colour(pixels, *layout.lonlat_to_page(mid_lon, mid_lat), (0xd6, 0x27, 0x28), radius=2, tol=40)
    texts = svg_texts(doc, tmp_path)
    assert "Markup" in texts and "Range ring: Dam 20 km" in texts and "Arrow: Advance" in texts


def test_buffer_band_follows_the_map_and_can_be_left_out(qtbot, tmp_path):
    doc = demo_document()
    assert "Buffer ±5 km" in svg_texts(doc, tmp_path)
    assert "Buffer" not in svg_texts(doc, tmp_path, buffer_band=False)
    win = MainWindow(doc)
    qtbot.addWidget(win)
    win.buffer_action.setChecked(False)  # View › Show buffer band off
    dialog = win.show_export_dialog()
    assert dialog.settings().buffer_band is False
    dialog.close()


def test_footer_names_the_revision_and_the_agreeing_call(qapp, tmp_path):
    doc = demo_document()
    texts = svg_texts(doc, tmp_path)
    from desktop.gui.export.render import line_revision
    rev = line_revision(doc)
    assert rev is not None and rev.call_id
    assert f"Line: rev {rev.id} (call {rev.call_id}), {len(doc.line)} vertices" in texts


def test_page_at_a_past_time_shows_that_moment_and_the_revision_then_in_force(qapp, tmp_path):
    """With the time cursor on 18 June the page is the map of that moment: the June line
    (not the August one being edited), the units where their tracks put them, and a caption
    that says so."""
    from desktop.core.time_cursor import view_at
    from desktop.core.tracks import parse_time
    doc = demo_document()
    t = parse_time("2017-06-18T15:43:00Z")
    doc.set_time_view(view_at(doc, t))
    june = doc.revisions.get("june")
    assert doc.shown_line == june.line and doc.line != june.line
    texts = svg_texts(doc, tmp_path)
    assert "Situation at 181543Z JUN 17  ·  DTG 141530Z AUG 17" in texts
    assert (f"Line in force then: rev june, effective 011200Z JUN 17, call {june.call_id} "
            f"({len(june.line)} vertices") in texts
    assert f"Situation at 2017-06-18 15:43 UTC  ·  Line: rev june (call {june.call_id}), " in texts
    assert "rev august" not in texts and "superseded" not in texts
    # The flags on the page are those of that moment, as the CLI's `sectors --at` gives them.
    from desktop.core.revision_diff import document_at
    snap = document_at(doc, t)
    near = int(np.count_nonzero(snap.analysis.classification.near_line))
    assert f"{near} near line" in texts
