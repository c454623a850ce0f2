"""Map markup (annotations): text callouts, arrows, freehand strokes, areas, range rings and
measurements, stored in WGS84 like everything else and kept in the document.

Geometry rules apply: an arrow, a measurement and the edges of an area are geodesics; a
range ring is the set of points `radius_km` geodesic kilometres from its centre. What an
annotation *says* (a measured distance and bearing, a ring's radius, an area in km²) is
computed here, never from the display projection.

Annotations are immutable; edits make new ones and go through undoable commands
(`desktop.core.commands.SetAnnotations`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import numpy as np

from desktop.core.geodesy import GEOD, densify_geodesic, geodesic_area_km2
from desktop.core.measure_units import DEFAULT as KM_TRUE_DEGREES
from desktop.core.measure_units import MeasureUnits, bearing, format_distance, format_length

TEXT, ARROW, FREEHAND, POLYGON, CIRCLE, MEASURE = "text", "arrow", "freehand", "polygon", "circle", "measure"
KINDS = (TEXT, ARROW, FREEHAND, POLYGON, CIRCLE, MEASURE)
# How many points each kind takes: (at least, at most or None for no limit).
POINT_COUNTS = {TEXT: (1, 1), ARROW: (2, 2), FREEHAND: (2, None), POLYGON: (3, None),
                CIRCLE: (1, 1), MEASURE: (2, 2)}
DEFAULT_COLOR = "#d62728"
# A measurement is teal and dashed (desktop.gui.map.layers.markup): never the solid black of
# the deconfliction line, its dashed black extensions or the dash-dot grey AO.
MEASURE_COLOR = "#00838f"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
RING_SEGMENTS = 180  # points on a drawn range ring: 2° apart, far finer than a pen width


class AnnotationError(ValueError):
    """An annotation that cannot exist (wrong point count, bad colour, radius <= 0, ...)."""


@dataclass(frozen=True, eq=False)
class Annotation:
    """One markup item.

    `points` (n x 2 lon/lat degrees): text: its anchor; arrow: tail, head; freehand: the
    stroke; polygon: the ring's vertices (not repeated at the end); circle: its centre;
    measure: from, to. `width` is the pen width in points; `radius_km` only for circles."""

    id: str
    kind: str
    points: np.ndarray
    text: str = ""
    color: str = DEFAULT_COLOR
    width: float = 2.0
    radius_km: float = 0.0

    def __post_init__(self) -> None:
        pts = np.array(self.points, dtype=float).reshape(-1, 2)
        pts.setflags(write=False)
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "width", float(self.width))
        object.__setattr__(self, "radius_km", float(self.radius_km))
        self._validate()

    def _validate(self) -> None:
        what = f"annotation {self.id!r}"
        if not self.id:
            raise AnnotationError("an annotation needs an id")
        if self.kind not in KINDS:
            raise AnnotationError(f"{what}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        lo, hi = POINT_COUNTS[self.kind]
        n = len(self.points)
        if n < lo or (hi is not None and n > hi):
            want = str(lo) if lo == hi else f"at least {lo}"
            raise AnnotationError(f"{what}: a {self.kind} takes {want} point(s), got {n}")
        if not np.all(np.isfinite(self.points)):
            raise AnnotationError(f"{what}: a point has no valid coordinates")
        if np.any(np.abs(self.points[:, 0]) > 180) or np.any(np.abs(self.points[:, 1]) > 90):
            raise AnnotationError(f"{what}: a point lies outside -180..180 longitude / -90..90 latitude")
        if not _COLOR.match(self.color):
            raise AnnotationError(f"{what}: colour {self.color!r} is not #rrggbb")
        if not 0 < self.width <= 50:
            raise AnnotationError(f"{what}: pen width {self.width:g} is outside 0..50 points")
        if self.kind == CIRCLE and not (np.isfinite(self.radius_km) and 0 < self.radius_km <= 20_000):
            raise AnnotationError(f"{what}: a range ring needs a radius between 0 and 20000 km")
        if self.kind == TEXT and not self.text.strip():
            raise AnnotationError(f"{what}: a text label needs some text")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Annotation) and (self.id, self.kind, self.text, self.color, self.width,
                                                    self.radius_km) ==
                (other.id, other.kind, other.text, other.color, other.width, other.radius_km)
                and np.array_equal(self.points, other.points))

    __hash__ = None  # type: ignore[assignment]

    # -- edits (new annotations) ----------------------------------------------------------
    def with_points(self, points) -> "Annotation":
        return replace(self, points=points)

    def with_style(self, *, text: str | None = None, color: str | None = None, width: float | None = None,
                   radius_km: float | None = None) -> "Annotation":
        changes = {k: v for k, v in (("text", text), ("color", color), ("width", width),
                                     ("radius_km", radius_km)) if v is not None}
        return replace(self, **changes)

    def moved(self, dlon: float, dlat: float) -> "Annotation":
        """Shifted by (dlon, dlat) degrees, latitudes clamped to the poles, longitudes wrapped."""
        p = self.points + (dlon, dlat)
        p[:, 0] = (p[:, 0] + 180.0) % 360.0 - 180.0
        p[:, 1] = np.clip(p[:, 1], -90.0, 90.0)
        return self.with_points(p)

    # -- what it measures (geodesic) --------------------------------------------------------
    def distance_km(self) -> float:
        """Geodesic length: the measured distance, the arrow's or stroke's length, the
        polygon's perimeter, the ring's radius; 0 for text."""
        if self.kind == CIRCLE:
            return self.radius_km
        if self.kind == TEXT:
            return 0.0
        p = self.points if self.kind != POLYGON else np.vstack([self.points, self.points[:1]])
        _, _, d = GEOD.inv(p[:-1, 0], p[:-1, 1], p[1:, 0], p[1:, 1])
        return float(np.sum(d)) / 1000.0

    def bearing_deg(self) -> float:
        """Initial true bearing from the first point to the second (0..360), for measure
        and arrow."""
        if self.kind not in (MEASURE, ARROW):
            raise AnnotationError(f"a {self.kind} has no bearing")
        (lon1, lat1), (lon2, lat2) = self.points
        az, _, _ = GEOD.inv(lon1, lat1, lon2, lat2)
        return float(az) % 360.0

    def area_km2(self) -> float:
        """Geodesic area of a polygon or a range ring (0 for other kinds)."""
        if self.kind not in (POLYGON, CIRCLE):
            return 0.0
        lon, lat = self.outline()
        return geodesic_area_km2(lon, lat)

    def outline(self) -> tuple[np.ndarray, np.ndarray]:
        """The lon/lat path to draw: geodesic edges densified (polygons and rings closed),
        a ring as RING_SEGMENTS points at `radius_km`, text its anchor."""
        p = self.points
        if self.kind == CIRCLE:
            az = np.linspace(0.0, 360.0, RING_SEGMENTS + 1)
            lon, lat, _ = GEOD.fwd(np.full(az.shape, p[0, 0]), np.full(az.shape, p[0, 1]), az,
                                   np.full(az.shape, self.radius_km * 1000.0))
            return np.asarray(lon), np.asarray(lat)
        if self.kind == TEXT or self.kind == FREEHAND:
            return p[:, 0].copy(), p[:, 1].copy()  # a pen stroke is what the hand drew
        return densify_geodesic(p[:, 0], p[:, 1], closed=self.kind == POLYGON, step_m=1000.0)

    def label(self, units: MeasureUnits = KM_TRUE_DEGREES, when_s: float | None = None) -> str:
        """What the map and the legend print beside it, in `units` ("12.35 km  045.2° T",
        "6.67 NM  0747 mil M"); a magnetic bearing uses the variation at the measurement's
        start at `when_s` (epoch seconds; None: now)."""
        if self.kind == MEASURE:
            b = bearing(self.bearing_deg(), *self.points[0], when_s, units)
            return f"{format_distance(self.distance_km(), units)}  {b.text(units)}"
        if self.kind == CIRCLE:
            return self.text or format_length(self.radius_km, units)
        return self.text


class Annotations:
    """Ordered, immutable collection of annotations with unique ids (drawing order)."""

    def __init__(self, items: Iterable[Annotation] = ()) -> None:
        items = tuple(items)
        ids = [a.id for a in items]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise AnnotationError(f"two annotations have the id {dup!r}")
        self._items = items
        self._by_id = {a.id: a for a in items}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Annotation]:
        return iter(self._items)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._by_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Annotations) and self._items == other._items

    __hash__ = None  # type: ignore[assignment]

    def get(self, annotation_id: str) -> Annotation:
        try:
            return self._by_id[annotation_id]
        except KeyError:
            raise AnnotationError(f"no annotation {annotation_id!r}") from None

    def new_id(self, kind: str) -> str:
        """The next free id for `kind`, e.g. 'arrow-3'."""
        k = 1
        while f"{kind}-{k}" in self._by_id:
            k += 1
        return f"{kind}-{k}"

    def added(self, annotation: Annotation) -> "Annotations":
        return Annotations(self._items + (annotation,))

    def replaced(self, annotation: Annotation) -> "Annotations":
        self.get(annotation.id)
        return Annotations(annotation if a.id == annotation.id else a for a in self._items)

    def removed(self, annotation_id: str) -> "Annotations":
        self.get(annotation_id)
        return Annotations(a for a in self._items if a.id != annotation_id)
