"""The timeline keeps the time cursor in view whenever it jumps (issue: a jump to a moment
off the visible window left the user looking at the wrong days)."""
import pyqtgraph as pg
import pytest
from PySide6 import QtCore

from desktop.core.demo import demo_document
from desktop.core.tracks import parse_time
from desktop.gui.main_window import MainWindow

JUNE_18 = parse_time("2017-06-18T14:00:00Z")
DAY = 86400


@pytest.fixture
def panel(qtbot):
    pg.setConfigOption("mouseRateLimit", 0)
    w = MainWindow(demo_document())
    qtbot.addWidget(w)
    w.resize(1400, 1000)
    w.show()
    qtbot.waitExposed(w)
    return w.panels["timeline"]


def look_elsewhere(panel, t) -> None:
    """Show a two-day window far from `t`."""
    far = t - 20 * DAY if t - 20 * DAY > panel.view._extent[0] else t + 20 * DAY
    panel.view.show_range(far - DAY, far + DAY)
    x0, x1 = panel.view.x_range()
    assert not x0 <= t <= x1


def in_view(panel) -> bool:
    x0, x1 = panel.view.x_range()
    return x0 <= panel.cursor.shown_time <= x1


def test_now_brings_the_cursor_into_view(panel):
    panel.cursor.set_time(JUNE_18)
    look_elsewhere(panel, panel.cursor.now)
    panel.run_action("live")
    assert panel.cursor.is_live and in_view(panel)


def test_go_to_a_revision_brings_the_cursor_into_view(panel):
    revs = panel.revisions
    first = next(iter(panel.doc.revisions))
    look_elsewhere(panel, first.effective)
    revs.select(first.id)
    revs.go_to_selected()
    assert panel.cursor.shown_time == first.effective and in_view(panel)


def test_typed_go_to_and_link_jumps_bring_the_cursor_into_view(panel, qtbot):
    look_elsewhere(panel, JUNE_18)
    panel.goto.setText("2017-06-18 14:00")
    qtbot.keyClick(panel.goto, QtCore.Qt.Key.Key_Return)
    assert panel.cursor.shown_time == JUNE_18 and in_view(panel)
    t = JUNE_18 + 3 * DAY
    look_elsewhere(panel, t)
    panel._on_link("goto", str(t))
    assert panel.cursor.shown_time == t and in_view(panel)


def test_next_call_and_play_keep_the_cursor_in_view(panel, qtbot):
    panel.cursor.set_time(JUNE_18)
    look_elsewhere(panel, JUNE_18)
    panel.run_action("next")
    assert in_view(panel)
    look_elsewhere(panel, panel.cursor.shown_time)
    panel.player.play(True)
    qtbot.waitUntil(lambda: in_view(panel), timeout=3000)
    panel.player.play(False)
