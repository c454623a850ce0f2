"""Air conflict benchmarks: 2,000 aircraft (1,000 a side) and 50 ACMs, beside a brute-force
all-pairs NumPy baseline in the same run. Skipped by default; run them with

    .venv/bin/python -m pytest tests/benchmarks/test_bench_air.py --benchmark-enable --benchmark-only

Target (issue 12): a full conflict update (aircraft pairs, airspace entries, line crossings;
desktop.core.air.conflicts.find_conflicts) <= 20 ms. The scene: aircraft over Syria
(35.5-42.5 E, 32.5-37.5 N), altitudes 1,000-45,000 ft, 120-550 kt, any course; 50 ACMs
(circles of 5-25 NM and hexagons, half a side, 5,000-20,000 ft thick, a third with a period
in force) over the demo AO, cut by the demo's August line. "Dense" puts the same 2,000
aircraft inside the AO's bounding box (about one every 6 km: far busier than any real sky).

The baseline does only the aircraft pairs, by brute force: the closed-form CPA of every one
of the 1,000 x 1,000 cross-side pairs in the same plane, broadcast; it must find the pairs
find_conflicts finds.

Timed in CPU time of this process (`time.process_time`): the machines are shared by up to
eight people, and wall time there measures their load (three to four times the CPU time
at a load of 6 on 2 cores); everything here runs on one thread.
"""
from __future__ import annotations

import time

import numpy as np
import pytest

from desktop.core.air.acm import ACM, CIRCLE, POLYGON, Airspace
from desktop.core.air.conflicts import AIRCRAFT, find_conflicts
from desktop.core.air.measures import NM_M
from desktop.core.air.motion import plane_motion
from desktop.core.air.state import AircraftState
from desktop.core.demo import AO_RING, LINE_AUGUST, SIDES
from desktop.core.document import Document
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations
from desktop.core.units import UnitTable

N, N_ACM, T0 = 2000, 50, 1_497_800_100  # 2017-06-18T15:35:00Z
TARGET_S = 0.020
pytestmark = pytest.mark.benchmark(timer=time.process_time)
SYRIA = ((35.5, 42.5), (32.5, 37.5))
AO_BOX = ((37.8, 41.3), (34.2, 36.4))


def _state(box, seed=0) -> AircraftState:
    rng = np.random.default_rng(seed)
    (w, e), (s, n) = box
    return AircraftState.from_columns(
        T0, ids=np.array([f"A{i:04d}" for i in range(N)], dtype=object),
        sides=np.array([SIDES[i % 2] for i in range(N)], dtype=object),
        lon=rng.uniform(w, e, N), lat=rng.uniform(s, n, N), alt_ft=rng.uniform(1000, 45000, N),
        course_deg=rng.uniform(0, 360, N), speed_kt=rng.uniform(120, 550, N))


def _airspace(seed=1) -> Airspace:
    rng = np.random.default_rng(seed)
    acms = []
    for k in range(N_ACM):
        c = (rng.uniform(38.0, 41.0), rng.uniform(34.5, 36.2))
        floor = float(rng.uniform(0, 25000))
        ceiling = floor + float(rng.uniform(5000, 20000))
        periods = ((T0 - 600, T0 + 300),) if k % 3 == 0 else ()
        if k % 2:
            acms.append(ACM(f"M{k}", f"M{k}", "ROZ", SIDES[k % 2], floor, ceiling, CIRCLE, [c],
                            radius_nm=float(rng.uniform(5, 25)), periods=periods))
        else:
            r = rng.uniform(0.1, 0.3)
            ring = [(c[0] + r * np.cos(a), c[1] + r * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 7)[:-1]]
            acms.append(ACM(f"M{k}", f"M{k}", "CAP/orbit", SIDES[k % 2], floor, ceiling, POLYGON, ring,
                            periods=periods))
    return Airspace(acms)


@pytest.fixture(scope="module")
def scene():
    doc = Document(AreaOfOperations(AO_RING), DeconflictionLine(LINE_AUGUST), UnitTable.empty(), SIDES)
    return doc.analysis_projection, doc.analysis.sectors, _airspace()


def _check(benchmark, name: str) -> None:
    median = benchmark.stats.stats.median
    benchmark.extra_info["target_s"] = TARGET_S
    # Machines are noisy (±30 %, see NOTES): fail only well beyond the target.
    assert median <= 1.5 * TARGET_S, f"{name}: median {median * 1e3:.1f} ms, target {TARGET_S * 1e3:.0f} ms"


def _run(benchmark, scene, box):
    proj, sectors, airspace = scene
    state = _state(box)
    found = find_conflicts(state, airspace, proj, sectors)  # the ACMs in the plane, built once
    found = benchmark.pedantic(find_conflicts, (state, airspace, proj, sectors), rounds=30, warmup_rounds=2)
    kinds = set(found.kind.tolist())
    assert kinds == {"aircraft", "airspace", "line"}
    return found


def test_conflict_update_2000_aircraft_50_acms(benchmark, scene):
    found = _run(benchmark, scene, SYRIA)
    benchmark.extra_info["conflicts"] = len(found)
    _check(benchmark, "conflict update")


def test_conflict_update_dense(benchmark, scene):
    """Every aircraft inside the AO's box: thousands of conflicts (reported, no target)."""
    found = _run(benchmark, scene, AO_BOX)
    benchmark.extra_info["conflicts"] = len(found)


def _all_pairs(state: AircraftState, proj, lateral_nm=5.0, vertical_ft=1000.0, horizon_s=600.0):
    """Brute force: CPA of every cross-side pair, 1,000 x 1,000 broadcast, no pruning."""
    m = plane_motion(state, proj, horizon_s)
    us, ru = np.flatnonzero(state.sides == SIDES[0]), np.flatnonzero(state.sides == SIDES[1])
    rx, ry = m.x0[ru][None, :] - m.x0[us][:, None], m.y0[ru][None, :] - m.y0[us][:, None]
    wx, wy = m.vx[ru][None, :] - m.vx[us][:, None], m.vy[ru][None, :] - m.vy[us][:, None]
    ww = wx * wx + wy * wy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip(np.where(ww > 0, -(rx * wx + ry * wy) / ww, 0.0), 0.0, horizon_s)
    d = np.hypot(rx + wx * t, ry + wy * t)
    dz = np.abs(state.alt_ft[ru][None, :] - state.alt_ft[us][:, None])
    i, j = np.nonzero((d <= lateral_nm * NM_M) & (dz < vertical_ft))
    return us[i], ru[j]


def test_all_pairs_numpy_baseline(benchmark, scene):
    proj, sectors, airspace = scene
    state = _state(SYRIA)
    a, b = benchmark.pedantic(_all_pairs, (state, proj), rounds=30, warmup_rounds=2)
    found = find_conflicts(state, airspace, proj, sectors)
    ours = {tuple(sorted(k[1:])) for k in found.keys() if k[0] == AIRCRAFT}
    brute = {tuple(sorted((str(state.ids[x]), str(state.ids[y])))) for x, y in zip(a, b)}
    # The same pairs, but for any whose plane CPA lies within metres of the limit (the geodesic decides).
    assert len(ours ^ brute) <= 2 and len(ours) > 100
