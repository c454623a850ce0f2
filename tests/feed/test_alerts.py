"""Line alerts: once per event, with hysteresis, baselines, uncertainty and time to line.
Distances are checked against pyproj's Geod on the line densified every 20 m."""
import math
import time

import numpy as np
import pytest

from desktop.core.demo import demo_document
from desktop.core.alert_log import ACKNOWLEDGED, DISMISSED, MUTED
from desktop.core.feed.alerts import AlertConfig, AlertEngine
from desktop.core.feed.geometry import AlertGeometry
from desktop.core.feed.intake import Intake
from desktop.core.feed.latches import Latches
from desktop.core.feed.live import LiveSession
from desktop.core.line import DeconflictionLine
from tests.feed.samples import GEOD, event, walk_south

T0 = time.time() - 3600   # the reports are from the last hour (not stale: stale_s is long)


def _dense_line(doc) -> np.ndarray:
    v = doc.line.vertices
    pts = [v[0]]
    for (lo1, la1), (lo2, la2) in zip(v[:-1], v[1:]):
        n = int(GEOD.inv(lo1, la1, lo2, la2)[2] // 20)
        pts += GEOD.npts(lo1, la1, lo2, la2, n) + [(lo2, la2)]
    return np.array(pts)


def reference_km(doc, lons, lats) -> np.ndarray:
    """Geodesic distance to the line as pyproj measures it (line densified every 20 m), for
    the points near its western half, where the walks cross (vertices up to 39.4 E)."""
    p = _dense_line(doc)
    p = p[p[:, 0] < 39.4]
    out = []
    for lon, lat in zip(np.atleast_1d(lons), np.atleast_1d(lats)):
        out.append(GEOD.inv(np.full(len(p), lon), np.full(len(p), lat), p[:, 0], p[:, 1])[2].min() / 1000.0)
    return np.array(out)


def run(session, reports, **kw):
    """Feed (uid, lon, lat, t) reports one batch per report; returns the alerts."""
    intake, alerts = Intake(), []
    for uid, lon, lat, t in reports:
        intake.datagram(event(uid, lat, lon, t, stale_s=86_400, **kw))
        alerts += session.apply(intake.take(), now=t)
    return alerts


@pytest.fixture
def doc():
    return demo_document()


def test_walk_across_the_line(doc):
    session = LiveSession(doc)
    lons, lats = walk_south()
    alerts = run(session, [("WALKER", lo, la, T0 + 5 * i) for i, (lo, la) in enumerate(zip(lons, lats))])
    assert [a.kind for a in alerts] == ["enter_buffer", "cross_line", "leave_buffer"]
    enter, cross, leave = alerts
    ref = reference_km(doc, lons, lats)
    i_enter = next(i for i, d in enumerate(ref) if d <= 5.0)
    assert enter.time == pytest.approx(T0 + 5 * i_enter, abs=1e-3)
    assert enter.distance_km == pytest.approx(ref[i_enter], abs=0.025)
    assert (enter.owner, cross.owner) == ("US-backed", "Russian-backed")
    assert cross.distance_km > 0.2 and cross.distance_km == pytest.approx(
        ref[round((cross.time - T0) / 5)], abs=0.025)
    # Left the buffer (beyond 5.2 km) for the 30 s hysteresis before it is reported.
    i_out = next(i for i, d in enumerate(ref) if i > i_enter and d > 5.2 and lats[i] < 35.8)
    assert leave.time == pytest.approx(T0 + 5 * i_out + 30, abs=5.001)
    assert leave.sector == "S2" and leave.name == "WALKER"


JITTER_RULES = AlertConfig(hysteresis_m=300.0, hysteresis_s=30.0)


def buffer_edge_jitter(doc, uid: str = "JITTER") -> list[tuple[str, float, float, float]]:
    """(uid, lon, lat, t) of a unit on the buffer's edge: 10 minutes every 2 s, up to 250 m
    either side of it, and now and then 400 m out for a few seconds (less than the 30 s a
    leave needs under JITTER_RULES); its first report is out of the buffer."""
    lons, lats = walk_south(step_m=10.0)
    ref = reference_km(doc, lons[1000:1400], lats[1000:1400])
    edge = 1000 + int(np.argmin(np.abs(ref - 5.0)))     # the walk's point on the buffer's edge
    rng = np.random.default_rng(7)
    offsets = rng.integers(-25, 26, 300)
    offsets[::17] = -40
    return [(uid, lons[edge + k], lats[edge + k], T0 + 2 * i) for i, k in enumerate(offsets)]


def test_jitter_on_the_buffer_edge_alerts_once(doc):
    session = LiveSession(doc, JITTER_RULES)
    alerts = run(session, buffer_edge_jitter(doc))
    assert [a.kind for a in alerts] == ["enter_buffer"]
    assert len(session.alerts) == 1


def test_uncertainty_spanning_the_line_is_possibly_across(doc):
    session = LiveSession(doc)
    lons, lats = walk_south(step_m=50.0)
    ref = reference_km(doc, lons[300:400], lats[300:400])
    on = 300 + int(np.argmin(ref))      # the walk crosses the line here
    reports = [("FOGGY", lons[i], lats[i], T0 + 5 * n) for n, i in enumerate(range(0, on + 4))]
    alerts = run(session, reports, ce=500.0)      # 150-200 m across, with 500 m uncertainty
    assert [a.kind for a in alerts] == ["enter_buffer", "possibly_across"]
    assert alerts[-1].owner == "Russian-backed"
    more = run(session, [("FOGGY", lons[on + 20], lats[on + 20], T0 + 5 * on + 100)], ce=500.0)   # 1 km across
    assert [a.kind for a in more] == ["cross_line"]


def test_no_alert_for_units_already_inside_or_when_the_line_moves(doc):
    session = LiveSession(doc)
    lons, lats = walk_south(step_m=500.0, km=60.0)
    # First reports: one inside the buffer, one already across: a baseline, no alert.
    assert run(session, [("IN", lons[32], lats[32], T0), ("ACROSS", lons[45], lats[45], T0 + 1)]) == []
    # Moving within what they already are: still nothing.
    assert run(session, [("IN", lons[33], lats[33], T0 + 2), ("ACROSS", lons[46], lats[46], T0 + 3)]) == []
    # A new line 20 km further south puts both far north of it, in the buffer of nothing:
    # re-baselined without a burst; walking south again alerts against the new line.
    shifted = DeconflictionLine(np.column_stack([doc.line.lon, doc.line.lat - 0.18]))
    assert session.set_geometry(AlertGeometry.of(doc, shifted))
    assert not session.set_geometry(AlertGeometry.of(doc, shifted))
    assert session.tick(T0 + 10) == []
    got = run(session, [("IN", lo, la, T0 + 20 + i) for i, (lo, la) in enumerate(zip(lons[34:], lats[34:]))])
    assert [a.kind for a in got] == ["enter_buffer", "cross_line", "leave_buffer"]
    assert all(a.unit == "IN" for a in got)


def test_wrong_side_without_crossing(doc):
    # From outside the AO (west of it) into the Russian-backed sector.
    start = (37.60, 35.40)
    lons, lats, _ = GEOD.fwd(np.full(20, start[0]), np.full(20, start[1]), np.full(20, 90.0),
                             np.arange(20) * 2000.0)
    reports = [("ROGUE", lo, la, T0 + 10 * i) for i, (lo, la) in enumerate(zip(lons, lats))]
    session = LiveSession(doc)
    assert [a.kind for a in run(session, reports)] == ["wrong_side"]
    quiet = LiveSession(doc, AlertConfig(wrong_side=False))
    assert run(quiet, reports) == []


def test_unit_without_a_side_alerts_on_each_crossing(doc):
    session = LiveSession(doc)
    lons, lats = walk_south(step_m=500.0)
    there = [("NEUTRAL", lo, la, T0 + 10 * i) for i, (lo, la) in enumerate(zip(lons, lats))]
    back = [("NEUTRAL", lo, la, T0 + 1000 + 10 * i) for i, (lo, la) in enumerate(zip(lons[::-1], lats[::-1]))]
    kinds = [a.kind for a in run(session, there + back, cot_type="a-n-G")]
    assert kinds.count("cross_line") == 2 and kinds.count("enter_buffer") == 2


def test_acknowledge_dismiss_and_mute(doc):
    session = LiveSession(doc)
    session.engine.mute("QUIET")
    lons, lats = walk_south()
    reports = [(uid, lo, la, T0 + 5 * i) for i, (lo, la) in enumerate(zip(lons, lats)) for uid in ("LOUD", "QUIET")]
    shown = run(session, reports)
    assert {a.unit for a in shown} == {"LOUD"} and len(shown) == 3
    log = session.alerts
    assert len(log) == 6 and [a.state for a in log if a.unit == "QUIET"] == [MUTED] * 3
    seen = []
    log.changed.connect(seen.append)
    log.acknowledge(shown[0].id)
    log.dismiss(shown[1].id)
    assert [a.state for a in shown] == [ACKNOWLEDGED, DISMISSED, "new"] and seen == shown[:2]
    assert [a.id for a in log.open()] == [shown[2].id]
    cols = log.columns()
    assert cols["kind"].tolist()[:2] == ["enter_buffer", "enter_buffer"]
    assert cols["time"].dtype == np.int64 and len(cols["state"]) == 6


def test_leave_is_reported_for_a_unit_that_went_quiet(doc):
    session = LiveSession(doc)
    lons, lats = walk_south(step_m=1000.0)
    alerts = run(session, [("GONE", lo, la, T0 + i) for i, (lo, la) in enumerate(zip(lons[:30], lats[:30]))])
    assert [a.kind for a in alerts] == ["enter_buffer", "cross_line"]   # last report 11 km south
    assert session.tick(T0 + 35) == []
    late = session.tick(T0 + 120)
    assert [a.kind for a in late] == ["leave_buffer"] and late[0].time <= T0 + 120


def test_time_to_line_against_geodesic_motion(doc):
    # A unit 12 km short of a line vertex, heading for it: the line is met at that vertex.
    g = AlertGeometry.of(doc)
    v = doc.line.vertices[3]
    az_back = 200.0
    lon, lat, course = GEOD.fwd(v[0], v[1], az_back, 12_000.0)   # course: the back azimuth, to the vertex
    ttl = g.time_to_line([lon], [lat], [course], [10.0], 3600.0)[0]
    assert ttl == pytest.approx(1200.0, rel=0.002)
    # Heading away, standing still or too far for the horizon: no time.
    assert np.isnan(g.time_to_line([lon, lon, lon], [lat] * 3, [az_back, course, course], [10.0, 0.0, 1.0],
                                   600.0)).all()
    # An aircraft at 250 m/s: the same answer, in 48 s.
    assert g.time_to_line([lon], [lat], [course], [250.0], 3600.0)[0] == pytest.approx(48.0, rel=0.002)


def test_time_to_line_alert_fires_once(doc):
    session = LiveSession(doc, AlertConfig(time_to_line_min=10.0, horizon_min=30.0))
    v = doc.line.vertices[3]
    start = GEOD.fwd(v[0], v[1], 20.0, 15_000.0)    # 15 km north-north-east of the vertex
    course = start[2]                                 # its back azimuth: towards the vertex
    speed = 12.0                                      # 15 km at 12 m/s: 20.8 min
    reports = []
    for i in range(40):                               # 40 reports 20 s apart: 9.4 km closer
        lo, la, _ = GEOD.fwd(start[0], start[1], course, speed * 20 * i)
        reports.append(("RUNNER", lo, la, T0 + 20 * i))
    alerts = run(session, reports, course=course, speed=speed)
    ttl_alerts = [a for a in alerts if a.kind == "time_to_line"]
    assert len(ttl_alerts) == 1 and ttl_alerts[0].minutes < 10.0
    i = round((ttl_alerts[0].time - T0) / 20)
    assert (15_000 - speed * 20 * i) / speed / 60 == pytest.approx(ttl_alerts[0].minutes, abs=0.05)
    assert session.time_to_line_s()[0] == pytest.approx((15_000 - speed * 20 * 39) / speed, rel=0.01)


def test_latches_generic_keys():
    latches = Latches()
    key = ("AIR-01", "conflict", "AIR-03")       # a pair, as aircraft conflicts will use it
    assert latches.fire(key) and not latches.fire(key)
    assert not latches.release(key, 100.0, 30.0)
    latches.hold(key)                              # back: the wait starts over
    assert not latches.release(key, 120.0, 30.0) and not latches.release(key, 149.0, 30.0)
    assert latches.release(key, 150.0, 30.0) and latches.fire(key)
    latches.release(key, 200.0, 30.0)
    assert list(latches.due(229.0)) == [] and list(latches.due(231.0)) == [(key, 230.0)]
    assert key not in latches


def test_engine_needs_no_document():
    doc = demo_document()
    engine = AlertEngine(AlertGeometry.of(doc))
    lons, lats = walk_south(step_m=500.0)
    n = len(lons)
    alerts = engine.evaluate(np.array(["X"] * n, dtype=object), np.zeros(n, np.int8), T0 + np.arange(n) * 5.0,
                             lons, lats, np.full(n, 5.0), np.full(n, math.nan), np.full(n, math.nan))
    assert [a.kind for a in alerts] == ["enter_buffer", "cross_line", "leave_buffer"]
