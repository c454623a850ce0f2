"""The demo's 18 June replay: its altitude stack, and the conflicts and ROZ entry it is
built to show, checked against a brute-force simulation of every pair of its aircraft."""
import itertools

import numpy as np
import shapely

from desktop.core.air.conflicts import AIRCRAFT, AIRSPACE, LINE, find_conflicts
from desktop.core.air.demo import REPLAY_AT
from desktop.core.air.state import state_at
from desktop.core.demo import demo_document
from desktop.core.revision_diff import document_at
from tests.air.reference import GEOD, NM, simulate

DOC = demo_document()


def _replay():
    snap = document_at(DOC, REPLAY_AT)
    state = state_at(DOC.units, DOC.tracks, REPLAY_AT)
    return state, find_conflicts(state, DOC.airspace, snap.analysis_projection, snap.analysis.sectors)


def test_the_altitude_stack_over_jadin():
    state, _ = _replay()
    alt = dict(zip(state.ids.tolist(), state.alt_ft.tolist()))
    assert alt["AIR-05"] < alt["AIR-02"] < alt["AIR-06"] < alt["AIR-07"]  # Su-22, F/A-18E, Su-35s, F-22
    assert len(DOC.airspace) >= 4 and {a.kind for a in DOC.airspace} >= {"ROZ", "CAP/orbit", "HIDACZ", "corridor"}


def test_the_replay_shows_two_conflicts_and_a_roz_entry():
    _, found = _replay()
    kinds = found.kind.tolist()
    assert kinds.count(AIRCRAFT) >= 2 and kinds.count(LINE) >= 1
    assert (AIRSPACE, "AIR-01", "ROZ-DEZ") in found.keys()
    assert "Coalition ISR Orbit enters ROZ Deir ez-Zor in 2 min" in [found.describe(i) for i in range(len(found))]


def test_aircraft_conflicts_are_those_of_a_brute_force_simulation():
    state, found = _replay()
    ours = {k[1:] for k in found.keys() if k[0] == AIRCRAFT}
    want = set()
    for i, j in itertools.combinations(range(len(state)), 2):
        if state.sides[i] == state.sides[j] or abs(state.alt_ft[i] - state.alt_ft[j]) >= 1000:
            continue
        _, alon, alat = simulate(state.lon[i], state.lat[i], state.course_deg[i], state.speed_kt[i])
        _, blon, blat = simulate(state.lon[j], state.lat[j], state.course_deg[j], state.speed_kt[j])
        if (np.asarray(GEOD.inv(alon, alat, blon, blat)[2]) / NM).min() <= 5.0:
            want.add(tuple(sorted((str(state.ids[i]), str(state.ids[j])))))
    assert ours == want and len(want) >= 2


def test_the_roz_entry_is_that_of_a_simulation():
    state, found = _replay()
    i = int(np.flatnonzero(state.ids == "AIR-01")[0])
    t, lon, lat = simulate(state.lon[i], state.lat[i], state.course_deg[i], state.speed_kt[i])
    inside = shapely.contains_xy(shapely.Polygon(np.column_stack(DOC.airspace.get("ROZ-DEZ").outline())), lon, lat)
    rec = found.records()[found.keys().index((AIRSPACE, "AIR-01", "ROZ-DEZ"))]
    assert abs(rec["time_to_entry_s"] - t[np.argmax(inside)]) <= 5
