"""Offline basemap reader: GSHHG coast/lakes, rivers, borders, towns."""
import numpy as np
import pytest
import shapely
from shapely.ops import nearest_points

from desktop.core import basemap as bm
from desktop.core.demo import AO_RING
from desktop.core.geodesy import GEOD, Projection

RAQQA = (39.009, 35.950)
DEIR = (40.141, 35.336)


@pytest.fixture
def fresh_caches(tmp_path, monkeypatch):
    """Isolated town cache dir and empty in-memory caches, restored afterwards."""
    monkeypatch.setenv("DECONFLICT_CACHE_DIR", str(tmp_path / "cache"))
    bm.clear_caches()
    yield tmp_path / "cache"
    bm.clear_caches()


def _polylines(data):
    return [data.coords(i) for i in range(len(data))]


def _km(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


@pytest.mark.parametrize("kind", bm.KINDS)
@pytest.mark.parametrize("res", bm.RESOLUTIONS)
def test_layers_are_columnar_and_sane(kind, res):
    data = bm.load_layer(kind, res)
    assert data is bm.load_layer(kind, res)  # cached
    assert data.lonlat.dtype == np.float64 and data.lonlat.shape[1] == 2
    assert data.offsets[0] == 0 and data.offsets[-1] == data.n_points
    assert np.all(np.diff(data.offsets) >= 2)
    assert np.abs(data.lonlat[:, 0]).max() <= 180 and np.abs(data.lonlat[:, 1]).max() <= 90
    assert len(data) > 400
    if kind == "coast":
        assert set(np.unique(data.level)) <= {1, 2, 3, 4, 5}
        first, last = data.lonlat[data.offsets[:-1]], data.lonlat[data.offsets[1:] - 1]
        assert np.array_equal(first, last)  # rings are closed


def test_finer_resolution_has_more_detail():
    n = [bm.load_layer("coast", r).n_points for r in bm.RESOLUTIONS]
    assert n[0] < n[1] < n[2]


@pytest.mark.parametrize("res", bm.RESOLUTIONS)
def test_euphrates_passes_raqqa(res):
    rivers = bm.load_layer("rivers", res).clip((38.5, 35.5, 39.5, 36.3))
    assert len(rivers)
    lines = shapely.multilinestrings([shapely.linestrings(c) for c in _polylines(rivers)])
    near = nearest_points(lines, shapely.Point(RAQQA))[0]
    assert _km(near.x, near.y, *RAQQA) < 5.0  # Raqqa stands on the north bank


@pytest.mark.parametrize("res", bm.RESOLUTIONS)
def test_coast_of_cyprus_and_syria(res):
    coast = bm.load_layer("coast", res).clip((31.0, 33.0, 40.0, 37.5))
    land = shapely.union_all([shapely.Polygon(coast.coords(i)) for i in range(len(coast))
                              if coast.level[i] == 1])
    assert land.contains(shapely.Point(33.35, 35.15))       # Nicosia, Cyprus
    assert land.contains(shapely.Point(36.7, 35.0))         # inland Syria (Hama)
    assert not land.contains(shapely.Point(34.5, 34.6))     # sea between Cyprus and Syria
    assert not land.contains(shapely.Point(35.7, 35.5))     # sea off Latakia
    cyprus = [i for i in range(len(coast)) if coast.level[i] == 1
              and 32.0 < coast.bbox[i, 0] and coast.bbox[i, 2] < 35.0 and coast.bbox[i, 1] > 34.4]
    assert cyprus


def test_lake_assad_is_a_lake_at_every_resolution():
    for res in bm.RESOLUTIONS:
        coast = bm.load_layer("coast", res).clip((37.5, 35.5, 39.0, 36.5))
        lakes = [shapely.Polygon(coast.coords(i)) for i in range(len(coast)) if coast.level[i] == 2]
        assert any(p.contains(shapely.Point(38.25, 36.0)) for p in lakes), res


def test_clip_returns_only_intersecting_lines_cut_to_the_box():
    data = bm.load_layer("rivers", "l")
    box = (38.0, 34.5, 41.0, 36.5)
    out = data.clip(box)
    assert len(out)
    tol = 1e-9
    assert out.lonlat[:, 0].min() >= box[0] - tol and out.lonlat[:, 0].max() <= box[2] + tol
    assert out.lonlat[:, 1].min() >= box[1] - tol and out.lonlat[:, 1].max() <= box[3] + tol
    # same lines as a brute-force shapely test, no more, no fewer
    rect = shapely.box(*box)
    geoms = shapely.linestrings(data.lonlat, indices=np.repeat(np.arange(len(data)), data.lengths))
    expected = shapely.intersection(geoms, rect)
    expected_len = shapely.length(expected).sum()
    got_len = sum(shapely.length(shapely.linestrings(c)) for c in _polylines(out))
    assert got_len == pytest.approx(expected_len, rel=1e-6)
    assert len(data.intersecting(box)) < len(data) / 100  # vectorised pre-filter does its job


def test_clip_keeps_whole_polylines_inside_untouched():
    data = bm.load_layer("borders", "i")
    box = (30.0, 28.0, 50.0, 42.0)
    out = data.clip(box)
    inside = np.flatnonzero((data.bbox[:, 0] > box[0]) & (data.bbox[:, 2] < box[2])
                            & (data.bbox[:, 1] > box[1]) & (data.bbox[:, 3] < box[3]))
    assert len(inside)
    originals = {data.coords(i).tobytes() for i in inside}
    assert originals <= {c.tobytes() for c in _polylines(out)}


def test_clip_cuts_big_polygons_so_no_far_vertex_remains():
    coast = bm.load_layer("coast", "i")
    out = coast.clip((38.0, 34.5, 41.0, 36.5))
    assert out.n_points < 1000  # Eurasia alone has tens of thousands of vertices
    assert 1 in out.level and 2 in out.level  # land (cut to the box) and Lake Assad (whole)
    assert out.lonlat[:, 0].min() >= 38.0 and out.lonlat[:, 0].max() <= 41.0


def test_clip_across_the_antimeridian_is_continuous():
    out = bm.load_layer("coast", "l").clip((175.0, -20.0, 185.0, -14.0))  # Fiji straddles 180
    assert len(out)
    lon = out.lonlat[:, 0]
    assert lon.min() >= 175.0 and lon.max() <= 185.0 and lon.max() > 180.0


def test_take_gathers_polylines():
    data = bm.load_layer("borders", "c")
    sub = data.take([5, 2])
    assert len(sub) == 2
    assert np.array_equal(sub.coords(0), data.coords(5)) and np.array_equal(sub.coords(1), data.coords(2))
    assert np.array_equal(sub.bbox, data.bbox[[5, 2]])


def test_resolution_for_zoom():
    assert bm.resolution_for(200) == "i"
    assert bm.resolution_for(3000) == "l"
    assert bm.resolution_for(20000) == "c"
    spans = [50, 500, 1500, 4000, 8000, 40000]
    order = [bm.RESOLUTIONS.index(bm.resolution_for(s)) for s in spans]
    assert order == sorted(order, reverse=True)


def test_unknown_layer_is_a_value_error():
    with pytest.raises(ValueError):
        bm.load_layer("roads", "i")


def test_towns_in_finds_raqqa_and_deir_ez_zor(fresh_caches):
    towns = bm.towns_in((38.0, 34.5, 41.0, 36.5), min_population=50_000)
    names = list(towns.name)
    for want, (lon, lat) in (("Raqqa", RAQQA), ("Deir ez-Zor", DEIR)):
        i = names.index(want)
        assert _km(towns.lon[i], towns.lat[i], lon, lat) < 3.0
    assert np.all(np.diff(towns.population) <= 0)  # largest first
    assert towns.population.min() >= 50_000
    assert all(38.0 <= x <= 41.0 for x in towns.lon)
    small = bm.towns_in((38.0, 34.5, 41.0, 36.5))
    assert len(small) > len(towns)


def test_towns_cache_round_trips(fresh_caches):
    first = bm.load_towns()
    files = list(fresh_caches.glob("towns-*.npz"))
    assert len(files) == 1
    bm.clear_caches()
    again = bm.load_towns()  # from the .npz
    assert list(again.name[:50]) == list(first.name[:50]) and len(again) == len(first)
    assert np.array_equal(again.lon, first.lon) and np.array_equal(again.population, first.population)


def test_parsed_layers_are_cached_exactly(fresh_caches):
    parsed = bm.load_layer("coast", "l")
    assert len(list(fresh_caches.glob("basemap-v1-coast-l-*.npz"))) == 1
    bm.clear_caches()
    cached = bm.load_layer("coast", "l")  # from the .npz
    for name in ("lonlat", "offsets", "level", "bbox"):
        assert np.array_equal(getattr(cached, name), getattr(parsed, name)), name
    assert cached.lonlat.dtype == np.float64 and cached.closed


def test_standalone_build_reads_its_bundled_town_table(fresh_caches, tmp_path, monkeypatch):
    """A frozen app ships towns.npz (no JSON) under resources/ and reads that first."""
    towns = bm.load_towns()
    bm.write_towns_npz(towns, tmp_path / "bundle" / "resources" / "towns.npz")
    monkeypatch.setattr(bm.sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    monkeypatch.setattr(bm, "_towns_source", lambda: pytest.fail("the JSON must not be read"))
    bm.clear_caches()
    bundled = bm.load_towns()
    assert list(bundled.name) == list(towns.name) and np.array_equal(bundled.lat, towns.lat)
    assert (tmp_path / "bundle" / "resources" / "towns.npz").stat().st_size < 2_000_000  # vs 16 MB of JSON


def test_corrupt_town_cache_is_ignored(fresh_caches):
    bm.load_towns()
    (cache,) = fresh_caches.glob("towns-*.npz")
    cache.write_bytes(b"not a zip")
    bm.clear_caches()
    assert len(bm.load_towns()) > 20000


def test_towns_across_the_antimeridian(fresh_caches):
    towns = bm.towns_in((170.0, -25.0, 190.0, -10.0))
    assert len(towns) and towns.lon.max() > 180.0  # Fiji's towns east of 180, unwrapped
    assert "Suva" in list(towns.name)


def test_bad_basemap_data_raises_a_clear_error(tmp_path, monkeypatch, fresh_caches):
    monkeypatch.setattr(bm, "_data_dir", lambda: tmp_path)
    with pytest.raises(bm.BasemapDataError, match="gshhs"):
        bm.load_layer("coast", "c")  # missing files
    (tmp_path / "riversmeta_c.dat").write_text("-1 -1 3 0 1 0 24 0\n")
    (tmp_path / "rivers_c.dat").write_bytes(b"\0" * 16)  # 2 points where the meta says 3
    with pytest.raises(bm.BasemapDataError, match="does not match"):
        bm.load_layer("rivers", "c")
    (tmp_path / "countriesmeta_c.dat").write_text("-1 -1 x 0 1 0 24 0\n")
    (tmp_path / "countries_c.dat").write_bytes(b"\0" * 24)
    with pytest.raises(bm.BasemapDataError, match="malformed"):
        bm.load_layer("borders", "c")


def test_bad_town_data_raises_a_clear_error(tmp_path, monkeypatch, fresh_caches):
    bad = tmp_path / "cities.json"
    bad.write_text("{ this is not json")
    monkeypatch.setattr(bm, "_towns_source", lambda: bad)
    with pytest.raises(bm.BasemapDataError, match="town data"):
        bm.load_towns()


def test_view_box_of_a_utm_view_covers_the_ao():
    proj = Projection.utm_for(39.2, 35.4)
    lon, lat = np.array(AO_RING).T
    x, y = proj.forward(lon, lat)
    box = bm.view_lonlat_box(proj, x.min(), x.max(), y.min(), y.max())
    assert box[0] <= lon.min() and box[2] >= lon.max() and box[1] <= lat.min() and box[3] >= lat.max()
    assert box[2] - box[0] < np.ptp(lon) + 1.0  # and not much more (grid convergence, padding)
    grown = bm.view_lonlat_box(proj, x.min(), x.max(), y.min(), y.max(), margin=0.5)
    assert grown[0] < box[0] and grown[2] > box[2]


def test_view_box_is_limited_to_where_the_projection_is_valid():
    proj = Projection.utm_for(39.2, 35.4)
    box = bm.view_lonlat_box(proj, -3e7, 3e7, -3e7, 3e7)  # the whole plane and more
    assert box is not None
    assert box[0] >= 36.0 - 30.0 - 1e-9 and box[2] <= 42.0 + 30.0 + 1e-9
