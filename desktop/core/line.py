"""The deconfliction line: an ordered list of WGS84 vertices joined by geodesics."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from desktop.core.geodesy import Projection, densify_geodesic


class LineError(ValueError):
    """An edit that would make the line invalid; the message is shown to the user."""


# Validation, sectors, distances and drawing all grow with the vertices: at this many the
# demo's analysis takes about 2 s; a million took 27 s and 1.2 GB.
MAX_VERTICES = 100_000


@dataclass(frozen=True)
class DeconflictionLine:
    """Immutable vertex array (n x 2, lon/lat degrees). Edits return new lines."""

    vertices: np.ndarray

    def __post_init__(self) -> None:
        v = np.array(self.vertices, dtype=float).reshape(-1, 2)
        v.setflags(write=False)
        object.__setattr__(self, "vertices", v)

    def __len__(self) -> int:
        return len(self.vertices)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeconflictionLine) and np.array_equal(self.vertices, other.vertices)

    __hash__ = None  # type: ignore[assignment]

    @property
    def lon(self) -> np.ndarray:
        return self.vertices[:, 0]

    @property
    def lat(self) -> np.ndarray:
        return self.vertices[:, 1]

    def moved(self, index: int, lon: float, lat: float) -> "DeconflictionLine":
        v = self.vertices.copy()
        v[index] = (lon, lat)
        return DeconflictionLine(v)

    def inserted(self, index: int, lon: float, lat: float) -> "DeconflictionLine":
        """New line with a vertex inserted so that it becomes vertex `index`."""
        return DeconflictionLine(np.insert(self.vertices, index, [lon, lat], axis=0))

    def deleted(self, index: int) -> "DeconflictionLine":
        return DeconflictionLine(np.delete(self.vertices, index, axis=0))

    def densified(self) -> tuple[np.ndarray, np.ndarray]:
        return densify_geodesic(self.lon, self.lat)

    def validate(self, projection: Projection) -> None:
        """Raise LineError with a reason a planner understands, or return quietly."""
        v = self.vertices
        if len(v) < 2:
            raise LineError("the line needs at least two vertices")
        if len(v) > MAX_VERTICES:
            raise LineError(f"the line has {len(v):,} vertices, more than {MAX_VERTICES:,}: simplify it "
                            "(e.g. QGIS Vector › Geometry Tools › Simplify)")
        if not np.all(np.isfinite(v)):
            raise LineError("a vertex has no valid coordinates")
        if np.any(np.abs(v[:, 1]) > 90) or np.any(np.abs(v[:, 0]) > 180):
            raise LineError("a vertex lies outside -90..90 latitude / -180..180 longitude")
        same = np.all(v[1:] == v[:-1], axis=1)
        if np.any(same):
            raise LineError(f"vertices {int(np.argmax(same)) + 1} and {int(np.argmax(same)) + 2} coincide")
        lon, lat = self.densified()
        x, y = projection.forward(lon, lat)
        if not shapely.LineString(np.column_stack([x, y])).is_simple:
            raise LineError("the line would cross itself")
