"""Aircraft–aircraft conflicts against a brute-force geodesic simulation (pyproj.Geod at
1 s steps), and the edge cases of the rule."""
import numpy as np
import pytest

from desktop.core.air.acm import Airspace
from desktop.core.air.conflicts import AIRCRAFT, ConflictParams, find_conflicts
from desktop.core.air.cpa import _in_band
from desktop.core.air.motion import plane_motion
from desktop.core.geodesy import Projection
from tests.air.reference import CENTRE, GEOD, NM, encounter, simulate, simulated_cpa, state_of

PROJ = Projection.analysis_for(*CENTRE)
US, RU = "US-backed", "Russian-backed"


def _pairs(state, **params):
    found = find_conflicts(state, Airspace(), PROJ, params=ConflictParams(**params))
    return {found.key(i): found.record(i) for i in range(len(found)) if found.kind[i] == AIRCRAFT}


def test_cpa_matches_a_geodesic_simulation():
    """Random encounters within 400 km of the AO's centre, 150-600 kt, CPA anywhere in the
    10 min horizon: time within 5 s, distance within 0.1 NM of the 1 s simulation."""
    rng = np.random.default_rng(12)
    rows, want = [], {}
    for k in range(60):
        a, b = encounter(rng, miss_nm=rng.uniform(0, 4.5), at_s=rng.uniform(20, 580))
        alt = 2000.0 * k  # one pair per band: no pair meets another
        for tag, (lon, lat, course, speed), side in (("a", a, US), ("b", b, RU)):
            rows.append(dict(id=f"{k:02d}{tag}", side=side, lon=lon, lat=lat, alt_ft=alt, course_deg=course,
                             speed_kt=speed))
        want[f"{k:02d}"] = simulated_cpa(a, b) + (a, b)
    got = _pairs(state_of(0, rows))
    assert len(got) == len(want)
    for k, (t_ref, d_ref, a, b) in want.items():
        rec = got[("aircraft", f"{k}a", f"{k}b")]
        assert rec["cpa_nm"] == pytest.approx(d_ref, abs=0.1)
        # The time of a CPA is defined when the two close at some speed; all of these do.
        assert abs(rec["time_to_cpa_s"] - t_ref) <= 5, (k, rec, t_ref)


def test_reported_position_is_the_motion_model():
    rng = np.random.default_rng(3)
    a, b = encounter(rng, miss_nm=1.0, at_s=240)
    got = _pairs(state_of(0, [dict(id="A", side=US, lon=a[0], lat=a[1], alt_ft=9000, course_deg=a[2], speed_kt=a[3]),
                              dict(id="B", side=RU, lon=b[0], lat=b[1], alt_ft=9500, course_deg=b[2], speed_kt=b[3])]))
    rec = got[("aircraft", "A", "B")]
    t, lon, lat = simulate(*a)
    k = rec["time_to_cpa_s"]
    assert GEOD.inv(lon[k], lat[k], rec["lon"], rec["lat"])[2] < 0.1 * NM
    assert rec["vertical_ft"] == 500


def _head_on(gap_nm, alt_a=20000, alt_b=20000, side_b=RU, speed=300):
    """A flying east, B flying west toward it on the same parallel, gap_nm apart now."""
    lon_b, lat_b, back = GEOD.fwd(CENTRE[0], CENTRE[1], 90, gap_nm * NM)
    return state_of(0, [dict(id="A", side=US, lon=CENTRE[0], lat=CENTRE[1], alt_ft=alt_a, course_deg=90, speed_kt=speed),
                        dict(id="B", side=side_b, lon=lon_b, lat=lat_b, alt_ft=alt_b, course_deg=back % 360,
                             speed_kt=speed)])


def test_altitude_band_edges():
    """Less than V ft apart conflicts; exactly V ft apart does not."""
    assert ("aircraft", "A", "B") in _pairs(_head_on(20, 20000, 20999))
    assert not _pairs(_head_on(20, 20000, 21000))
    assert ("aircraft", "A", "B") in _pairs(_head_on(20, 20000, 21000), vertical_ft=1500)


def test_unknown_altitude_is_in_every_band():
    got = _pairs(_head_on(20, 20000, np.nan))
    assert got[("aircraft", "A", "B")]["vertical_ft"] is None


def test_same_side_is_not_a_conflict():
    assert not _pairs(_head_on(20, side_b=US))
    assert not _pairs(_head_on(20, side_b=""))  # no side: not a party


def test_diverging_aircraft():
    """Flying apart: no conflict once beyond L; within L now, a conflict now (t = 0)."""
    lon_b, lat_b, _ = GEOD.fwd(CENTRE[0], CENTRE[1], 90, 8 * NM)
    rows = [dict(id="A", side=US, lon=CENTRE[0], lat=CENTRE[1], alt_ft=20000, course_deg=270, speed_kt=300),
            dict(id="B", side=RU, lon=lon_b, lat=lat_b, alt_ft=20000, course_deg=90, speed_kt=300)]
    assert not _pairs(state_of(0, rows))
    near = [dict(r) for r in rows]
    near[1]["lon"], near[1]["lat"], _ = GEOD.fwd(CENTRE[0], CENTRE[1], 90, 3 * NM)
    rec = _pairs(state_of(0, near))[("aircraft", "A", "B")]
    assert rec["time_to_cpa_s"] == 0 and rec["cpa_nm"] == pytest.approx(3.0, abs=0.01)


def test_cpa_beyond_the_horizon():
    """Head-on 120 NM apart at 300 kt each: they meet at 12 min, after a 10 min horizon."""
    assert not _pairs(_head_on(120))
    state = _head_on(120)
    rec = _pairs(state, horizon_s=900)[("aircraft", "A", "B")]
    a, b = ((state.lon[k], state.lat[k], state.course_deg[k], state.speed_kt[k]) for k in (0, 1))
    t_ref, d_ref = simulated_cpa(a, b, horizon_s=900)
    assert abs(rec["time_to_cpa_s"] - t_ref) <= 5 and rec["cpa_nm"] == pytest.approx(d_ref, abs=0.1)


def test_candidates_are_every_cross_side_pair_in_band_whose_paths_overlap():
    """The sweep finds exactly the pairs a full comparison finds: different sides, less than
    V apart, x-extents of their paths (widened by half the reach each) overlapping."""
    rng = np.random.default_rng(5)
    n = 400
    rows = [dict(id=f"U{i}", side=[US, RU, ""][i % 3], lon=CENTRE[0] + rng.uniform(-3, 3),
                 lat=CENTRE[1] + rng.uniform(-2, 2), alt_ft=float(rng.choice([np.nan, *range(5000, 12000, 250)])),
                 course_deg=rng.uniform(0, 360), speed_kt=rng.uniform(0, 500)) for i in range(n)]
    state = state_of(0, rows)
    motion = plane_motion(state, PROJ, 600)
    reach = 9000.0
    order, i, j = _in_band(state, motion, 1000.0, reach)
    a, b = order[i], order[j]
    got = set(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))
    lo = np.minimum(motion.x0, motion.x1) - reach / 2
    hi = np.maximum(motion.x0, motion.x1) + reach / 2
    alt, sides = state.alt_ft, state.sides
    want = {(p, q) for p in range(n) for q in range(p + 1, n)
            if sides[p] and sides[q] and sides[p] != sides[q] and abs(alt[p] - alt[q]) < 1000
            and lo[p] <= hi[q] and lo[q] <= hi[p]}
    assert got == want and len(a) == len(got) and len(want) > 50
