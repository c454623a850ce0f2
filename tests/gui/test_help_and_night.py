"""Help › Keyboard shortcuts (read from the window's actions, so a new action shows up),
Help › User guide (the README's sections, offline) and View › Night mode (remembered;
screen only), each opened with its real key."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt

from desktop.core.demo import demo_document
from desktop.gui import theme
from desktop.gui.help import sections, slug, user_guide_text
from desktop.gui.main_window import MainWindow
from desktop.gui.sectors_model import DAY, NIGHT, UNIT_ROLE


@pytest.fixture(autouse=True)
def back_to_day():
    yield
    theme.apply(False)  # the theme is the application's: leave it as the next test expects


def make_window(qtbot, settings=None) -> MainWindow:
    win = MainWindow(demo_document(), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)  # window shortcuts reach only the active window
    return win


def press(qtbot, win, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    win.map_view.setFocus()
    qtbot.keyClick(win.map_view, key, modifiers)


def table_rows(dialog) -> list[tuple[str, str, str]]:
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]


def test_keyboard_shortcuts_list_every_action_with_keys(qtbot):
    win = make_window(qtbot)
    press(qtbot, win, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    dialog = win.shortcuts_dialog
    assert dialog.isVisible()
    rows = table_rows(dialog)
    keys_of = {what: keys for _, keys, what in rows}
    # Every action of the window that has a shortcut is listed with it.
    for action in win.findChildren(QtGui.QAction):
        if action.shortcut().toString() and action.isVisible():
            text = action.text().replace("&", "").rstrip("…").strip()
            assert keys_of.get(text, "").startswith(action.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText)), text
    assert ("Edit", QtGui.QKeySequence("Ctrl+Z").toString(QtGui.QKeySequence.SequenceFormat.NativeText), "Undo") in rows
    assert any(what == "Zoom to AO" and keys == "Home" for _, keys, what in rows)
    assert any(where == "Hotline" and keys == "N" and "log a call" in what for where, keys, what in rows)
    # An action added later (a plugin's, say) is listed the next time: nothing to keep up to date.
    tools = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Tools")
    tools.addAction("Count sheep", QtGui.QKeySequence("Ctrl+Alt+S"), lambda: None)
    dialog.close()
    press(qtbot, win, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    assert ("Tools", QtGui.QKeySequence("Ctrl+Alt+S").toString(QtGui.QKeySequence.SequenceFormat.NativeText),
            "Count sheep") in table_rows(win.shortcuts_dialog)


def internal_link(doc: QtGui.QTextDocument, titles: list[str]) -> tuple[QtGui.QTextCursor, str]:
    """A cursor at the start of the first link to one of the sections `titles`, and its title."""
    by_slug = {slug(t): t for t in titles}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            href = fragment.charFormat().anchorHref()
            if href.startswith("#") and href[1:] in by_slug:
                cursor = QtGui.QTextCursor(doc)
                cursor.setPosition(fragment.position())
                return cursor, by_slug[href[1:]]
            it += 1
        block = block.next()
    raise AssertionError("no link to a section")


def test_user_guide_shows_the_readme_sections_and_follows_their_links(qtbot):
    win = make_window(qtbot)
    press(qtbot, win, Qt.Key.Key_F1)
    guide = win.user_guide
    titles = [guide.list.item(i).text() for i in range(guide.list.count())]
    readme = user_guide_text()
    assert titles == [t for t, _ in sections(readme)]
    assert "Command line" in titles and "The map" in titles
    row = titles.index("Command line")
    qtbot.mouseClick(guide.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=guide.list.visualItemRect(guide.list.item(row)).center())
    assert "deconflict sectors" in guide.browser.toPlainText()
    # A link to another section (the Overview's contents) opens that section.
    guide.list.setCurrentRow(0)
    cursor, target = internal_link(guide.browser.document(), titles[1:])
    cursor.setPosition(cursor.position() + 1)
    qtbot.mouseClick(guide.browser.viewport(), Qt.MouseButton.LeftButton, pos=guide.browser.cursorRect(cursor).center())
    assert guide.list.currentItem().text() == target
    assert slug("Geometry: what the numbers mean") == "geometry-what-the-numbers-mean"


def test_night_mode_darkens_the_window_and_is_remembered(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "deconflict.ini"), QtCore.QSettings.Format.IniFormat)
    win = make_window(qtbot, settings)
    day_window = QtWidgets.QApplication.palette().color(QtGui.QPalette.ColorRole.Window)
    press(qtbot, win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert win.night_action.isChecked() and theme.is_night()
    window_colour = QtWidgets.QApplication.palette().color(QtGui.QPalette.ColorRole.Window)
    assert window_colour.lightness() < 60 < day_window.lightness()
    # The sectors table's flagged rows and the timeline go dark too.
    panel = win.panels["sectors"]
    m = panel.model
    group = m.index(0, 0)
    panel.tree.expand(group)
    cls = win.document.analysis.classification
    near_row = next(r for r in range(m.rowCount(group))
                    if cls.near_line[m.data(m.index(r, 0, group), UNIT_ROLE)]
                    and not cls.wrong_side[m.data(m.index(r, 0, group), UNIT_ROLE)])
    assert m.data(m.index(near_row, 0, group), Qt.ItemDataRole.BackgroundRole).color() == NIGHT["near"]
    timeline = win.panels["timeline"].view
    assert timeline.backgroundBrush().color().lightness() < 60
    # Remembered: the next window opens at night.
    win.close()
    again = make_window(qtbot, settings)
    assert again.night_action.isChecked() and theme.is_night()
    again.night_action.trigger()  # back to day
    assert QtWidgets.QApplication.palette().color(QtGui.QPalette.ColorRole.Window) == day_window
    p = again.panels["sectors"]
    p.tree.expand(p.model.index(0, 0))
    g = p.model.index(0, 0)
    assert p.model.data(p.model.index(near_row, 0, g), Qt.ItemDataRole.BackgroundRole).color() == DAY["near"]


def test_the_map_goes_dark_and_exports_keep_print_colours(qtbot):
    from desktop.gui.export import render
    from desktop.gui.export.settings import ExportSettings
    from desktop.gui.map.layers.basemap import LAND
    from desktop.gui.map.layers.basemap import NIGHT as BASEMAP_NIGHT
    win = make_window(qtbot)
    view = win.map_view
    press(qtbot, win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert theme.is_night()
    view.flush()  # the basemap cut for this view now, not on its timer
    win.repaint()
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    # Most of the map is dark (land, water, background), much of it the night's land.
    w, h = image.width(), image.height()
    grid = [QtGui.QColor(image.pixel(int(w * (i + 0.5) / 20), int(h * (j + 0.5) / 20)))
            for i in range(20) for j in range(20)]
    assert sum(c.lightness() < 90 for c in grid) > 0.6 * 400
    night_land = BASEMAP_NIGHT["land"]
    assert sum(max(abs(c.red() - night_land.red()), abs(c.green() - night_land.green()),
                   abs(c.blue() - night_land.blue())) < 8 for c in grid) > 0.2 * 400
    # The line is drawn in light ink: sampled along its densified curve, with the unit
    # symbols over it hidden (layers panel switches).
    for layer_id in ("units", "units.labels", "time.stale"):
        win.scene.set_visible(layer_id, False)
    win.repaint()
    image = view.grab().toImage()
    line = view.layer("line")
    along = np.r_[0.0, np.cumsum(np.hypot(np.diff(line.x), np.diff(line.y)))]
    at = np.linspace(0.0, along[-1], 300)
    x0, y0, x1, y1 = view.view_rect()
    lx, ly = np.interp(at, along, line.x), np.interp(at, along, line.y)
    shown = (lx > x0) & (lx < x1) & (ly > y0) & (ly < y1)
    assert shown.sum() > 100
    light = 0
    for x, y in zip(lx[shown], ly[shown]):
        p = view.map_to_widget(float(x), float(y))
        light += QtGui.QColor(image.pixel(int(p.x() * ratio), int(p.y() * ratio))).lightness() > 200
    assert light > 0.8 * shown.sum()
    # An export made now has the day's print colours: its land is the day's land.
    image, layout = render.render_image(win.document, ExportSettings(width=900, height=600, legend=False,
                                                                     summary_table=False))
    frame = layout.frame
    samples = [QtGui.QColor(image.pixel(int(frame.left() + frame.width() * f), int(frame.top() + 6)))
               for f in (0.02, 0.1, 0.9, 0.98)]
    assert all(c.lightness() > 150 for c in samples)
    assert any(abs(c.red() - LAND.red()) < 12 and abs(c.green() - LAND.green()) < 12 for c in samples)


def painted(layer, settings) -> np.ndarray:
    """What `layer` alone paints for `settings`, as an (h, w, 4) BGRA array (not premultiplied)."""
    image = QtGui.QImage(*settings.size, QtGui.QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    layer.paint(painter, settings)
    painter.end()
    a = np.frombuffer(image.constBits(), np.uint8).reshape(settings.height, image.bytesPerLine() // 4, 4)
    return a[:, :settings.width].astype(float)


def ink_lightness(layer, settings) -> float:
    """The mean lightness of what `layer` alone paints (its opaque pixels) for `settings`."""
    a = painted(layer, settings)
    ink = a[..., 3] > 200
    assert ink.sum() > 50, layer.id  # it draws something
    b, g, r = (a[..., k][ink] for k in range(3))
    return float(np.mean((np.maximum(np.maximum(r, g), b) + np.minimum(np.minimum(r, g), b)) / 2))


@pytest.mark.parametrize("layer_id", ["places", "ao", "graticule", "grid.mgrs", "basemap.towns", "line"])
def test_the_dark_inks_of_the_map_turn_light_at_night(qtbot, layer_id):
    """What the map draws in dark ink (names, outlines, grids) is light on the night basemap."""
    from dataclasses import replace
    win = make_window(qtbot)
    win.scene.set_visible(layer_id, True)
    if layer_id == "basemap.towns":  # the labels that outrank the towns' hidden: towns with names to measure
        for other in ("units", "units.labels", "sectors.labels", "places"):
            win.scene.set_visible(other, False)
    day = win.map_view.settings()
    night = replace(day, night=True)
    win.scene.prepare(day)
    layer = win.scene.layer(layer_id)
    assert ink_lightness(layer, night) > ink_lightness(layer, day) + 35  # (antialiased edges, backings: a mean)
