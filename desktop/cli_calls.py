"""`deconflict calls`: list hotline calls as CSV or JSON, in a time window or about one unit.

A built-in plugin (desktop.builtin_plugins.CALLS_COMMAND). Also holds the small helpers the
time-aware commands share: reading a time argument and writing output safely.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Callable, TextIO

import numpy as np

from desktop.cli import PROG, CommandError, warn_all
from desktop.core.calls import CallLog
from desktop.core.calls_csv import read_calls, write_calls_csv
from desktop.core.tracks import parse_time

FORMATS = ("json", "csv")
EXAMPLES = f"""\
examples:
  {PROG} calls --demo --from 2017-06-18T00:00:00+03:00 --to 2017-06-19T00:00:00+03:00
  {PROG} calls --demo --unit SDF-06 --format csv -o sdf06_calls.csv
  {PROG} calls --calls log.csv --from 2017-08-01T00:00:00Z

times: ISO 8601 with an offset (Z or +03:00); --from is inclusive, --to exclusive.
exit status: 0 done; 2 bad arguments or an unusable calls file."""


def time_arg(text: str | None, option: str) -> int | None:
    """An ISO 8601 command-line time as epoch seconds; a bad one fails naming the option."""
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}", 2) from None



def output_format(fmt: str | None, output: str | None, choices=FORMATS) -> str:
    """--format, else the extension of -o, else json."""
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in choices else "json"


def emit(output: str | None, write: Callable[[TextIO], None]) -> None:
    """Run `write` on stdout (as UTF-8) or on OUT, written aside, flushed to disk and
    renamed (desktop.core.atomic) so that a failure never leaves half a file."""
    if output in (None, "-"):
        stream, wrapper = sys.stdout, None
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8" and hasattr(stream, "buffer"):
            stream.flush()
            stream = wrapper = io.TextIOWrapper(stream.buffer, encoding="utf-8", newline="")
        try:
            write(stream)
        finally:
            stream.flush()
            if wrapper is not None:
                wrapper.detach()  # leave sys.stdout's buffer open
        return
    from desktop.core.atomic import SaveError, atomic_write

    def write_file(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            write(f)
    try:
        atomic_write(output, write_file)
    except SaveError as exc:
        raise CommandError(str(exc).replace("cannot save", "cannot write", 1)) from None


def add_command(subparsers) -> None:
    """The plugin hook: add the `calls` sub-command."""
    p = subparsers.add_parser(
        "calls", help="list hotline calls (CSV or JSON)",
        description="List hotline calls between the air operations centres, in start order: all "
                    "of them, those in a time window, or those linked to a unit.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help="the embedded demo's hotline log")
    src.add_argument("--calls", metavar="CSV", help="a calls CSV file (columns: see the README)")
    from desktop.cli_project import add_project_argument
    add_project_argument(src)
    p.add_argument("--from", dest="time_from", metavar="T", help="calls that start at or after T")
    p.add_argument("--to", dest="time_to", metavar="T", help="calls that start before T")
    p.add_argument("--unit", metavar="ID", help="only calls linked to unit ID")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the extension of -o, else json)")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    p.set_defaults(func=run, calls_parser=p)


def _load(args) -> CallLog:
    if args.calls:
        calls, warnings = read_calls(args.calls)
        warn_all(warnings, args.calls)
        return calls
    if args.demo:
        from desktop.core.demo import demo_history
        return demo_history()[0]
    if args.project:
        from desktop.cli_project import open_project
        return open_project(args.project).calls
    args.calls_parser.error("give --demo or --calls CSV (or --project PROJECT)")
    raise AssertionError  # not reached: error() exits


def write_calls_json(calls: CallLog, out: TextIO) -> None:
    """{"calls": [...]}, one call per line."""
    out.write('{"calls": [')
    sep = "\n  "
    for i in range(len(calls)):
        out.write(sep + json.dumps(calls.record(i), ensure_ascii=False))
        sep = ",\n  "
    out.write(("\n]" if len(calls) else "]") + "}\n")


def run(args) -> int:
    t0, t1 = time_arg(args.time_from, "--from"), time_arg(args.time_to, "--to")
    if t0 is not None and t1 is not None and t1 < t0:
        raise CommandError(f"--to {args.time_to} is before --from {args.time_from}", 2)
    fmt = output_format(args.format, args.output)
    calls = _load(args)
    picked = calls.between(t0, t1)
    if args.unit:
        picked = np.intersect1d(picked, calls.linked_to(args.unit))
    selected = calls.take(picked)
    emit(args.output, lambda out: (write_calls_csv if fmt == "csv" else write_calls_json)(selected, out))
    return 0
