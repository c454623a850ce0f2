"""Project-file benchmarks: save and open a project of 10k units with 1M track points and
10k hotline calls. Skipped by default; run them with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_project.py --benchmark-enable --benchmark-only

Target (2-core machine): open and save <= 1.5 s each.
"""
from __future__ import annotations

import numpy as np
import pytest

from desktop.core.project import load_project, save_project
from tests.project.big_project import big_document


@pytest.fixture(scope="module")
def big():
    doc = big_document()
    assert len(doc.tracks) == 1_000_000 and len(doc.calls) == 10_000
    doc.analysis.classification.distance_km  # the window has it already when the user saves
    return doc


def test_save_1m_track_points(benchmark, big, tmp_path):
    path = tmp_path / "big.gpkg"
    benchmark.pedantic(save_project, args=(big, path), rounds=3, iterations=1)
    assert path.stat().st_size > 20e6


def test_open_1m_track_points(benchmark, big, tmp_path):
    path = tmp_path / "big.gpkg"
    save_project(big, path)
    doc = benchmark.pedantic(load_project, args=(path,), rounds=3, iterations=1)
    assert np.array_equal(doc.tracks.time, big.tracks.time) and len(doc.calls) == 10_000
