"""Importer fixtures: the built-in registry, and files in every format written in the test."""
from __future__ import annotations

import pytest

from desktop.builtin_plugins import BUILTIN_PLUGINS
from desktop.core.plugins import PluginRegistry


@pytest.fixture(scope="session")
def registry() -> PluginRegistry:
    r = PluginRegistry()
    for plugin in BUILTIN_PLUGINS:
        r.register(plugin)
    return r
