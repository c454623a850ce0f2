"""The motion model against pyproj.Geod, and the plane's chords against the model."""
import numpy as np
import pytest

from desktop.core.air.motion import plane_motion, predict, predicted_paths
from desktop.core.geodesy import Projection
from tests.air.reference import CENTRE, GEOD, simulate, state_of


def _spread(n, radius_m, seed=1):
    rng = np.random.default_rng(seed)
    lon, lat, _ = GEOD.fwd(np.full(n, CENTRE[0]), np.full(n, CENTRE[1]), rng.uniform(0, 360, n),
                           rng.uniform(0, radius_m, n))
    return state_of(0, [dict(id=str(i), side="X", lon=lon[i], lat=lat[i], alt_ft=0.0, course_deg=c, speed_kt=600.0)
                        for i, c in enumerate(rng.uniform(0, 360, n))])


def test_predict_is_the_geodesic_from_the_course():
    state = _spread(20, 300e3)
    for i in range(len(state)):
        t, lon, lat = simulate(state.lon[i], state.lat[i], state.course_deg[i], 600.0)
        got = predict(state, 600.0)
        assert (got[0][i], got[1][i]) == pytest.approx((lon[-1], lat[-1]), abs=1e-9)


def test_unknown_motion_holds_the_aircraft():
    state = state_of(0, [dict(id="A", side="X", lon=39.0, lat=35.0, course_deg=np.nan, speed_kt=300),
                         dict(id="B", side="X", lon=39.0, lat=35.0, course_deg=90, speed_kt=np.nan)])
    lon, lat = predict(state, 600)
    assert lon.tolist() == [39.0, 39.0] and lat.tolist() == [35.0, 35.0]


@pytest.mark.parametrize("radius_m, bound_m", [(300e3, 45.0), (500e3, 70.0)])
def test_plane_chords_stay_near_the_geodesics(radius_m, bound_m):
    state = _spread(1000, radius_m)
    proj = Projection.analysis_for(*CENTRE)
    motion = plane_motion(state, proj, 600)
    worst = 0.0
    for t in np.arange(0, 601, 30):
        gx, gy = proj.forward(*predict(state, t))
        px, py = motion.at(t)
        worst = max(worst, float(np.hypot(gx - px, gy - py).max()))
    assert worst < bound_m


def test_predicted_paths_for_the_map():
    state = _spread(3, 100e3)
    times, lon, lat = predicted_paths(state, 600, 60)
    assert times.tolist() == list(range(0, 601, 60)) and lon.shape == (3, 11)
    end = predict(state, 600)
    assert np.allclose(lon[:, -1], end[0], atol=1e-9) and np.allclose(lat[:, -1], end[1], atol=1e-9)
