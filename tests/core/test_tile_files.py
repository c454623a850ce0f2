"""Reading MBTiles and GeoPackage tile pyramids, and refusing what is not one."""
from __future__ import annotations

import gzip
import math
import os
import sqlite3
import subprocess
import sys

import pytest

from desktop.core.tiles import TileFileError, open_tile_file, sniff_image
from desktop.core.tiles import foreign_sqlite
from desktop.core.tiles.foreign_sqlite import image_size
from tests.core.tile_files import (geographic_gpkg, lonlat_to_tile, solid_png, tile_colour, web_mercator_gpkg,
                                   write_mbtiles, xyz_tiles_around)

RAQQA = (39.009, 35.950)
TILES = xyz_tiles_around(*RAQQA, 12, 2) + xyz_tiles_around(*RAQQA, 9, 1)


@pytest.mark.parametrize("view", [False, True])
def test_mbtiles_metadata_levels_and_tms_rows(tmp_path, view):
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES, view=view,
                         metadata={"name": "Raqqa imagery", "center": "39.009,35.95,12"})
    with open_tile_file(path) as src:
        assert (src.kind, src.title, src.format) == ("MBTiles", "Raqqa imagery", "png")
        assert [lv.zoom for lv in src.matrix.levels] == [9, 12]
        assert src.center == (39.009, 35.95, 12.0)
        for z, c, r in TILES[:5] + TILES[-3:]:
            # rows from the top in, TMS rows in the file: the right tile comes back
            assert src.read(z, c, r) == solid_png(tile_colour(z, c, r))
        assert src.read(12, 0, 0) is None
        lon0, lat0, lon1, lat1 = _bounds_lonlat(src)
        assert lon0 < RAQQA[0] < lon1 and lat0 < RAQQA[1] < lat1


def _bounds_lonlat(src):
    x0, y0, x1, y1 = src.matrix.bounds
    lon, lat = src.matrix.to_lonlat([x0, x1], [y0, y1])
    return lon[0], lat[0], lon[1], lat[1]


def test_mbtiles_without_metadata_bounds_uses_tile_extent(tmp_path):
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES, metadata={"bounds": None, "minzoom": None, "maxzoom": None})
    with open_tile_file(path) as src:
        lon0, lat0, lon1, lat1 = _bounds_lonlat(src)
        c, r = lonlat_to_tile(*RAQQA, 9)
        n = 1 << 9
        assert lon0 == pytest.approx((int(c) - 1) / n * 360 - 180)
        assert lon1 == pytest.approx((int(c) + 2) / n * 360 - 180)
        assert lat0 < RAQQA[1] < lat1


def test_mbtiles_512_pixel_tiles_have_finer_levels(tmp_path):
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES, encode=lambda rgb: solid_png(rgb, 512))
    with open_tile_file(path) as src:
        lv = src.matrix.level(12)
        assert lv.tile_width == 512 and lv.span_x == pytest.approx(2 * 20037508.342789244 / 4096)


def test_geopackage_web_mercator(tmp_path):
    path = web_mercator_gpkg(tmp_path / "a.gpkg", TILES)
    with open_tile_file(path) as src:
        assert (src.kind, src.title, src.format, src.matrix.crs_text) == ("GeoPackage", "imagery", "png", "EPSG:3857")
        assert [lv.zoom for lv in src.matrix.levels] == [9, 12]
        z, c, r = TILES[7]
        assert src.read(z, c, r) == solid_png(tile_colour(z, c, r))  # rows from the top, as stored


def test_geopackage_geographic(tmp_path):
    box = (38.0, 35.0, 40.0, 36.0)
    path = geographic_gpkg(tmp_path / "g.gpkg", {0: (2, 1), 1: (4, 2)}, box)
    with open_tile_file(path) as src:
        assert src.matrix.crs_text == "EPSG:4326"
        assert src.matrix.origin == (38.0, 36.0) and src.matrix.bounds == box
        lv = src.matrix.level(1)
        assert lv.span_x == pytest.approx(0.5) and lv.span_y == pytest.approx(0.5)
        assert src.read(1, 3, 1) == solid_png(tile_colour(1, 3, 1))


def test_geopackage_picks_the_named_layer_and_names_the_others(tmp_path):
    path = geographic_gpkg(tmp_path / "g.gpkg", {0: (2, 1)}, (38.0, 35.0, 40.0, 36.0))
    with pytest.raises(TileFileError, match=r"no tile layer 'other' \(it has imagery\)"):
        open_tile_file(path, layer="other")


def test_geopackage_in_a_crs_only_its_wkt_names(tmp_path):
    from pyproj import CRS
    from tests.core.tile_files import write_gpkg_tiles
    wkt = CRS.from_epsg(32637).to_wkt("WKT1_GDAL")
    path = write_gpkg_tiles(tmp_path / "u.gpkg", epsg=99999, wkt=wkt, origin=(400000.0, 4000000.0),
                            extent=(400000.0, 3948800.0, 451200.0, 4000000.0), levels=[(0, 1, 1, 200.0, 200.0)],
                            tiles=[(0, 0, 0)])
    con = sqlite3.connect(path)
    con.execute("UPDATE gpkg_spatial_ref_sys SET organization='NONE' WHERE srs_id=99999")
    con.commit()
    con.close()
    with open_tile_file(path) as src:
        assert CRS.from_user_input(src.matrix.crs_text).to_epsg() == 32637


def test_sniffed_formats():
    assert sniff_image(solid_png((1, 2, 3))) == "png"
    assert sniff_image(b"\xff\xd8\xff\xe0rest") == "jpeg"
    assert sniff_image(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"
    assert sniff_image(gzip.compress(b"\x1a\x05layer")) == "pbf"
    assert sniff_image(b"<html>") == "unknown"
    assert image_size(solid_png((1, 2, 3), 128)) == (128, 128)


# -- refusing what is not a raster tile file ---------------------------------------------------
def _refused(path, match):
    with pytest.raises(TileFileError, match=match) as err:
        open_tile_file(path)
    assert os.fspath(path) in str(err.value)  # the message names the file


def test_refuses_missing_empty_text_and_directory(tmp_path):
    _refused(tmp_path / "none.mbtiles", "no such file")
    (tmp_path / "empty.mbtiles").write_bytes(b"")
    _refused(tmp_path / "empty.mbtiles", "empty file")
    (tmp_path / "text.mbtiles").write_text("name,value\n")
    _refused(tmp_path / "text.mbtiles", "not an SQLite database")
    (tmp_path / "dir.mbtiles").mkdir()
    _refused(tmp_path / "dir.mbtiles", "is a directory")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_refuses_a_fifo_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.mbtiles")
    _refused(tmp_path / "pipe.mbtiles", "not a regular file")


def test_refuses_sqlite_without_tiles(tmp_path):
    con = sqlite3.connect(tmp_path / "other.db")
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    _refused(tmp_path / "other.db", "neither MBTiles")


def test_refuses_a_features_only_geopackage(tmp_path):
    path = geographic_gpkg(tmp_path / "g.gpkg", {0: (1, 1)}, (38.0, 35.0, 40.0, 36.0))
    con = sqlite3.connect(path)
    con.execute("UPDATE gpkg_contents SET data_type='features'")
    con.commit()
    con.close()
    _refused(path, "GeoPackage without tiles")


def test_refuses_vector_tiles(tmp_path):
    path = write_mbtiles(tmp_path / "v.mbtiles", TILES[:2], fmt="pbf", encode=lambda rgb: gzip.compress(b"\x1a\x02ab"))
    _refused(path, "vector tiles")
    path = write_mbtiles(tmp_path / "w.mbtiles", TILES[:2], fmt="png", encode=lambda rgb: gzip.compress(b"\x1a\x02ab"))
    _refused(path, "vector tiles")  # the blob says so even when the metadata lies


def test_refuses_tiles_that_are_not_images(tmp_path):
    path = write_mbtiles(tmp_path / "x.mbtiles", TILES[:2], encode=lambda rgb: b"<html>not a tile</html>")
    _refused(path, "not images")


def test_refuses_an_mbtiles_without_tiles(tmp_path):
    _refused(write_mbtiles(tmp_path / "e.mbtiles", []), "holds no tiles")


def test_refuses_a_truncated_file(tmp_path):
    path = write_mbtiles(tmp_path / "t.mbtiles", TILES)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    _refused(path, "truncated")


def test_corrupt_pages_give_a_clear_error(tmp_path):
    path = write_mbtiles(tmp_path / "c.mbtiles", TILES)
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 997):  # garble every page after the first
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(TileFileError, match="c.mbtiles"):
        with open_tile_file(path) as src:
            for z, c, r in TILES:
                src.read(z, c, r)


def test_a_recursive_view_runs_into_the_time_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(foreign_sqlite, "QUERY_SECONDS", 0.3)
    con = sqlite3.connect(tmp_path / "r.mbtiles")
    con.execute("CREATE VIEW tiles AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
                f"SELECT 20 AS zoom_level, n AS tile_column, n AS tile_row, x'{solid_png((1, 2, 3), 4).hex()}' "
                "AS tile_data FROM r")
    con.commit()
    con.close()
    _refused(tmp_path / "r.mbtiles", "took over 0.3 s")


# -- side files: honoured, never ignored ---------------------------------------------------------
_WRITER = """
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
{body}
os._exit(0)  # killed: no checkpoint, no rollback
"""


def _run_killed_writer(path, body):
    subprocess.run([sys.executable, "-c", _WRITER.format(body=body), os.fspath(path)], check=True)


def test_reads_through_a_wal_left_by_a_killed_writer(tmp_path):
    path = write_mbtiles(tmp_path / "w.mbtiles", TILES)
    z, c, r = TILES[0]
    _run_killed_writer(path, "con.execute('PRAGMA journal_mode=WAL')\n"
                             f"con.execute('UPDATE metadata SET value=\"after WAL\" WHERE name=\"name\"')\n"
                             f"con.execute('DELETE FROM tiles WHERE zoom_level={z} AND tile_column={c}')")
    assert os.path.exists(f"{path}-wal")
    with open_tile_file(path) as src:
        assert src.title == "after WAL"          # the committed edit in the WAL is seen
        assert src.read(z, c, r) is None


def test_refuses_a_hot_journal_instead_of_reading_half_a_transaction(tmp_path):
    path = write_mbtiles(tmp_path / "h.mbtiles", TILES)
    before = path.read_bytes()
    _run_killed_writer(path, "con.execute('PRAGMA cache_size=1')\ncon.execute('BEGIN')\n"
                             "con.execute('DELETE FROM tiles')\n"
                             "con.executemany('INSERT INTO tiles VALUES (30, ?, 0, zeroblob(3000))', "
                             "[(i,) for i in range(300)])")
    assert os.path.exists(f"{path}-journal") and path.read_bytes() != before
    _refused(path, "unfinished transaction")


# -- the fixtures are real files: GDAL reads them and agrees on what is where ---------------------
@pytest.mark.parametrize("kind", ["mbtiles", "gpkg-3857", "gpkg-4326"])
def test_gdal_reads_the_test_files_and_agrees_on_colours(tmp_path, kind):
    rasterio = pytest.importorskip("rasterio", reason="rasterio (GDAL) is a test dependency: pip install -e .[test]")
    from pyproj import Transformer
    if kind == "mbtiles":
        path = write_mbtiles(tmp_path / "a.mbtiles", xyz_tiles_around(*RAQQA, 12, 2))
    elif kind == "gpkg-3857":
        path = web_mercator_gpkg(tmp_path / "a.gpkg", xyz_tiles_around(*RAQQA, 12, 2))
    else:
        path = geographic_gpkg(tmp_path / "g.gpkg", {0: (2, 1), 1: (4, 2)}, (38.0, 35.0, 40.0, 36.0))
    with open_tile_file(path) as ours, rasterio.open(path) as ds:
        assert ds.driver == ("MBTiles" if kind == "mbtiles" else "GPKG")
        assert ds.crs.to_epsg() == (4326 if kind == "gpkg-4326" else 3857)
        finest = ours.matrix.levels[-1]
        to_ds = Transformer.from_crs("EPSG:4326", ds.crs.to_wkt(), always_xy=True)
        for lon, lat in [RAQQA, (RAQQA[0] + 0.05, RAQQA[1] - 0.04), (RAQQA[0] - 0.06, RAQQA[1] + 0.03)]:
            x, y = to_ds.transform(lon, lat)
            row, col = ds.index(x, y)
            px = ds.read(window=((row, row + 1), (col, col + 1)))[:3, 0, 0]
            tx, ty = ours.matrix.from_lonlat(lon, lat)
            c = int((float(tx) - ours.matrix.origin[0]) // finest.span_x)
            r = int((ours.matrix.origin[1] - float(ty)) // finest.span_y)
            assert tuple(int(v) for v in px) == tile_colour(finest.zoom, c, r), (lon, lat)
