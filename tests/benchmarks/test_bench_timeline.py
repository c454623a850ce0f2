"""The timeline and the time cursor at scale (issue targets: timeline redraw on pan/zoom with
100k calls <= 16 ms; moving the time cursor updates positions and sectors for 10k units with
1M track points <= 16 ms).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/benchmarks/test_bench_timeline.py \
     --benchmark-enable --benchmark-only

Setup: 10k units uniformly in the demo AO, 100 reports each (1M track points) over the demo's
ten weeks, 100k calls over the same span (tests.gui.big_history), the demo's revisions.

- `pan` / `zoom`: the timeline panel (1400 px wide) after a pan by 2 % or a zoom by 10 % at
  four zoom levels, then `processEvents()`, i.e. the real repaint (a Paint event must reach the
  viewport). "all"/"week" draw density images, "day"/"hour" one bar per call.
- `cursor_core`: `TimeCursor.set_time` on the document alone: positions at t, the revision in
  force, the sectors and the classification of the 10k units at t.
- `cursor_window`: the same in the whole main window (map, sectors panel, timeline), every
  view updated and repainted.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtWidgets

from desktop.core.commands import CommandStack
from desktop.core.plugins import PluginRegistry
from desktop.core.selection import Selection
from desktop.core.time_cursor import TimeCursor
from desktop.gui.context import AppContext
from desktop.gui.main_window import MainWindow
from desktop.gui.timeline.panel import TimelinePanel
from tests.benchmarks.test_bench_drag import PaintCounter
from tests.gui.big_history import SPAN, T0, random_history_document

N_UNITS, N_CALLS, PER_UNIT = 10_000, 100_000, 100
LEVELS = {"all": None, "week": 7 * 86_400, "day": 86_400, "hour": 3_600}


def _pedantic(benchmark, fn, rounds=40):
    benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=4)


@pytest.fixture(scope="module")
def history():
    return random_history_document(N_UNITS, N_CALLS, PER_UNIT)


@pytest.fixture(scope="module")
def panel(qapp, history):
    doc = history
    context = AppContext(doc, CommandStack(doc), Selection(), PluginRegistry())
    p = TimelinePanel(context)
    p.resize(1400, 260)
    p.show()
    qapp.processEvents()
    p.paints = PaintCounter()
    p.view.viewport().installEventFilter(p.paints)
    yield p
    p.close()
    p.deleteLater()
    qapp.processEvents()


def _repaint(panel) -> None:
    before = panel.paints.count
    QtWidgets.QApplication.processEvents()
    assert panel.paints.count > before, "processEvents did not repaint the timeline"


def _show_level(panel, level: str) -> None:
    span = LEVELS[level]
    if span is None:
        panel.view.fit_all()
    else:
        mid = T0 + SPAN / 2
        panel.view.show_range(mid, mid + span)
    QtWidgets.QApplication.processEvents()


@pytest.mark.parametrize("level", list(LEVELS))
def test_pan(benchmark, panel, level):
    _show_level(panel, level)
    state = {"i": 0}

    def step():
        state["i"] += 1
        panel.view.pan(0.02 if state["i"] % 2 else -0.02)
        _repaint(panel)
    _pedantic(benchmark, step)
    benchmark.extra_info["mode"] = panel.view.bars.last_mode
    benchmark.extra_info["calls_in_view"] = len(panel.view.bars.visible(*panel.view.x_range()))


@pytest.mark.parametrize("level", list(LEVELS))
def test_zoom(benchmark, panel, level):
    _show_level(panel, level)
    state = {"i": 0}

    def step():
        state["i"] += 1
        panel.view.zoom(0.9 if state["i"] % 2 else 1 / 0.9)
        _repaint(panel)
    _pedantic(benchmark, step)
    benchmark.extra_info["mode"] = panel.view.bars.last_mode


def _times(n: int = 64) -> list[int]:
    """Cursor positions a drag visits: a few minutes apart, inside one revision's period."""
    start = T0 + SPAN // 3
    return (start + 300 * np.arange(n)).tolist()


def test_cursor_core(benchmark, history):
    doc = history
    cursor = TimeCursor(doc)
    times = _times()
    cursor.set_time(times[0])
    state = {"i": 0}

    def step():
        state["i"] += 1
        cursor.set_time(times[state["i"] % len(times)])
    _pedantic(benchmark, step)
    assert doc.time_view is not None and len(doc.analysis.classification.sector) == N_UNITS
    cursor.go_live()


@pytest.fixture(scope="module")
def window(qapp, history):
    pg.setConfigOption("mouseRateLimit", 0)
    win = MainWindow(history, settings=None)
    win.resize(1400, 1000)
    win.show()
    win.docks["sectors"].raise_()
    tree, model = win.panels["sectors"].tree, win.panels["sectors"].model
    for key in model.group_keys()[:2]:
        tree.expand(model.group_index(key))
    for _ in range(3):
        QtCore.QThread.msleep(120)
        qapp.processEvents()
    win.paints = PaintCounter()
    win.map_view.installEventFilter(win.paints)
    yield win
    win.close()
    win.deleteLater()
    qapp.processEvents()


def test_cursor_window(benchmark, window):
    cursor = window.context.time_cursor
    times = _times()
    cursor.set_time(times[0])
    QtWidgets.QApplication.processEvents()
    state = {"i": 0}

    def step():
        state["i"] += 1
        before = window.paints.count
        cursor.set_time(times[state["i"] % len(times)])
        QtWidgets.QApplication.processEvents()
        assert window.paints.count > before, "the map was not repainted"
    _pedantic(benchmark, step)
    panel_units = int(window.panels["sectors"].model.totals()["units"])
    assert panel_units == N_UNITS
    cursor.go_live()
