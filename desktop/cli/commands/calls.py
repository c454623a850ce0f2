"""`deconflict calls`: list hotline calls as CSV or JSON, in a time window or about one unit.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS).
"""
from __future__ import annotations

import json
from typing import TextIO

import numpy as np

from desktop.cli import options
from desktop.cli.console import PROG, CommandError
from desktop.cli.output import emit, output_format
from desktop.cli.parser import command_parser
from desktop.cli.scenario import base_document, read_part
from desktop.core.calls import CallLog
from desktop.core.calls_csv import write_calls_csv

FORMATS = ("json", "csv")
EXAMPLES = f"""\
examples:
  {PROG} calls --demo --from 2017-06-18T00:00:00+03:00 --to 2017-06-19T00:00:00+03:00
  {PROG} calls plan.gpkg --unit SDF-06 --format csv -o sdf06_calls.csv
  {PROG} calls --calls log.csv --from 2017-08-01T00:00:00Z

times: ISO 8601 with an offset (Z or +03:00); --from is inclusive, --to exclusive.
exit status: 0 done; 2 bad arguments or an unusable calls file."""


def add_command(subparsers) -> None:
    """The plugin hook: add the `calls` sub-command."""
    p = command_parser(
        subparsers, "calls", help="list hotline calls (CSV or JSON)", run=run, examples=EXAMPLES,
        description="List hotline calls between the air operations centres, in start order: all of them, "
                    "those in a time window, or those linked to a unit.")
    options.scenario(p, parts=(options.CALLS,), title="calls (a project, --demo or --calls)")
    p.add_argument("--from", dest="time_from", metavar="T", help="calls that start at or after T")
    p.add_argument("--to", dest="time_to", metavar="T", help="calls that start before T")
    p.add_argument("--unit", metavar="ID", help="only calls linked to unit ID")
    options.output_format(p, FORMATS)
    options.OUTPUT(p)


def _load(args) -> CallLog:
    if args.calls:
        return read_part(args, "calls")
    base = base_document(args)
    if base is None:
        args.parser.error("give --demo or --calls CSV (or --project PROJECT)")
    return base.calls


def write_calls_json(calls: CallLog, out: TextIO) -> None:
    """{"calls": [...]}, one call per line."""
    out.write('{"calls": [')
    sep = "\n  "
    for i in range(len(calls)):
        out.write(sep + json.dumps(calls.record(i), ensure_ascii=False))
        sep = ",\n  "
    out.write(("\n]" if len(calls) else "]") + "}\n")


def run(args) -> int:
    t0, t1 = options.time_arg(args.time_from, "--from"), options.time_arg(args.time_to, "--to")
    if t0 is not None and t1 is not None and t1 < t0:
        raise CommandError(f"--to {args.time_to} is before --from {args.time_from}", 2)
    fmt = output_format(args.format, args.output, FORMATS)
    calls = _load(args)
    picked = calls.between(t0, t1)
    if args.unit:
        picked = np.intersect1d(picked, calls.linked_to(args.unit))
    selected = calls.take(picked)
    emit(args.output, lambda out: (write_calls_csv if fmt == "csv" else write_calls_json)(selected, out))
    return 0
