"""Opening a tile file: which reader it needs, told from its tables."""
from __future__ import annotations

from desktop.core.tiles.foreign_sqlite import ForeignSQLite, TileFileError
from desktop.core.tiles.geopackage import open_geopackage_tiles
from desktop.core.tiles.mbtiles import open_mbtiles
from desktop.core.tiles.source import TileSource


def open_tile_file(path, layer: str | None = None) -> TileSource:
    """Open an MBTiles file or a GeoPackage tile pyramid (`layer`: which tile table of a
    GeoPackage; the first by default). Raises TileFileError naming the file."""
    db = ForeignSQLite(path, "tile file (MBTiles or GeoPackage)")
    try:
        if "gpkg_contents" in db.tables:
            return open_geopackage_tiles(db, layer)
        if "tiles" in db.tables:
            return open_mbtiles(db)
        raise TileFileError(f"{db.name}: an SQLite database but neither MBTiles (no 'tiles' table) "
                            "nor a GeoPackage (no 'gpkg_contents' table)")
    except BaseException:
        db.close()
        raise
