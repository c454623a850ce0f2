"""What one rendering of the map shows: a plain value, after QGIS's `QgsMapSettings`.

The window's map and the exporter both describe what they want drawn with a `MapSettings`
(display CRS, the extent shown, the output size in device pixels and how many device pixels
make one screen pixel) and hand it to the same scene; layers paint from it. It holds no Qt
object, so the core, the CLI and tests can build and reason about it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from desktop.core.geodesy import GEOD, Projection

SCREEN_DPI = 96.0  # a "screen pixel": what pens, symbols and fonts are sized in


@dataclass(frozen=True)
class MapSettings:
    """`extent` = (x_min, y_min, x_max, y_max) in display coordinates (metres from the
    projection's false origin, y up); `size` = (width, height) in device pixels; y of the
    device grows downwards. `pixel_ratio`: device pixels per screen pixel (1 on a normal
    screen, the screen's device pixel ratio on HiDPI, dpi / 96 in an export). `night`: the
    dark palette of night mode (desktop.gui.theme), as QGIS's settings carry the background
    colour; the window sets it, a page keeps its print colours."""

    projection: Projection
    extent: tuple[float, float, float, float]
    size: tuple[int, int]
    pixel_ratio: float = 1.0
    force_vector: bool = False
    night: bool = False

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = (float(v) for v in self.extent)
        w, h = (int(v) for v in self.size)
        if not (np.isfinite([x0, y0, x1, y1]).all() and x1 > x0 and y1 > y0):
            raise ValueError(f"map extent {self.extent} is empty or not finite")
        if w < 1 or h < 1:
            raise ValueError(f"map size {self.size} is empty")
        if not self.pixel_ratio > 0:
            raise ValueError("pixel_ratio must be positive")
        object.__setattr__(self, "extent", (x0, y0, x1, y1))
        object.__setattr__(self, "size", (w, h))

    @classmethod
    def fitted(cls, projection: Projection, extent, size, pixel_ratio: float = 1.0,
               force_vector: bool = False) -> "MapSettings":
        """Settings that show at least `extent`, grown about its centre to the aspect of
        `size` so one map unit is as long across as up."""
        x0, y0, x1, y1 = (float(v) for v in extent)
        w, h = size
        per_px = max((x1 - x0) / w, (y1 - y0) / h)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return cls(projection, (cx - per_px * w / 2, cy - per_px * h / 2, cx + per_px * w / 2, cy + per_px * h / 2),
                   (w, h), pixel_ratio, force_vector)

    def with_extent(self, extent) -> "MapSettings":
        return replace(self, extent=tuple(extent))

    # -- geometry -----------------------------------------------------------------------
    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]

    @property
    def dpi(self) -> float:
        return SCREEN_DPI * self.pixel_ratio

    @property
    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.extent
        return (x0 + x1) / 2, (y0 + y1) / 2

    @property
    def map_units_per_pixel(self) -> tuple[float, float]:
        """Display units per device pixel, across and up (equal for a fitted extent)."""
        x0, y0, x1, y1 = self.extent
        return (x1 - x0) / self.size[0], (y1 - y0) / self.size[1]

    def to_device(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Display coordinates -> device pixels (origin top-left, y down)."""
        x0, y0, x1, y1 = self.extent
        sx, sy = self.map_units_per_pixel
        return (np.asarray(x, float) - x0) / sx, (y1 - np.asarray(y, float)) / sy

    def to_map(self, px, py) -> tuple[np.ndarray, np.ndarray]:
        """Device pixels -> display coordinates."""
        x0, y0, x1, y1 = self.extent
        sx, sy = self.map_units_per_pixel
        return x0 + np.asarray(px, float) * sx, y1 - np.asarray(py, float) * sy

    def outline(self, samples: int = 16) -> tuple[np.ndarray, np.ndarray]:
        """Display coordinates of `samples` points along each edge of the extent: its shape
        in lon/lat or in another CRS."""
        x0, y0, x1, y1 = self.extent
        t = np.linspace(0.0, 1.0, samples)
        xs = np.concatenate([x0 + t * (x1 - x0), np.full(samples, x1), x1 - t * (x1 - x0), np.full(samples, x0)])
        ys = np.concatenate([np.full(samples, y0), y0 + t * (y1 - y0), np.full(samples, y1), y1 - t * (y1 - y0)])
        return xs, ys

    def lonlat_box(self, samples: int = 16) -> tuple[float, float, float, float] | None:
        """The lon/lat box (lon0, lat0, lon1, lat1) around what is shown, from points along
        the extent's edges (a projected rectangle is not a lon/lat rectangle); None when no
        edge point has a lon/lat (a view entirely off the projection's domain)."""
        xs, ys = self.outline(samples)
        with np.errstate(all="ignore"):
            lon, lat = self.projection.inverse(xs, ys)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if not ok.any():
            return None
        return float(lon[ok].min()), float(lat[ok].min()), float(lon[ok].max()), float(lat[ok].max())

    def ground_metres_per_pixel(self) -> float:
        """Geodesic ground metres per device pixel, across, at the centre: true for any CRS
        (a short east-west chord on the output, back to lon/lat, measured on the ellipsoid)."""
        cx, cy = self.centre
        half = self.map_units_per_pixel[0] * 0.5
        lon, lat = self.projection.inverse(np.array([cx - half, cx + half]), np.array([cy, cy]))
        _, _, metres = GEOD.inv(float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1]))
        return float(metres)  # the chord is one device pixel long

    def scale_denominator(self) -> float:
        """The map scale 1:N at the centre: ground metres per metre of output."""
        return self.ground_metres_per_pixel() * self.dpi / 0.0254
