"""Aircraft state from CoT (issue 12 Build 2): two air tracks sent by pytak over loopback
(TAK protocol 1, converted by takproto) reach the conflict finder with the altitude of their
point's hae and the course and speed of their track, and the predicted conflict between
them agrees with a brute-force pyproj.Geod simulation at 1 s steps."""
from __future__ import annotations

import time

import numpy as np
import pytest

from desktop.core.air.conflicts import AIRCRAFT, conflicts_at
from desktop.core.air.state import state_at
from desktop.core.demo import demo_document
from desktop.core.feed.endpoints import udp_endpoint
from desktop.core.feed.live import LiveSession
from desktop.core.time_cursor import live_time
from tests.feed.samples import GEOD, event
from tests.feed.test_transport import consume, pytak_send, runner  # noqa: F401 - the fixture

KT = 1852 / 3600   # m/s per knot
FT = 0.3048        # m per foot


def head_on(t: int) -> tuple[list[bytes], dict]:
    """A coalition fighter eastbound at FL200 and a Russian Su-24 40 km ahead of it, flying
    back along the same geodesic 505 ft higher: CoT events and what they say."""
    lon_a, lat_a = 40.2, 36.4
    lon_b, lat_b, back = GEOD.fwd(lon_a, lat_a, 90.0, 40_000.0)
    course_b = float(back % 360.0)
    events = [event("VIPER-1", lat_a, lon_a, t, cot_type="a-f-A-M-F", callsign="Viper 1", hae=6096.0,
                    course=90.0, speed=200.0),
              event("SU24-7", lat_b, lon_b, t, cot_type="a-h-A-M-F-Q", callsign="Su-24 7", hae=6250.0,
                    course=course_b, speed=150.0)]
    truth = {"VIPER-1": (lon_a, lat_a, 6096.0 / FT, 90.0, 200.0 / KT),
             "SU24-7": (float(lon_b), float(lat_b), 6250.0 / FT, course_b, 150.0 / KT)}
    return events, truth


def brute_force_cpa(truth: dict, horizon_s: int = 600) -> tuple[float, float]:
    """(seconds, NM) of the closest approach: both fly their geodesics, 1 s steps."""
    s = np.arange(horizon_s + 1, dtype=float)
    (la, pa, _, ca, va), (lb, pb, _, cb, vb) = truth["VIPER-1"], truth["SU24-7"]
    xa, ya, _ = GEOD.fwd(np.full(len(s), la), np.full(len(s), pa), np.full(len(s), ca), s * va * KT)
    xb, yb, _ = GEOD.fwd(np.full(len(s), lb), np.full(len(s), pb), np.full(len(s), cb), s * vb * KT)
    d = GEOD.inv(xa, ya, xb, yb)[2]
    k = int(np.argmin(d))
    return s[k], d[k] / 1852


def test_cot_air_tracks_give_the_conflict_its_altitudes_courses_and_speeds(runner):  # noqa: F811
    feed = runner(udp=(udp_endpoint("127.0.0.1:0"),))
    port = feed.status().endpoints[0].address[1]
    events, truth = head_on(int(time.time()) - 20)
    pytak_send(f"udp+wo://127.0.0.1:{port}", events, protocol=1)
    doc = demo_document()
    session = LiveSession(doc)
    consume(feed, session, lambda: feed.status().counters.accepted >= 2, timeout=10)
    session.write_to_document()
    t = live_time(doc)
    state = state_at(doc.units, doc.tracks, t)
    for uid, (lon, lat, alt, course, speed) in truth.items():
        i = state.ids.tolist().index(uid)
        assert (state.lon[i], state.lat[i]) == pytest.approx((lon, lat), abs=1e-7)
        assert state.alt_ft[i] == pytest.approx(alt, abs=0.01)
        assert state.course_deg[i] == pytest.approx(course, abs=1e-6)
        assert state.speed_kt[i] == pytest.approx(speed, abs=1e-6)
    conflicts, _ = conflicts_at(doc, t)
    pair = [i for i in range(len(conflicts)) if conflicts.kind[i] == AIRCRAFT
            and {conflicts.key(i)[1], conflicts.key(i)[2]} == {"VIPER-1", "SU24-7"}]
    assert len(pair) == 1
    i = pair[0]
    seconds, nm = brute_force_cpa(truth)
    assert abs(conflicts.time_s[i] - seconds) <= 5 and abs(conflicts.distance_nm[i] - nm) <= 0.1
    assert conflicts.vertical_ft[i] == pytest.approx((6250.0 - 6096.0) / FT, abs=0.01)
