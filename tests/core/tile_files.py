"""Small MBTiles and GeoPackage tile files written by the tests themselves: every tile a
solid colour that says which tile it is, so a pixel on the map says which tile landed there.

PNGs are encoded here (zlib + struct) so core tests need no Qt; GUI tests pass their own
encoder (QImage: JPEG, WebP) through `encode`.
"""
from __future__ import annotations

import math
import sqlite3
import struct
import zlib
from pathlib import Path

from desktop.core.tiles.matrix import WEB_MERCATOR_HALF


def settings_at(proj, lon: float, lat: float, metres_per_px: float, size=(800, 600)):
    """MapSettings in `proj` centred on lon/lat with `metres_per_px` display units a pixel."""
    from desktop.core.map_settings import MapSettings
    x, y = proj.forward(lon, lat)
    w, h = size
    return MapSettings(proj, (float(x) - w / 2 * metres_per_px, float(y) - h / 2 * metres_per_px,
                              float(x) + w / 2 * metres_per_px, float(y) + h / 2 * metres_per_px), size)


def native_mpp(zoom: int, lat: float) -> float:
    """Ground metres per pixel of Web Mercator level `zoom` (256 px tiles) at `lat`."""
    return 2 * WEB_MERCATOR_HALF / 256 / (1 << zoom) * math.cos(math.radians(lat))


def png_bytes(rgb) -> bytes:
    """A PNG of an (height, width, 3) uint8 array."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    h, w, _ = rgb.shape
    raw = b"".join(b"\0" + bytes(row) for row in rgb.astype("uint8").reshape(h, w * 3))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def solid_png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A size x size PNG of one colour."""
    import numpy as np
    return png_bytes(np.broadcast_to(np.array(rgb, "uint8"), (size, size, 3)))


def tile_colour(zoom: int, col: int, row: int) -> tuple[int, int, int]:
    """A colour that differs between any two neighbouring tiles (and between levels)."""
    return (40 + 60 * (col % 4), 40 + 60 * (row % 4), 30 + 9 * (zoom % 24))


def lonlat_to_tile(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Fractional XYZ (col, row from the top) of a lon/lat at `zoom` (Web Mercator)."""
    n = 1 << zoom
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def xyz_tiles_around(lon: float, lat: float, zoom: int, radius: int) -> list[tuple[int, int, int]]:
    c, r = (int(v) for v in lonlat_to_tile(lon, lat, zoom))
    return [(zoom, c + dc, r + dr) for dc in range(-radius, radius + 1) for dr in range(-radius, radius + 1)]


def write_mbtiles(path: Path, tiles, *, encode=solid_png, fmt: str = "png", metadata: dict | None = None,
                  view: bool = False) -> Path:
    """`tiles`: (zoom, col, row-from-top) keys; each tile is `encode(tile_colour(...))`.
    With `view`, `tiles` is a view over the deduplicating map/images layout."""
    con = sqlite3.connect(path)
    meta = {"name": "test tiles", "format": fmt, "type": "baselayer", "version": "1.1"}
    zooms = [z for z, _, _ in tiles]
    if zooms:
        meta.update(minzoom=str(min(zooms)), maxzoom=str(max(zooms)))
        meta["bounds"] = ",".join(f"{v:.6f}" for v in _lonlat_bounds(tiles))
    meta.update(metadata or {})
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, v) for k, v in meta.items() if v is not None])
    rows = [(z, c, (1 << z) - 1 - r, encode(tile_colour(z, c, r))) for z, c, r in tiles]
    if view:
        con.execute("CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT)")
        con.execute("CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row)")
        con.execute("CREATE TABLE images (tile_id TEXT PRIMARY KEY, tile_data BLOB)")
        con.executemany("INSERT INTO map VALUES (?,?,?,?)", [(z, c, r, f"{z}/{c}/{r}") for z, c, r, _ in rows])
        con.executemany("INSERT INTO images VALUES (?,?)", [(f"{z}/{c}/{r}", d) for z, c, r, d in rows])
        con.execute("CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, "
                    "map.tile_row AS tile_row, images.tile_data AS tile_data FROM map "
                    "JOIN images ON images.tile_id = map.tile_id")
    else:
        con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
        con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        con.executemany("INSERT INTO tiles VALUES (?,?,?,?)", rows)
    con.commit()
    con.close()
    return path


def _lonlat_bounds(tiles) -> tuple[float, float, float, float]:
    def lon(c, z):
        return c / (1 << z) * 360.0 - 180.0

    def lat(r, z):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * r / (1 << z)))))
    return (min(lon(c, z) for z, c, _ in tiles), min(lat(r + 1, z) for z, _, r in tiles),
            max(lon(c + 1, z) for z, c, _ in tiles), max(lat(r, z) for z, _, r in tiles))


_SRS_ROWS = [
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
    ("WGS 84 geodetic", 4326, "EPSG", 4326,
     'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
     'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
     'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]', None),
]


def write_gpkg_tiles(path: Path, *, epsg: int, wkt: str, origin: tuple[float, float], extent: tuple,
                     levels: list[tuple[int, int, int, float, float]], tiles, encode=solid_png,
                     tile_px: int = 256, table: str = "imagery", data_extent: tuple | None = None) -> Path:
    """A GeoPackage tile pyramid. `levels`: (zoom, matrix_width, matrix_height, pixel_x,
    pixel_y); `origin` = top-left of tile (0, 0) = (min_x, max_y) of the matrix set whose
    extent is `extent` (min_x, min_y, max_x, max_y); `data_extent`: where the tiles are
    (gpkg_contents' box; `extent` by default); `tiles`: (zoom, col, row) from the top."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
    con.execute("PRAGMA user_version = 10200")
    con.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
                "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, "
                "description TEXT)")
    con.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", _SRS_ROWS)
    if epsg != 4326:
        con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", (f"EPSG:{epsg}", epsg, "EPSG", epsg, wkt, None))
    con.execute("CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, "
                "identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT "
                "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, "
                "srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))")
    con.execute("CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY, srs_id INTEGER NOT NULL, "
                "min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL, max_x DOUBLE NOT NULL, max_y DOUBLE NOT NULL)")
    con.execute("CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL, "
                "matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL, "
                "tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL, "
                "CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level))")
    con.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY AUTOINCREMENT, zoom_level INTEGER NOT NULL, '
                "tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL, "
                "UNIQUE (zoom_level, tile_column, tile_row))")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id) "
                "VALUES (?, 'tiles', ?, ?, ?, ?, ?, ?)", (table, table, *(data_extent or extent), epsg))
    con.execute("INSERT INTO gpkg_tile_matrix_set VALUES (?,?,?,?,?,?)",
                (table, epsg, origin[0], extent[1], extent[2], origin[1]))
    con.executemany("INSERT INTO gpkg_tile_matrix VALUES (?,?,?,?,?,?,?,?)",
                    [(table, z, mw, mh, tile_px, tile_px, px, py) for z, mw, mh, px, py in levels])
    con.executemany(f'INSERT INTO "{table}" (zoom_level, tile_column, tile_row, tile_data) VALUES (?,?,?,?)',
                    [(z, c, r, encode(tile_colour(z, c, r))) for z, c, r in tiles])
    con.commit()
    con.close()
    return path


def web_mercator_gpkg(path: Path, tiles, **kw) -> Path:
    """A GeoPackage holding the same Web Mercator pyramid an MBTiles file would."""
    from pyproj import CRS
    zooms = sorted({z for z, _, _ in tiles})
    h = WEB_MERCATOR_HALF
    levels = [(z, 1 << z, 1 << z, 2 * h / 256 / (1 << z), 2 * h / 256 / (1 << z)) for z in zooms]
    lon0, lat0, lon1, lat1 = _lonlat_bounds(tiles)
    x0, x1 = (math.radians(v) * 6378137.0 for v in (lon0, lon1))
    y0, y1 = (6378137.0 * math.log(math.tan(math.pi / 4 + math.radians(v) / 2)) for v in (lat0, lat1))
    return write_gpkg_tiles(path, epsg=3857, wkt=CRS.from_epsg(3857).to_wkt("WKT1_GDAL"), origin=(-h, h),
                            extent=(-h, -h, h, h), levels=levels, tiles=tiles, data_extent=(x0, y0, x1, y1), **kw)


def geographic_gpkg(path: Path, matrices: dict[int, tuple[int, int]], box, **kw) -> Path:
    """An EPSG:4326 pyramid over `box` (lon0, lat0, lon1, lat1) with tiles of 256 px; level
    z is `matrices[z]` = (tiles across, tiles down), so each level covers `box` exactly (as
    GeoPackage asks); all its tiles are written."""
    lon0, lat0, lon1, lat1 = box
    levels, tiles = [], []
    for z, (mw, mh) in sorted(matrices.items()):
        levels.append((z, mw, mh, (lon1 - lon0) / (256 * mw), (lat1 - lat0) / (256 * mh)))
        tiles += [(z, c, r) for c in range(mw) for r in range(mh)]
    return write_gpkg_tiles(path, epsg=4326, wkt=_SRS_ROWS[2][4], origin=(lon0, lat1), extent=box,
                            levels=levels, tiles=tiles, **kw)
