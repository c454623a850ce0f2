"""The one scenario loader of every command: the project's or the demo's document, with each
part a file names replacing its own.

- A project (positional or `--project`) or `--demo` is the base; both at once are refused.
- `--ao`, `--line`, `--units`, `--calls` replace that part. Files are read in any format
  an importer reads (desktop.cli.files). The units of a file come with the tracks it holds,
  merged as File › Import merges them into a scenario without units (the base's tracks
  belong to its units; units without a time are reported at --time, else now); a new line is no saved revision, so the revisions go with it;
  markup, places and the rest stay.
- Without a base, `--ao` and `--line` make the scenario.
- `--sides` and `--buffer-km` override the base's (else the defaults).
"""
from __future__ import annotations

import numpy as np

from desktop.cli import options
from desktop.cli.console import warn, warn_all
from desktop.core.calls import CallLog
from desktop.core.classify import DEFAULT_BUFFER_KM
from desktop.core.demo import SIDES as DEFAULT_SIDES
from desktop.core.document import Document
from desktop.core.inputs import InputError
from desktop.core.line import LineError
from desktop.core.units import UnitTable
from desktop.core.wording import plural

PARTS = ("ao", "line", "units", "calls")


def open_project(path: str) -> Document:
    """A project for a command; ProjectError (exit status 2) names the file and layer."""
    from desktop.core.project import load_project
    return load_project(path)


def replaced_parts(args) -> list[str]:
    """The parts of the scenario given as files."""
    return [part for part in PARTS if getattr(args, part, None)]


def base_document(args) -> Document | None:
    """The document the project or --demo names; None when neither is given."""
    demo, project = getattr(args, "demo", False), getattr(args, "project", None)
    if demo and project:
        args.parser.error("give --demo or --project, not both")
    if project:
        return open_project(project)
    if demo:
        from desktop.core.demo import demo_document
        return demo_document()
    return None


def read_part(args, part: str, registry=None):
    """The part (`ao`, `line`, `units`, `calls`) read from the file its option names: calls
    from a calls CSV, the rest through the importer registry (desktop.cli.files), units as
    ImportedData (units and their tracks)."""
    from desktop.cli.files import read_part as read_file_part, regular_file
    path = getattr(args, part)
    if part == "calls":
        from desktop.core.calls_csv import read_calls
        regular_file(path)
        calls, warnings = read_calls(path)
        warn_all(warnings, path)
        return calls
    from desktop.cli.parser import load_registry
    data = read_file_part(path, part, registry if registry is not None else load_registry())
    warn_all(data.skipped, path)
    return data if part == "units" else getattr(data, part)


def load_scenario(args, *, missing: str, title: str = "CLI") -> Document:
    """The scenario of the module doc. `missing`: the usage error when there is no base and
    no --ao and --line; `title`: the title when files replace parts (else the base's)."""
    base = base_document(args)
    if base is None and not (getattr(args, "ao", None) and getattr(args, "line", None)):
        args.parser.error(missing)
    registry = None
    if {"ao", "line", "units"} & set(replaced_parts(args)):
        from desktop.cli.parser import load_registry
        registry = load_registry()
    given = {part: read_part(args, part, registry) for part in replaced_parts(args)}
    keep = base is not None
    units = UnitTable.empty() if "units" in given or not keep else base.units
    line = given.get("line", base.line if keep else None)
    doc = Document(given.get("ao", base.ao if keep else None), line, units,
                   getattr(args, "sides", None) or (base.sides if keep else DEFAULT_SIDES),
                   buffer_km=getattr(args, "buffer_km", None) or (base.buffer_km if keep else DEFAULT_BUFFER_KM),
                   title=base.title if keep and not given else title, places=base.places if keep else (),
                   calls=given.get("calls", base.calls if keep else CallLog.empty()),
                   tracks=base.tracks if keep and "units" not in given else None,
                   revisions=base.revisions if keep and "line" not in given else None,
                   annotations=base.annotations if keep else None, airspace=base.airspace if keep else None)
    try:
        doc.validate_line(line)
    except LineError as exc:
        raise InputError(f"{getattr(args, 'line', None) or 'the line'}: {exc}") from None
    if "units" in given:  # the merge File › Import does, into no units
        from desktop.core.importers.apply import import_command
        after = import_command(doc, given["units"], options.time_arg(getattr(args, "time", None), "--time")).after
        doc.set_scenario(doc.ao, doc.line, after.units, after.tracks)
    return doc


def warn_unplaced(units: UnitTable, at_text: str, consequence: str) -> None:
    """Say how many units have no position at the time asked (no report at or before it)."""
    missing = int(np.count_nonzero(np.isnan(units.lon)))
    if missing:
        warn(f"--at: {plural(missing, 'unit')} {'has' if missing == 1 else 'have'} no position report at or before "
             f"{at_text}: {consequence}")


def warn_stray_sides(doc: Document) -> None:
    """Units whose side is neither owner can never be on the wrong side: say so once."""
    codes = doc.unit_side_codes
    sides = doc.units.sides
    stray = (codes < 0) & (sides != "")
    if stray.any():
        names = sorted(set(sides[stray].tolist()))
        shown = ", ".join(repr(s) for s in names[:4]) + (", ..." if len(names) > 4 else "")
        n = int(np.count_nonzero(stray))
        warn(f"{plural(n, 'unit')} {'has' if n == 1 else 'have'} a side ({shown}) that is neither "
             f"{doc.sides[0]!r} nor {doc.sides[1]!r}, so they are never flagged wrong-side; "
             "name the sides with --sides LEFT,RIGHT")
