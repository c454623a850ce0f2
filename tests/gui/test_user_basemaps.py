"""The planner's own basemaps (MBTiles, GeoPackage tiles): added from the File menu or by a
drop on the map, drawn where they belong (pixels checked on screen, and on an exported page
through the page's own world file), kept in the project by path (relative beside it), a
missing file a notice, a damaged one a clear error."""
from __future__ import annotations

import math
import shutil
import sqlite3

import numpy as np
import pytest
from pyproj import CRS, Transformer
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.demo import demo_document
from desktop.core.geodesy import Projection
from desktop.core.map_state import MapState, opened_path, stored_path
from desktop.core.project import load_project, save_project
from desktop.gui import basemap_files
from desktop.gui.export import render
from desktop.gui.export.map_frame import map_frame
from desktop.gui.export.settings import ExportSettings
from desktop.gui.main_window import MainWindow
from tests.core.tile_files import tile_colour, web_mercator_gpkg, write_mbtiles, xyz_tiles_around
from tests.gui import mouse

RAQQA = (39.009, 35.950)
Z = 13
LAYER = "basemap.file:topo.mbtiles"
MPP_50K = 50_000 * 0.0254 / 96   # ground metres a screen pixel at 1:50 000


def tile_file(folder, name="topo.mbtiles"):
    return write_mbtiles(folder / name, xyz_tiles_around(*RAQQA, Z, 3))


def tile_centre(z: int, col: int, row: int) -> tuple[float, float]:
    n = 1 << z
    lon = (col + 0.5) / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (row + 0.5) / n))))
    return lon, lat


def centre_tiles():
    """The tile under Raqqa and its eight neighbours."""
    return xyz_tiles_around(*RAQQA, Z, 1)


def inside(size, x, y, margin=2) -> bool:
    return margin <= x < size[0] - margin and margin <= y < size[1] - margin


def close_to(a, b, tol=8) -> bool:
    return max(abs(int(u) - int(v)) for u, v in zip(a, b)) <= tol


def only(scene, layer_id: str) -> None:
    for layer in scene.layers:
        scene.set_visible(layer.id, layer.id == layer_id)


def screen_rgb(view, lon, lat) -> tuple[int, int, int]:
    image = view.grab().toImage()
    pos = view.map_to_widget(*view.to_display(lon, lat))
    r = image.devicePixelRatio()
    c = image.pixelColor(int(pos.x() * r), int(pos.y() * r))
    return c.red(), c.green(), c.blue()


@pytest.fixture
def win(demo_window):
    demo_window.map_view.flush()
    return demo_window


def show_at_50k(view, lon, lat) -> None:
    x, y = view.to_display(lon, lat)
    hw, hh = view.width() / 2 * MPP_50K, view.height() / 2 * MPP_50K
    view.set_view_rect(float(x) - hw, float(y) - hh, float(x) + hw, float(y) + hh)
    view.flush()


def test_file_menu_adds_a_basemap_drawn_where_its_tiles_belong(win, qtbot, tmp_path, monkeypatch):
    path = tile_file(tmp_path)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(path)], ""))
    action = win.findChild(QtGui.QAction, "addBasemapAction")
    action.trigger()
    assert win.document.map_state.basemaps == (str(path),)
    layer = win.scene.layer(LAYER)
    assert layer is not None and layer.status is None and layer.group == "Basemaps"
    assert LAYER in win.panels["layers"].row_ids()
    # above the built-in land and water, under the rivers, borders, towns and grids
    ids = [x.id for x in win.scene.layers]
    assert ids.index("basemap.land") < ids.index(LAYER) < ids.index("basemap.rivers")
    only(win.scene, LAYER)
    show_at_50k(win.map_view, *RAQQA)
    layer.wait_for_loads()
    view = win.map_view
    shown = [key for key in centre_tiles()
             if inside((view.width(), view.height()), *view.map_to_widget(*view.to_display(*tile_centre(*key))).toTuple())]
    assert len(shown) >= 2
    for key in shown:
        lonlat = tile_centre(*key)
        qtbot.waitUntil(lambda: close_to(screen_rgb(view, *lonlat), tile_colour(*key)), timeout=5000)
    # undoable, and the layer goes with it
    win.undo_action.trigger()
    assert win.document.map_state.basemaps == () and win.scene.layer(LAYER) is None


def test_a_tile_file_dropped_on_the_map_becomes_a_basemap(win, qtbot, tmp_path):
    path = web_mercator_gpkg(tmp_path / "imagery.gpkg", xyz_tiles_around(*RAQQA, Z, 1))
    assert mouse.drop_files(win.map_view, [path])
    qtbot.waitUntil(lambda: len(win.stack.commands) == 1)
    assert win.document.map_state.basemaps == (str(path),)
    assert win.scene.layer("basemap.file:imagery.gpkg") is not None


def test_a_geopackage_of_features_is_an_import_not_a_basemap(tmp_path):
    project = tmp_path / "plan.gpkg"
    save_project(demo_document(), project)
    assert not basemap_files.is_tile_file(str(project))
    assert basemap_files.is_tile_file(str(tile_file(tmp_path)))
    assert basemap_files.is_tile_file(str(tmp_path / "nothing.mbtiles"))  # an .mbtiles by its name


def test_a_damaged_file_is_a_clear_error_and_changes_nothing(win, tmp_path, monkeypatch):
    bad = tmp_path / "broken.mbtiles"
    bad.write_bytes(b"this is not a database at all" * 10)
    shown = []
    monkeypatch.setattr(basemap_files, "show_message", lambda parent, icon, title, text: shown.append((title, text)))
    assert not win.basemap_files.add_path(bad)
    assert shown and "broken.mbtiles" in shown[0][0] and "not an SQLite database" in shown[0][1]
    assert win.document.map_state.basemaps == () and not win.stack.commands


def test_the_project_keeps_basemaps_beside_it_by_relative_path_and_the_layers_as_shown(qtbot, tmp_path):
    folder = tmp_path / "plan"
    folder.mkdir()
    tiles = tile_file(folder)
    elsewhere = tile_file(tmp_path, "far.mbtiles")
    doc = demo_document()
    doc.set_map_state(MapState((str(tiles), str(elsewhere)),
                               (("graticule", False, 1.0), (LAYER, True, 0.4), ("basemap.land", True, 1.0))))
    save_project(doc, folder / "plan.gpkg")
    with sqlite3.connect(folder / "plan.gpkg") as con:
        stored = [r[0] for r in con.execute("SELECT path FROM basemaps ORDER BY position")]
    assert stored == ["topo.mbtiles", elsewhere.as_posix()]
    moved = tmp_path / "moved"
    shutil.move(folder, moved)
    again = load_project(moved / "plan.gpkg")
    assert again.map_state.basemaps == (str(moved / "topo.mbtiles"), str(elsewhere))
    win = MainWindow(again, path=moved / "plan.gpkg")
    qtbot.addWidget(win)
    scene = win.scene
    layer = scene.layer(LAYER)
    assert layer.status is None and layer.opacity == pytest.approx(0.4) and not scene.layer("graticule").visible
    ids = [x.id for x in scene.layers]
    assert ids.index(LAYER) < ids.index("basemap.land")   # the saved order
    # the layers' state follows the panel and goes into the next save
    scene.set_opacity(LAYER, 0.7)
    assert dict((i, o) for i, _, o in win.document.map_state.layers)[LAYER] == pytest.approx(0.7)
    win.close()


def test_a_missing_basemap_is_a_notice_and_the_project_still_opens(qtbot, tmp_path):
    tiles = tile_file(tmp_path)
    doc = demo_document()
    doc.set_map_state(MapState((str(tiles),)))
    save_project(doc, tmp_path / "plan.gpkg")
    tiles.unlink()
    again = load_project(tmp_path / "plan.gpkg")
    win = MainWindow(again, path=tmp_path / "plan.gpkg")
    qtbot.addWidget(win)
    win.show()
    layer = win.scene.layer(LAYER)
    assert layer is not None and "topo.mbtiles" in layer.status and layer.title.endswith("(not loaded)")
    assert "Basemap not loaded" in win.status.currentMessage() and "topo.mbtiles" in win.status.currentMessage()
    row = win.panels["layers"].list.item(win.panels["layers"].row_ids().index(LAYER))
    assert "topo.mbtiles" in row.toolTip()
    # the map draws without it; saving keeps the path for when the file is back
    win.map_view.grab()
    save_project(win.document, tmp_path / "again.gpkg")
    assert load_project(tmp_path / "again.gpkg").map_state.basemaps == (str(tiles),)
    win.close()


def test_the_layers_panel_removes_a_basemap_undoably(win, tmp_path):
    path = tile_file(tmp_path)
    assert win.basemap_files.add_path(path)
    p = win.panels["layers"]
    assert p.remove_layer(LAYER)
    assert win.scene.layer(LAYER) is None and win.document.map_state.basemaps == ()
    assert not p.remove_layer("basemap.land")   # built-in layers are only hidden
    win.undo_action.trigger()
    assert win.scene.layer(LAYER) is not None


def test_stored_paths():
    assert stored_path("/data/plan/tiles/a.mbtiles", "/data/plan") == "tiles/a.mbtiles"
    assert stored_path("/data/maps/a.mbtiles", "/data/plan") == "/data/maps/a.mbtiles"
    assert opened_path("tiles/a.mbtiles", "/data/plan") == "/data/plan/tiles/a.mbtiles"
    assert opened_path("/data/maps/a.mbtiles", "/data/plan") == "/data/maps/a.mbtiles"


def read_world_file(png):
    a, d, b, e, c, f = (float(v) for v in png.with_suffix(".pgw").read_text().split())
    crs = CRS.from_wkt(png.with_suffix(".prj").read_text())
    return (a, d, b, e, c, f), crs


def test_the_export_draws_the_basemap_where_its_own_world_file_says(qapp, tmp_path):
    tiles = tile_file(tmp_path)
    doc = demo_document()
    doc.set_map_state(doc.map_state.with_basemap(tiles))
    proj = Projection.utm_for(*doc.ao.centre)
    with map_frame(doc, (100, 100), 1.0, proj) as m:
        ids = [layer.id for layer in m.scene.layers]
    assert LAYER in ids
    x, y = proj.forward(*RAQQA)
    half = 7000.0
    settings = ExportSettings(format="png", width=1600, height=1000, dpi=96.0, extent="view",
                              view_rect=(float(x) - half, float(y) - half, float(x) + half, float(y) + half),
                              layers=tuple((i, i == LAYER, 1.0) for i in ids), world_file=True,
                              scale_bar=False, north_arrow=False, buffer_band=False, unit_names=False)
    out = tmp_path / "brief.png"
    layout = render.export_map(doc, settings, out, proj)
    (a, d, b, e, c, f), crs = read_world_file(out)
    assert d == b == 0.0 and a > 0 > e
    image = QtGui.QImage(str(out))
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    frame = (round(layout.frame.right()), round(layout.frame.bottom()))
    checked = 0
    for key in centre_tiles():
        X, Y = to_crs.transform(*tile_centre(*key))
        col, row = round((X - c) / a), round((Y - f) / e)
        if not (inside(frame, col, row) and col > layout.frame.left() and row > layout.frame.top()):
            continue
        checked += 1
        colour = image.pixelColor(col, row)
        assert close_to((colour.red(), colour.green(), colour.blue()), tile_colour(*key)), (key, col, row, str(out))
    assert checked >= 6


def test_export_world_file_only_for_raster_pages():
    from desktop.gui.export.settings import ExportSettingsError
    with pytest.raises(ExportSettingsError, match="PNG or JPEG"):
        ExportSettings(format="pdf", world_file=True).validate()
    ExportSettings(format="jpg", world_file=True).validate()


def test_grid_choice_and_its_caption(qapp, tmp_path):
    import xml.etree.ElementTree as ET
    doc = demo_document()
    texts = {}
    for grid in ("mgrs", "latlon", "none"):
        out = tmp_path / f"{grid}.svg"
        layout = render.export_map(doc, ExportSettings(format="svg", width=1600, height=1000, grid=grid), out)
        assert layout is not None
        texts[grid] = " ".join(t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    assert "Grid: MGRS 10 km" in texts["mgrs"] or "Grid: MGRS 100 km" in texts["mgrs"]
    assert "Grid: lat/lon" in texts["latlon"] and "MGRS" not in texts["latlon"]
    assert "Grid: none" in texts["none"]
    assert np.all(["·  UTM zone 37N" in t for t in texts.values()])


def test_the_export_dialogs_world_file_box(win, qtbot, tmp_path):
    dialog = win.show_export_dialog()
    box = dialog.findChild(QtWidgets.QCheckBox, "exportWorldFile")
    fmt = dialog.format_combo
    fmt.setCurrentIndex(fmt.findData("pdf"))
    assert not box.isEnabled()
    fmt.setCurrentIndex(fmt.findData("png"))
    assert box.isEnabled() and not box.isChecked()
    qtbot.mouseClick(box, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(6, box.height() // 2))
    assert box.isChecked() and dialog.settings().world_file
    grid = dialog.findChild(QtWidgets.QComboBox, "exportGrid")
    grid.setCurrentIndex(grid.findData("mgrs"))
    assert dialog.settings().grid == "mgrs"
    out = dialog.export_to(tmp_path / "page.png")
    assert out.with_suffix(".pgw").exists() and out.with_suffix(".prj").exists()
    dialog.close()
