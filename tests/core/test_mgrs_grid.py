"""The MGRS grid checked against the `mgrs` package (GeoTrans): lines, letters, labels, zones."""
from __future__ import annotations

import mgrs
import numpy as np
import pytest

from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.core.mgrs_grid import choose_interval, mgrs_grid, square_letters, zone_areas
from tests.core.tile_files import settings_at

M = mgrs.MGRS()
DEMO = Projection.utm_for(38.9, 35.6)
SCREEN_MPP = 0.0254 / 96     # metres of screen per pixel at 96 dpi


def ref(lon, lat, precision=5) -> str:
    r = M.toMGRS(float(lat), float(lon), MGRSPrecision=precision)
    return r.decode() if isinstance(r, bytes) else r


def at_scale(proj, lon, lat, scale, size=(1400, 900)) -> MapSettings:
    return settings_at(proj, lon, lat, scale * SCREEN_MPP, size)


def lonlat_of(settings, px, py):
    return settings.projection.inverse(*settings.to_map(px, py))


def polylines(x, y):
    breaks = np.flatnonzero(np.isnan(x))
    for part_x, part_y in zip(np.split(x, breaks), np.split(y, breaks)):
        ok = np.isfinite(part_x)
        if ok.sum() >= 2:
            yield part_x[ok], part_y[ok]


def along(x, y, n):
    """n points spread along a polyline, its ends left out (an end may lie on a zone
    boundary, which MGRS gives to the next zone)."""
    d = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    t = np.linspace(0.0, d[-1], n + 2)[1:-1]
    return np.interp(t, d, x), np.interp(t, d, y)


def test_square_letters_match_geotrans_everywhere():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-179, 179, 3000), rng.uniform(-79.5, 83.5, 3000)
    for lo, la in zip(lon, lat):
        r = ref(lo, la, 0)
        zone = int(r[:-3])
        from pyproj import Transformer
        e, n = Transformer.from_crs(4326, (32600 if la >= 0 else 32700) + zone, always_xy=True).transform(lo, la)
        assert square_letters(zone, e, n)[0] == r[-2:], (lo, la, r)


@pytest.mark.parametrize("scale,interval", [(25_000, 1000), (50_000, 1000), (250_000, 10_000),
                                            (2_000_000, 100_000), (60_000_000, None)])
def test_interval_suits_the_scale(scale, interval):
    assert choose_interval(at_scale(DEMO, 39.0, 35.9, scale)) == interval


def check_lines(settings, grid, samples=6):
    """Every drawn line lies on a whole interval of its zone: MGRS of points along it has
    easting or northing digits that are multiples of the interval (to a metre)."""
    checked = 0
    for x, y in polylines(grid.lines_x, grid.lines_y):
        x, y = along(x, y, 200)
        inside = (x >= 0) & (x <= settings.width) & (y >= 0) & (y <= settings.height)
        if inside.sum() < 2:
            continue
        idx = np.flatnonzero(inside)[np.linspace(0, inside.sum() - 1, samples).astype(int)]
        lon, lat = lonlat_of(settings, x[idx], y[idx])
        refs = [ref(lo, la) for lo, la in zip(lon, lat)]
        e = np.array([int(r[-10:-5]) for r in refs])
        n = np.array([int(r[-5:]) for r in refs])
        off_e = np.minimum(e % grid.interval, grid.interval - e % grid.interval)
        off_n = np.minimum(n % grid.interval, grid.interval - n % grid.interval)
        assert (off_e <= 1).all() or (off_n <= 1).all(), refs
        assert len({r[:-12] for r in refs}) == 1  # one zone along one line
        checked += 1
    assert checked >= 4
    return checked


def test_lines_squares_and_edge_labels_at_50k_match_geotrans():
    s = at_scale(DEMO, 39.0, 35.95, 50_000)
    g = mgrs_grid(s)
    assert g.interval == 1000 and g.description == "MGRS 1 km"
    check_lines(s, g)
    assert g.squares
    for letters, x, y in g.squares:
        lon, lat = lonlat_of(s, x, y)
        assert ref(lon, lat, 0)[-2:] == letters
    assert {side for _, side, _, _ in g.edge_labels} == {"top", "bottom", "left", "right"}
    for text, side, x, y in g.edge_labels:
        lon, lat = lonlat_of(s, x, y)
        r = ref(lon, lat)
        value = int(r[-10:-5]) if side in ("top", "bottom") else int(r[-5:])
        assert f"{round(value / 1000) % 100:02d}" == text, (side, r, text)


def test_hundred_km_labels_say_whole_kilometres():
    s = at_scale(DEMO, 39.0, 35.9, 2_000_000)
    g = mgrs_grid(s)
    assert g.interval == 100_000
    for text, side, x, y in g.edge_labels:
        assert text.endswith("k") and int(text[:-1]) % 100 == 0
    assert any(t == "37S" for t, _, _ in g.gzd) and any(t == "36S" for t, _, _ in g.gzd)


@pytest.mark.parametrize("scale", [50_000, 250_000])
def test_a_view_across_a_zone_boundary_draws_each_zone_on_its_side(scale):
    s = at_scale(DEMO, 36.0, 35.5, scale)     # centred on the 36°E boundary of zones 36 and 37
    g = mgrs_grid(s)
    check_lines(s, g)
    zones_west, zones_east = set(), set()
    for x, y in polylines(g.lines_x, g.lines_y):
        lon, lat = lonlat_of(s, *along(x, y, 20))
        mid = len(lon) // 2
        zone = int(ref(lon[mid], lat[mid])[:2])
        assert (lon <= 36.0 + 1e-6).all() if zone == 36 else (lon >= 36.0 - 1e-6).all()
        (zones_west if zone == 36 else zones_east).add(zone)
    assert zones_west == {36} and zones_east == {37}
    # the boundary meridian itself is drawn
    lon, lat = lonlat_of(s, g.zones_x[np.isfinite(g.zones_x)], g.zones_y[np.isfinite(g.zones_y)])
    assert np.isclose(lon, 36.0, atol=1e-7).sum() >= 4


@pytest.mark.parametrize("lon,lat,zone", [(5.0, 60.0, 32), (2.0, 60.0, 31), (7.0, 58.0, 32),
                                          (8.0, 78.0, 31), (10.0, 78.0, 33), (20.0, 78.0, 33),
                                          (22.0, 78.0, 35), (34.0, 78.0, 37)])
def test_norway_and_svalbard_zones(lon, lat, zone):
    assert int(ref(lon, lat)[:2]) == zone                      # the reference agrees
    assert any(a.zone == zone and a.lon0 <= lon < a.lon1 and a.lat0 <= lat < a.lat1
               for a in zone_areas((lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)))
    proj = Projection.utm_for(lon, lat)
    s = at_scale(proj, lon, lat, 50_000, size=(600, 400))
    g = mgrs_grid(s)
    check_lines(s, g, samples=3)
    for letters, x, y in g.squares:
        lo, la = lonlat_of(s, x, y)
        assert ref(lo, la, 0)[-2:] == letters


def test_southern_hemisphere_and_a_transverse_mercator_display():
    proj = Projection.analysis_for(18.4, -33.9)
    s = at_scale(proj, 18.0, -33.9, 50_000)   # on the boundary of zones 33H and 34H
    g = mgrs_grid(s)
    assert g.interval == 1000
    check_lines(s, g)
    for letters, x, y in g.squares:
        lo, la = lonlat_of(s, x, y)
        assert ref(lo, la, 0)[-2:] == letters
