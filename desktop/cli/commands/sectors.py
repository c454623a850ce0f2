"""`deconflict sectors`: split the AO with the line and report sectors and units.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS): the same `cli_command` hook a
third-party command would use.
"""
from __future__ import annotations

import sys

from desktop.cli import options
from desktop.cli.console import PROG, CommandError
from desktop.cli.output import emit, output_format
from desktop.cli.parser import command_parser
from desktop.cli.scenario import load_scenario, warn_stray_sides, warn_unplaced
from desktop.core.document import Document
from desktop.core.report import FORMATS, write_report

EXAMPLES = f"""\
examples:
  {PROG} sectors --demo
  {PROG} sectors plan.gpkg --at 2017-06-18T14:00:00Z --format csv
  {PROG} sectors --ao ao.shp --line line.kml --units units.csv -o report.csv
  {PROG} sectors --demo --units units.csv --buffer-km 10 --format geojson -o sectors.geojson
  {PROG} sectors plan.gpkg --distance-unit nm --format csv    # distance_nmi beside distance_km
  {PROG} sectors --ao ao.geojson --line line.geojson --units units.csv --sides "Blue,Red"

exit status: 0 done; 1 the line does not split the AO (the report is still written, with
an "error" key) or an unexpected failure; 2 bad arguments or an unusable input file."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `sectors` sub-command."""
    p = command_parser(
        subparsers, "sectors", help="report sectors and units (JSON, CSV or GeoJSON)", run=run, examples=EXAMPLES,
        description="Split the AO with the deconfliction line and report, for each sector, its owner and area, "
                    "and for each unit its sector, distance to the line and the near-line / wrong-side flags.")
    options.scenario(p)
    options.SIDES(p)
    options.BUFFER_KM(p)
    options.output_format(p, FORMATS)
    options.OUTPUT(p, help="write the report to OUT instead of stdout")
    options.measure_units(p, parts=(options.DISTANCE_UNIT,))
    options.AT(p, help="units where the scenario's tracks put them at time T (ISO 8601 with an offset), cut by "
                       "the line revision in force at T (or --line)")


def _at_time(args) -> int | None:
    """--at T, checked before anything is loaded: only a project or the demo has tracks and revisions."""
    at = options.time_arg(args.at, "--at")
    if at is not None and (not (args.demo or args.project) or args.units):
        raise CommandError("--at needs unit tracks and line revisions: use it with --demo or a project, "
                           "without --units", 2)
    return at


def _snapshot_at(args, doc: Document, at: int) -> Document:
    """The units where the scenario's tracks put them at `at`, cut by the revision in force then
    (or by --line when given)."""
    from desktop.core.revision_diff import document_at
    from desktop.core.revisions import RevisionError
    try:
        snap = document_at(doc, at, line=doc.line if args.line else None)
    except RevisionError as exc:
        raise CommandError(f"--at: {exc}", 2) from None
    warn_unplaced(snap.units, args.at, "reported in no sector")
    return snap


def run(args) -> int:
    at = _at_time(args)
    doc = load_scenario(args, missing="give --ao and --line (and usually --units), --demo or --project")
    if at is not None:
        doc = _snapshot_at(args, doc, at)
    warn_stray_sides(doc)
    analysis = doc.analysis
    fmt = output_format(args.format, args.output, FORMATS)
    units = options.units_of_measure(args)
    emit(args.output, lambda stream: write_report(doc, fmt, stream, analysis, units))
    if analysis.sectors.error:
        print(f"{PROG}: error: {analysis.sectors.error} (report written without sectors)", file=sys.stderr)
        return 1
    return 0
