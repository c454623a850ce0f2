"""Writes one benchmark run into tests/benchmarks/README.md, so every figure quoted there
comes from the same run (`make bench` then `make bench-report`).

    python -m tests.benchmarks.report RUN.json [README.md]

The table goes between the README's `<!-- results -->` and `<!-- /results -->` markers,
one row per benchmark: median, minimum and rounds of pytest-benchmark's statistics, and
what the benchmark recorded beside them (`extra_info`: targets, reference figures, peak
memory). The run's date, commit, machine and load average head it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

START, END = "<!-- results -->", "<!-- /results -->"
README = Path(__file__).with_name("README.md")


def duration(seconds: float) -> str:
    """3 significant figures in the unit that reads best: 0.0123 -> '12.3 ms'."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return f"{seconds / scale:.3g} {unit}"
    raise AssertionError("unreachable")


def extra(info: dict) -> str:
    parts = []
    for key, value in info.items():
        if isinstance(value, float):
            value = f"{value:.3g}"
        elif isinstance(value, (dict, list)):
            continue   # nested detail stays in the JSON
        parts.append(f"{key} {value}")
    return ", ".join(parts).replace("|", "/")


def table(run: dict) -> str:
    info = run.get("machine_info", {})
    when = run.get("datetime", "?")[:16].replace("T", " ")
    load = info.get("load_average")
    commit = run.get("commit_info", {}).get("id", "")[:7]
    head = (f"Run of {when} UTC" + (f" at commit {commit}" if commit else "") + f", Python {info.get('python_version', '?')}, "
            f"{info.get('cpu', {}).get('count', '?')} cores"
            + (f", load average {load}" if load else "") + ".\n\n")
    rows = ["| benchmark | median | min | rounds | recorded beside it |", "|---|---|---|---|---|"]
    for bench in sorted(run["benchmarks"], key=lambda b: b["fullname"]):
        stats = bench["stats"]
        name = bench["fullname"].split("tests/benchmarks/", 1)[-1].replace(".py::", " · ")
        rows.append(f"| {name} | {duration(stats['median'])} | {duration(stats['min'])} | "
                    f"{stats['rounds']} | {extra(bench.get('extra_info', {}))} |")
    return head + "\n".join(rows) + "\n"


def write(run_json: Path, readme: Path = README) -> None:
    run = json.loads(run_json.read_text())
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: no {START} … {END} markers to write between")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    readme.write_text(f"{before}{START}\n{table(run)}{END}{after}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    write(Path(sys.argv[1]), *(Path(a) for a in sys.argv[2:]))
