"""Shared GUI fixtures: an AppContext over the demo document, for any panel or tool test;
the main window on the demo; a map widget on any document (`make_map_view`)."""
from __future__ import annotations

import pytest

from desktop.builtin_plugins import BUILTIN_PLUGINS
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.plugins import PluginRegistry
from desktop.core.selection import Selection
from desktop.gui.context import AppContext


def builtin_context(document) -> AppContext:
    registry = PluginRegistry()
    for plugin in BUILTIN_PLUGINS:
        registry.register(plugin)
    return AppContext(document, CommandStack(document), Selection(), registry)


def make_map_view(qtbot, document, size=(1400, 900)):
    """The map widget on `document` with the built-in layers, shown offscreen, its
    debounced work done (`context` of its layers at `view.context`)."""
    from desktop.gui.map.scene import scene_for
    from desktop.gui.map.view import MapView
    context = builtin_context(document)
    view = MapView(scene_for(context, interactive=True)[0], context.selection)
    context.map_view = view
    view.context = context
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.flush()
    return view


@pytest.fixture
def demo_context(qapp) -> AppContext:
    """A fresh AppContext over demo_document(): no map view; status messages are kept in
    `context.messages` so a test can assert on them."""
    context = builtin_context(demo_document())
    messages: list[str] = []
    context.status = messages.append
    context.messages = messages  # type: ignore[attr-defined]
    return context


@pytest.fixture
def demo_window(qtbot):
    """The main window on the demo, shown offscreen at 1400 x 800."""
    from desktop.gui.main_window import MainWindow
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.resize(1400, 800)  # the default width: the sectors dock shows every column
    win.show()
    qtbot.waitExposed(win)
    return win
