"""`deconflict import PROJECT FILE...`: bring AO, line, units and tracks into a project.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS), on the same importers and the
same merge the File › Import menu uses. The project is rewritten atomically once, after
every file has been read; a file that cannot be read stops the command before anything is
written.
"""
from __future__ import annotations

from desktop.cli import options
from desktop.cli.console import PROG, CommandError, warn_all
from desktop.cli.files import read_file
from desktop.cli.parser import command_parser, load_registry
from desktop.cli.scenario import open_project
from desktop.core.wording import plural

EXAMPLES = f"""\
examples:
  {PROG} import plan.gpkg positions.csv
  {PROG} import plan.gpkg opfor.kml handheld.gpx ao.shp
  {PROG} import plan.gpkg vertices.csv --as line
  {PROG} import plan.gpkg sightings.csv --time 2017-06-18T14:00:00Z

A unit already in the project (same id) is updated; new ids are added. Track reports are
added to their units; a unit given without a time is a report at --time (default: now), so
it has no position before then. Skipped rows and features are listed as warnings.
exit status: 0 imported; 1 the project cannot be written; 2 a file cannot be read."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `import` sub-command."""
    p = command_parser(subparsers, "import", help="import AO, line, units and tracks into a project", run=run,
                       examples=EXAMPLES, description="Import files (CSV, GeoJSON, KML/KMZ, GPX, Shapefile, "
                                                      "GeoPackage) into a project file.")
    p.add_argument("project", metavar="PROJECT", help="the project file (.gpkg) to update")
    p.add_argument("files", metavar="FILE", nargs="+", help="files to import, in order")
    p.add_argument("--as", dest="role", choices=("units", "tracks", "line", "ao"),
                   help="what the rows of a CSV file are, when its columns do not say")
    options.TIME(p)


def run(args) -> int:
    from desktop.core.atomic import SaveError
    from desktop.core.project import project_lock
    try:
        with project_lock(args.project) as opened:  # a second import waits for this one
            return _import_all(args, opened)
    except SaveError as exc:
        raise CommandError(str(exc)) from None


def _import_all(args, opened) -> int:
    from desktop.core.commands import CommandStack
    from desktop.core.importers.apply import import_command
    from desktop.core.importers.model import NeedsMapping
    from desktop.core.project import save_project
    reported_at = options.time_arg(args.time, "--time")
    doc = open_project(args.project)
    stack = CommandStack(doc)
    registry = load_registry()
    for path in args.files:
        try:
            data = read_file(path, registry, args.role)
        except NeedsMapping as exc:
            raise CommandError(f"{exc}; or say what the rows are with --as units|tracks|line|ao", 2) from None
        warn_all(data.skipped, path)
        try:
            command = import_command(doc, data, reported_at)
            stack.push(command)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}", 2) from None
        print(f"{path}: {', '.join(data.found() + command.notes())}"
              + (f" ({plural(len(data.skipped), 'warning')})" if data.skipped else ""))
    save_project(doc, args.project, expect=opened)
    print(f"wrote {args.project}: {plural(len(doc.units), 'unit')}, {plural(len(doc.tracks), 'track report')}")
    return 0
