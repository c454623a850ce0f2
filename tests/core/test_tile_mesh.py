"""Which tiles a view needs, and where their pixels land: the mesh against exact pyproj."""
from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Proj, Transformer

from desktop.core.geodesy import Projection
from desktop.core.tiles import TileMeshes, interpolate_mesh, plan_tiles, web_mercator_set
from desktop.core.tiles.matrix import TileLevel, TileMatrixSet
from desktop.core.tiles.mesh import apply_square_to_quad, square_to_quad
from tests.core.tile_files import native_mpp, settings_at

RAQQA = (39.009, 35.950)
ALL_ZOOMS = web_mercator_set(range(0, 20))


def test_square_to_quad_is_the_projective_map_of_the_corners():
    quad = np.array([[0.0, 0.0], [10.0, 1.0], [12.0, 9.0], [-1.0, 11.0]])
    coef = square_to_quad(quad)
    x, y = apply_square_to_quad(coef, np.array([0, 1, 1, 0.0]), np.array([0, 0, 1, 1.0]))
    assert np.allclose(np.column_stack([x, y]), quad)
    # straight lines stay straight: the midpoint of the top edge is on the top edge
    mx, my = apply_square_to_quad(coef, 0.5, 0.0)
    d, e = quad[1] - quad[0], np.array([mx, my]) - quad[0]
    assert abs(d[0] * e[1] - d[1] * e[0]) < 1e-9


@pytest.mark.parametrize("zoom", [6, 10, 13, 16, 19])
def test_plan_picks_the_level_nearest_the_view_scale(zoom):
    proj = Projection.utm_for(*RAQQA)
    plan = plan_tiles(ALL_ZOOMS, settings_at(proj, *RAQQA, native_mpp(zoom, RAQQA[1])))
    assert plan.level.zoom == zoom
    # the first tile holds the view's centre: it loads first
    n = 1 << zoom
    col = (RAQQA[0] + 180) / 360 * n
    row = (1 - math.asinh(math.tan(math.radians(RAQQA[1]))) / math.pi) / 2 * n
    assert tuple(plan.tiles[0]) == (int(col), int(row))


def test_a_file_with_some_levels_draws_at_every_scale_from_the_nearest():
    ms = web_mercator_set([9, 12])
    proj = Projection.utm_for(*RAQQA)
    chosen = {z: plan_tiles(ms, settings_at(proj, *RAQQA, native_mpp(z, RAQQA[1]))).level.zoom
              for z in (5, 9, 10, 11, 12, 16)}
    assert chosen == {5: 9, 9: 9, 10: 9, 11: 12, 12: 12, 16: 12}


def test_planned_tiles_cover_every_pixel_of_the_view():
    proj = Projection.utm_for(*RAQQA)
    settings = settings_at(proj, *RAQQA, 17.0, size=(1000, 700))
    plan = plan_tiles(ALL_ZOOMS, settings)
    lv = plan.level
    rng = np.random.default_rng(1)
    px, py = rng.uniform(0, 1000, 5000), rng.uniform(0, 700, 5000)
    lon, lat = proj.inverse(*settings.to_map(px, py))
    x, y = ALL_ZOOMS.from_lonlat(lon, lat)
    col = np.floor((x - ALL_ZOOMS.origin[0]) / lv.span_x).astype(int)
    row = np.floor((ALL_ZOOMS.origin[1] - y) / lv.span_y).astype(int)
    planned = {tuple(t) for t in plan.tiles}
    assert {(int(c), int(r)) for c, r in zip(col, row)} <= planned
    assert len(planned) <= 1.6 * len({(int(c), int(r)) for c, r in zip(col, row)}) + 8  # not wildly more


def test_tile_count_is_bounded_and_a_too_fine_file_says_so():
    ms = web_mercator_set([16], bounds_lonlat=(37.0, 34.0, 41.0, 37.0))
    proj = Projection.utm_for(*RAQQA)
    plan = plan_tiles(ms, settings_at(proj, *RAQQA, 2000.0), max_tiles=400)
    assert plan.too_many and len(plan) == 0
    plan = plan_tiles(ALL_ZOOMS, settings_at(proj, *RAQQA, 9.0, size=(3840, 2160)), max_tiles=60)
    assert 0 < len(plan) <= 60 and plan.level.zoom < 14


def test_tiles_outside_the_data_bounds_are_not_planned():
    ms = web_mercator_set([12], bounds_lonlat=(38.9, 35.9, 39.1, 36.0))
    proj = Projection.utm_for(*RAQQA)
    assert len(plan_tiles(ms, settings_at(proj, 36.0, 34.0, 30.0))) == 0
    plan = plan_tiles(ms, settings_at(proj, *RAQQA, 30.0))
    lon, lat = ms.to_lonlat(*ms.tile_to_crs(plan.level, plan.tiles[:, 0], plan.tiles[:, 1], 0.5, 0.5))
    assert (lon > 38.85).all() and (lon < 39.15).all()


# -- the mesh against exact pyproj ---------------------------------------------------------------
PROJECTIONS = {
    "UTM 37N at Raqqa": (Projection.utm_for(*RAQQA), RAQQA),
    "UTM 36N at its eastern zone edge": (Projection.for_crs(32636, (35.5, 35.5)), (35.995, 35.5)),
    "UTM 37N at its western zone edge": (Projection.for_crs(32637, (36.5, 35.5)), (36.005, 35.5)),
    "UTM 37N 3 deg beyond its zone": (Projection.for_crs(32637, (39.0, 35.5)), (33.0, 35.5)),
    "transverse Mercator on the AO": (Projection.analysis_for(39.4, 35.3), (41.2, 34.3)),
}


@pytest.mark.parametrize("name", list(PROJECTIONS))
@pytest.mark.parametrize("zoom", [5, 8, 11, 14, 17])
def test_mesh_places_every_pixel_within_one_device_pixel(name, zoom):
    proj, (lon, lat) = PROJECTIONS[name]
    settings = settings_at(proj, lon, lat, native_mpp(zoom, lat) / point_scale(proj, lon, lat))
    plan = plan_tiles(ALL_ZOOMS, settings, max_tiles=400)
    assert plan.level.zoom == zoom
    meshes = TileMeshes(ALL_ZOOMS, proj)
    per_px = settings.map_units_per_pixel[0]
    rng = np.random.default_rng(zoom)
    exact_fwd = Transformer.from_crs("EPSG:3857", proj.crs, always_xy=True)  # independent of our chain
    ox, oy = exact_fwd.transform(*Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
                                 .transform(*proj.origin))
    worst = 0.0
    for col, row in plan.tiles[:12]:
        mesh = meshes.mesh(plan.level, int(col), int(row), 0.5 * per_px)
        assert mesh is not None
        u, v = rng.uniform(0, 1, 4000), rng.uniform(0, 1, 4000)
        mx, my = interpolate_mesh(mesh, u, v)
        x, y = ALL_ZOOMS.tile_to_crs(plan.level, col, row, u, v)
        ex, ey = exact_fwd.transform(x, y)
        err = np.hypot(mx - (ex - ox), my - (ey - oy)) / per_px
        worst = max(worst, float(err.max()))
    assert worst <= 1.0, f"{name} z{zoom}: {worst:.3f} px"


def point_scale(proj: Projection, lon: float, lat: float) -> float:
    """The display CRS's point scale at lon/lat (display metres per ground metre)."""
    return float(Proj(proj.crs).get_factors(lon, lat).meridional_scale)


def test_a_large_scale_tile_needs_few_cells():
    """At 1:50k a tile is ~2 km across: one or two cells do; a world tile needs many."""
    proj = Projection.utm_for(*RAQQA)
    meshes = TileMeshes(ALL_ZOOMS, proj)
    settings = settings_at(proj, *RAQQA, native_mpp(14, RAQQA[1]))
    plan = plan_tiles(ALL_ZOOMS, settings)
    assert meshes.mesh(plan.level, *map(int, plan.tiles[0]), 0.5 * settings.map_units_per_pixel[0]).shape[0] <= 3
    settings = settings_at(proj, *RAQQA, native_mpp(4, RAQQA[1]))
    plan = plan_tiles(ALL_ZOOMS, settings)
    assert meshes.mesh(plan.level, *map(int, plan.tiles[0]), 0.5 * settings.map_units_per_pixel[0]).shape[0] >= 5


def test_geographic_pyramid_meshes_are_exact_too():
    box = (38.0, 35.0, 40.0, 36.0)
    lv = TileLevel(3, 16, 8, 256, 256, 2.0 / 16 / 256, 1.0 / 8 / 256)
    ms = TileMatrixSet("EPSG:4326", (38.0, 36.0), (lv,), box)
    proj = Projection.utm_for(*RAQQA)
    settings = settings_at(proj, *RAQQA, 40.0)
    plan = plan_tiles(ms, settings)
    meshes = TileMeshes(ms, proj)
    rng = np.random.default_rng(3)
    for col, row in plan.tiles[:6]:
        mesh = meshes.mesh(lv, int(col), int(row), 0.5 * 40.0)
        u, v = rng.uniform(0, 1, 2000), rng.uniform(0, 1, 2000)
        mx, my = interpolate_mesh(mesh, u, v)
        lon, lat = 38.0 + (col + u) * lv.span_x, 36.0 - (row + v) * lv.span_y
        ex, ey = proj.forward(lon, lat)
        assert np.hypot(mx - ex, my - ey).max() <= 40.0


def test_tiles_off_the_display_projection_have_no_mesh():
    proj = Projection.utm_for(*RAQQA)
    meshes = TileMeshes(ALL_ZOOMS, proj)
    lv = ALL_ZOOMS.level(2)
    assert meshes.mesh(lv, 0, 0, 1.0) is None or np.isfinite(meshes.mesh(lv, 0, 0, 1.0)).all()
