"""Aircraft state at T: from a table's columns (CSV), and from tracks, where course and speed
come from successive reports when the reports do not carry them."""
import numpy as np
import pytest

from desktop.core.air.state import state_at, state_from_units
from desktop.core.tracks import Tracks, parse_time
from desktop.core.units import UnitTable
from tests.air.reference import GEOD, KT
from tests.file_arguments import read_units

T0 = parse_time("2017-06-18T14:00:00Z")


def _units(n_air=2):
    rows = [dict(id="G1", name="ground", side="US-backed", domain="ground", lon=39.0, lat=35.5)]
    rows += [dict(id=f"A{k}", name=f"Air {k}", side="US-backed", domain="air", lon=39.0 + k, lat=35.0,
                  alt_ft=1000.0 * k) for k in range(1, n_air + 1)]
    return UnitTable.from_records(rows)


def test_state_from_a_csv_with_the_issue_columns(tmp_path):
    p = tmp_path / "air.csv"
    p.write_text("id,name,side,domain,lat,lon,alt_ft,course_deg,speed_kt\n"
                 "CAS2,Coalition CAS 2,US-backed,air,35.5,39.0,FL200,90,400\n"
                 "SU24,RU Su-24 Patrol,Russian-backed,air,35.5,39.3,20500,270,420\n"
                 "SDF,SDF Bn,US-backed,ground,35.6,39.1,,,\n")
    units, warnings = read_units(p)
    assert not warnings
    state = state_from_units(units, T0)
    assert state.ids.tolist() == ["CAS2", "SU24"] and state.t == T0
    assert state.alt_ft.tolist() == [20000.0, 20500.0]
    assert state.course_deg.tolist() == [90.0, 270.0] and state.speed_kt.tolist() == [400.0, 420.0]


def test_bad_aircraft_cells_name_the_file_and_row(tmp_path):
    p = tmp_path / "air.csv"
    p.write_text("id,side,domain,lat,lon,alt_ft,course_deg,speed_kt\n"
                 "A,US-backed,air,35.5,39.0,FL200,90,-5\n"
                 "B,US-backed,air,35.5,39.0,high,90,300\n"
                 "C,US-backed,air,35.5,39.0,9000,400,300\n"
                 "D,US-backed,air,35.5,39.0,,,\n")
    units, warnings = read_units(p)
    assert units.ids.tolist() == ["D"] and np.isnan(units.alt_ft[0])
    assert warnings[0] == f"{p}:2: speed_kt -5 is negative (row skipped)"
    assert warnings[1].startswith(f"{p}:3: alt_ft: 'high' is not an altitude")
    assert warnings[2] == f"{p}:4: course_deg 400 is outside 0..360 degrees (row skipped)"


def test_a_table_without_the_columns_costs_no_memory():
    u = UnitTable.from_records([dict(id="A", lon=1.0, lat=2.0)] * 3)
    bare = UnitTable(u.ids, u.names, u.sides, u.affiliations, u.domains, u.lon, u.lat)
    assert np.isnan(bare.speed_kt).all() and bare.speed_kt.strides == (0,)


def test_course_and_speed_from_successive_reports():
    """Reports without course or speed: between two reports the course is the geodesic's
    azimuth where the aircraft is, toward the next report; the speed distance / time."""
    units = _units(1)
    lon1, lat1, _ = GEOD.fwd(39.0, 35.0, 60.0, 300 * KT * 300)  # 300 kt on 060 for 5 min
    tracks = Tracks.from_reports([1, 1], [T0, T0 + 300], [39.0, lon1], [35.0, lat1], 2,
                                 alt_ft=[15000.0, 16000.0])
    mid = state_at(units, tracks, T0 + 150)
    assert mid.ids.tolist() == ["A1"]
    assert mid.speed_kt[0] == pytest.approx(300.0, rel=1e-9)
    az, _, _ = GEOD.inv(mid.lon[0], mid.lat[0], lon1, lat1)
    assert mid.course_deg[0] == pytest.approx(az % 360, abs=1e-9)
    assert mid.alt_ft[0] == pytest.approx(15500.0)  # interpolated
    first = state_at(units, tracks, T0)
    assert first.course_deg[0] == pytest.approx(60.0, abs=1e-6)
    # After the last report: held there, going the way it went into it.
    late = state_at(units, tracks, T0 + 900)
    _, back, _ = GEOD.inv(39.0, 35.0, lon1, lat1)
    assert (late.lon[0], late.lat[0]) == (lon1, lat1)
    assert late.course_deg[0] == pytest.approx((back + 180) % 360) and late.alt_ft[0] == 16000.0


def test_reported_course_and_speed_win_and_nowhere_before_the_first_report():
    units = _units(2)
    tracks = Tracks.from_reports([1, 1, 2], [T0, T0 + 60, T0 + 600], [39.0, 39.1, 41.0], [35.0, 35.0, 35.0], 3,
                                 course_deg=[350.0, 10.0, np.nan], speed_kt=[250.0, 270.0, np.nan])
    s = state_at(units, tracks, T0 + 30)
    assert s.ids.tolist() == ["A1"]  # A2's first report is after T: nowhere
    assert s.course_deg[0] == pytest.approx(0.0) and s.speed_kt[0] == pytest.approx(260.0)
    assert s.alt_ft[0] == 1000.0  # no altitude reported: the table's


def test_a_single_report_gives_the_tables_motion():
    units = UnitTable.from_records([dict(id="A", domain="air", side="X", lon=39.0, lat=35.0, course_deg=45.0,
                                         speed_kt=200.0)])
    s = state_at(units, Tracks.from_reports([0], [T0], [39.2], [35.1], 1), T0 + 10)
    assert (s.lon[0], s.course_deg[0], s.speed_kt[0]) == (39.2, 45.0, 200.0)
