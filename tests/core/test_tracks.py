"""Tracks: position at a time (exact boundaries, interpolation, staleness), time parsing, demo tracks."""
from datetime import datetime, timezone

import numpy as np
import pytest

from desktop.core import demo
from desktop.core.tracks import (Tracks, as_epoch, as_epoch_array, format_time, format_times, parse_time,
                                 units_at)
from desktop.core.units import UnitTable
from tests.core.test_sectors import GEOD

NAN = np.nan


@pytest.fixture
def tracks():
    # unit 0: three reports; unit 1: none; unit 2: one report. Given out of order on purpose.
    return Tracks.from_reports(unit=[0, 2, 0, 0], time=[300, 150, 100, 200],
                               lon=[1.0, 10.0, 0.0, 1.0], lat=[1.0, 10.0, 0.0, 0.0], n_units=3)


def at(tracks, t, interpolate=False):
    lon, lat = tracks.positions_at(t, interpolate)
    return np.column_stack([lon, lat])


def test_sorted_by_unit_then_time_with_offsets(tracks):
    assert tracks.unit.tolist() == [0, 0, 0, 2]
    assert tracks.time.tolist() == [100, 200, 300, 150]
    assert tracks.offsets.tolist() == [0, 3, 3, 4]
    assert tracks.report_counts().tolist() == [3, 0, 1]
    assert tracks.extent == (100, 300)
    t, lon, lat = tracks.track(0)
    assert t.tolist() == [100, 200, 300] and lon.tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match="sorted"):
        Tracks(np.array([0, 0]), np.array([200, 100]), np.zeros(2), np.zeros(2), 1)
    with pytest.raises(ValueError, match="unit indices"):
        Tracks.from_reports([0, 5], [1, 2], [0, 0], [0, 0], n_units=2)


def test_before_the_first_report_there_is_no_position(tracks):
    np.testing.assert_array_equal(at(tracks, 99), [[NAN, NAN]] * 3)
    np.testing.assert_array_equal(at(tracks, 99, True), [[NAN, NAN]] * 3)
    assert tracks.last_report(99).tolist() == [-1, -1, -1]


def test_a_report_at_t_itself_counts(tracks):
    np.testing.assert_array_equal(at(tracks, 100), [[0, 0], [NAN, NAN], [NAN, NAN]])
    np.testing.assert_array_equal(at(tracks, 150), [[0, 0], [NAN, NAN], [10, 10]])
    np.testing.assert_array_equal(at(tracks, 200), [[1, 0], [NAN, NAN], [10, 10]])
    np.testing.assert_array_equal(at(tracks, 200, True), [[1, 0], [NAN, NAN], [10, 10]])
    np.testing.assert_array_equal(at(tracks, 199), [[0, 0], [NAN, NAN], [10, 10]])


def test_after_the_last_report_the_unit_stays_there(tracks):
    for t in (300, 301, 10 ** 9):
        np.testing.assert_array_equal(at(tracks, t), [[1, 1], [NAN, NAN], [10, 10]])
        np.testing.assert_array_equal(at(tracks, t, True), [[1, 1], [NAN, NAN], [10, 10]])


def test_interpolation_midpoints(tracks):
    np.testing.assert_allclose(at(tracks, 150, True)[0], [0.5, 0.0])
    np.testing.assert_allclose(at(tracks, 250, True)[0], [1.0, 0.5])
    np.testing.assert_allclose(at(tracks, 275, True)[0], [1.0, 0.75])
    np.testing.assert_array_equal(at(tracks, 150, False)[0], [0.0, 0.0])  # step, not interpolated


def test_interpolation_goes_the_short_way_across_the_antimeridian():
    tr = Tracks.from_reports([0, 0], [0, 100], [179.0, -179.0], [0.0, 0.0])
    lon, _ = tr.positions_at(50, interpolate=True)
    assert abs(abs(lon[0]) - 180.0) < 1e-9
    lon, _ = tr.positions_at(75, interpolate=True)
    assert lon[0] == pytest.approx(-179.5)


def test_two_reports_at_the_same_time_the_later_listed_wins():
    tr = Tracks.from_reports([0, 0, 0], [10, 10, 20], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    assert tr.positions_at(10)[0][0] == 2.0
    assert tr.positions_at(15, True)[0][0] == pytest.approx(2.5)


def test_staleness(tracks):
    np.testing.assert_array_equal(tracks.staleness(150), [50, NAN, 0])
    np.testing.assert_array_equal(tracks.staleness(99), [NAN, NAN, NAN])
    np.testing.assert_array_equal(tracks.staleness(400), [100, NAN, 250])


def test_empty_tracks():
    tr = Tracks.empty(4)
    assert len(tr) == 0 and tr.extent is None
    lon, lat = tr.positions_at(0, interpolate=True)
    assert lon.shape == (4,) and np.isnan(lon).all() and np.isnan(lat).all()
    assert np.isnan(tr.staleness(5)).all()


def test_times_as_datetime64_and_text():
    t = np.array(["2017-06-18T00:00:00", "2017-06-18T01:00:00"], dtype="datetime64[s]")
    tr = Tracks.from_reports([0, 0], t, [0.0, 2.0], [0.0, 0.0])
    assert tr.time.tolist() == [1497744000, 1497747600]
    assert tr.positions_at("2017-06-18T03:30:00+03:00", interpolate=True)[0][0] == pytest.approx(1.0)
    assert tr.positions_at(np.datetime64("2017-06-18T00:30"), interpolate=True)[0][0] == pytest.approx(1.0)
    aware = datetime(2017, 6, 18, 0, 30, tzinfo=timezone.utc)
    assert tr.positions_at(aware, interpolate=True)[0][0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="time zone"):
        as_epoch(datetime(2017, 6, 18))
    with pytest.raises(TypeError):
        as_epoch_array([1.5])


def brute_force(unit, time, lon, lat, n_units, t, interpolate):
    """Per unit, in a Python loop: the reference for the vectorised answer."""
    out = np.full((n_units, 2), np.nan)
    for u in range(n_units):
        m = unit == u
        ts, xs, ys = time[m], lon[m], lat[m]
        order = np.argsort(ts, kind="stable")
        ts, xs, ys = ts[order], xs[order], ys[order]
        k = np.searchsorted(ts, t, side="right") - 1
        if k < 0:
            continue
        out[u] = xs[k], ys[k]
        if interpolate and k + 1 < len(ts) and ts[k] < t:
            f = (t - ts[k]) / (ts[k + 1] - ts[k])
            out[u] = xs[k] + f * (xs[k + 1] - xs[k]), ys[k] + f * (ys[k + 1] - ys[k])
    return out


def test_vectorised_answers_equal_a_loop_over_units():
    rng = np.random.default_rng(5)
    n_units, n = 300, 6000
    unit = rng.integers(0, n_units, n)
    time = rng.integers(0, 100_000, n)
    lon, lat = rng.uniform(38, 41, n), rng.uniform(34, 37, n)
    tr = Tracks.from_reports(unit, time, lon, lat, n_units)
    probes = np.concatenate([[-5, 0, 100_000, 200_000], rng.choice(time, 10), rng.integers(0, 100_000, 10)])
    for t in probes.tolist():
        for interpolate in (False, True):
            want = brute_force(unit, time, lon, lat, n_units, t, interpolate)
            np.testing.assert_allclose(at(tr, t, interpolate), want, rtol=0, atol=1e-12)


def test_units_at_moves_tracked_units_and_places_no_unit_without_a_report(tracks):
    """A unit has a position at t only if it has a report at or before t (issue 10.1: a unit
    with no history used to keep its present position in the past)."""
    units = UnitTable.from_records([dict(id=f"U{i}", lon=5.0 + i, lat=6.0) for i in range(3)])
    moved = units_at(units, tracks, 150)
    assert moved.ids.tolist() == ["U0", "U1", "U2"]
    np.testing.assert_array_equal(moved.lon[[0, 2]], [0.0, 10.0])
    assert np.isnan(moved.lon[1]) and np.isnan(moved.lat[1])   # U1 has no report at all: nowhere
    early = units_at(units, tracks, 120)
    assert np.isnan(early.lon[1]) and np.isnan(early.lon[2])   # U2 reports only from 150
    with pytest.raises(ValueError, match="tracks are for 3 units"):
        units_at(UnitTable.empty(), tracks, 0)


def test_parse_and_format_times():
    assert parse_time("2017-06-18T14:00:00Z") == 1497794400
    assert parse_time("2017-06-18T17:00:00+03:00") == 1497794400
    assert parse_time("2017-06-18 17:00:00+0300") == 1497794400
    assert parse_time("2017-06-18T14:00:00.9Z") == 1497794400
    for bad, why in (("2017-06-18T14:00:00", "no UTC offset"), ("2017-06-18", "no UTC offset"),
                     ("18/06/2017", "not an ISO 8601 time"), ("", "not an ISO 8601 time")):
        with pytest.raises(ValueError, match=why):
            parse_time(bad)
    assert format_time(1497794400) == "2017-06-18T14:00:00Z"
    assert format_time(1497794400, 3 * 3600) == "2017-06-18T17:00:00+03:00"
    assert format_times(np.array([1497794400, 0])).tolist() == ["2017-06-18T14:00:00Z", "1970-01-01T00:00:00Z"]


# -- the demo -------------------------------------------------------------------------------
def test_demo_positions_at_the_latest_time_are_the_demo_units():
    calls, tracks, _ = demo.demo_history()
    units = demo.demo_units()
    assert tracks.n_units == len(units) == 47
    assert tracks.extent == (demo.HISTORY_START, demo.DEMO_NOW)
    lon, lat = tracks.positions_at(demo.DEMO_NOW)
    np.testing.assert_array_equal(lon, units.lon)
    np.testing.assert_array_equal(lat, units.lat)
    assert (tracks.report_counts() > 0).all()
    incident = np.isin(units.ids, ["AIR-05", "AIR-06", "AIR-07"])  # in the air on 18 June only
    assert tracks.last_report(demo.HISTORY_START)[~incident].min() >= 0  # the others report from the start
    assert (tracks.last_report(demo.INCIDENT_DAY)[incident] < 0).all()


def test_demo_tracks_are_plausible():
    _, tracks, _ = demo.demo_history()
    units = demo.demo_units()
    air = units.domains == "air"
    for u in np.flatnonzero(~air):
        t, lon, lat = tracks.track(u)
        gaps = np.diff(t)
        assert gaps.min() > 0 and 2 * 3600 <= np.median(gaps) <= 4 * 3600  # every few hours
        _, _, step = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        assert step.max() < 25_000  # no jumps: under 25 km in a few hours
    for u in np.flatnonzero(air):
        t, lon, lat = tracks.track(u)
        _, _, step = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        assert (step / np.diff(t)).max() < 600 * 1852 / 3600  # never faster than 600 kt
        summer = (t < demo.INCIDENT_DAY) | (t > demo.INCIDENT_DAY + 86_400)  # the 18 June incident aside
        if not summer.any():
            continue
        lon, lat = lon[summer], lat[summer]
        centre = lon.mean(), lat.mean()
        _, _, r = GEOD.inv(np.full(len(lon), centre[0]), np.full(len(lon), centre[1]), lon, lat)
        assert 15_000 < r.mean() < 40_000 and r.std() / r.mean() < 0.02  # a circular orbit


def test_demo_history_is_deterministic_and_quick_to_build():
    import time
    a = demo.demo_tracks()
    start = time.perf_counter()
    b = demo.demo_tracks()
    demo.demo_calls()
    elapsed = time.perf_counter() - start
    for col in ("unit", "time", "lon", "lat"):
        np.testing.assert_array_equal(getattr(a, col), getattr(b, col))
    assert elapsed < 0.25  # ~10 ms on the project's 2-core machines; generous for noisy CI


@pytest.mark.parametrize("text, offset, expected", [
    ("2017-06-18 17:00", 3 * 3600, "2017-06-18T14:00:00Z"),          # read in the chosen offset
    ("2017-06-18T17:00:00+03:00", 0, "2017-06-18T14:00:00Z"),        # its own offset wins
    ("2017-06-18T14:00Z", 3 * 3600, "2017-06-18T14:00:00Z"),
    ("181400Z JUN 17", 3 * 3600, "2017-06-18T14:00:00Z"),            # a DTG is UTC
    ("181400z jun 2017", 0, "2017-06-18T14:00:00Z"),
])
def test_parse_time_in(text, offset, expected):
    from desktop.core.tracks import parse_time_in
    assert format_time(parse_time_in(text, offset)) == expected


@pytest.mark.parametrize("text, message", [("noon", "not a date-time"), ("321400Z JUN 17", "day is out of range")])
def test_parse_time_in_refuses_with_the_reason(text, message):
    from desktop.core.tracks import parse_time_in
    with pytest.raises(ValueError, match=message):
        parse_time_in(text)


def test_last_report_is_remembered_for_the_last_time_only(tracks):
    a = tracks.last_report(200)
    assert tracks.last_report(200) is a and not a.flags.writeable
    assert tracks.last_report(150).tolist() == [0, -1, 3]
    assert tracks.last_report(200).tolist() == a.tolist()
