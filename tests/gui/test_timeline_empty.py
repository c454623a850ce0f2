"""A project with no calls and no tracks yet (File › New): its timeline shows the day up to
now, where a first call would be logged, not January 1970 (issue 10.12)."""
from __future__ import annotations

import time

from desktop.core.commands import CommandStack
from desktop.core.plugins import PluginRegistry
from desktop.core.selection import Selection
from desktop.gui.context import AppContext
from desktop.gui.project_files import new_document
from desktop.gui.timeline.panel import TimelinePanel


def test_an_empty_timeline_shows_today(qtbot):
    doc = new_document()
    assert not len(doc.calls) and not len(doc.tracks)
    panel = TimelinePanel(AppContext(doc, CommandStack(doc), Selection(), PluginRegistry()))
    qtbot.addWidget(panel)
    panel.resize(1200, 300)
    panel.show()
    qtbot.waitExposed(panel)
    t0, t1 = panel.view.lanes_box.viewRange()[0]
    assert t0 <= time.time() <= t1
    axis = panel.view.time_axis
    labels = [s for _, ticks in axis.tickValues(t0, t1, 1000) for s in axis.tickStrings(ticks, 1, 1)]
    assert labels and ("01 Jan" not in labels or time.gmtime().tm_yday <= 2)
    assert time.gmtime(t0).tm_year >= 2024  # not the epoch
    assert panel.count_label.text() == "0 calls"
