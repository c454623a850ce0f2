"""Night mode (issue 10.11) for what the timeline draws on the map and for the layers
panel's swatches: a superseded revision's ghost and an aircraft's callsign are light on the
dark map, and every swatch stands out from the dark list."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6 import QtGui, QtWidgets
from PySide6.QtCore import Qt

from desktop.gui import theme
from tests.gui.test_help_and_night import ink_lightness, make_window, painted, press
from tests.gui.test_timeline import JUNE_18


@pytest.fixture(autouse=True)
def back_to_day():
    yield
    theme.apply(False)


def lightness(bgra: np.ndarray) -> np.ndarray:
    rgb = bgra[..., :3]
    return (rgb.max(axis=-1) + rgb.min(axis=-1)) / 2


def test_a_superseded_revision_is_a_light_ghost_at_night(qtbot):
    win = make_window(qtbot)
    ghosts = win.scene.layer("time.ghosts")
    ghosts.set_ghosts({"june"})  # the superseded revision: grey by day (the proposed one is orange)
    day = win.map_view.settings()
    win.scene.prepare(day)
    assert [text.split(" ")[0] for text, *_ in ghosts.drawn] == ["june"]
    assert ink_lightness(ghosts, replace(day, night=True)) > ink_lightness(ghosts, day) + 35


def test_callsigns_are_light_on_a_dark_backing_at_night(qtbot):
    win = make_window(qtbot)
    win.panels["timeline"].cursor.set_time(JUNE_18)
    win.scene.set_visible("units.labels", False)  # no unit label names the aircraft: callsigns at their heads
    win.scene.set_visible("air.cpa", False)  # (the closest-approach marks' labels take their spots at the incident)
    win.map_view.flush()
    trails = win.scene.layer("time.trails")
    assert len(trails.labelled)
    day = win.map_view.settings()
    by_day, at_night = painted(trails, day), painted(trails, replace(day, night=True))
    # Only the callsigns differ (the trails keep their sides' colours): their backings turn
    # from white to dark, their text from dark to light.
    label = np.abs(by_day - at_night).max(axis=-1) > 0
    assert label.sum() > 200
    assert lightness(by_day[label]).mean() > 180 and lightness(at_night[label]).mean() < 90
    text = label & (lightness(at_night) > 150)
    assert text.sum() > 20 and lightness(by_day[text]).mean() < 100


def test_every_layer_swatch_stands_out_from_the_dark_list(qtbot):
    win = make_window(qtbot)
    panel = win.panels["layers"]
    press(qtbot, win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert theme.is_night()
    base = QtWidgets.QApplication.palette().color(QtGui.QPalette.ColorRole.Base)
    assert base.lightness() < 60
    faint = []
    for row in range(panel.list.count()):
        item = panel.list.item(row)
        icon = item.icon().pixmap(panel.list.iconSize()).toImage()
        # The icon over the list's dark base, as seen: its most distant pixel from the base.
        seen = QtGui.QImage(icon.size(), QtGui.QImage.Format.Format_RGB32)
        seen.fill(base)
        painter = QtGui.QPainter(seen)
        painter.drawImage(0, 0, icon)
        painter.end()
        a = np.frombuffer(seen.constBits(), np.uint8).reshape(seen.height(), seen.bytesPerLine() // 4, 4)
        a = a[:, :seen.width()].astype(float)
        if lightness(a).max() - base.lightness() < 100:
            faint.append(item.text())
    assert not faint


def test_unit_names_are_light_on_a_dark_halo_at_night(qtbot):
    win = make_window(qtbot)
    win.map_view.flush()
    names = win.scene.layer("units.labels")
    day = win.map_view.settings()
    by_day, at_night = painted(names, day), painted(names, replace(day, night=True))
    drawn = by_day[..., 3] > 0
    assert drawn.sum() > 2000  # (the demo's names, laid out)
    assert lightness(by_day[drawn]).mean() > 170 and lightness(at_night[drawn]).mean() < 90  # the halos
    text = drawn & (lightness(at_night) > 150)
    assert text.sum() > 100 and lightness(by_day[text]).mean() < 100  # the letters: dark by day, light at night


def test_air_labels_are_light_on_a_dark_backing_at_night(qtbot):
    win = make_window(qtbot)
    win.map_view.flush()
    day = win.map_view.settings()
    for layer_id in ("air.acms", "air.aircraft"):
        layer = win.scene.layer(layer_id)
        by_day, at_night = painted(layer, day), painted(layer, replace(day, night=True))
        backing = (np.abs(by_day - at_night).max(axis=-1) > 0) & (lightness(by_day) > 230)
        assert backing.sum() > 200, layer_id  # (its labels' white backings...)
        assert lightness(at_night[backing]).mean() < 90, layer_id  # (... turn dark)
