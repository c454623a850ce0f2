"""The options commands share, each defined once (after pip's `cli/cmdoptions.py`).

A command composes them: `options.DEMO(group)` adds `--demo` to a parser or an argument
group, and keyword arguments change what that command words differently
(`options.UNITS(p, help="classify these units instead")`). `project(p)` adds the project
both as a plain positional argument and as `--project`; `scenario(p)` adds the usual set.
Values that need more than argparse's types are checked here too (`time_arg`).
"""
from __future__ import annotations

import argparse
import math

from desktop.cli.console import CommandError
from desktop.core.classify import DEFAULT_BUFFER_KM
from desktop.core.demo import SIDES as DEFAULT_SIDES
from desktop.core.measure_units import MeasureUnits, MeasureUnitsError, angle_unit, bearing_reference, distance_unit
from desktop.core.tracks import parse_time


class Option:
    """One option: its flags and argparse settings, added by calling it on a parser or group."""

    def __init__(self, *flags: str, **settings) -> None:
        self.flags, self.settings = flags, settings

    def __call__(self, parser, **changes) -> argparse.Action:
        return parser.add_argument(*self.flags, **{**self.settings, **changes})


# -- value types ------------------------------------------------------------------------------
def sides(text: str) -> tuple[str, str]:
    parts = tuple(p.strip() for p in text.split(","))
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: expected two different side names separated by a "
                                         "comma, e.g. 'US-backed,Russian-backed'")
    return parts  # type: ignore[return-value]


def positive(unit: str):
    """An argparse type: a positive finite number of `unit` ("kilometres", "minutes", ...)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"{text!r}: expected a positive number of {unit}")
        return value
    return parse


buffer_km = positive("kilometres")


def time_arg(text: str | None, option: str) -> int | None:
    """An ISO 8601 command-line time as epoch seconds; a bad one fails naming the option."""
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}", 2) from None


def measure(check):
    """An argparse type from a desktop.core.measure_units name check ("NM" -> "nmi")."""
    def parse(text: str) -> str:
        try:
            return check(text)
        except MeasureUnitsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


# -- the options ----------------------------------------------------------------------------------
DEMO = Option("--demo", action="store_true",
              help="the embedded 'Euphrates 2017' demo; files given replace its parts")
AO = Option("--ao", metavar="FILE", help="the AO polygon: GeoJSON, KML/KMZ, Shapefile, GeoPackage or a CSV of vertices")
LINE = Option("--line", metavar="FILE",
              help="the deconfliction line: GeoJSON, KML/KMZ, Shapefile, GeoPackage or a CSV of vertices")
UNITS = Option("--units", metavar="FILE", help="units: CSV (id and lat/lon or mgrs columns), GeoJSON, KML/KMZ, "
                                               "GPX, Shapefile or GeoPackage points")
CALLS = Option("--calls", metavar="CSV", help="a hotline-calls CSV file (columns: see the README)")
SIDES = Option("--sides", type=sides, default=None, metavar="LEFT,RIGHT",
               help="owners of the sides left and right of the line's direction "
                    f"(default: the scenario's, else {','.join(DEFAULT_SIDES)})")
BUFFER_KM = Option("--buffer-km", type=buffer_km, default=None, metavar="KM",
                   help=f"width of the near-line band either side of the line (default: the scenario's, else "
                        f"{DEFAULT_BUFFER_KM:g})")
AT = Option("--at", metavar="T", help="the scenario at time T (ISO 8601 with an offset): units where their "
                                      "tracks put them, cut by the line revision in force then")
DISTANCE_UNIT = Option("--distance-unit", type=measure(distance_unit), default=None, metavar="UNIT",
                       help="distances also in UNIT: km, nmi (or nm: nautical miles) or mi (statute miles); "
                            "reports add distance_nmi or distance_mi (and area_…2, buffer_…) beside the km")
BEARING = Option("--bearing", type=measure(bearing_reference), default=None, metavar="true|magnetic",
                 help="bearings from true north or from magnetic north (World Magnetic Model, at the time shown)")
ANGLE_UNIT = Option("--angle-unit", type=measure(angle_unit), default=None, metavar="deg|mil",
                    help="angles in degrees or in NATO mils (6400 to the circle)")
TIME = Option("--time", metavar="T", help="when the positions of files without times were reported (ISO 8601 "
                                          "with an offset; default: now, the moment of the import): a unit has "
                                          "no position before its first report")
OUTPUT = Option("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")


def output_format(parser, choices, what: str = "output format") -> argparse.Action:
    return parser.add_argument("--format", choices=choices, default=None,
                               help=f"{what} (default: from the extension of -o, else {choices[0]})")


class _Project(argparse.Action):
    """The positional PROJECT and --project both set `project`; given twice, they must agree."""

    def __call__(self, parser, namespace, value, option_string=None) -> None:
        if value is None:  # the optional positional, not given
            return
        given = getattr(namespace, self.dest, None)
        if given is not None and given != value:
            parser.error(f"two projects given ({given} and {value}); give one")
        setattr(namespace, self.dest, value)


def project(parser, positional: bool = True, group=None) -> None:
    """The project file a command reads, as a plain argument (`sectors plan.gpkg`) and as
    `--project plan.gpkg` (in `group` when given, e.g. a group of scenario sources)."""
    what = "a Deconflict project file (.gpkg); files given replace its parts"
    if positional:
        parser.add_argument("project", metavar="PROJECT", nargs="?", action=_Project, default=None, help=what)
    (group or parser).add_argument("--project", metavar="PROJECT", action=_Project, default=None,
                                   help="the project, named as an option" if positional else what)


def measure_units(parser, parts=(DISTANCE_UNIT, BEARING, ANGLE_UNIT)):
    """The units of measure a command's output follows (the GUI's View › Units of measure)."""
    group = parser.add_argument_group("units of measure (default: km, true bearings, degrees)")
    for option in parts:
        option(group)
    return group


def units_of_measure(args) -> MeasureUnits | None:
    """The units given on the command line (those not given: the defaults), or None when
    none was given."""
    given = {key: getattr(args, dest, None) for key, dest in
             (("distance", "distance_unit"), ("bearing", "bearing"), ("angle", "angle_unit"))}
    given = {key: value for key, value in given.items() if value is not None}
    return MeasureUnits(**given) if given else None


def scenario(parser, parts=(AO, LINE, UNITS), title: str = "scenario (a project, --demo, or --ao and --line)"):
    """The scenario a command works on: a project, --demo, or files, and files that replace
    the project's or the demo's parts. Returns the argument group."""
    group = parser.add_argument_group(title)
    project(parser, group=group)
    DEMO(group)
    for option in parts:
        option(group)
    return group
