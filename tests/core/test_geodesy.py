"""WGS84 helpers and projections against pyproj's own answers."""
import numpy as np
import pytest
from pyproj import Geod, Proj

from desktop.core.geodesy import (Projection, densify_geodesic, geodesic_area_km2, geodesic_distance_km,
                                  utm_epsg)

GEOD = Geod(ellps="WGS84")


def test_densified_points_lie_on_the_geodesics():
    lon, lat = np.array([38.3, 39.35, 40.03]), np.array([35.72, 35.85, 35.45])
    dlon, dlat = densify_geodesic(lon, lat, step_m=5000.0)
    assert (dlon[0], dlat[0]) == (lon[0], lat[0]) and (dlon[-1], dlat[-1]) == (lon[-1], lat[-1])
    pieces = GEOD.inv(dlon[:-1], dlat[:-1], dlon[1:], dlat[1:])[2]
    assert pieces.max() <= 5000.0 + 1e-6
    # Every original vertex is kept and the pieces add up to the geodesic lengths.
    for v in zip(lon, lat):
        assert np.any((dlon == v[0]) & (dlat == v[1]))
    total = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2].sum()
    assert pieces.sum() == pytest.approx(total, abs=1e-3)


def test_closed_ring_is_closed_once():
    lon, lat = densify_geodesic([0.0, 1.0, 1.0], [0.0, 0.0, 1.0], closed=True, step_m=50_000)
    assert (lon[0], lat[0]) == (lon[-1], lat[-1])
    again = densify_geodesic([0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0], closed=True, step_m=50_000)
    assert np.array_equal(again[0], lon)


def test_area_and_distance_match_geod():
    lon, lat = densify_geodesic([38.0, 40.0, 40.0, 38.0], [35.0, 35.0, 36.0, 36.0], closed=True)
    expected = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 1e6
    assert geodesic_area_km2(lon, lat) == pytest.approx(expected)
    assert geodesic_area_km2(lon[::-1], lat[::-1]) == pytest.approx(expected)
    assert geodesic_distance_km(38.548, 35.836, 40.141, 35.336) == pytest.approx(
        GEOD.inv(38.548, 35.836, 40.141, 35.336)[2] / 1000)


@pytest.mark.parametrize("lon, lat, epsg", [(38.5, 35.8, 32637), (35.99, 35.8, 32636), (36.0, 35.8, 32637),
                                            (-70.6, -33.9, 32719), (179.9, 10.0, 32660), (-180.0, 10.0, 32601)])
def test_utm_zone(lon, lat, epsg):
    assert utm_epsg(lon, lat) == epsg


def test_projection_round_trip_and_false_origin():
    p = Projection.analysis_for(39.0, 35.3)
    assert np.allclose(p.forward(39.0, 35.3), (0.0, 0.0), atol=1e-6)
    lon, lat = np.array([37.8, 41.3, 39.0]), np.array([34.2, 36.4, 35.3])
    back = p.inverse(*p.forward(lon, lat))
    assert np.allclose(back, (lon, lat), atol=1e-10)
    utm = Projection.utm_for(38.5, 35.8)
    assert utm.label == "EPSG:32637" and np.allclose(utm.forward(38.5, 35.8), (0, 0), atol=1e-6)


@pytest.mark.parametrize("lat", [0.0, 35.3, 65.0])
def test_scale_factor_matches_proj(lat):
    """The series used to turn plane distances into geodesic ones, against PROJ's factors."""
    p = Projection.analysis_for(39.0, lat)
    proj = Proj(p.crs)
    x = np.array([0.0, 100e3, 300e3, 500e3])
    lon, lat_ = p.inverse(x, np.zeros_like(x))
    k = proj.get_factors(lon, lat_).meridional_scale
    assert np.allclose(p.scale_factor(x, lat), k, rtol=2e-6)


def test_densified_points_know_the_segment_they_start():
    lon, lat = np.array([38.0, 39.0, 39.05, 40.5]), np.array([35.0, 35.5, 35.52, 35.0])
    dl, dt, seg = densify_geodesic(lon, lat, with_segments=True)
    plain_lon, plain_lat = densify_geodesic(lon, lat)
    assert np.array_equal(dl, plain_lon) and np.array_equal(dt, plain_lat)
    vertex_at = [int(np.flatnonzero((dl == x) & (dt == y))[0]) for x, y in zip(lon, lat)]
    assert seg[vertex_at[0]] == 0 and seg[vertex_at[1]] == 1 and seg[vertex_at[2]] == 2 and seg[-1] == 2
    for i in range(3):  # every point between vertices i and i+1 starts segment i
        assert np.all(seg[vertex_at[i]:vertex_at[i + 1]] == i)


def test_the_analysis_projection_is_proj_s_own_tmerc_made_once_per_centre():
    from pyproj import Transformer
    rng = np.random.default_rng(4)
    lon, lat = rng.uniform(30, 48, 50_000), rng.uniform(28, 42, 50_000)
    for centre in [(39.0, 35.4), (39.123456789, 35.98765), (-120.5, -33.2)]:
        proj = Projection.analysis_for(*centre)
        assert Projection.analysis_for(*centre) is proj  # (its transformers made once)
        to_plane = Transformer.from_crs("EPSG:4326", proj.crs, always_xy=True)  # PROJ's database's way
        to_lonlat = Transformer.from_crs(proj.crs, "EPSG:4326", always_xy=True)
        ox, oy = to_plane.transform(*centre)
        fx, fy = to_plane.transform(lon, lat)
        x, y = proj.forward(lon, lat)
        assert np.array_equal(x, fx - ox) and np.array_equal(y, fy - oy)
        assert np.array_equal(np.array(proj.inverse(x, y)), np.array(to_lonlat.transform(x + ox, y + oy)))
