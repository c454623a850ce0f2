"""Shared GUI fixtures: an AppContext over the demo document, for any panel or tool test."""
from __future__ import annotations

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
