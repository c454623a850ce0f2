"""Import benchmark: a CSV of 1M unit positions (id, name, side, affiliation, lat, lon), read
with progress reports and brought into the demo as one command. Skipped by default; run with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_import.py --benchmark-enable --benchmark-only

Target (issue 10.13, 2-core machine): <= 1 s from file to a classified document.
"""
from __future__ import annotations

import pytest

from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.importers.apply import import_command
from desktop.core.importers.csv_table import read_csv
from tests.benchmarks.units_csv import write_units_csv

N = 1_000_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    return write_units_csv(tmp_path_factory.mktemp("import") / "positions.csv", N)


def test_import_1m_row_csv(benchmark, big_csv):
    progress, result = [], []

    def run(doc):  # (the window's document is there before the import: made untimed)
        progress.clear()
        data = read_csv(big_csv, lambda fraction, message: progress.append(fraction))
        CommandStack(doc).push(import_command(doc, data))
        result[:] = [doc, data]

    def setup():  # (untimed: the last round's document freed, the window's document made)
        result.clear()
        return (demo_document(),), {}

    benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    doc, data = result
    assert len(data.units) == N and not data.skipped and len(doc.units) == N + 47
    assert len(progress) >= 4 and progress[-1] == 1.0
    assert doc.analysis.counts().sum() <= len(doc.units)
