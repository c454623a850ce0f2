"""A line drag in the whole main window, 100k / 1M units (issue target: a drag step <= 16 ms).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/benchmarks/test_bench_window_drag.py \
     --benchmark-enable --benchmark-only

Setup: a real MainWindow (map, sectors panel with both sectors expanded, history, tool bar)
at 1400 x 900 offscreen on the demo AO and line with seeded random units, as
test_bench_drag.py does for the map alone.

A drag step is what the line-edit tool does per mouse move, `document.set_preview(line)`
with vertex 4 moved by ~2 km (alternating), then `QApplication.processEvents()`: the map's
and the panel's updates and the repaint of every widget that changed (each step asserts
that a Paint event reached the map). The drop step is `set_preview(None)` after
a drag step: the preview ends and the panel refreshes everything it deferred.
"""
from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from desktop.gui.main_window import MainWindow
from tests.benchmarks.test_bench_drag import SIZES, STEP_DEG, PaintCounter
from tests.gui.big_units import random_document


class Window:
    def __init__(self, n: int, sort_column: int | None = None) -> None:
        self.app = QtWidgets.QApplication.instance()
        self.doc = random_document(n)
        self.doc.analysis
        self.win = MainWindow(self.doc, settings=None)
        self.win.resize(1400, 900)
        self.win.show()
        self.win.docks["sectors"].raise_()
        self.panel = self.win.panels["sectors"]
        if sort_column is not None:
            self.panel.tree.sortByColumn(sort_column, QtCore.Qt.SortOrder.AscendingOrder)
        model = self.panel.model
        for key in model.group_keys()[:2]:
            self.panel.tree.expand(model.group_index(key))
        self.settle()
        assert self.panel.isVisible() and self.panel.tree.isExpanded(model.group_index(0))
        self.paints = PaintCounter()
        self.win.map_view.installEventFilter(self.paints)
        base = self.doc.line
        lon, lat = base.vertices[3]
        self.lines = [base.moved(3, lon + d, lat + d / 2) for d in (STEP_DEG, -STEP_DEG)]
        self.i = 0

    def settle(self) -> None:
        for _ in range(3):
            QtCore.QThread.msleep(120)  # let debounced layers (units, basemap) rebuild
            self.app.processEvents()
        self.win.map_view.flush()
        for _ in range(2):  # the view has rested: basemap from its image, as in use
            self.win.map_view.repaint()
        self.app.processEvents()

    def drag_step(self) -> None:
        self.i += 1
        self.doc.set_preview(self.lines[self.i % 2])
        self.paint()

    def drop_step(self) -> None:
        self.doc.set_preview(None)
        self.paint()

    def paint(self) -> None:
        before = self.paints.count
        self.app.processEvents()
        # Repaints requested by timers that fired in there (the panel relisting its unit
        # rows) are delivered by the next pass: count them in this step.
        self.app.processEvents()
        assert self.paints.count > before, "processEvents did not repaint the view"

    def close(self) -> None:
        self.doc.set_preview(None)
        self.win.close()
        self.win.deleteLater()
        self.app.processEvents()


@pytest.fixture(scope="module", params=list(SIZES))
def window(request, qapp):
    w = Window(SIZES[request.param])
    yield w
    w.close()


def test_window_drag_step(benchmark, window):
    """One mouse move of a vertex drag in the full window: reclassify, map and panel."""
    benchmark.pedantic(window.drag_step, rounds=60, iterations=1, warmup_rounds=4)
    window.drop_step()


def test_window_drop_step(benchmark, window):
    """The preview ends (set_preview(None)) after a drag step: the panel's full refresh."""
    benchmark.pedantic(window.drop_step, setup=window.drag_step, rounds=20, iterations=1, warmup_rounds=2)


def test_window_drag_step_sorted_by_distance(benchmark, qapp):
    """The drag step with units sorted by distance (each refresh of the listed rows then
    needs every unit's distance, which a drag step otherwise leaves uncomputed), 1M units."""
    from desktop.gui.sectors_model import COL_MEASURE
    w = Window(SIZES["1M"], sort_column=COL_MEASURE)
    try:
        benchmark.pedantic(w.drag_step, rounds=60, iterations=1, warmup_rounds=4)
    finally:
        w.close()
