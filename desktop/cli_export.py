"""`deconflict export`: render the briefing map (PNG, JPEG, SVG or PDF) without a window.

A built-in plugin (desktop.builtin_plugins.EXPORT_COMMAND). The scenario is read exactly
as `deconflict sectors` reads it; the page is drawn by the same function the Export
dialog uses (desktop.gui.export.render.export_map), so both give the same image.
"""
from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from desktop.cli import PROG, CommandError, warn
from desktop.cli_sectors import _buffer_km, _check_sides, _load, _sides
from desktop.core.classify import DEFAULT_BUFFER_KM
from desktop.core.demo import SIDES as DEFAULT_SIDES
from desktop.core.document import Document

EXAMPLES = f"""\
examples:
  {PROG} export --demo brief.png
  {PROG} export --demo brief.pdf --paper A3 --landscape --dpi 300 --title "Evening brief"
  {PROG} export --demo slide.png --width 1920 --height 1080
  {PROG} export --ao ao.geojson --line line.geojson --units units.csv map.svg --marking "SECRET // EXERCISE"
  {PROG} export --project plan.gpkg brief.pdf           (with the project's markup)
  {PROG} export --demo june18.png --at 2017-06-18T15:43:00Z   (the map of that moment)

The page: marking banners, title and date-time group, the map (AO extent) with scale bar
and north arrow, legend, sector summary, flagged units and a provenance footer.
exit status: 0 written; 1 the line does not split the AO (the map is still written) or
the file cannot be written; 2 bad arguments or an unusable input file."""
_DTG = re.compile(r"^(\d{2})(\d{2})(\d{2})Z\s*([A-Za-z]{3})\s*(\d{2}|\d{4})$")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _time(text: str) -> datetime:
    """ISO 8601 ('2017-08-14T15:30Z', UTC when no zone) or a date-time group ('141530Z AUG 17')."""
    m = _DTG.match(text.strip().upper())
    try:
        if m:
            day, hour, minute, mon, year = m.groups()
            year = int(year) + (2000 if len(year) == 2 else 0)
            return datetime(year, _MONTHS.index(mon) + 1, int(day), int(hour), int(minute), tzinfo=timezone.utc)
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected ISO time (2017-08-14T15:30Z) or a "
                                         "date-time group (141530Z AUG 17)") from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _positive_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of pixels") from None


def add_command(subparsers) -> None:
    """The plugin hook: add the `export` sub-command."""
    from desktop.gui.export.settings import DEFAULT_MARKING, FORMATS, PAPERS
    p = subparsers.add_parser(
        "export", help="render the briefing map to PNG, JPEG, SVG or PDF (no window)",
        description="Render the briefing map of a scenario to an image or PDF, headless.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output", metavar="OUT", help="file to write: .png, .jpg, .svg or .pdf")
    src = p.add_argument_group("scenario (--demo, --project, or --ao and --line), read as by 'sectors'")
    src.add_argument("--demo", action="store_true",
                     help="the embedded 'Euphrates 2017' demo; --ao/--line/--units replace its parts")
    from desktop.cli_project import add_project_argument
    add_project_argument(src)
    src.add_argument("--ao", metavar="AO", help="GeoJSON file with the AO polygon")
    src.add_argument("--line", metavar="LINE", help="GeoJSON file with the line (a LineString)")
    src.add_argument("--units", metavar="UNITS", help="units: CSV or GeoJSON points")
    src.add_argument("--sides", type=_sides, default=None, metavar="LEFT,RIGHT",
                     help=f"owners left and right of the line (default: the project's, else {','.join(DEFAULT_SIDES)})")
    src.add_argument("--buffer-km", type=_buffer_km, default=None, metavar="KM",
                     help=f"near-line band either side of the line (default: the project's, else "
                          f"{DEFAULT_BUFFER_KM:g})")
    src.add_argument("--at", metavar="T", help="the map at time T (ISO 8601 with offset): units where their "
                     "tracks put them, the line revision then in force (--demo or --project, no parts replaced)")
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
    page = p.add_argument_group("page")
    page.add_argument("--title", default="", help="title (default: the scenario's title)")
    page.add_argument("--subtitle", default="", help="shown before the date-time group")
    page.add_argument("--marking", default=DEFAULT_MARKING,
                      help=f"banner text, top and bottom (default: {DEFAULT_MARKING!r}; '' for none)")
    page.add_argument("--extent", choices=("ao",), default="ao", help="area shown (default: the AO)")
    page.add_argument("--dtg", type=_time, metavar="TIME",
                      help="date-time group shown, UTC (default: now), e.g. 2017-08-14T15:30Z or '141530Z AUG 17'")
    for flag, what in (("legend", "legend"), ("scale-bar", "scale bar"), ("north-arrow", "north arrow"),
                       ("graticule-labels", "graticule labels"), ("summary", "sector summary and flagged units"),
                       ("footer", "provenance footer"), ("buffer-band", "near-line buffer band")):
        page.add_argument(f"--no-{flag}", action="store_true", help=f"leave out the {what}")
    p.set_defaults(func=run, sectors_parser=p)

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
            footer=not args.no_footer, buffer_band=not args.no_buffer_band, timestamp=args.dtg)
        return settings.validate()
    except ExportSettingsError as exc:
        raise CommandError(f"export: {exc}", 2) from None


def _document(args) -> Document:
    """The whole scenario for the page: the demo's or the project's own document (its markup,
    revisions and tracks included) unless files replace parts of it, then what `sectors`
    reads. With --at, the document shows that moment (the time cursor's view)."""
    from desktop.cli_calls import time_arg
    at = time_arg(args.at, "--at")
    replaced = args.ao or args.line or args.units
    if replaced or not (args.demo or args.project):
        if at is not None:
            raise CommandError("export: --at draws the tracks and line revisions of --demo or --project: "
                               "leave out --ao, --line and --units", 2)
        return _load(args)
    if args.demo and args.project:
        args.sectors_parser.error("give --demo or --project, not both")
    from desktop.cli_project import scenario_base
    base = scenario_base(args)
    doc = base if not (args.sides or args.buffer_km) else Document(
        base.ao, base.line, base.units, args.sides or base.sides, buffer_km=args.buffer_km or base.buffer_km,
        title=base.title, places=base.places, calls=base.calls, tracks=base.tracks, revisions=base.revisions,
        annotations=base.annotations)
    if at is not None:
        from desktop.core.time_cursor import view_at
        view = view_at(doc, at)
        doc.set_time_view(view)
        if view.note:
            warn(f"--at: {view.note}")
        missing = int(np.count_nonzero(np.isnan(view.units.lon)))
        if missing:
            warn(f"--at: {missing} units have no position report at or before {args.at}: drawn nowhere")
    return doc


def run(args) -> int:
    settings = settings_from_args(args)
    folder = Path(args.output).resolve().parent
    if not folder.is_dir():  # fail before the (slower) rendering
        raise CommandError(f"cannot write {args.output}: folder {folder} does not exist", 2)
    doc = _document(args)
    _check_sides(doc)
    from desktop.gui.export.render import ensure_qapp, export_map
    ensure_qapp()  # offscreen when there is no display: never a window
    try:
        export_map(doc, settings, args.output)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None  # exit 1
    print(f"wrote {args.output}: {settings.format.upper()}, {settings.describe_size()}")
    if doc.analysis.sectors.error:
        print(f"{PROG}: error: {doc.analysis.sectors.error} (map written without sectors)", file=sys.stderr)
        return 1
    return 0
