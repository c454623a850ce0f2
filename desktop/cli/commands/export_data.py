"""`deconflict export-data`: one layer of a project (line, sectors, units) as GeoJSON, KML or CSV.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS), on desktop.core.exporters.
"""
from __future__ import annotations

from desktop.cli.console import PROG, CommandError, warn
from desktop.cli.output import emit
from desktop.cli.parser import command_parser
from desktop.cli.scenario import open_project

EXAMPLES = f"""\
examples:
  {PROG} export-data plan.gpkg --layer line --format kml line.kml
  {PROG} export-data plan.gpkg --layer sectors sectors.geojson
  {PROG} export-data plan.gpkg --layer units --format csv units.csv

--format defaults to the extension of OUT (.geojson/.json, .kml, .csv)."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `export-data` sub-command."""
    from desktop.core.exporters import FORMATS, LAYERS
    p = command_parser(subparsers, "export-data", help="export the line, sectors or units as GeoJSON, KML or CSV",
                       run=run, examples=EXAMPLES,
                       description="Export one layer of a project: the line, the sectors or the units (with their "
                                   "sector, distance to the line and flags).")
    p.add_argument("project", metavar="PROJECT", help="a Deconflict project file (.gpkg)")
    p.add_argument("--layer", choices=LAYERS, required=True)
    p.add_argument("--format", choices=FORMATS, help="default: from the extension of OUT")
    p.add_argument("output", metavar="OUT", help="file to write ('-' for standard output)")


def run(args) -> int:
    from desktop.core.exporters import export_layer, format_for
    fmt = args.format or format_for(args.output)
    if fmt is None:
        raise CommandError(f"{args.output}: cannot tell the format from the extension; give --format", 2)
    doc = open_project(args.project)
    emit(args.output, lambda out: export_layer(doc, args.layer, fmt, out))
    if args.layer == "sectors" and doc.analysis.sectors.error:
        warn(f"{doc.analysis.sectors.error}: no sectors written")
    return 0
