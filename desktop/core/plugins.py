"""The plugin API: what a plugin contributes, and the registry that collects plugins.

A plugin is a `Plugin` object exposed under the entry-point group `deconflict.plugins`.
Its contributions are data; each names its code as "module:attribute", imported only when
the contribution is used. Built-in panels and tools are plugins declared the same way.

Contribution kinds and what their target must be:
  panel        callable(context) -> QWidget, shown in a dock. options: area ("left",
               "right", "bottom"), tabify (id of a panel to share a dock area with)
  tool         callable(context) -> a map tool (object with activate()/deactivate());
               options: shortcut, checkable
  importer     callable(path, progress=None, **options) -> ImportedData
               (desktop.core.importers); options: extensions (e.g. [".csv", ".geojson"])
  cli_command  callable(subparsers) that adds one argparse sub-command
  map_layer    callable(context) -> a map layer, or a list of them
               (desktop.gui.map.layers.base.MapLayer: attach/close, paint from a
               MapSettings); drawn by the window and by exports alike, so `context` may
               have no map view (an export)
  feed         callable(config: desktop.core.feed.endpoints.FeedConfig) -> a feed source that is
               off until start(), runs off the GUI thread and offers drain(timeout) ->
               desktop.core.feed.intake.EventBatch, status() (state per endpoint, counters,
               event rate), send(xml_event) and stop(); options: schemes (e.g. ["udp", "tcp"])
`context` is the GUI's AppContext: document, command stack, map view, selection.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Iterable, Mapping

ENTRY_POINT_GROUP = "deconflict.plugins"
KINDS = ("panel", "tool", "importer", "cli_command", "map_layer", "feed")
log = logging.getLogger(__name__)


class PluginError(Exception):
    """A plugin that cannot be registered or whose code cannot be loaded."""


@dataclass(frozen=True)
class Contribution:
    kind: str
    id: str
    title: str
    target: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def load(self) -> Any:
        """Import and return the target. Raises PluginError naming the contribution."""
        module_name, _, attr = self.target.partition(":")
        try:
            obj = importlib.import_module(module_name)
            for part in attr.split(".") if attr else ():
                obj = getattr(obj, part)
        except Exception as exc:  # a broken plugin must never take the app down
            raise PluginError(f"{self.kind} {self.id!r}: cannot load {self.target}: {exc}") from exc
        return obj


@dataclass(frozen=True)
class Plugin:
    name: str
    contributions: tuple[Contribution, ...]
    version: str = ""
    description: str = ""


@dataclass(frozen=True)
class PluginFailure:
    source: str
    message: str


class PluginRegistry:
    """Collects plugins, rejects malformed ones and remembers why."""

    def __init__(self) -> None:
        self._plugins: dict[str, Plugin] = {}
        self.failures: list[PluginFailure] = []

    @property
    def plugins(self) -> tuple[Plugin, ...]:
        return tuple(self._plugins.values())

    def register(self, plugin: Plugin) -> None:
        if not isinstance(plugin, Plugin):
            raise PluginError(f"expected a deconflict Plugin, got {type(plugin).__name__}")
        if plugin.name in self._plugins:
            raise PluginError(f"a plugin named {plugin.name!r} is already registered")
        taken = {(c.kind, c.id) for p in self._plugins.values() for c in p.contributions}
        for c in plugin.contributions:
            if c.kind not in KINDS:
                raise PluginError(f"{plugin.name}: unknown contribution kind {c.kind!r}")
            if ":" not in c.target:
                raise PluginError(f"{plugin.name}: target {c.target!r} is not 'module:attribute'")
            if (c.kind, c.id) in taken:
                raise PluginError(f"{plugin.name}: {c.kind} id {c.id!r} is already taken")
        self._plugins[plugin.name] = plugin

    def fail(self, source: str, message: str) -> None:
        log.warning("plugin %s skipped: %s", source, message)
        self.failures.append(PluginFailure(source, message))

    def load_entry_points(self, builtins: Iterable[Plugin] = (), group: str = ENTRY_POINT_GROUP) -> None:
        """Register `builtins`, then every entry point of `group` not already registered.

        Built-ins are passed in code as well because a frozen executable may have lost its
        entry-point metadata; when both are present the entry point is the same object.
        """
        for plugin in builtins:
            self._try_register(plugin.name, lambda p=plugin: p)
        for ep in entry_points(group=group):
            self._try_register(f"{ep.name} ({ep.value})", ep.load)

    def _try_register(self, source: str, load) -> None:
        try:
            plugin = load()
            if isinstance(plugin, Plugin) and self._plugins.get(plugin.name) is plugin:
                return
            self.register(plugin)
        except Exception as exc:  # noqa: BLE001 - report and skip, never fatal
            self.fail(source, str(exc) or type(exc).__name__)

    def contributions(self, kind: str) -> list[Contribution]:
        return [c for p in self._plugins.values() for c in p.contributions if c.kind == kind]
