"""Track benchmarks: 10k units, 1M reports (100 per unit, irregular times over ten weeks).
Skipped by default; run them with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_tracks.py --benchmark-enable --benchmark-only

Targets (2-core machine): positions_at (step or interpolated) and staleness <= a few ms;
building the sorted Tracks from 1M unsorted reports well under a second; the whole demo
history (tracks + hotline log + revisions) <= 50 ms, as it is built at every start.
"""
from __future__ import annotations

import numpy as np
import pytest

from desktop.core import demo
from desktop.core.tracks import Tracks

N_UNITS, PER_UNIT = 10_000, 100
T0, SPAN = 1_496_275_200, 76 * 86_400


def reports(seed: int = 0):
    rng = np.random.default_rng(seed)
    n = N_UNITS * PER_UNIT
    unit = rng.integers(0, N_UNITS, n)
    time = T0 + rng.integers(0, SPAN, n)
    return unit, time, rng.uniform(38, 41, n), rng.uniform(34, 37, n)


@pytest.fixture(scope="module")
def tracks_1m() -> Tracks:
    return Tracks.from_reports(*reports(), N_UNITS)


def _moving(t: int):
    """A new time on every call: Tracks remembers the last one asked (a cache hit is not what
    a cursor move costs)."""
    state = {"t": t}

    def next_time() -> int:
        state["t"] += 1
        return state["t"]
    return next_time


@pytest.mark.parametrize("interpolate", [False, True], ids=["step", "interpolated"])
def test_positions_at_10k_units_1m_reports(benchmark, tracks_1m, interpolate):
    t = _moving(T0 + SPAN // 2)
    lon, lat = benchmark(lambda: tracks_1m.positions_at(t(), interpolate))
    assert lon.shape == (N_UNITS,) and np.isfinite(lon).all()


def test_staleness_10k_units_1m_reports(benchmark, tracks_1m):
    t = _moving(T0 + SPAN // 2)
    age = benchmark(lambda: tracks_1m.staleness(t()))
    assert np.nanmax(age) < SPAN


def test_scrub_100_steps(benchmark, tracks_1m):
    """A timeline drag: 100 successive cursor times."""
    times = np.linspace(T0, T0 + SPAN, 100).astype(np.int64).tolist()
    benchmark(lambda: [tracks_1m.positions_at(t, True) for t in times])


def test_build_sorted_tracks_from_1m_reports(benchmark):
    data = reports(1)
    tr = benchmark.pedantic(Tracks.from_reports, args=(*data, N_UNITS), rounds=3, iterations=1)
    assert len(tr) == N_UNITS * PER_UNIT


def test_demo_history_build(benchmark):
    def build():
        calls = demo.demo_calls()
        return calls, demo.demo_tracks(), demo.demo_revisions(calls)
    calls, tracks, revisions = benchmark(build)
    assert len(calls) > 800 and len(tracks) > 100_000 and len(revisions) == 3
