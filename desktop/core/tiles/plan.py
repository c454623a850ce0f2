"""Which tiles a rendering needs: the level that suits its scale and the tiles covering it.

The view's pixel size is measured in the tile CRS at the view's centre (display ->
lon/lat -> tile CRS), and the level whose pixels are nearest to it (in log scale) is
used, whatever levels the file holds: a file with only some levels draws at every scale,
resampled from the nearest one. When that level would need more than `max_tiles` tiles
the next coarser level is tried; when none fits, the plan says so and holds no tiles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from desktop.core.map_settings import MapSettings
from desktop.core.tiles.matrix import TileLevel, TileMatrixSet

MAX_TILES = 400      # per rendering; a 4K export at a level's native scale needs ~150
_EDGE_SAMPLES = 33
_INNER_SAMPLES = 9


@dataclass(frozen=True)
class TilePlan:
    """`tiles`: (n, 2) int64 (col, row), nearest the view's centre first. `too_many`: the
    view would need more than the allowed tiles at every level the file holds (zoom in)."""

    level: TileLevel | None
    tiles: np.ndarray
    too_many: bool = False

    def __len__(self) -> int:
        return len(self.tiles)


def _empty(level=None, too_many=False) -> TilePlan:
    return TilePlan(level, np.empty((0, 2), np.int64), too_many)


def view_samples(settings: MapSettings) -> tuple[np.ndarray, np.ndarray]:
    """Display points along the extent's edges and across it."""
    x0, y0, x1, y1 = settings.extent
    t = np.linspace(0.0, 1.0, _EDGE_SAMPLES)
    xs = [x0 + t * (x1 - x0), np.full_like(t, x1), x0 + t * (x1 - x0), np.full_like(t, x0)]
    ys = [np.full_like(t, y0), y0 + t * (y1 - y0), np.full_like(t, y1), y0 + t * (y1 - y0)]
    gx, gy = np.meshgrid(np.linspace(x0, x1, _INNER_SAMPLES), np.linspace(y0, y1, _INNER_SAMPLES))
    return np.concatenate(xs + [gx.ravel()]), np.concatenate(ys + [gy.ravel()])


def to_tile_crs(matrix: TileMatrixSet, settings: MapSettings, x, y) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        lon, lat = settings.projection.inverse(np.asarray(x, float), np.asarray(y, float))
    return matrix.from_lonlat(lon, lat)


def tile_crs_per_pixel(matrix: TileMatrixSet, settings: MapSettings) -> float | None:
    """Tile-CRS units per device pixel at the view's centre (the square root of the local
    Jacobian's area, so a rotation between the CRSs does not matter); None off the CRS."""
    sx, sy = settings.map_units_per_pixel
    cx, cy = settings.centre
    step = 8.0  # device pixels: small against any curvature, large against rounding
    x, y = to_tile_crs(matrix, settings, [cx, cx + step * sx, cx], [cy, cy, cy + step * sy])
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        return None
    det = abs((x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]))
    return math.sqrt(det) / step if det > 0 else None


def level_order(matrix: TileMatrixSet, per_pixel: float) -> list[TileLevel]:
    """The levels to try: the one nearest the view's pixel size, then coarser ones."""
    def pixel(lv: TileLevel) -> float:
        return math.sqrt(lv.pixel_x * lv.pixel_y)
    best = min(matrix.levels, key=lambda lv: (abs(math.log2(pixel(lv) / per_pixel)), pixel(lv)))
    coarser = sorted((lv for lv in matrix.levels if pixel(lv) > pixel(best)), key=pixel)
    return [best, *coarser]


def tile_range(matrix: TileMatrixSet, level: TileLevel, box) -> tuple[int, int, int, int] | None:
    """(col0, row0, col1, row1), inclusive, of the tiles meeting `box` (tile CRS)."""
    bx0, by0, bx1, by1 = matrix.bounds
    x0, y0, x1, y1 = max(box[0], bx0), max(box[1], by0), min(box[2], bx1), min(box[3], by1)
    if not (x0 < x1 and y0 < y1):
        return None
    ox, oy = matrix.origin
    c0 = max(int(math.floor((x0 - ox) / level.span_x)), 0)
    c1 = min(int(math.ceil((x1 - ox) / level.span_x)) - 1, level.matrix_width - 1)
    r0 = max(int(math.floor((oy - y1) / level.span_y)), 0)
    r1 = min(int(math.ceil((oy - y0) / level.span_y)) - 1, level.matrix_height - 1)
    if c0 > c1 or r0 > r1:
        return None
    return c0, r0, c1, r1


def plan_tiles(matrix: TileMatrixSet, settings: MapSettings, max_tiles: int = MAX_TILES) -> TilePlan:
    """The level and the tiles that cover `settings`' extent."""
    per_pixel = tile_crs_per_pixel(matrix, settings)
    x, y = to_tile_crs(matrix, settings, *view_samples(settings))
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return _empty()
    x, y = x[ok], y[ok]
    if per_pixel is None:  # the centre is off the tile CRS: judge from the whole view
        w, h = settings.size
        per_pixel = math.sqrt((x.max() - x.min()) * (y.max() - y.min()) / (w * h)) or None
        if per_pixel is None:
            return _empty()
    pad_x, pad_y = 0.01 * (x.max() - x.min()), 0.01 * (y.max() - y.min())
    box = (x.min() - pad_x, y.min() - pad_y, x.max() + pad_x, y.max() + pad_y)
    cx, cy = to_tile_crs(matrix, settings, *settings.centre)
    for level in level_order(matrix, per_pixel):
        rng = tile_range(matrix, level, box)
        if rng is None:
            return _empty(level)
        c0, r0, c1, r1 = rng
        if (c1 - c0 + 1) * (r1 - r0 + 1) > max_tiles:
            continue
        cols, rows = np.meshgrid(np.arange(c0, c1 + 1), np.arange(r0, r1 + 1))
        tiles = np.column_stack([cols.ravel(), rows.ravel()]).astype(np.int64)
        if np.isfinite(cx) and np.isfinite(cy):  # the centre's tile first: it loads first
            ox, oy = matrix.origin
            fc, fr = (float(cx) - ox) / level.span_x - 0.5, (oy - float(cy)) / level.span_y - 0.5
            order = np.argsort(np.hypot(tiles[:, 0] - fc, tiles[:, 1] - fr), kind="stable")
            tiles = tiles[order]
        return TilePlan(level, tiles)
    return _empty(level_order(matrix, per_pixel)[0], too_many=True)
