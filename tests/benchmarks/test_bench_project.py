"""Project-file benchmarks: save and open a project of 10k units with 1M track points and
10k hotline calls, and one of a million units (a 1M-row CSV imported into the demo: each
unit with one present report). Skipped by default; run them with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_project.py --benchmark-enable --benchmark-only

Targets (2-core machine): open and save <= 1.5 s each; a million units <= 2 s each (issue 10.13).
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


@pytest.fixture(scope="module")
def million_units():
    """The demo with a 1M-row units CSV imported (each unit a present report)."""
    from desktop.core.commands import CommandStack
    from desktop.core.demo import demo_document
    from desktop.core.importers.apply import import_command
    from desktop.core.importers.model import ImportedData
    from desktop.core.units import UnitTable
    n = 1_000_000
    rng = np.random.default_rng(0)
    doc = demo_document()
    ring = doc.ao.ring
    ids = np.array([f"U{i}" for i in range(n)])
    units = UnitTable(ids, ids, np.array(doc.sides)[rng.integers(0, 2, n)], None, None,
                      rng.uniform(ring[:, 0].min(), ring[:, 0].max(), n),
                      rng.uniform(ring[:, 1].min(), ring[:, 1].max(), n))
    CommandStack(doc).push(import_command(doc, ImportedData("units.csv", units=units), reported_at=1_500_000_000))
    return doc


def test_save_1m_units(benchmark, million_units, tmp_path):
    """Target (issue 10.13): <= 2 s."""
    path = tmp_path / "units.gpkg"
    benchmark.pedantic(save_project, args=(million_units, path), rounds=1, iterations=1)
    assert path.stat().st_size > 20e6


def test_open_1m_units(benchmark, million_units, tmp_path):
    """Target (issue 10.13): <= 2 s."""
    path = tmp_path / "units.gpkg"
    save_project(million_units, path)
    doc = benchmark.pedantic(load_project, args=(path,), rounds=1, iterations=1)
    assert len(doc.units) == len(million_units.units)
