"""`deconflict conflicts`: predicted air conflicts at a time, soonest first (JSON or CSV).

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS). The same core function as the
conflicts panel and the live alerts: desktop.core.air.conflicts.find_conflicts.
"""
from __future__ import annotations

import csv
import json
import time
from typing import TextIO

import numpy as np

from desktop.cli import options
from desktop.cli.console import PROG, CommandError, warn, warn_all
from desktop.cli.output import emit, output_format
from desktop.cli.parser import command_parser
from desktop.cli.scenario import base_document
from desktop.core.air.acm import Airspace
from desktop.core.air.conflicts import (DEFAULT_LATERAL_NM, DEFAULT_VERTICAL_FT, ConflictParams, Conflicts,
                                        conflicts_at, find_conflicts)
from desktop.core.air.motion import DEFAULT_HORIZON_S
from desktop.core.air.state import AircraftState, state_from_units
from desktop.core.demo import SIDES as DEFAULT_SIDES
from desktop.core.document import Document
from desktop.core.geodesy import Projection
from desktop.core.inputs import InputError
from desktop.core.line import LineError
from desktop.core.tracks import format_time
from desktop.core.units import UnitTable

FORMATS = ("json", "csv")
CSV_FIELDS = ("kind", "a", "a_name", "b", "b_name", "time_to_cpa_s", "cpa_nm", "vertical_ft", "time_to_entry_s",
              "time_to_line_s", "sector", "time", "lon", "lat")
EXAMPLES = f"""\
examples:
  {PROG} conflicts --demo --at 2017-06-18T15:35:00Z
  {PROG} conflicts plan.gpkg --at 2017-06-18T15:35:00Z --horizon-min 15 --format csv
  {PROG} conflicts --units aircraft.csv --airspace acm.geojson --at 2017-06-18T15:35:00Z
  {PROG} conflicts --units aircraft.csv --ao ao.geojson --line line.geojson --sides US-backed,Russian-backed

A units file holds the aircraft state at --at: columns id,name,side,domain,lat,lon,alt_ft,
course_deg,speed_kt (domain "air"; alt_ft also as FL250). The airspace file is GeoJSON or KML
with id, name, kind, side, floor_ft, ceiling_ft and periods (or start/end).
Conflicts: "aircraft" (two sides' aircraft within --lateral-nm while under --vertical-ft
apart), "airspace" (an aircraft in another side's active ACM, in its band), "line" (an
aircraft crossing into another side's sector), over the --horizon-min, now included.
exit status: 0 done (with or without conflicts); 2 bad arguments or an unusable input file."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `conflicts` sub-command."""
    p = command_parser(
        subparsers, "conflicts", help="predicted air conflicts: aircraft, airspace (ACMs) and line (JSON or CSV)",
        run=run, examples=EXAMPLES,
        description="Predict, from the aircraft state at a time, which aircraft of different sides come close, "
                    "which enter another side's airspace coordination measures and which cross the line, "
                    "soonest first.")
    group = options.scenario(p, parts=(options.AO, options.LINE), title="scenario (a project, --demo or --units)")
    options.UNITS(group, help="aircraft: a CSV (or GeoJSON points) whose rows are the aircraft state at --at")
    group.add_argument("--airspace", metavar="FILE", help="ACMs: GeoJSON or KML (replaces the scenario's)")
    options.SIDES(p, help="owners left and right of the line (default: the scenario's, else "
                          f"{','.join(DEFAULT_SIDES)})")
    options.AT(p, help="the time T (ISO 8601 with an offset): aircraft where their tracks put them, the line "
                       "revision in force, the ACMs active then (default: the scenario's latest report; with "
                       "--units, now)")
    p.add_argument("--horizon-min", type=options.positive("minutes"), default=DEFAULT_HORIZON_S / 60, metavar="MIN",
                   help=f"how far ahead to predict (default {DEFAULT_HORIZON_S / 60:g})")
    p.add_argument("--lateral-nm", type=options.positive("nautical miles"), default=DEFAULT_LATERAL_NM, metavar="NM",
                   help=f"closest approach that is a conflict, at most (default {DEFAULT_LATERAL_NM:g})")
    p.add_argument("--vertical-ft", type=options.positive("feet"), default=DEFAULT_VERTICAL_FT, metavar="FT",
                   help=f"vertical separation that is a conflict, less than (default {DEFAULT_VERTICAL_FT:g})")
    options.output_format(p, FORMATS)
    options.OUTPUT(p)


def _aircraft_table(args, at: int) -> AircraftState:
    """The --units rows as the state at `at`. Strict: a row left out would hide its conflicts."""
    from desktop.cli.scenario import read_part
    data = read_part(args, "units")  # through the importer registry; its warnings are shown
    if data.units is None:
        raise CommandError(f"{args.units}: no aircraft rows (a table of id, side, lat, lon, alt_ft, course_deg, "
                           "speed_kt)", 2)
    units = data.units
    skipped = sum(w.endswith("(row skipped)") for w in data.skipped)
    if skipped:
        raise CommandError(f"{args.units}: {skipped} row(s) could not be read (see the warnings); conflicts not "
                           "computed, since an aircraft left out would hide its conflicts", 2)
    return state_from_units(units, at)


def _scenario(args, base: Document | None) -> Document | None:
    """The AO, line (with its revisions) and sides the line conflicts are judged by: the
    base's, with --ao, --line and --sides replacing theirs; None without an AO and a line."""
    from desktop.cli.scenario import read_part
    if bool(args.ao) != bool(args.line) and base is None:
        args.parser.error("give --ao and --line together (line conflicts need both)")
    if base is None and not args.ao:
        return None
    if base is not None and not (args.ao or args.line or args.sides):
        return base
    line = read_part(args, "line") if args.line else base.line
    doc = Document(read_part(args, "ao") if args.ao else base.ao, line,
                   base.units if base is not None else UnitTable.empty(),
                   args.sides or (base.sides if base is not None else DEFAULT_SIDES),
                   tracks=base.tracks if base is not None else None,
                   revisions=base.revisions if base is not None and not args.line else None)
    try:
        doc.validate_line(line)
    except LineError as exc:
        raise InputError(f"{args.line or 'the line'}: {exc}") from None
    return doc


def _projection(state: AircraftState, airspace) -> Projection:
    """Without an AO: a plane centred on the aircraft and the ACMs."""
    lon = np.concatenate([state.lon] + [a.outline()[0] for a in airspace])
    lat = np.concatenate([state.lat] + [a.outline()[1] for a in airspace])
    if not len(lon):
        return Projection.analysis_for(0.0, 0.0)
    return Projection.analysis_for(float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2))


def compute(args) -> Conflicts:
    """The conflicts the arguments ask for: desktop.core.air.conflicts.conflicts_at on the
    scenario, or find_conflicts on a units file alone (no line)."""
    at = options.time_arg(args.at, "--at")
    base = base_document(args)
    if base is None and not args.units:
        args.parser.error("give --demo, a project or --units (the aircraft)")
    if at is None:
        from desktop.core.time_cursor import live_time
        at = (live_time(base) if base is not None and not args.units else None) or int(time.time())
    state = _aircraft_table(args, at) if args.units else None
    if args.airspace:
        from desktop.core.air.acm_io import read_airspace
        airspace = read_airspace(args.airspace)
    else:
        airspace = base.airspace if base is not None else Airspace()
    params = ConflictParams(args.horizon_min * 60.0, args.lateral_nm, args.vertical_ft)
    scenario = _scenario(args, base)
    if scenario is None:
        found = find_conflicts(state, airspace, _projection(state, airspace), None, params)
    else:
        found, note = conflicts_at(scenario, at, params, state=state, airspace=airspace,
                                   line=scenario.line if args.line else None)
        if note:
            warn(f"--at: {note}")
        if found.sectors_error:
            warn(f"{found.sectors_error}: no line conflicts")
    unsided = int(np.count_nonzero(found.state.sides == ""))
    if unsided:
        warn(f"{unsided} aircraft have no side: no conflict is found for them")
    return found


def write_json(found: Conflicts, out: TextIO) -> None:
    """{"at", "horizon_min", "lateral_nm", "vertical_ft", "conflicts": [...]}, a conflict a line."""
    p = found.params
    head = {"at": format_time(found.at), "horizon_min": p.horizon_s / 60, "lateral_nm": p.lateral_nm,
            "vertical_ft": p.vertical_ft}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "conflicts": [')
    sep = "\n  "
    for rec in found.records():
        out.write(sep + json.dumps(rec, ensure_ascii=False))
        sep = ",\n  "
    out.write(("\n]" if len(found) else "]") + "}\n")


def write_csv(found: Conflicts, out: TextIO) -> None:
    w = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(found.records())


def run(args) -> int:
    fmt = output_format(args.format, args.output, FORMATS)
    found = compute(args)
    emit(args.output, lambda out: (write_csv if fmt == "csv" else write_json)(found, out))
    return 0
