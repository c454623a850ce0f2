"""Shared GUI fixtures: an AppContext over the demo document, for any panel or tool test."""
from __future__ import annotations

import pyqtgraph as pg
import pytest

from desktop.builtin_plugins import BUILTIN_PLUGINS
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.plugins import PluginRegistry
from desktop.core.selection import Selection
from desktop.gui.context import AppContext


@pytest.fixture
def demo_context(qapp) -> AppContext:
    """A fresh AppContext over demo_document(): no map view; status messages are kept in
    `context.messages` so a test can assert on them."""
    document = demo_document()
    registry = PluginRegistry()
    for plugin in BUILTIN_PLUGINS:
        registry.register(plugin)
    messages: list[str] = []
    context = AppContext(document, CommandStack(document), Selection(), registry, status=messages.append)
    context.messages = messages  # type: ignore[attr-defined]
    return context


@pytest.fixture
def demo_window(qtbot):
    """The main window on the demo, shown offscreen at 1400 x 800, ready for real mouse
    drags (pyqtgraph drops synthetic drags unless rate limit and drag time are off)."""
    from desktop.gui.main_window import MainWindow
    pg.setConfigOption("mouseRateLimit", 0)
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.resize(1400, 800)  # the default width: the sectors dock shows every column
    win.show()
    qtbot.waitExposed(win)
    win.map_view.scene().minDragTime = 0
    return win
