"""Offline raster basemaps the user brings: MBTiles and GeoPackage tile pyramids. Pure.

`open_tile_file` reads a file safely (`foreign_sqlite`); `plan_tiles` picks the level and
the tiles a `MapSettings` needs; `TileMeshes` says where each tile's pixels land in the
display CRS. Decoding and painting are the GUI's (`desktop.gui.tile_painter`).
"""
from desktop.core.tiles.foreign_sqlite import TileFileError, sniff_image
from desktop.core.tiles.matrix import TileLevel, TileMatrixSet, web_mercator_set
from desktop.core.tiles.mesh import TileMeshes, interpolate_mesh
from desktop.core.tiles.plan import TilePlan, plan_tiles
from desktop.core.tiles.reader import open_tile_file
from desktop.core.tiles.source import TileSource

__all__ = ["TileFileError", "TileLevel", "TileMatrixSet", "TileMeshes", "TilePlan", "TileSource",
           "interpolate_mesh", "open_tile_file", "plan_tiles", "sniff_image", "web_mercator_set"]
