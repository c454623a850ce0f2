"""`deconflict diff REV_A REV_B`: the units that change sector between two line revisions.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS), on desktop.core.revision_diff.diff.
"""
from __future__ import annotations

import csv
import json
from typing import TextIO

from desktop.cli import options
from desktop.cli.console import PROG, CommandError
from desktop.cli.output import emit, output_format
from desktop.cli.parser import command_parser
from desktop.cli.scenario import load_scenario
from desktop.core.revision_diff import SectorChanges, diff
from desktop.core.revisions import LineRevision, RevisionError
from desktop.core.tracks import format_time

FORMATS = ("json", "csv")
EXAMPLES = f"""\
examples:
  {PROG} diff --demo june august
  {PROG} diff plan.gpkg august september --at 2017-08-15T12:00:00Z --format csv
  {PROG} diff --demo june august --units units.csv

A unit changes sector when the owner of the sector it stands in differs under the two lines
(entering or leaving the AO included). Both lines classify the same positions: the units'
current ones, or with --at where their tracks put them at that time.
exit status: 0 done; 2 bad arguments, an unknown revision or an unusable input file."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `diff` sub-command."""
    p = command_parser(
        subparsers, "diff", help="units that change sector between two line revisions", run=run, examples=EXAMPLES,
        description="List the units whose sector changes between line revisions REV_A and REV_B, with their "
                    "sector and distance to the line under each.")
    options.scenario(p, parts=(options.UNITS,), title="scenario (a project or --demo: the revisions come from it)")
    p.add_argument("rev_a", metavar="REV_A", help="revision id, e.g. june")
    p.add_argument("rev_b", metavar="REV_B", help="revision id, e.g. august")
    options.AT(p, help="units where their tracks put them at T (ISO 8601 with an offset)")
    options.output_format(p, FORMATS)
    options.OUTPUT(p)
    options.measure_units(p, parts=(options.DISTANCE_UNIT,))  # distances also in NM or mi


def _revision(rev: LineRevision) -> dict:
    return {"id": rev.id, "state": rev.state, "effective": format_time(rev.effective),
            "call": rev.call_id or None, "note": rev.note}


def write_json(changes: SectorChanges, at: int | None, out: TextIO, distance_unit: str = "km") -> None:
    head = {"a": _revision(changes.a), "b": _revision(changes.b), "at": None if at is None else format_time(at),
            "units": None}
    before, _, after = json.dumps(head, indent=2, ensure_ascii=False).partition('"units": null')
    cols, fields = changes.columns(distance_unit), changes.fields(distance_unit)
    out.write(before + '"units": [')
    sep = "\n    "
    for row in zip(*(cols[k] for k in fields)):
        out.write(sep + json.dumps(dict(zip(fields, row)), ensure_ascii=False))
        sep = ",\n    "
    out.write(("\n  ]" if len(changes) else "]") + after + "\n")


def write_csv(changes: SectorChanges, out: TextIO, distance_unit: str = "km") -> None:
    cols, fields = changes.columns(distance_unit), changes.fields(distance_unit)
    for k in ("wrong_side_a", "wrong_side_b"):
        cols[k] = ["true" if v else "false" for v in cols[k]]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    writer.writerows(zip(*(cols[k] for k in fields)))


def run(args) -> int:
    at = options.time_arg(args.at, "--at")
    if not (args.demo or args.project):
        args.parser.error("give --demo or --project PROJECT: the line revisions come from the scenario")
    if args.units and at is not None:
        raise CommandError("--at uses the scenario's tracks; it cannot be combined with --units", 2)
    fmt = output_format(args.format, args.output, FORMATS)
    doc = load_scenario(args, missing="")
    revs = []
    for name, rev_id in (("REV_A", args.rev_a), ("REV_B", args.rev_b)):
        try:
            revs.append(doc.revisions.get(rev_id))
        except RevisionError as exc:
            raise CommandError(f"{name}: {exc}", 2) from None
    changes = diff(doc, *revs, at=at)
    unit = args.distance_unit or "km"
    emit(args.output,
         lambda out: write_json(changes, at, out, unit) if fmt == "json" else write_csv(changes, out, unit))
    return 0
