"""The files commands read (--ao, --line, --units, import's FILE...), through the importer
registry: the road `import` and File › Import take, so every format and every third-party
importer works for every command, under the importers' byte caps.

Only regular files are read: a FIFO would block and a device never ends, so both are refused
before anything is opened.
"""
from __future__ import annotations

import os
import stat

from desktop.core.importers.model import ImportedData
from desktop.core.inputs import InputError, read_problem
from desktop.core.plugins import PluginRegistry

PARTS = {"ao": "AO polygon", "line": "line", "units": "units or unit tracks"}


def regular_file(path: str) -> None:
    """InputError unless `path` is a regular file (links followed)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise InputError(read_problem(path, exc)) from None
    if stat.S_ISDIR(mode):
        raise InputError(read_problem(path, IsADirectoryError()))
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise InputError(f"{path}: {kind}, not a file to read")


def read_file(path: str, registry: PluginRegistry, role: str | None = None) -> ImportedData:
    """Everything the importer for `path` finds in it. `role` (units, tracks, line, ao) says
    what the rows of a table are when its columns do not (a CSV of vertices)."""
    from desktop.core.importers import import_file, importer_for
    from desktop.core.importers.model import ColumnMapping
    regular_file(path)
    options = {}
    if role and importer_for(path, registry).id == "csv":
        from desktop.core.importers.csv_table import auto_mapping, table_preview
        options["mapping"] = ColumnMapping(role, auto_mapping(table_preview(path)[0])[0].columns)
    return import_file(path, registry, **options)


def read_part(path: str, part: str, registry: PluginRegistry) -> ImportedData:
    """Only the `part` (ao, line or units: units and their tracks) of `path`, with what the
    importer skipped; InputError naming the file when it holds no such part."""
    data = read_file(path, registry, part if part in ("ao", "line") else None)
    found = {"ao": data.ao is not None, "line": data.line is not None,
             "units": data.units is not None or data.tracks is not None}
    if not found[part]:
        held, why = ", ".join(data.found()), [w.removeprefix(f"{path}: ") for w in data.skipped]
        raise InputError(f"{path}: no {PARTS[part]} in it" + (f": {why[0]}" if why else "")
                         + (f" (and {len(why) - 1} more problems)" if len(why) > 1 else "")
                         + (f"; it holds {held}" if held else ""))
    if part == "units":
        return ImportedData(data.source, units=data.units, tracks=data.tracks, skipped=data.skipped)
    return ImportedData(data.source, skipped=data.skipped, **{part: getattr(data, part)})
