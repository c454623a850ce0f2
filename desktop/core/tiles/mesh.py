"""Where a tile's pixels land in the display CRS: a mesh of control points per tile.

A tile is split into n x n cells; each cell's corners are projected exactly (tile CRS ->
lon/lat -> display) and the pixels inside are placed by the projective map of the cell's
square onto its four projected corners: what `QTransform.quadToQuad` draws, and cells that
share an edge share it exactly, so there are no seams. n doubles until the projective
guess at every cell's edge midpoints and centre is within `tol` (display units) of the
exact projection; the map is smooth, so half a pixel there keeps every pixel within one.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from desktop.core.geodesy import Projection
from desktop.core.tiles.matrix import TileLevel, TileMatrixSet

MAX_CELLS = 32            # per side of a tile
CACHE_TILES = 4096


def square_to_quad(quad: np.ndarray) -> np.ndarray:
    """Coefficients (a, b, c, d, e, f, g, h), shape (..., 8), of the projective maps taking
    the unit square's corners (0,0), (1,0), (1,1), (0,1) to `quad` (..., 4, 2) in that
    order: x = (a u + b v + c) / (g u + h v + 1), y = (d u + e v + f) / (g u + h v + 1).
    Heckbert's closed form, as in Qt's `QTransform.squareToQuad`."""
    x0, x1, x2, x3 = (quad[..., i, 0] for i in range(4))
    y0, y1, y2, y3 = (quad[..., i, 1] for i in range(4))
    ax, ay = x0 - x1 + x2 - x3, y0 - y1 + y2 - y3
    ax1, ax2, ay1, ay2 = x1 - x2, x3 - x2, y1 - y2, y3 - y2
    bottom = ax1 * ay2 - ax2 * ay1
    with np.errstate(all="ignore"):
        g = np.where(bottom != 0, (ax * ay2 - ax2 * ay) / bottom, 0.0)
        h = np.where(bottom != 0, (ax1 * ay - ax * ay1) / bottom, 0.0)
    a, b = x1 - x0 + g * x1, x3 - x0 + h * x3
    d, e = y1 - y0 + g * y1, y3 - y0 + h * y3
    return np.stack([a, b, x0, d, e, y0, g, h], axis=-1)


def apply_square_to_quad(coef: np.ndarray, u, v) -> tuple[np.ndarray, np.ndarray]:
    a, b, c, d, e, f, g, h = np.moveaxis(coef, -1, 0)
    w = g * u + h * v + 1.0
    return (a * u + b * v + c) / w, (d * u + e * v + f) / w


def cell_quads(mesh: np.ndarray) -> np.ndarray:
    """(n, n, 4, 2) corners of every cell of an (n+1, n+1, 2) mesh (rows down the tile),
    in the order square_to_quad takes: top-left, top-right, bottom-right, bottom-left."""
    return np.stack([mesh[:-1, :-1], mesh[:-1, 1:], mesh[1:, 1:], mesh[1:, :-1]], axis=2)


def interpolate_mesh(mesh: np.ndarray, u, v) -> tuple[np.ndarray, np.ndarray]:
    """Display position of tile fractions (u, v) as the mesh draws them."""
    n = mesh.shape[0] - 1
    u, v = np.asarray(u, float) * n, np.asarray(v, float) * n
    i, j = np.clip(np.floor(u).astype(int), 0, n - 1), np.clip(np.floor(v).astype(int), 0, n - 1)
    coef = square_to_quad(cell_quads(mesh))[j, i]
    return apply_square_to_quad(coef, u - i, v - j)


class TileMeshes:
    """Meshes of one tile pyramid in one display projection, cached per tile (LRU)."""

    def __init__(self, matrix: TileMatrixSet, projection: Projection, max_cells: int = MAX_CELLS,
                 cache_tiles: int = CACHE_TILES) -> None:
        self.matrix = matrix
        self.projection = projection
        self.max_cells = max_cells
        self.cache_tiles = cache_tiles
        # key -> (grids, errors): grids[k] has 2**k cells a side, errors[k] is its error
        self._cache: OrderedDict[tuple, tuple[list, list]] = OrderedDict()

    def exact(self, level: TileLevel, col: int, row: int, u, v) -> tuple[np.ndarray, np.ndarray]:
        """Display coordinates of tile fractions (u, v), projected exactly."""
        x, y = self.matrix.tile_to_crs(level, col, row, u, v)
        lon, lat = self.matrix.to_lonlat(x, y)
        with np.errstate(all="ignore"):
            return self.projection.forward(lon, lat)

    def _grid(self, level: TileLevel, col: int, row: int, n: int) -> np.ndarray:
        t = np.linspace(0.0, 1.0, n + 1)
        u, v = np.meshgrid(t, t)
        x, y = self.exact(level, col, row, u, v)
        return np.stack([x, y], axis=-1)

    def mesh(self, level: TileLevel, col: int, row: int, tol: float) -> np.ndarray | None:
        """(n+1, n+1, 2) display coordinates of the tile's control points, rows down the
        tile, fine enough for `tol` display units (or the finest allowed); None when part
        of the tile has no position in the display projection."""
        key = (level.zoom, col, row)
        entry = self._cache.get(key)
        if entry is None:
            first = self._grid(level, col, row, 1)
            if not np.isfinite(first).all():
                self._remember(key, ([None], []))
                return None
            entry = ([first], [])
            self._remember(key, entry)
        else:
            self._cache.move_to_end(key)
        grids, errors = entry
        if grids[0] is None:
            return None
        k = 0
        while True:
            n = 1 << k
            if n >= self.max_cells:
                return grids[k]
            if k == len(errors):
                if k + 1 == len(grids):
                    finer = self._grid(level, col, row, 2 * n)
                    if not np.isfinite(finer).all():
                        return grids[k]
                    grids.append(finer)
                errors.append(self._error(grids[k], grids[k + 1]))
            if errors[k] <= tol:
                return grids[k]
            k += 1

    @staticmethod
    def _error(coarse: np.ndarray, fine: np.ndarray) -> float:
        """Largest distance between the coarse mesh's guess and the exact points of the
        mesh twice as fine (the coarse cells' edge midpoints and centres)."""
        m = fine.shape[0] - 1
        t = np.linspace(0.0, 1.0, m + 1)
        u, v = np.meshgrid(t, t)
        x, y = interpolate_mesh(coarse, u, v)
        return float(np.max(np.hypot(x - fine[..., 0], y - fine[..., 1])))

    def _remember(self, key, entry) -> None:
        self._cache[key] = entry
        while len(self._cache) > self.cache_tiles:
            self._cache.popitem(last=False)
