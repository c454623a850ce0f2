"""Course and speed from the last two reports, against pyproj's Geod one unit at a time."""
import numpy as np
from pyproj import Geod

from desktop.core.demo import demo_document
from desktop.core.motion import motion_at
from desktop.core.tracks import Tracks

GEOD = Geod(ellps="WGS84")


def test_course_and_speed_match_the_geodesic_between_the_last_two_reports():
    tracks = demo_document().tracks
    t = (tracks.extent[0] + tracks.extent[1]) // 2
    course, speed = motion_at(tracks, t)
    checked = 0
    for u in range(tracks.n_units):
        time, lon, lat = tracks.track(u)
        before = np.flatnonzero(time <= t)
        if len(before) < 2:
            assert np.isnan(course[u])
            continue
        a, b = before[-2], before[-1]
        az, _, dist = GEOD.inv(lon[a], lat[a], lon[b], lat[b])
        assert abs((course[u] - az % 360 + 180) % 360 - 180) < 1e-6
        assert abs(speed[u] - dist / (time[b] - time[a])) < 1e-9
        checked += 1
    assert checked >= 40


def test_units_without_two_reports_or_movement_have_no_course():
    tracks = Tracks.from_reports([0, 1, 1, 2, 2], [0, 0, 60, 0, 60], [38.0, 38.0, 38.0, 38.0, 38.01],
                                 [35.0, 35.0, 35.0, 35.0, 35.0], 4)
    course, speed = motion_at(tracks)
    assert np.isnan(course[[0, 1, 3]]).all()  # one report; no movement; no reports at all
    assert abs(course[2] - 90) < 0.01 and abs(speed[2] - GEOD.inv(38.0, 35.0, 38.01, 35.0)[2] / 60) < 1e-9
    assert np.isnan(motion_at(tracks, 30)[0]).all()  # by t = 30 nobody has two reports
    sub = motion_at(tracks, None, np.array([2, 0]))[0]
    assert abs(sub[0] - 90) < 0.01 and np.isnan(sub[1])
