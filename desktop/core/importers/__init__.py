"""Importers: files of other tools into a document, one undoable command per import.

Each format is an `importer` plugin contribution (desktop.builtin_plugins.IMPORTERS; a
third party adds one the same way): its target is `read(path, progress=None, **options)
-> ImportedData` and its `extensions` option lists the file endings it reads.
"""
from __future__ import annotations

from pathlib import Path

from desktop.core.importers.model import ImportedData
from desktop.core.inputs import InputError
from desktop.core.plugins import Contribution, PluginError, PluginRegistry
from desktop.core.progress import Progress


def importers(registry: PluginRegistry) -> list[Contribution]:
    return registry.contributions("importer")


def extensions(registry: PluginRegistry) -> list[str]:
    return [e for c in importers(registry) for e in c.options.get("extensions", ())]


def importer_for(path, registry: PluginRegistry) -> Contribution:
    name = str(path).lower()
    for c in sorted(importers(registry), key=lambda c: -max((len(e) for e in c.options.get("extensions", ())),
                                                            default=0)):
        if any(name.endswith(e.lower()) for e in c.options.get("extensions", ())):
            return c
    raise InputError(f"{path}: no importer for this kind of file (known: {', '.join(extensions(registry))})")


def import_file(path, registry: PluginRegistry, progress: Progress | None = None, **options) -> ImportedData:
    """Read `path` with the importer its extension names. Raises InputError naming the file."""
    contribution = importer_for(path, registry)
    try:
        read = contribution.load()
    except PluginError as exc:
        raise InputError(f"{Path(path).name}: the {contribution.title} importer is broken: {exc}") from None
    return read(path, progress, **options).require_something()
