"""The CSV report of a million units written to a file (`deconflict sectors -o out.csv`'s
write: desktop/core/csv_out.py), its CPU time recorded beside the wall time (the chunks
are formatted on both cores). Skipped by default; run with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_csv_out.py --benchmark-enable --benchmark-only

Target (issue 10.13): at least 40% less CPU than the 0.79 s the writer took before its
digits were looked up in tables and its rows laid out in cache-sized blocks.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from desktop.core import report
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.importers.apply import import_command
from desktop.core.importers.csv_table import read_csv
from tests.benchmarks.units_csv import write_units_csv

N = 1_000_000
WAS_CPU_S = 0.79


@pytest.fixture(scope="module")
def doc_1m(tmp_path_factory):
    doc = demo_document()
    units = write_units_csv(tmp_path_factory.mktemp("csv_out") / "units.csv", N)
    CommandStack(doc).push(import_command(doc, read_csv(units)))
    doc.analysis.classification.distance_km  # (classified before the timing)
    return doc


def test_write_the_1m_sectors_report(benchmark, doc_1m, tmp_path):
    path, cpu = tmp_path / "report.csv", []

    def write():
        start = time.process_time()
        with open(path, "w", encoding="utf-8", newline="") as f:
            report.write_csv(doc_1m, f)
        cpu.append(time.process_time() - start)

    benchmark.pedantic(write, rounds=5, iterations=1)
    with open(path, "rb") as f:
        assert sum(1 for _ in f) == len(doc_1m.units) + 1
    benchmark.extra_info.update(cpu_s=round(float(np.median(cpu)), 3), was_cpu_s=WAS_CPU_S,
                                target_cpu_s=round(WAS_CPU_S * 0.6, 2))
