"""`deconflict airspace`: a scenario's airspace coordination measures as GeoJSON or KML (3D
volumes for Google Earth).

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS).
"""
from __future__ import annotations

from desktop.cli import options
from desktop.cli.console import PROG, warn
from desktop.cli.output import emit, output_format
from desktop.cli.parser import command_parser
from desktop.cli.scenario import base_document
from desktop.core.air.acm_io import FORMATS, read_airspace, write_airspace
from desktop.core.demo import SIDES as DEFAULT_SIDES

EXAMPLES = f"""\
examples:
  {PROG} airspace --demo --format kml -o acm.kml        (open it in Google Earth: blocks in 3D)
  {PROG} airspace plan.gpkg --format geojson
  {PROG} airspace --airspace acm.geojson -o acm.kml     (convert, checking every ACM)

GeoJSON: one Feature per ACM, its defining geometry (Polygon; Point with radius_nm; LineString
with width_nm) and the columns id, name, kind, shape, side, floor_ft, ceiling_ft, radius_nm,
width_nm, periods. KML: each ACM a volume at absolute altitudes, coloured by its owner.
exit status: 0 done; 2 bad arguments or an unusable input file."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `airspace` sub-command."""
    p = command_parser(subparsers, "airspace", help="the airspace blocks (ACMs) as GeoJSON or KML (3D)", run=run,
                       examples=EXAMPLES,
                       description="Write a scenario's airspace coordination measures (ROZ, HIDACZ, MEZ, CAP "
                                   "orbits, corridors) with their altitude blocks and active periods.")
    group = options.scenario(p, parts=(), title="airspace (a project, --demo or --airspace)")
    group.add_argument("--airspace", metavar="FILE", help="ACMs from a GeoJSON or KML file instead")
    options.SIDES(p, help="the sides whose ACMs are drawn blue and red in KML (default: the scenario's, else "
                          f"{','.join(DEFAULT_SIDES)})")
    options.output_format(p, FORMATS)
    options.OUTPUT(p)


def run(args) -> int:
    fmt = output_format(args.format, args.output, FORMATS, default="geojson")
    base = base_document(args)
    if args.airspace:
        airspace = read_airspace(args.airspace)
    elif base is not None:
        airspace = base.airspace
    else:
        args.parser.error("give --demo, a project or --airspace FILE")
    if not len(airspace):
        warn("the scenario has no ACMs: an empty collection is written")
    sides = args.sides or (base.sides if base is not None else DEFAULT_SIDES)
    title = f"{base.title}: airspace" if base is not None else "Airspace"
    emit(args.output, lambda out: write_airspace(airspace, fmt, out, sides, title))
    return 0
