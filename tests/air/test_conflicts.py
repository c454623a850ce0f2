"""Aircraft–airspace and aircraft–line conflicts against a geodesic simulation at 1 s steps,
and the rule's edge cases; the records and keys the CLI and the alert engine use."""
import numpy as np
import pytest
import shapely

from desktop.core.air.acm import ACM, CIRCLE, POLYGON, Airspace
from desktop.core.air.conflicts import AIRSPACE, LINE, ConflictParams, find_conflicts
from desktop.core.demo import demo_document
from desktop.core.tracks import format_time
from tests.air.reference import GEOD, NM, simulate, state_of

US, RU = "US-backed", "Russian-backed"
T = 1_497_787_200  # 2017-06-18T12:00:00Z
DOC = demo_document()
PROJ = DOC.analysis_projection
SECTORS = DOC.analysis.sectors
ROZ_RING = [(40.0, 35.25), (40.3, 35.25), (40.3, 35.45), (40.0, 35.45)]


def _roz(**kw):
    args = dict(id="ROZ-1", name="Deir ez-Zor", kind="ROZ", side=RU, floor_ft=10000, ceiling_ft=25000, shape=POLYGON,
                points=ROZ_RING, periods=((T - 3600, T + 6 * 3600),))
    return ACM(**{**args, **kw})


def _found(rows, airspace=(), sectors=None, **params):
    found = find_conflicts(state_of(T, rows), Airspace(airspace), PROJ, sectors, ConflictParams(**params))
    return {found.key(i): found.record(i) for i in range(len(found))}


def _flyer(lon, lat, course, speed=420, alt=15000, side=US, id="ISR1"):
    return dict(id=id, side=side, lon=lon, lat=lat, alt_ft=alt, course_deg=course, speed_kt=speed)


def _first_inside(flyer, lon_ring, lat_ring):
    t, lon, lat = simulate(flyer["lon"], flyer["lat"], flyer["course_deg"], flyer["speed_kt"])
    inside = shapely.contains_xy(shapely.Polygon(np.column_stack([lon_ring, lat_ring])), lon, lat)
    return float(t[np.argmax(inside)]) if inside.any() else None


@pytest.mark.parametrize("acm", [_roz(), _roz(shape=CIRCLE, points=[(40.15, 35.35)], radius_nm=8)])
def test_entry_time_matches_a_geodesic_simulation(acm):
    rng = np.random.default_rng(7)
    for k in range(25):
        lon, lat, _ = GEOD.fwd(40.15, 35.35, rng.uniform(0, 360), rng.uniform(25, 60) * NM)
        course = (GEOD.inv(lon, lat, 40.15, 35.35)[0] + rng.uniform(-25, 25)) % 360
        flyer = _flyer(lon, lat, course, speed=rng.uniform(300, 550))
        want = _first_inside(flyer, *acm.outline())
        got = _found([flyer], [acm]).get((AIRSPACE, "ISR1", "ROZ-1"))
        if want is None:
            assert got is None, (k, flyer)
        else:
            assert abs(got["time_to_entry_s"] - want) <= 5, (k, got, want)
            # Where: on the motion model (the record's time is rounded to the second).
            miss = GEOD.inv(got["lon"], got["lat"], *_at(flyer, got["time_to_entry_s"]))[2]
            assert miss < flyer["speed_kt"] * NM / 3600 * 0.5 + 1


def _at(flyer, t):
    _, lon, lat = simulate(flyer["lon"], flyer["lat"], flyer["course_deg"], flyer["speed_kt"], horizon_s=t)
    return lon[-1], lat[-1]


def test_already_inside_is_an_entry_now():
    got = _found([_flyer(40.15, 35.35, 0, speed=0)], [_roz()])
    assert got[(AIRSPACE, "ISR1", "ROZ-1")]["time_to_entry_s"] == 0


def test_altitude_band_edges_are_in_the_block():
    inside = dict(lon=40.15, lat=35.35, course=0, speed=0)
    for alt, conflict in ((10000, True), (25000, True), (9999, False), (25001, False), (np.nan, True)):
        assert bool(_found([_flyer(**inside, alt=alt)], [_roz()])) == conflict, alt


def test_a_period_that_starts_inside_the_horizon():
    """Inside an ACM that becomes active in 4 min: the entry is then, not now."""
    roz = _roz(periods=((T + 240, T + 3600),))
    got = _found([_flyer(40.15, 35.35, 0, speed=0)], [roz])
    assert got[(AIRSPACE, "ISR1", "ROZ-1")]["time_to_entry_s"] == 240
    assert got[(AIRSPACE, "ISR1", "ROZ-1")]["time"] == format_time(T + 240)
    # Leaving before it becomes active: no conflict. Active only after the horizon: none.
    lon, lat, _ = GEOD.fwd(40.29, 35.35, 270, 1)
    assert not _found([_flyer(lon, lat, 90, speed=400)], [roz])
    assert not _found([_flyer(40.15, 35.35, 0, speed=0)], [_roz(periods=((T + 700, T + 3600),))])
    assert not _found([_flyer(40.15, 35.35, 0, speed=0)], [_roz(periods=((T - 3600, T),))])  # over


def test_own_sides_airspace_and_no_side_are_not_conflicts():
    assert not _found([_flyer(40.15, 35.35, 0, speed=0, side=RU)], [_roz()])
    assert not _found([_flyer(40.15, 35.35, 0, speed=0, side="")], [_roz()])


def _sector_at(lon, lat):
    proj = PROJ
    x, y = proj.forward(lon, lat)
    for s in SECTORS.sectors:
        hit = shapely.contains_xy(s.polygon, x, y)
        if hit.any():
            yield s, hit


def _first_foreign(flyer):
    t, lon, lat = simulate(flyer["lon"], flyer["lat"], flyer["course_deg"], flyer["speed_kt"])
    x, y = PROJ.forward(lon, lat)
    foreign = np.zeros(len(t), dtype=bool)
    for s in SECTORS.sectors:
        if s.owner != flyer["side"]:
            foreign |= shapely.contains_xy(s.polygon, x, y)
    return float(t[np.argmax(foreign)]) if foreign.any() else None


def test_line_crossing_time_matches_a_geodesic_simulation():
    """US-backed aircraft north of the line flying south: the time they reach the line."""
    rng = np.random.default_rng(11)
    checked = 0
    for k in range(30):
        flyer = _flyer(rng.uniform(38.4, 39.9), rng.uniform(35.9, 36.2), rng.uniform(140, 220),
                       speed=rng.uniform(250, 550), id=f"F{k}")
        want = _first_foreign(flyer)
        got = _found([flyer], sectors=SECTORS).get((LINE, f"F{k}", SECTORS.sectors[1].id))
        if want is None:
            assert got is None
            continue
        checked += 1
        assert got["sector"] == SECTORS.sectors[1].id and abs(got["time_to_line_s"] - want) <= 5, (k, got, want)
    assert checked > 10


def test_line_edge_cases():
    south = [s for s in SECTORS.sectors if s.owner == RU][0]
    # Already across: a conflict now. Flying away from the line: none. No side: none.
    got = _found([_flyer(38.8, 35.5, 180, id="A")], sectors=SECTORS)
    assert got[(LINE, "A", south.id)]["time_to_line_s"] == 0
    assert not _found([_flyer(38.8, 36.1, 0)], sectors=SECTORS)
    assert not _found([_flyer(38.8, 36.0, 180, side="")], sectors=SECTORS)
    assert not _found([_flyer(38.8, 36.0, 180, side="Neutral")], sectors=SECTORS)


def test_records_sorted_soonest_first_with_the_documented_keys():
    rows = [_flyer(40.15, 35.35, 0, speed=0, id="IN"),
            _flyer(38.8, 35.5, 180, id="ACROSS"),
            dict(id="SU24", side=RU, lon=38.8, lat=35.5, alt_ft=15500, course_deg=0, speed_kt=0)]
    found = find_conflicts(state_of(T, rows), Airspace([_roz(periods=((T + 60, T + 3600),))]), PROJ, SECTORS)
    recs = found.records()
    assert [r["kind"] for r in recs] == ["aircraft", "line", "airspace"]
    assert set(recs[0]) >= {"kind", "a", "b", "time_to_cpa_s", "cpa_nm", "vertical_ft"}
    assert set(recs[1]) >= {"kind", "a", "time_to_line_s", "sector"} and "b" not in recs[1]
    assert set(recs[2]) >= {"kind", "a", "b", "time_to_entry_s"} and recs[2]["time_to_entry_s"] == 60
    assert found.keys() == [("aircraft", "ACROSS", "SU24"), ("line", "ACROSS", SECTORS.sectors[1].id),
                            ("airspace", "IN", "ROZ-1")]
    assert found.describe(0) == "ACROSS and SU24: 0.0 NM at 500 ft now"
    assert found.describe(1) == "ACROSS is across the line"
    assert found.describe(2) == "IN enters ROZ Deir ez-Zor in 1 min"
