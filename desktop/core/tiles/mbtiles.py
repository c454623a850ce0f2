"""MBTiles 1.3 (raster): an SQLite file of Web Mercator tiles with TMS rows (row 0 at the
south) and a `metadata` table of name/value text. `tiles` may be a table or a view (the
deduplicating map/images layout that many writers use)."""
from __future__ import annotations

import math

from desktop.core.tiles.foreign_sqlite import ForeignSQLite, TileFileError, image_size
from desktop.core.tiles.matrix import web_mercator_set
from desktop.core.tiles.source import TileSource, first_tile_format, require_columns, select_tile_sql

MAX_ZOOM = 30
_META_ROWS = 200
_META_CHARS = 4096


class MBTilesSource(TileSource):
    def _key(self, zoom: int, col: int, row: int) -> tuple:
        return zoom, col, (1 << zoom) - 1 - row  # XYZ row from the top -> TMS row from the bottom


def open_mbtiles(db: ForeignSQLite) -> MBTilesSource:
    what = "MBTiles file"
    require_columns(db, "tiles", ("zoom_level", "tile_column", "tile_row", "tile_data"), what)
    meta = _metadata(db)
    declared = meta.get("format", "").lower()
    if declared in ("pbf", "mvt"):
        raise TileFileError(f"{db.name}: holds vector tiles ({declared}); only raster tiles "
                            "(PNG, JPEG, WebP) can be drawn")
    fmt, blob = first_tile_format(db, "tiles", what)
    zooms = _zoom_levels(db)
    if not zooms:
        raise TileFileError(f"{db.name}: {what} has no tiles at zoom levels 0..{MAX_ZOOM}")
    size = image_size(blob)
    tile_px = size[0] if size and size[0] == size[1] and size[0] in (128, 256, 512, 1024) else 256
    matrix = web_mercator_set(zooms, _bounds(db, meta, zooms[0]), tile_px)
    return MBTilesSource(db, meta.get("name") or db.path.stem, fmt, matrix, _center(meta),
                         kind="MBTiles", _select=select_tile_sql("tiles"))


def _metadata(db: ForeignSQLite) -> dict[str, str]:
    if "metadata" not in db.tables:
        return {}
    if not {"name", "value"} <= db.columns("metadata"):
        return {}
    rows = db.query(f"SELECT substr(name, 1, 64), substr(value, 1, {_META_CHARS}) FROM metadata "
                    f"LIMIT {_META_ROWS}")
    return {str(n).strip().lower(): str(v).strip() for n, v in rows if n is not None and v is not None}


def _zoom_levels(db: ForeignSQLite) -> list[int]:
    """The levels that hold tiles: one index seek each (`min(zoom_level) > z`), not a scan."""
    zooms, z = [], -1
    while True:
        rows = db.query("SELECT min(zoom_level) FROM tiles WHERE zoom_level > ?", (z,))
        nxt = rows[0][0] if rows else None
        if not isinstance(nxt, int) or nxt > MAX_ZOOM:
            return zooms
        if nxt >= 0:
            zooms.append(nxt)
        z = nxt


def _bounds(db: ForeignSQLite, meta: dict[str, str], coarsest: int):
    """lon/lat box of the data: the metadata's, else the tiles' extent at the coarsest level."""
    try:
        w, s, e, n = (float(v) for v in meta["bounds"].split(","))
        if all(math.isfinite(v) for v in (w, s, e, n)) and -180 <= w < e <= 180 and -90 <= s < n <= 90:
            return w, s, e, n
    except (KeyError, ValueError):
        pass
    rows = db.query("SELECT min(tile_column), max(tile_column), min(tile_row), max(tile_row) FROM tiles "
                    "WHERE zoom_level=?", (coarsest,))
    if not rows or not all(isinstance(v, int) for v in rows[0]):
        return None
    c0, c1, r0, r1 = rows[0]
    n = 1 << coarsest
    lon = lambda c: c / n * 360.0 - 180.0  # noqa: E731
    lat = lambda r: math.degrees(math.atan(math.sinh(math.pi * (2.0 * r / n - 1.0))))  # noqa: E731 TMS row
    return lon(c0), lat(max(r0, 0)), lon(c1 + 1), lat(min(r1 + 1, n))


def _center(meta: dict[str, str]):
    try:
        parts = [float(v) for v in meta["center"].split(",")]
    except (KeyError, ValueError):
        return None
    if len(parts) >= 2 and all(math.isfinite(v) for v in parts) and abs(parts[0]) <= 180 and abs(parts[1]) <= 90:
        return parts[0], parts[1], parts[2] if len(parts) > 2 else float("nan")
    return None
