"""OGC GeoPackage tile pyramids (GeoPackage 1.2 §2.2): `gpkg_contents` rows of data_type
'tiles', each with a `gpkg_tile_matrix_set` (CRS and the pyramid's bounding box, whose
top-left is tile (0, 0)'s corner) and `gpkg_tile_matrix` rows (one per zoom level: matrix
and tile size, pixel size in CRS units). Rows count from the top. Any CRS pyproj knows."""
from __future__ import annotations

import math

from pyproj import CRS
from pyproj.exceptions import CRSError

from desktop.core.tiles.foreign_sqlite import ForeignSQLite, TileFileError
from desktop.core.tiles.matrix import TileLevel, TileMatrixSet
from desktop.core.tiles.source import TileSource, first_tile_format, require_columns, select_tile_sql

_REQUIRED = ("gpkg_contents", "gpkg_tile_matrix_set", "gpkg_tile_matrix", "gpkg_spatial_ref_sys")
_MAX_MATRIX = 1 << 31
_MAX_LEVELS = 64


def tile_layers(db: ForeignSQLite) -> list[str]:
    """Names of the tile tables a GeoPackage lists, in its order."""
    rows = db.query("SELECT table_name FROM gpkg_contents WHERE lower(data_type) = 'tiles' LIMIT 1000")
    return [str(r[0]) for r in rows if r[0] is not None]


def open_geopackage_tiles(db: ForeignSQLite, layer: str | None = None) -> TileSource:
    what = "GeoPackage tile pyramid"
    layers = tile_layers(db)
    if not layers:
        raise TileFileError(f"{db.name}: a GeoPackage without tiles (no gpkg_contents row of type 'tiles')")
    missing = [t for t in _REQUIRED if t not in db.tables]
    if missing:
        raise TileFileError(f"{db.name}: not a valid {what}: no {missing[0]} table")
    if layer is None:
        layer = layers[0]
    elif layer not in layers:
        raise TileFileError(f"{db.name}: no tile layer {layer!r} (it has {', '.join(layers)})")
    if layer not in db.tables:
        raise TileFileError(f"{db.name}: tile layer {layer!r} is listed but its table is missing")
    require_columns(db, layer, ("zoom_level", "tile_column", "tile_row", "tile_data"), what)
    rows = db.query("SELECT srs_id, min_x, min_y, max_x, max_y FROM gpkg_tile_matrix_set WHERE table_name=?",
                    (layer,))
    if not rows:
        raise TileFileError(f"{db.name}: tile layer {layer!r} has no gpkg_tile_matrix_set row")
    srs_id, *box = rows[0]
    box = _box(box)
    if box is None:
        raise TileFileError(f"{db.name}: tile layer {layer!r} has an empty or invalid tile matrix set extent")
    crs_text = _crs_text(db, srs_id, layer)
    levels = _levels(db, layer)
    fmt, _ = first_tile_format(db, layer, what)
    title_rows = db.query("SELECT identifier, srs_id, min_x, min_y, max_x, max_y FROM gpkg_contents "
                          "WHERE table_name=?", (layer,))
    title, bounds = layer, box
    if title_rows:
        ident, c_srs, *c_box = title_rows[0]
        title = str(ident) if ident else layer
        c_box = _box(c_box)
        if c_box is not None and c_srs == srs_id:  # the data's extent, inside the pyramid's
            bounds = (max(c_box[0], box[0]), max(c_box[1], box[1]), min(c_box[2], box[2]), min(c_box[3], box[3]))
            if not (bounds[0] < bounds[2] and bounds[1] < bounds[3]):
                bounds = box
    matrix = TileMatrixSet(crs_text, (box[0], box[3]), levels, bounds)
    return TileSource(db, title, fmt, matrix, None, kind="GeoPackage", _select=select_tile_sql(layer))


def _box(values):
    try:
        x0, y0, x1, y1 = (float(v) for v in values)
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or not (x0 < x1 and y0 < y1):
        return None
    return x0, y0, x1, y1


def _crs_text(db: ForeignSQLite, srs_id, layer: str) -> str:
    rows = db.query("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                    "WHERE srs_id=?", (srs_id,))
    if not rows:
        raise TileFileError(f"{db.name}: tile layer {layer!r} names SRS {srs_id}, which gpkg_spatial_ref_sys lacks")
    org, code, definition = rows[0]
    candidates = []
    if isinstance(org, str) and org.strip().upper() == "EPSG" and isinstance(code, int) and code > 0:
        candidates.append(f"EPSG:{code}")
    if isinstance(definition, str) and definition.strip() and definition.strip().lower() != "undefined":
        candidates.append(definition.strip()[:20000])
    for text in candidates:
        try:
            crs = CRS.from_user_input(text)
        except CRSError:
            continue
        if crs.is_geographic or crs.is_projected:
            return text
    raise TileFileError(f"{db.name}: tile layer {layer!r} uses a coordinate system this program cannot read "
                        f"(SRS {srs_id}: {org} {code})")


def _levels(db: ForeignSQLite, layer: str) -> tuple[TileLevel, ...]:
    rows = db.query("SELECT zoom_level, matrix_width, matrix_height, tile_width, tile_height, pixel_x_size, "
                    f"pixel_y_size FROM gpkg_tile_matrix WHERE table_name=? ORDER BY zoom_level LIMIT {_MAX_LEVELS}",
                    (layer,))
    levels = []
    for z, mw, mh, tw, th, px, py in rows:
        ints_ok = all(isinstance(v, int) for v in (z, mw, mh, tw, th))
        if not ints_ok or not (0 <= z and 0 < mw <= _MAX_MATRIX and 0 < mh <= _MAX_MATRIX
                               and 0 < tw <= 4096 and 0 < th <= 4096):
            raise TileFileError(f"{db.name}: tile layer {layer!r}: invalid gpkg_tile_matrix row for zoom {z}")
        try:
            px, py = float(px), float(py)
        except (TypeError, ValueError):
            px = py = float("nan")
        if not (math.isfinite(px) and math.isfinite(py) and px > 0 and py > 0):
            raise TileFileError(f"{db.name}: tile layer {layer!r}: zoom {z} has an invalid pixel size")
        levels.append(TileLevel(z, mw, mh, tw, th, px, py))
    if not levels:
        raise TileFileError(f"{db.name}: tile layer {layer!r} has no gpkg_tile_matrix rows (no zoom levels)")
    return tuple(levels)
