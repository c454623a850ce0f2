"""One live update of the sectors panel (what every mouse move of a line drag costs it), at
100k and 1M units. The analyses are computed beforehand: this measures the panel alone
(counts, flags, listed rows, the tree's relayout), not the classification.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/benchmarks/test_bench_sectors_panel.py \
     --benchmark-enable --benchmark-only
"""
from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.core.commands import CommandStack
from desktop.core.plugins import PluginRegistry
from desktop.core.selection import Selection
from desktop.gui.context import AppContext
from desktop.gui.sectors_model import COL_MEASURE
from desktop.gui.sectors_panel import SectorsPanel
from tests.gui.test_sectors_panel import random_units_document


@pytest.mark.parametrize("part", ["model", "model+tree"])
@pytest.mark.parametrize("sort", ["table order", "by distance"])
@pytest.mark.parametrize("n", [100_000, 1_000_000], ids=["100k", "1M"])
def test_bench_panel_update(benchmark, qtbot, n, sort, part):
    """"model": counts, flags and listed rows; "model+tree": plus the QTreeView relayout of
    the two expanded sectors (a page each) and the repaint, i.e. the whole cost of a move."""
    doc = random_units_document(n)
    # A drag back and forth over 10 km: every step moves some units between sectors.
    analyses = [doc.analyse(doc.line.moved(4, 39.35, 35.85 - 0.01 * k)) for k in range(10)]
    context = AppContext(doc, CommandStack(doc), Selection(), PluginRegistry())
    panel = SectorsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(700, 800)
    panel.show()
    if sort == "by distance":
        panel.tree.sortByColumn(COL_MEASURE, Qt.SortOrder.AscendingOrder)
    for key in panel.model.group_keys()[:2]:
        panel.tree.expand(panel.model.group_index(key))
    context.selection.set_units(panel.model.listed(0)[:50:5], source="map")
    steps = itertools.cycle(analyses[1:] + analyses[-2::-1])  # back and forth, never twice the same

    def step():
        analysis = next(steps)
        doc._preview = analysis.line  # a drag in progress, as set_preview leaves it (without its classification)
        doc.analysis_changed.emit(analysis)  # the panel updates in the signal
        if part == "model+tree":
            QApplication.processEvents()  # the tree's relayout and repaint

    benchmark.pedantic(step, setup=QApplication.processEvents, rounds=30, warmup_rounds=2)
    doc._preview = None
