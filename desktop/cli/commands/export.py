"""`deconflict export`: render the briefing map (PNG, JPEG, SVG or PDF) without a window.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS). The scenario is read exactly
as `deconflict sectors` reads it; the page is drawn by the same function the Export
dialog uses (desktop.gui.export.render.export_map), so both give the same image.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from desktop.cli import options
from desktop.cli.console import PROG, CommandError, warn
from desktop.cli.parser import command_parser
from desktop.cli.scenario import load_scenario, replaced_parts, warn_stray_sides, warn_unplaced
from desktop.core.document import Document
from desktop.core.tracks import parse_time_in

EXAMPLES = f"""\
examples:
  {PROG} export --demo brief.png
  {PROG} export --demo brief.pdf --paper A3 --landscape --dpi 300 --title "Evening brief"
  {PROG} export --demo slide.png --width 1920 --height 1080
  {PROG} export --ao ao.geojson --line line.geojson --units units.csv map.svg --marking "SECRET // EXERCISE"
  {PROG} export plan.gpkg brief.pdf           (with the project's markup)
  {PROG} export --demo june18.png --at 2017-06-18T15:43:00Z   (the map of that moment)
  {PROG} export plan.gpkg brief.png --basemap topo.mbtiles --grid mgrs --world-file

The page: marking banners, title and date-time group, the map (AO extent) with scale bar
and north arrow, legend, sector summary, flagged units and a provenance footer.
exit status: 0 written; 1 the line does not split the AO (the map is still written) or
the file cannot be written; 2 bad arguments or an unusable input file."""


def _time(text: str) -> datetime:
    """ISO 8601 ('2017-08-14T15:30Z', UTC when no zone) or a date-time group ('141530Z AUG 17')."""
    try:
        return datetime.fromtimestamp(parse_time_in(text), timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected ISO time (2017-08-14T15:30Z) or a "
                                         "date-time group (141530Z AUG 17)") from None


def _positive_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of pixels") from None


def add_command(subparsers) -> None:
    """The plugin hook: add the `export` sub-command."""
    from desktop.gui.export.settings import DEFAULT_MARKING, FORMATS, PAPERS
    p = command_parser(subparsers, "export", help="render the briefing map to PNG, JPEG, SVG or PDF (no window)",
                       run=run, examples=EXAMPLES,
                       description="Render the briefing map of a scenario to an image or PDF, headless.")
    src = options.scenario(p)
    p.add_argument("output", metavar="OUT", help="file to write: .png, .jpg, .svg or .pdf")
    options.SIDES(src)
    options.BUFFER_KM(src)
    options.AT(src, help="the map at time T (ISO 8601 with an offset): units where their tracks put them, the "
                         "line revision then in force (--demo or a project, no parts replaced)")
    size = p.add_argument_group("size (default: A4 landscape at 150 dpi)")
    size.add_argument("--format", choices=FORMATS, help="default: from the extension of OUT")
    size.add_argument("--width", type=_positive_int, metavar="W", help="exact width in pixels (with --height)")
    size.add_argument("--height", type=_positive_int, metavar="H", help="exact height in pixels (with --width)")
    size.add_argument("--paper", choices=tuple(PAPERS), help="paper size (default A4)")
    orient = size.add_mutually_exclusive_group()
    orient.add_argument("--landscape", dest="landscape", action="store_true", default=None, help="(default)")
    orient.add_argument("--portrait", dest="landscape", action="store_false")
    size.add_argument("--dpi", type=float, metavar="DPI",
                      help="dots per inch, 72-600 (paper default 150; with pixels it only sizes text "
                           "and symbols, default 96, more above full HD)")
    options.measure_units(p)  # the scale bar, markup figures and tables
    page = p.add_argument_group("page")
    page.add_argument("--title", default="", help="title (default: the scenario's title)")
    page.add_argument("--subtitle", default="", help="shown before the date-time group")
    page.add_argument("--marking", default=DEFAULT_MARKING,
                      help=f"banner text, top and bottom (default: {DEFAULT_MARKING!r}; '' for none)")
    page.add_argument("--extent", choices=("ao",), default="ao", help="area shown (default: the AO)")
    page.add_argument("--dtg", type=_time, metavar="TIME",
                      help="date-time group shown, UTC (default: the moment the map shows: --at, else the "
                           "scenario's now), e.g. 2017-08-14T15:30Z or '141530Z AUG 17'")
    page.add_argument("--basemap", action="append", default=[], metavar="FILE",
                      help="an offline tile file (MBTiles, GeoPackage tiles) under the map, above the "
                           "project's own basemaps (repeatable)")
    page.add_argument("--grid", choices=("mgrs", "latlon", "none"),
                      help="the grid drawn on the map (default: the project's layers, else the lat/lon "
                           "graticule); the page's 'Grid:' caption says which")
    page.add_argument("--world-file", action="store_true",
                      help="write a world file (.pgw/.jgw) and .prj beside a PNG or JPEG, so GIS tools and "
                           "ATAK place the map")
    for flag, what in (("legend", "legend"), ("scale-bar", "scale bar"), ("north-arrow", "north arrow"),
                       ("graticule-labels", "graticule labels"), ("summary", "sector summary and flagged units"),
                       ("footer", "provenance footer"), ("buffer-band", "near-line buffer band"),
                       ("unit-names", "unit names beside the symbols"), ("movement", "direction-of-movement arrows"),
                       ("speed-leaders", "aircraft speed leaders"),
                       ("higher-formation", "land units' higher formation (field M) beside the symbols"),
                       ("altitude", "aircraft altitude or flight level (field X) beside the symbols")):
        page.add_argument(f"--no-{flag}", action="store_true", help=f"leave out the {what}")
    page.add_argument("--line-symbol", action="store_true",
                      help="draw the line as a 2525 boundary: echelon, the sides either side, effective DTG")

    def error(message: str):  # one line, no usage block: cli.main prints it
        raise CommandError(f"export: {message} (see '{PROG} export --help')", 2)

    p.error = error


def settings_from_args(args):
    """ExportSettings for the parsed arguments; CommandError (exit 2) when they clash."""
    from desktop.gui.export.settings import ExportSettings, ExportSettingsError, format_for_path
    try:
        fmt = args.format or format_for_path(args.output)
        pixels = args.width is not None or args.height is not None
        if pixels and (args.paper or args.landscape is not None):
            raise ExportSettingsError("give either --width/--height or --paper/--landscape/--portrait, not both")
        settings = ExportSettings(
            format=fmt, width=args.width, height=args.height, paper=args.paper or "A4",
            landscape=True if args.landscape is None else args.landscape,
            dpi=args.dpi if (args.dpi is not None or pixels) else 150.0,
            extent=args.extent, title=args.title, subtitle=args.subtitle, marking=args.marking,
            legend=not args.no_legend, scale_bar=not args.no_scale_bar, north_arrow=not args.no_north_arrow,
            graticule_labels=not args.no_graticule_labels, summary_table=not args.no_summary,
            footer=not args.no_footer, buffer_band=not args.no_buffer_band, unit_names=not args.no_unit_names,
            movement=not args.no_movement, speed_leaders=not args.no_speed_leaders,
            higher_formation=not args.no_higher_formation, altitude=not args.no_altitude, line_symbol=args.line_symbol,
            timestamp=args.dtg, grid=args.grid, world_file=args.world_file, **_units(args))
        return settings.validate()
    except ExportSettingsError as exc:
        raise CommandError(f"export: {exc}", 2) from None


def _units(args) -> dict:
    """--distance-unit, --bearing, --angle-unit as export settings (those not given: defaults)."""
    units = options.units_of_measure(args)
    return {} if units is None else {"distance_unit": units.distance, "bearing": units.bearing,
                                      "angle_unit": units.angle}


def _document(args) -> Document:
    """The whole scenario for the page, the project's markup, revisions and tracks included.
    With --at, the document shows that moment (the time cursor's view)."""
    at = options.time_arg(args.at, "--at")
    if at is not None and (replaced_parts(args) or not (args.demo or args.project)):
        raise CommandError("export: --at draws the tracks and line revisions of --demo or a project: "
                           "leave out --ao, --line and --units", 2)
    doc = load_scenario(args, missing="give --ao and --line (and usually --units), --demo or --project")
    if at is not None:
        from desktop.core.time_cursor import view_at
        view = view_at(doc, at)
        doc.set_time_view(view)
        if view.note:
            warn(f"--at: {view.note}")
        warn_unplaced(view.units, args.at, "drawn nowhere")
    return doc


def _add_basemaps(doc: Document, paths: list[str], output: str) -> None:
    """--basemap files, checked (exit 2 naming the file and its problem), added to the
    document's basemaps for this page only."""
    from desktop.cli.files import regular_file
    from desktop.core.inputs import InputError
    from desktop.core.tiles import TileFileError, open_tile_file
    for path in paths:
        if Path(path).resolve() == Path(output).resolve():
            raise CommandError(f"export: --basemap {path} is also the output file", 2)
        try:
            regular_file(path)
            open_tile_file(path).close()
        except (InputError, TileFileError) as exc:
            raise CommandError(f"export: --basemap: {exc}", 2) from None
        doc.set_map_state(doc.map_state.with_basemap(path))


def run(args) -> int:
    settings = settings_from_args(args)
    folder = Path(args.output).resolve().parent
    if not folder.is_dir():  # fail before the (slower) rendering
        raise CommandError(f"cannot write {args.output}: folder {folder} does not exist", 2)
    doc = _document(args)
    _add_basemaps(doc, args.basemap, args.output)
    warn_stray_sides(doc)
    from desktop.gui.export.render import ensure_qapp, export_map
    ensure_qapp()  # offscreen when there is no display: never a window
    try:
        export_map(doc, settings, args.output)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None  # exit 1
    print(f"wrote {args.output}: {settings.format.upper()}, {settings.describe_size()}")
    if settings.world_file:
        from desktop.core.worldfile import world_file_path
        print(f"wrote {world_file_path(args.output)} and {Path(args.output).with_suffix('.prj')}: the map's place")
    if doc.analysis.sectors.error:
        print(f"{PROG}: error: {doc.analysis.sectors.error} (map written without sectors)", file=sys.stderr)
        return 1
    return 0
