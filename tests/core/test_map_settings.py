"""MapSettings: the plain value both map hosts render from."""
import numpy as np
import pytest

from desktop.core.geodesy import GEOD, Projection
from desktop.core.map_settings import MapSettings

UTM = Projection.utm_for(39.0, 35.5)


def test_device_and_map_coordinates_round_trip_with_y_down():
    s = MapSettings(UTM, (-1000.0, -500.0, 1000.0, 500.0), (200, 100))
    px, py = s.to_device([-1000.0, 1000.0, 0.0], [500.0, -500.0, 0.0])
    assert np.allclose(px, [0, 200, 100]) and np.allclose(py, [0, 100, 50])
    x, y = s.to_map(px, py)
    assert np.allclose(x, [-1000, 1000, 0]) and np.allclose(y, [500, -500, 0])


def test_fitted_grows_the_extent_to_the_output_aspect():
    s = MapSettings.fitted(UTM, (0, 0, 1000, 1000), (400, 200))
    assert s.map_units_per_pixel[0] == pytest.approx(s.map_units_per_pixel[1])
    assert s.extent == pytest.approx((-500.0, 0.0, 1500.0, 1000.0))


def test_ground_scale_is_geodesic_whatever_the_crs():
    lon, lat = 39.0, 35.5
    for proj in (UTM, Projection.for_crs(3857, (lon, lat))):
        s = MapSettings.fitted(proj, (-5000, -5000, 5000, 5000), (1000, 1000), pixel_ratio=2.0)
        # one device pixel across at the centre, measured independently
        x, y = np.array([-0.5, 0.5]) * s.map_units_per_pixel[0], np.zeros(2)
        lo, la = proj.inverse(x, y)
        _, _, metres = GEOD.inv(lo[0], la[0], lo[1], la[1])
        assert s.ground_metres_per_pixel() == pytest.approx(metres, rel=1e-9)
        assert s.dpi == 192.0
        assert s.scale_denominator() == pytest.approx(metres * 192 / 0.0254, rel=1e-9)


def test_lonlat_box_covers_the_projected_rectangle():
    s = MapSettings.fitted(UTM, (-50_000, -50_000, 50_000, 50_000), (500, 500))
    lon0, lat0, lon1, lat1 = s.lonlat_box()
    corners = UTM.inverse(np.array([-50_000, 50_000, 50_000, -50_000]), np.array([-50_000, -50_000, 50_000, 50_000]))
    assert lon0 <= corners[0].min() and lon1 >= corners[0].max()
    assert lat0 <= corners[1].min() and lat1 >= corners[1].max()


@pytest.mark.parametrize("extent,size", [((0, 0, 0, 1), (10, 10)), ((0, 0, 1, 1), (0, 10)),
                                         ((0, 0, float("nan"), 1), (10, 10))])
def test_empty_or_broken_settings_are_refused(extent, size):
    with pytest.raises(ValueError):
        MapSettings(UTM, extent, size)
