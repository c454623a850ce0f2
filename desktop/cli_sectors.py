"""`deconflict sectors`: split the AO with the line and report sectors and units.

A built-in plugin (desktop.builtin_plugins.SECTORS_COMMAND): the same `cli_command` hook a
third-party command would use.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from desktop.cli import PROG, CommandError, warn, warn_all
from desktop.core.classify import DEFAULT_BUFFER_KM
from desktop.core.demo import SIDES as DEFAULT_SIDES
from desktop.core.document import Document
from desktop.core.inputs import InputError, read_ao, read_line, read_units
from desktop.core.line import LineError
from desktop.core.report import FORMATS, write_report
from desktop.core.units import UnitTable

EXAMPLES = f"""\
examples:
  {PROG} sectors --demo
  {PROG} sectors --ao ao.geojson --line line.geojson --units units.csv -o report.csv
  {PROG} sectors --demo --units units.csv --buffer-km 10 --format geojson -o sectors.geojson
  {PROG} sectors --ao ao.geojson --line line.geojson --units units.csv --sides "Blue,Red"

exit status: 0 done; 1 the line does not split the AO (the report is still written, with
an "error" key) or an unexpected failure; 2 bad arguments or an unusable input file."""


def _sides(text: str) -> tuple[str, str]:
    parts = tuple(p.strip() for p in text.split(","))
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: expected two different side names separated by a "
                                         "comma, e.g. 'US-backed,Russian-backed'")
    return parts  # type: ignore[return-value]


def _buffer_km(text: str) -> float:
    try:
        km = float(text)
    except ValueError:
        km = math.nan
    if not (math.isfinite(km) and km > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive number of kilometres")
    return km


def add_command(subparsers) -> None:
    """The plugin hook: add the `sectors` sub-command."""
    p = subparsers.add_parser(
        "sectors", help="report sectors and units (JSON, CSV or GeoJSON)",
        description="Split the AO with the deconfliction line and report, for each sector, its "
                    "owner and area, and for each unit its sector, distance to the line and the "
                    "near-line / wrong-side flags.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_argument_group("scenario (--demo, --project, or --ao and --line)")
    src.add_argument("--demo", action="store_true",
                     help="use the embedded 'Euphrates 2017' demo; --ao/--line/--units replace its parts")
    from desktop.cli_project import add_project_argument
    add_project_argument(src)
    src.add_argument("--ao", metavar="AO", help="GeoJSON file with the AO polygon")
    src.add_argument("--line", metavar="LINE", help="GeoJSON file with the line (a LineString)")
    src.add_argument("--units", metavar="UNITS",
                     help="units: CSV with id and lat/lon (or mgrs) columns, or GeoJSON points")
    p.add_argument("--sides", type=_sides, default=None, metavar="LEFT,RIGHT",
                   help="owners of the sides left and right of the line's direction "
                        f"(default: the project's, else {','.join(DEFAULT_SIDES)})")
    p.add_argument("--buffer-km", type=_buffer_km, default=None, metavar="KM",
                   help="width of the near-line band either side of the line (default: the project's, "
                        f"else {DEFAULT_BUFFER_KM:g})")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the extension of -o, else json)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the report to OUT instead of stdout")
    p.add_argument("--at", metavar="T", help="units where the scenario's tracks put them at time T (ISO 8601 "
                   "with offset), cut by the line revision in force at T (or --line)")
    p.set_defaults(func=run, sectors_parser=p)



def _load(args) -> Document:
    project = getattr(args, "project", None)
    if args.demo and project:
        args.sectors_parser.error("give --demo or --project, not both")
    if not args.demo and not project and not (args.ao and args.line):
        args.sectors_parser.error("give --ao and --line (and usually --units), --demo or --project")
    at = _at_time(args)
    from desktop.cli_project import scenario_base
    base = scenario_base(args)
    ao = read_ao(args.ao) if args.ao else base.ao
    line = read_line(args.line) if args.line else base.line
    if args.units:
        units, warnings = read_units(args.units)
        warn_all(warnings, args.units)
    else:
        units = base.units if base is not None else UnitTable.empty()
    title = base.title if base is not None and not (args.ao or args.line or args.units) else "CLI"
    sides = args.sides or (base.sides if base is not None else DEFAULT_SIDES)
    buffer_km = args.buffer_km or (base.buffer_km if base is not None else DEFAULT_BUFFER_KM)
    doc = Document(ao, line, units, sides, buffer_km=buffer_km, title=title,
                   places=base.places if base is not None else ())
    try:
        doc.validate_line(line)
    except LineError as exc:
        raise InputError(f"{args.line or 'the demo line'}: {exc}") from None
    return doc if at is None else _snapshot_at(args, base, doc, at)


def _at_time(args) -> int | None:
    """--at T, checked before anything is loaded: only a project or the demo has tracks and revisions."""
    from desktop.cli_calls import time_arg
    at = time_arg(getattr(args, "at", None), "--at")
    if at is not None and (not (args.demo or getattr(args, "project", None)) or args.units):
        raise CommandError("--at needs unit tracks and line revisions: use it with --demo or --project, "
                           "without --units", 2)
    return at


def _snapshot_at(args, base: Document, doc: Document, at: int) -> Document:
    """The units where the scenario's tracks put them at `at`, cut by the revision in force then
    (or by --line when given)."""
    from desktop.core.revision_diff import document_at
    from desktop.core.revisions import RevisionError
    scenario = Document(doc.ao, doc.line, base.units, doc.sides, buffer_km=doc.buffer_km, title=doc.title,
                        places=doc.places, tracks=base.tracks, revisions=base.revisions)
    try:
        snap = document_at(scenario, at, line=doc.line if args.line else None)
    except RevisionError as exc:
        raise CommandError(f"--at: {exc}", 2) from None
    missing = int(np.count_nonzero(np.isnan(snap.units.lon)))
    if missing:
        warn(f"--at: {missing} units have no position report at or before {args.at}: reported in no sector")
    return snap


def _check_sides(doc: Document) -> None:
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


def _format(args) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower() if args.output else ""
    return {".csv": "csv", ".geojson": "geojson"}.get(suffix, "json")


def _write(doc: Document, fmt: str, analysis, output: str | None) -> None:
    """The report on stdout (as UTF-8) or in OUT, never half written (cli_calls.emit)."""
    from desktop.cli_calls import emit
    emit(output, lambda stream: write_report(doc, fmt, stream, analysis))


def run(args) -> int:
    doc = _load(args)
    _check_sides(doc)
    analysis = doc.analysis
    _write(doc, _format(args), analysis, args.output)
    if analysis.sectors.error:
        print(f"{PROG}: error: {analysis.sectors.error} (report written without sectors)", file=sys.stderr)
        return 1
    return 0
