"""The main window as a user meets it: plugins, rendering, CRS, status bar."""
import importlib
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from desktop.core.demo import demo_document
from desktop.core.geodesy import densify_geodesic
from desktop.gui.main_window import MainWindow
from desktop.gui.map.layers.labels import ANCHORS
from desktop.gui.map.layers.painting import label_font, label_rect
from tests.gui import mouse


def make_window(qtbot):
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.resize(1400, 1050)  # room for the map beside the sectors panel and above the timeline dock
    win.show()
    qtbot.waitExposed(win)
    return win


def install_plugin(tmp_path, monkeypatch, name, module_source, entry_value):
    """A real installed distribution (dist-info + entry point) on sys.path."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(module_source))
    info = tmp_path / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[deconflict.plugins]\n{name} = {entry_value}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()


def test_builtin_plugins_load_through_the_registry(qtbot):
    win = make_window(qtbot)
    names = {p.name for p in win.registry.plugins}
    assert {"sectors_panel", "line_edit_tool", "undo_history"} <= names
    assert "line_edit" in win.tools and win.tool_actions["line_edit"].isChecked()
    assert "undo_history" in win.docks
    assert not win.registry.failures, win.plugins_report()


def test_third_party_plugin_panel_appears(qtbot, tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch, "deconflict_hello", """
        from PySide6 import QtWidgets
        from desktop.core.plugins import Contribution, Plugin

        class HelloPanel(QtWidgets.QLabel):
            def __init__(self, context):
                super().__init__(f"{len(context.document.units)} units tracked")
                self.setObjectName("helloPanel")

        PLUGIN = Plugin("hello", (Contribution("panel", "hello", "Hello", "deconflict_hello:HelloPanel",
                                               {"area": "left"}),), version="1.0")
        """, "deconflict_hello:PLUGIN")
    win = make_window(qtbot)
    assert "hello" in win.docks
    dock = win.docks["hello"]
    assert dock.isVisible() and win.dockWidgetArea(dock) == QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
    assert win.panels["hello"].text() == f"{len(win.document.units)} units tracked"


def test_broken_plugins_are_reported_and_skipped(qtbot, tmp_path, monkeypatch):
    install_plugin(tmp_path, monkeypatch, "deconflict_broken", """
        from desktop.core.plugins import Contribution, Plugin

        def explode(context):
            raise RuntimeError("boom")

        PLUGIN = Plugin("broken", (Contribution("panel", "broken", "Broken", "deconflict_broken:explode"),
                                   Contribution("tool", "missing", "Missing", "no_such_module:Tool")))
        NOT_A_PLUGIN = 42
        """, "deconflict_broken:PLUGIN")
    info = next(tmp_path.glob("deconflict_broken-*.dist-info"))
    with open(info / "entry_points.txt", "a") as f:
        f.write("bogus = deconflict_broken:NOT_A_PLUGIN\nimport_error = deconflict_missing_module:PLUGIN\n")
    win = make_window(qtbot)
    report = win.plugins_report()
    assert "boom" in report and "no_such_module" in report
    assert "expected a deconflict Plugin" in report and "deconflict_missing_module" in report
    assert "sectors" in win.docks and "line_edit" in win.tools  # the built-ins still work
    assert "plugin(s) failed" in win.statusBar().currentMessage()


def _dark(rgb):
    return sum(rgb) < 200


def test_rendered_line_is_where_the_projection_says(qtbot, tmp_path):
    win = make_window(qtbot)
    view = win.map_view
    qtbot.wait(50)
    image = view.grab().toImage()
    path = tmp_path / "map.png"
    image.save(str(path))
    ratio = image.devicePixelRatio()
    # Sample the drawn curve at points along each segment's geodesic (from the core, not the item).
    doc = win.document
    lon, lat = densify_geodesic(doc.line.lon, doc.line.lat, step_m=1000.0)
    x, y = view.to_display(lon, lat)
    # Skip samples that a marker, label or handle may cover.
    others_lon = np.concatenate([doc.units.lon, [p.lon for p in doc.places], doc.line.lon])
    others_lat = np.concatenate([doc.units.lat, [p.lat for p in doc.places], doc.line.lat])
    ox, oy = view.to_display(others_lon, others_lat)
    clear = [i for i in range(len(x)) if np.min(np.hypot(ox - x[i], oy - y[i])) > 18 * view.pixel_size()]
    assert len(clear) > 10
    hits = 0
    for px, py in zip(x[clear], y[clear]):
        p = mouse.to_viewport(view, px, py)
        found = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                c = QtGui.QColor(image.pixel(int(p.x() * ratio) + dx, int(p.y() * ratio) + dy))
                found |= _dark((c.red(), c.green(), c.blue()))
        hits += found
    assert hits == len(clear), f"only {hits} of {len(clear)} line samples are drawn dark"
    # And away from the line (the middle of the AO's southern sector) it is not dark line colour.
    p = mouse.to_viewport(view, *map(float, view.to_display(39.3, 35.1)))
    c = QtGui.QColor(image.pixel(int(p.x() * ratio), int(p.y() * ratio)))
    assert not _dark((c.red(), c.green(), c.blue()))


def test_changing_display_crs_changes_no_answer(qtbot):
    win = make_window(qtbot)
    doc = win.document
    before = doc.analysis
    x0 = win.map_view.layer("line").x.copy()
    actions = [a for a in win.status.crs_menu.actions() if "Web Mercator" in a.text()]
    actions[0].trigger()
    assert win.map_view.projection.label == "EPSG:3857"
    assert win.status.crs_button.text() == "EPSG:3857"
    after = doc.analysis
    assert np.array_equal(before.classification.sector, after.classification.sector)
    assert np.array_equal(before.classification.distance_km, after.classification.distance_km)
    x1 = win.map_view.layer("line").x
    assert not np.allclose(x0, x1)  # redrawn in the new CRS
    # Editing still works in the new CRS: a vertex dragged lands where the mouse released.
    lon, lat = doc.line.vertices[2]
    start = mouse.to_viewport(win.map_view, *map(float, win.map_view.to_display(lon, lat)))
    end = mouse.to_viewport(win.map_view, *map(float, win.map_view.to_display(lon + 0.05, lat - 0.03)))
    mouse.drag(win.map_view, start, end)
    assert doc.line.vertices[2] == pytest.approx((lon + 0.05, lat - 0.03), abs=0.01)


def test_status_bar_shows_cursor_position_scale_and_crs(qtbot):
    win = make_window(qtbot)
    view = win.map_view
    p = mouse.to_viewport(view, *map(float, view.to_display(39.009, 35.95)))
    mouse.move(view, p)
    text = win.findChild(type(win.status.position_label), "statusPosition").text()
    # A pixel is ~0.5 km here, so compare to the pixel's precision.
    lat_text, lon_text = text.split()[0:2]
    assert float(lat_text.rstrip("°N")) == pytest.approx(35.95, abs=3 * view.pixel_size() / 111e3)
    assert float(lon_text.rstrip("°E")) == pytest.approx(39.009, abs=3 * view.pixel_size() / 90e3)
    assert "°" in text and "'" in text and "37S" in text
    assert win.status.scale_label.text().startswith("1:")
    assert win.status.crs_button.text() == "EPSG:32637"


def test_clicking_a_unit_selects_it(qtbot):
    win = make_window(qtbot)
    doc, view = win.document, win.map_view
    i = doc.units.index_of("SAA-07")
    units = view.layer("units")
    p = mouse.to_viewport(view, units.x[i], units.y[i])
    mouse.click(view, p)
    assert list(win.selection.units) == [i]
    mouse.click(view, mouse.to_viewport(view, *map(float, view.to_display(38.9, 34.9))))
    assert list(win.selection.units) == []


def test_layout_is_remembered(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "deconflict.ini"), QtCore.QSettings.Format.IniFormat)
    win = MainWindow(demo_document(), settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.docks["undo_history"].setFloating(True)
    win.close()
    again = MainWindow(demo_document(), settings=settings)
    qtbot.addWidget(again)
    assert again.docks["undo_history"].isFloating()


def test_place_and_town_labels_do_not_pile_up(qtbot):
    win = make_window(qtbot)
    view = win.map_view
    view.flush()  # what the view does once it rests: the basemap built, the labels laid out
    settings = view.settings()
    r = settings.pixel_ratio
    places, towns = view.layer("places"), view.layer("basemap.towns")
    tx, ty, names, _ = towns.source.towns
    town_names = [str(names[i]) for i in towns.labelled]
    assert len(places.anchors) == len(win.document.places) and town_names
    # Towns at a scenario place (the town Raqqa at the place Raqqa) are not labelled twice,
    # under either spelling.
    assert not {"Ar Raqqah", "Al-Tabqa", "Tadmur", "Raqqa", "Tabqa", "Palmyra"} & set(town_names)

    def text_rect(font, text, x, y, anchor):  # the glyphs, without the label's blank margin
        return label_rect(font, text, x, y, anchor, 3 * r).adjusted(3 * r, 3 * r, -3 * r, -3 * r)

    rects = [rect.adjusted(3 * r, 3 * r, -3 * r, -3 * r) for rect in places.label_rects(settings)]
    tx, ty = settings.to_device(tx[towns.labelled], ty[towns.labelled])
    rects += [text_rect(label_font(8, r), name, x, y, ANCHORS[0]) for name, x, y in zip(town_names, tx, ty)]
    overlaps = [(i, j) for i in range(len(rects)) for j in range(i + 1, len(rects)) if rects[i].intersects(rects[j])]
    assert not overlaps


def test_panels_and_tools_come_in_after_the_first_paint(qtbot):
    """As the app starts: the docks and tool buttons are there at once (the layout does not
    jump), their panels and tools are built once the map has painted."""
    win = MainWindow(demo_document(), defer_plugins=True)
    qtbot.addWidget(win)
    assert not win.panels and not win.tools
    assert {"sectors", "timeline", "layers", "undo_history"} <= set(win.docks) and "line_edit" in win.tool_actions
    with qtbot.waitSignal(win.plugins_loaded, timeout=10_000):
        win.show()
    assert set(win.panels) == set(win.docks) and set(win.tools) == set(win.tool_actions)
    assert win.tool_actions["line_edit"].isChecked() and win.map_view.layer("line").handles_shown


def test_nothing_heavy_is_on_the_way_to_the_first_paint(tmp_path):
    """pyqtgraph (the timeline's) is imported only after the map has painted."""
    script = textwrap.dedent("""
        import sys
        from PySide6 import QtWidgets
        app = QtWidgets.QApplication([])
        from desktop.core.demo import demo_document
        from desktop.gui.main_window import MainWindow
        win = MainWindow(demo_document(), defer_plugins=True)
        seen = []
        win.map_view.first_painted.connect(lambda: seen.append("pyqtgraph" in sys.modules))
        win.plugins_loaded.connect(app.quit)
        win.show()
        app.exec()
        print(seen, "pyqtgraph" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.split() == ["[False]", "True"], out.stderr
