"""Project-file commands: `deconflict new` and `deconflict export-data`, and the `--project`
option the scenario commands (`sectors`, `calls`, `diff`) share.

Built-in plugins (desktop.builtin_plugins.PROJECT_COMMANDS).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli import PROG, CommandError, warn, warn_all
from desktop.cli_calls import emit
from desktop.core.document import Document

NEW_EXAMPLES = f"""\
examples:
  {PROG} new --demo euphrates.gpkg
  {PROG} new plan.gpkg --ao ao.geojson --line line.geojson --units units.csv --calls log.csv
  {PROG} new plan.gpkg --demo --units units.csv        (the demo with your units)

The project is one GeoPackage: it opens in Deconflict, QGIS and any GDAL tool.
exit status: 0 written; 1 the file cannot be written; 2 bad arguments or input."""
EXPORT_EXAMPLES = f"""\
examples:
  {PROG} export-data plan.gpkg --layer line --format kml line.kml
  {PROG} export-data plan.gpkg --layer sectors sectors.geojson
  {PROG} export-data plan.gpkg --layer units --format csv units.csv

--format defaults to the extension of OUT (.geojson/.json, .kml, .csv)."""


def add_project_argument(parser_or_group) -> None:
    parser_or_group.add_argument("--project", metavar="PROJECT",
                                 help="a Deconflict project file (.gpkg); parts given as files replace its parts")


def open_project(path: str) -> Document:
    """A project for a command; ProjectError (exit status 2) names the file and layer."""
    from desktop.core.project import load_project
    return load_project(path)


def scenario_base(args) -> Document | None:
    """The document --project or --demo names (None when neither is given)."""
    if getattr(args, "project", None):
        return open_project(args.project)
    if getattr(args, "demo", False):
        from desktop.core.demo import demo_document
        return demo_document()
    return None


# -- new --------------------------------------------------------------------------------------
def add_new_command(subparsers) -> None:
    from desktop.cli_sectors import _buffer_km, _sides
    p = subparsers.add_parser("new", help="create a project file (GeoPackage) from files or the demo",
                              description="Create a Deconflict project file from an AO, a line, units and "
                                          "a hotline-call log, or from the embedded demo.",
                              epilog=NEW_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output", metavar="OUT.gpkg", help="the project file to create")
    p.add_argument("--demo", action="store_true", help="start from the embedded 'Euphrates 2017' demo "
                   "(units, tracks, calls, revisions); files given replace its parts")
    p.add_argument("--ao", metavar="F", help="GeoJSON file with the AO polygon")
    p.add_argument("--line", metavar="F", help="GeoJSON file with the line (a LineString)")
    p.add_argument("--units", metavar="F", help="units: CSV or GeoJSON points")
    p.add_argument("--calls", metavar="F", help="hotline calls CSV")
    p.add_argument("--sides", type=_sides, metavar="LEFT,RIGHT", help="owners left and right of the line")
    p.add_argument("--buffer-km", type=_buffer_km, metavar="KM", help="near-line band (default 5)")
    p.add_argument("--title", help="scenario title (default: the file name)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=run_new, new_parser=p)


def build_new(args) -> Document:
    from desktop.core.calls import CallLog
    from desktop.core.calls_csv import read_calls
    from desktop.core.classify import DEFAULT_BUFFER_KM
    from desktop.core.demo import SIDES
    from desktop.core.inputs import read_ao, read_line, read_units
    from desktop.core.tracks import Tracks
    from desktop.core.units import UnitTable
    base = scenario_base(args)
    if base is None and not (args.ao and args.line):
        args.new_parser.error("give --ao and --line (and usually --units and --calls), or --demo")
    ao = read_ao(args.ao) if args.ao else base.ao
    line = read_line(args.line) if args.line else base.line
    units, tracks = (base.units, base.tracks) if base is not None else (UnitTable.empty(), Tracks.empty(0))
    if args.units:
        units, warnings = read_units(args.units)
        warn_all(warnings, args.units)
        tracks = Tracks.empty(len(units))  # the demo's tracks belong to the demo's units
    calls = base.calls if base is not None else CallLog.empty()
    if args.calls:
        calls, warnings = read_calls(args.calls)
        warn_all(warnings, args.calls)
    title = args.title or (base.title if base is not None and not (args.ao or args.line or args.units)
                           else Path(args.output).stem)
    doc = Document(ao, line, units, args.sides or (base.sides if base is not None else SIDES),
                   buffer_km=args.buffer_km or (base.buffer_km if base is not None else DEFAULT_BUFFER_KM),
                   title=title, places=base.places if base is not None else (), calls=calls, tracks=tracks,
                   revisions=base.revisions if base is not None and not args.line else None,
                   annotations=base.annotations if base is not None else None)
    from desktop.core.line import LineError
    try:
        doc.validate_line(line)
    except LineError as exc:
        raise CommandError(f"{args.line or 'the line'}: {exc}", 2) from None
    return doc


def run_new(args) -> int:
    from desktop.core.atomic import SaveError
    from desktop.core.project import save_project
    out = Path(args.output)
    if out.suffix.lower() != ".gpkg":
        raise CommandError(f"{args.output}: a project file must end in .gpkg", 2)
    if out.exists() and not args.force:
        raise CommandError(f"{args.output} exists; give --force to replace it", 2)
    doc = build_new(args)
    try:
        save_project(doc, out)
    except SaveError as exc:
        raise CommandError(str(exc)) from None
    print(f"wrote {args.output}: {len(doc.units)} units, {len(doc.tracks)} track reports, {len(doc.calls)} calls, "
          f"{len(doc.revisions)} line revisions")
    return 0


# -- export-data ------------------------------------------------------------------------------
def add_export_data_command(subparsers) -> None:
    from desktop.core.exporters import FORMATS, LAYERS
    p = subparsers.add_parser("export-data", help="export the line, sectors or units as GeoJSON, KML or CSV",
                              description="Export one layer of a project: the line, the sectors or the units "
                                          "(with their sector, distance to the line and flags).",
                              epilog=EXPORT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", metavar="PROJECT", help="a Deconflict project file (.gpkg)")
    p.add_argument("--layer", choices=LAYERS, required=True)
    p.add_argument("--format", choices=FORMATS, help="default: from the extension of OUT")
    p.add_argument("output", metavar="OUT", help="file to write ('-' for standard output)")
    p.set_defaults(func=run_export_data)


def run_export_data(args) -> int:
    from desktop.core.exporters import export_layer, format_for
    fmt = args.format or format_for(args.output)
    if fmt is None:
        raise CommandError(f"{args.output}: cannot tell the format from the extension; give --format", 2)
    doc = open_project(args.project)
    emit(args.output, lambda out: export_layer(doc, args.layer, fmt, out))
    if args.layer == "sectors" and doc.analysis.sectors.error:
        warn(f"{doc.analysis.sectors.error}: no sectors written")
    return 0
