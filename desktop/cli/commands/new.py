"""`deconflict new`: a project file (GeoPackage) from files, or from the demo.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS).
"""
from __future__ import annotations

from pathlib import Path

from desktop.cli import options
from desktop.cli.console import PROG, CommandError
from desktop.cli.parser import command_parser
from desktop.cli.scenario import load_scenario
from desktop.core.wording import plural

EXAMPLES = f"""\
examples:
  {PROG} new --demo euphrates.gpkg
  {PROG} new plan.gpkg --ao ao.shp --line line.kml --units units.gpkg --calls log.csv
  {PROG} new plan.gpkg --demo --units units.csv        (the demo with your units)

The project is one GeoPackage: it opens in Deconflict, QGIS and any GDAL tool.
exit status: 0 written; 1 the file cannot be written; 2 bad arguments or input."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `new` sub-command."""
    p = command_parser(subparsers, "new", help="create a project file (GeoPackage) from files or the demo", run=run,
                       examples=EXAMPLES, description="Create a Deconflict project file from an AO, a line, units "
                                                      "and a hotline-call log, or from the embedded demo.")
    p.add_argument("output", metavar="OUT.gpkg", help="the project file to create")
    options.DEMO(p, help="start from the embedded 'Euphrates 2017' demo (units, tracks, calls, revisions); "
                         "files given replace its parts")
    for option in (options.AO, options.LINE, options.UNITS, options.TIME, options.CALLS, options.SIDES):
        option(p)
    options.BUFFER_KM(p, help="near-line band (default 5)")
    p.add_argument("--title", help="scenario title (default: the file name)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")


def run(args) -> int:
    from desktop.core.atomic import SaveError
    from desktop.core.project import save_project
    out = Path(args.output)
    if out.suffix.lower() != ".gpkg":
        raise CommandError(f"{args.output}: a project file must end in .gpkg", 2)
    if out.exists() and not args.force:
        raise CommandError(f"{args.output} exists; give --force to replace it", 2)
    doc = load_scenario(args, missing="give --ao and --line (and usually --units and --calls), or --demo",
                        title=out.stem)
    if args.title:
        doc.title = args.title
    try:
        save_project(doc, out)
    except SaveError as exc:
        raise CommandError(str(exc)) from None
    print(f"wrote {args.output}: " + ", ".join(plural(n, noun) for n, noun in (
        (len(doc.units), "unit"), (len(doc.tracks), "track report"), (len(doc.calls), "call"),
        (len(doc.revisions), "line revision"))))
    return 0
