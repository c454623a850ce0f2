"""`deconflict export-data`: one layer of a project (line, sectors, units) as GeoJSON, KML or CSV;
or the line in force as the CoT events `publish` sends (`cot`) or as a TAK data package.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS), on desktop.core.exporters and
desktop.core.feed.publish.
"""
from __future__ import annotations

import sys

from desktop.cli import options, tak
from desktop.cli.console import PROG, CommandError, warn
from desktop.cli.output import emit
from desktop.cli.parser import command_parser
from desktop.cli.scenario import open_project

EXAMPLES = f"""\
examples:
  {PROG} export-data plan.gpkg --layer line --format kml line.kml
  {PROG} export-data plan.gpkg --layer sectors sectors.geojson
  {PROG} export-data plan.gpkg --layer units --format csv units.csv
  {PROG} export-data plan.gpkg --format datapackage --sectors line.zip
  {PROG} export-data plan.gpkg --format cot --at 2017-08-20T10:00:00Z line.cot

--format defaults to the extension of OUT (.geojson/.json, .kml, .csv, .cot, .zip). cot and
datapackage need no --layer: they hold the line in force (--sectors: and its sectors) as
CoT drawings, the removals of other revisions' drawings, and (datapackage) the same as KML."""
TAK_FORMATS = {"cot": ".cot", "datapackage": ".zip"}


def add_command(subparsers) -> None:
    """The plugin hook: add the `export-data` sub-command."""
    from desktop.core.exporters import FORMATS, LAYERS
    p = command_parser(subparsers, "export-data", help="export the line, sectors or units as GeoJSON, KML or CSV",
                       run=run, examples=EXAMPLES,
                       description="Export one layer of a project: the line, the sectors or the units (with their "
                                   "sector, distance to the line and flags).")
    p.add_argument("project", metavar="PROJECT", help="a Deconflict project file (.gpkg)")
    p.add_argument("--layer", choices=LAYERS, help="the layer (not for cot and datapackage)")
    p.add_argument("--format", choices=FORMATS + tuple(TAK_FORMATS), help="default: from the extension of OUT")
    p.add_argument("output", metavar="OUT", help="file to write ('-' for standard output)")
    tak.SECTORS(p, help="cot, datapackage: the sectors too, as shapes filled in their owners' colours")
    options.AT(p, help="cot, datapackage: the revision in force at time T (default: now)")
    tak.UID_PREFIX(p)


def run(args) -> int:
    from desktop.core.exporters import LAYERS, export_layer, format_for
    fmt = args.format or format_for(args.output) or next(
        (f for f, ext in TAK_FORMATS.items() if args.output.lower().endswith(ext)), None)
    if fmt is None:
        raise CommandError(f"{args.output}: cannot tell the format from the extension; give --format", 2)
    if fmt in TAK_FORMATS:
        return _tak_export(args, fmt)
    if args.layer is None:
        args.parser.error(f"--format {fmt} exports one layer: give --layer ({', '.join(LAYERS)})")
    if args.sectors or args.at or args.uid_prefix:
        args.parser.error("--sectors, --at and --uid-prefix go with --format cot or datapackage")
    doc = open_project(args.project)
    emit(args.output, lambda out: export_layer(doc, args.layer, fmt, out))
    if args.layer == "sectors" and doc.analysis.sectors.error:
        warn(f"{doc.analysis.sectors.error}: no sectors written")
    return 0


def _tak_export(args, fmt: str) -> int:
    from desktop.core.atomic import SaveError, atomic_write
    from desktop.core.feed.publish import cot_stream, data_package
    if args.layer:
        args.parser.error(f"--format {fmt} holds the line (and --sectors): no --layer")
    pub = tak.publication(args, open_project(args.project))
    data = data_package(pub) if fmt == "datapackage" else cot_stream(pub)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        atomic_write(args.output, lambda tmp: tmp.write_bytes(data))
    except SaveError as exc:
        raise CommandError(str(exc).replace("cannot save", "cannot write", 1)) from None
    return 0
