"""A tile file opened for drawing: what every reader (MBTiles, GeoPackage) gives the map."""
from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.tiles.foreign_sqlite import ForeignSQLite, TileFileError, quote, sniff_image
from desktop.core.tiles.matrix import TileMatrixSet

RASTER_FORMATS = ("png", "jpeg", "webp", "gif", "tiff")
MAX_TILE_BYTES = 16 << 20   # a bigger blob is not a map tile: skipped unread
TILE_QUERY_SECONDS = 2.0


@dataclass(eq=False)
class TileSource:
    """`title`: the name the file gives itself; `format`: the tiles' real format, sniffed;
    `matrix`: the pyramid; `center`: (lon, lat, zoom) the file suggests, or None.

    `read` is safe from several threads (one query at a time). Rows count from the top."""

    db: ForeignSQLite
    title: str
    format: str
    matrix: TileMatrixSet
    center: tuple[float, float, float] | None = None
    kind: str = "tiles"
    _select: str = field(default="", repr=False)

    @property
    def path(self):
        return self.db.path

    @property
    def name(self) -> str:
        return self.db.name

    def read(self, zoom: int, col: int, row: int) -> bytes | None:
        """The tile's bytes, or None where the file has no tile (or one too big to be real)."""
        rows = self.db.query(self._select, self._key(zoom, col, row), limit_s=TILE_QUERY_SECONDS)
        if not rows or rows[0][0] is None:
            return None
        data = rows[0][0]
        return bytes(data) if isinstance(data, (bytes, bytearray, memoryview)) else None

    def _key(self, zoom: int, col: int, row: int) -> tuple:
        return zoom, col, row

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "TileSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def select_tile_sql(table: str) -> str:
    return (f"SELECT CASE WHEN length(tile_data) <= {MAX_TILE_BYTES} THEN tile_data END FROM {quote(table)} "
            "WHERE zoom_level=? AND tile_column=? AND tile_row=?")


def first_tile_format(db: ForeignSQLite, table: str, what: str) -> tuple[str, bytes]:
    """The sniffed format and bytes of one tile; refuses a file without raster tiles."""
    rows = db.query(f"SELECT tile_data FROM {quote(table)} WHERE tile_data IS NOT NULL "
                    f"AND length(tile_data) <= {MAX_TILE_BYTES} LIMIT 1")
    if not rows:
        raise TileFileError(f"{db.name}: {what} holds no tiles")
    blob = rows[0][0]
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise TileFileError(f"{db.name}: {what} tiles are not binary images")
    blob = bytes(blob)
    kind = sniff_image(blob)
    if kind == "pbf":
        raise TileFileError(f"{db.name}: holds vector tiles (Mapbox pbf); only raster tiles "
                            "(PNG, JPEG, WebP) can be drawn")
    if kind not in RASTER_FORMATS:
        raise TileFileError(f"{db.name}: {what} tiles are not images in a known format")
    return kind, blob


def require_columns(db: ForeignSQLite, table: str, needed: tuple[str, ...], what: str) -> None:
    missing = [c for c in needed if c not in db.columns(table)]
    if missing:
        raise TileFileError(f"{db.name}: not a valid {what}: table {table!r} has no column {missing[0]!r}")
