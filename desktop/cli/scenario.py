"""The one scenario loader of every command: the project's or the demo's document, with each
part a file names replacing its own.

- A project (positional or `--project`) or `--demo` is the base; both at once are refused.
- `--ao`, `--line`, `--units`, `--calls` replace that part. New units bring no tracks (the
  base's tracks belong to its units); a new line is no saved revision, so the revisions go
  with it; markup, places and the rest stay.
- Without a base, `--ao` and `--line` make the scenario.
- `--sides` and `--buffer-km` override the base's (else the defaults).
"""
from __future__ import annotations

import numpy as np

from desktop.cli.console import warn, warn_all
from desktop.core.calls import CallLog
from desktop.core.classify import DEFAULT_BUFFER_KM
from desktop.core.demo import SIDES as DEFAULT_SIDES
from desktop.core.document import Document
from desktop.core.inputs import InputError
from desktop.core.line import LineError
from desktop.core.tracks import Tracks
from desktop.core.units import UnitTable

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


def read_part(args, part: str):
    """The part (`ao`, `line`, `units`, `calls`) read from the file its option names."""
    path = getattr(args, part)
    if part == "calls":
        from desktop.core.calls_csv import read_calls
        calls, warnings = read_calls(path)
        warn_all(warnings, path)
        return calls
    from desktop.core.inputs import read_ao, read_line, read_units
    if part == "units":
        units, warnings = read_units(path)
        warn_all(warnings, path)
        return units
    return (read_ao if part == "ao" else read_line)(path)


def load_scenario(args, *, missing: str, title: str = "CLI") -> Document:
    """The scenario of the module doc. `missing`: the usage error when there is no base and
    no --ao and --line; `title`: the title when files replace parts (else the base's)."""
    base = base_document(args)
    if base is None and not (getattr(args, "ao", None) and getattr(args, "line", None)):
        args.parser.error(missing)
    given = {part: read_part(args, part) for part in replaced_parts(args)}
    units = given.get("units", base.units if base is not None else UnitTable.empty())
    tracks = base.tracks if base is not None and "units" not in given else Tracks.empty(len(units))
    line = given.get("line", base.line if base is not None else None)
    keep = base is not None
    doc = Document(given.get("ao", base.ao if keep else None), line, units,
                   getattr(args, "sides", None) or (base.sides if keep else DEFAULT_SIDES),
                   buffer_km=getattr(args, "buffer_km", None) or (base.buffer_km if keep else DEFAULT_BUFFER_KM),
                   title=base.title if keep and not given else title, places=base.places if keep else (),
                   calls=given.get("calls", base.calls if keep else CallLog.empty()), tracks=tracks,
                   revisions=base.revisions if keep and "line" not in given else None,
                   annotations=base.annotations if keep else None, airspace=base.airspace if keep else None)
    try:
        doc.validate_line(line)
    except LineError as exc:
        raise InputError(f"{getattr(args, 'line', None) or 'the line'}: {exc}") from None
    return doc


def warn_unplaced(units: UnitTable, at_text: str, consequence: str) -> None:
    """Say how many units have no position at the time asked (no report at or before it)."""
    missing = int(np.count_nonzero(np.isnan(units.lon)))
    if missing:
        warn(f"--at: {missing} units have no position report at or before {at_text}: {consequence}")


def warn_stray_sides(doc: Document) -> None:
    """Units whose side is neither owner can never be on the wrong side: say so once."""
    codes = doc.unit_side_codes
    sides = doc.units.sides
    stray = (codes < 0) & (sides != "")
    if stray.any():
        names = sorted(set(sides[stray].tolist()))
        shown = ", ".join(repr(s) for s in names[:4]) + (", ..." if len(names) > 4 else "")
        warn(f"{int(np.count_nonzero(stray))} units have a side ({shown}) that is neither "
             f"{doc.sides[0]!r} nor {doc.sides[1]!r}, so they are never flagged wrong-side; "
             "name the sides with --sides LEFT,RIGHT")
