"""Airspace coordination measures (ACMs): areas with a floor, a ceiling and active periods,
owned by a side.

Shapes: a polygon (its ring), a circle (centre and radius) and a corridor (a centreline and
its full width, half either side). Geometry rules apply: polygon edges and the corridor's
centreline are geodesics, a circle is the set of points `radius_nm` geodesic nautical miles
from its centre; `outline()` is each shape as one closed lon/lat ring whose straight pieces
stay within 10 m of that truth. Altitudes are feet MSL (FL input accepted); a period is
[start, end) in epoch seconds, and an ACM without periods is always active.

ACMs are immutable; edits make new ones and go through undoable commands
(desktop.core.air.commands). `record()` is one row of the ACM table: the columns a
GeoPackage layer holds (id, name, kind, shape, side, floor_ft, ceiling_ft, radius_nm,
width_nm, periods as ISO 8601 intervals "start/end;start/end") plus the defining points
(a list, or its JSON text in a table). A layer stores `outline()` as its polygon geometry,
so QGIS draws every shape, and `from_record` rebuilds the ACM exactly from the columns.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterable, Iterator, Mapping

import numpy as np
import shapely

from desktop.core.air.measures import NM_M, AltitudeError, format_altitude, parse_altitude_ft
from desktop.core.geodesy import GEOD, Projection, densify_geodesic, geodesic_area_km2
from desktop.core.tracks import as_epoch, format_time, parse_time

ROZ, HIDACZ, MEZ, CAP, CORRIDOR_KIND, OTHER = "ROZ", "HIDACZ", "MEZ", "CAP/orbit", "corridor", "other"
KINDS = (ROZ, HIDACZ, MEZ, CAP, CORRIDOR_KIND, OTHER)
POLYGON, CIRCLE, CORRIDOR = "polygon", "circle", "corridor"
SHAPES = (POLYGON, CIRCLE, CORRIDOR)
# Kind names as people write them (case, spaces and punctuation ignored).
_KIND_OF = {**{"".join(c for c in k.lower() if c.isalnum()): k for k in KINDS},
            "restrictedoperationszone": ROZ, "cap": CAP, "orbit": CAP, "caporbit": CAP, "combatairpatrol": CAP,
            "aircorridor": CORRIDOR_KIND, "transitcorridor": CORRIDOR_KIND, "missileengagementzone": MEZ,
            "highdensityairspacecontrolzone": HIDACZ}
PERIOD_SEPARATOR = ";"
OUTLINE_TOLERANCE_M = 5.0  # how far a chord of a circle or a corridor's rounded join may cut inside


class AcmError(ValueError):
    """An ACM that cannot exist (floor above ceiling, unknown kind, a period that ends
    before it starts, ...); the message names the ACM."""


def parse_kind(text: str) -> str:
    """One of KINDS from what people write ("roz", "CAP orbit", "Air corridor"); AcmError."""
    kind = _KIND_OF.get("".join(c for c in str(text).lower() if c.isalnum()))
    if kind is None:
        raise AcmError(f"kind {str(text)!r} is not one of {', '.join(KINDS)}")
    return kind


def parse_periods(value) -> tuple[tuple[int, int], ...]:
    """Active periods from "start/end;start/end" (ISO 8601 with offsets), a list of such
    strings, of {"start", "end"} dicts or of (start, end) pairs. Empty: always active."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    items = value.split(PERIOD_SEPARATOR) if isinstance(value, str) else list(value)
    out = []
    for k, item in enumerate(items):
        if isinstance(item, str):
            start, sep, end = item.strip().partition("/")
            if not sep:
                raise AcmError(f"period {k + 1} {item.strip()!r} is not 'start/end' (ISO 8601 times with offsets)")
        elif isinstance(item, Mapping):
            start, end = item.get("start"), item.get("end")
        else:
            start, end = item
        try:
            out.append((_time(start), _time(end)))
        except (TypeError, ValueError) as exc:
            raise AcmError(f"period {k + 1}: {exc}") from None
    return tuple(out)


def _time(value) -> int:
    if value is None or value == "":
        raise ValueError("a period needs a start and an end")
    return parse_time(value) if isinstance(value, str) else as_epoch(value)


def format_periods(periods: Iterable[tuple[int, int]]) -> str:
    return PERIOD_SEPARATOR.join(f"{format_time(a)}/{format_time(b)}" for a, b in periods)


def _circle_segments(radius_m: float) -> int:
    """Points on a circle so that no chord cuts more than OUTLINE_TOLERANCE_M inside it."""
    if radius_m <= OUTLINE_TOLERANCE_M:
        return 16
    return max(32, math.ceil(math.pi / math.acos(1.0 - OUTLINE_TOLERANCE_M / radius_m)))


@dataclass(frozen=True, eq=False)
class ACM:
    """One airspace coordination measure.

    `points` (n x 2 lon/lat): polygon: its ring's vertices (not repeated at the end);
    circle: its centre; corridor: its centreline. `radius_nm` only for circles, `width_nm`
    (full width) only for corridors. `periods`: [start, end) epoch seconds."""

    id: str
    name: str
    kind: str
    side: str
    floor_ft: float
    ceiling_ft: float
    shape: str
    points: np.ndarray
    radius_nm: float = 0.0
    width_nm: float = 0.0
    periods: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        pts = np.array(self.points, dtype=float).reshape(-1, 2)
        if self.shape == POLYGON and len(pts) > 1 and np.array_equal(pts[0], pts[-1]):
            pts = pts[:-1]
        pts.setflags(write=False)
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "periods", tuple((int(a), int(b)) for a, b in self.periods))
        for name in ("floor_ft", "ceiling_ft", "radius_nm", "width_nm"):
            object.__setattr__(self, name, float(getattr(self, name)))
        self._validate()

    @property
    def label(self) -> str:
        """How messages name it: "ACM 'ROZ-1' (Deir ez-Zor)"."""
        return f"ACM {self.id!r}" + (f" ({self.name})" if self.name and self.name != self.id else "")

    def _validate(self) -> None:
        what = self.label
        if not str(self.id).strip():
            raise AcmError("an ACM needs an id")
        if self.kind not in KINDS:
            raise AcmError(f"{what}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not str(self.side).strip():
            raise AcmError(f"{what}: no side (the side that owns it)")
        for name in ("floor_ft", "ceiling_ft"):
            try:
                parse_altitude_ft(getattr(self, name))
            except AltitudeError as exc:
                raise AcmError(f"{what}: {name.replace('_ft', '')}: {exc}") from None
        if self.floor_ft >= self.ceiling_ft:
            relation = "is above" if self.floor_ft > self.ceiling_ft else "equals"
            raise AcmError(f"{what}: the floor {format_altitude(self.floor_ft)} {relation} the ceiling "
                           f"{format_altitude(self.ceiling_ft)}")
        for k, (start, end) in enumerate(self.periods):
            if end <= start:
                raise AcmError(f"{what}: period {k + 1} ends ({format_time(end)}) "
                               f"{'before' if end < start else 'as'} it starts ({format_time(start)})")
        self._validate_shape(what)

    def _validate_shape(self, what: str) -> None:
        p = self.points
        if self.shape not in SHAPES:
            raise AcmError(f"{what}: shape {self.shape!r} is not one of {', '.join(SHAPES)}")
        if not len(p) or not np.all(np.isfinite(p)) or np.any(np.abs(p[:, 0]) > 180) or np.any(np.abs(p[:, 1]) > 90):
            raise AcmError(f"{what}: a point lies outside -180..180 longitude / -90..90 latitude")
        if self.shape == POLYGON:
            if len(np.unique(p, axis=0)) < 3:
                raise AcmError(f"{what}: a polygon needs at least 3 distinct vertices")
            plane = self._plane_ring()
            if not plane.is_valid:
                raise AcmError(f"{what}: the polygon is not simple ({shapely.is_valid_reason(plane)})")
        elif self.shape == CIRCLE:
            if len(p) != 1:
                raise AcmError(f"{what}: a circle takes one centre point, got {len(p)}")
            if not (math.isfinite(self.radius_nm) and 0 < self.radius_nm <= 1000):
                raise AcmError(f"{what}: a circle needs a radius between 0 and 1000 NM")
        else:
            if len(np.unique(p, axis=0)) < 2:
                raise AcmError(f"{what}: a corridor needs a centreline of at least 2 distinct points")
            if not (math.isfinite(self.width_nm) and 0 < self.width_nm <= 200):
                raise AcmError(f"{what}: a corridor needs a width between 0 and 200 NM")

    # -- geometry (geodesic) --------------------------------------------------------------
    @cached_property
    def _local(self) -> Projection:
        lon, lat = self.points[:, 0], self.points[:, 1]
        return Projection.analysis_for(float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2))

    def _plane_ring(self) -> shapely.Polygon:
        x, y = self._local.forward(*densify_geodesic(self.points[:, 0], self.points[:, 1], closed=True))
        return shapely.Polygon(np.column_stack([x, y]))

    @cached_property
    def _outline(self) -> tuple[np.ndarray, np.ndarray]:
        p = self.points
        if self.shape == POLYGON:
            lon, lat = densify_geodesic(p[:, 0], p[:, 1], closed=True)
        elif self.shape == CIRCLE:
            r = self.radius_nm * NM_M
            az = np.linspace(0.0, 360.0, _circle_segments(r) + 1)
            lon, lat, _ = GEOD.fwd(np.full(az.shape, p[0, 0]), np.full(az.shape, p[0, 1]), az, np.full(az.shape, r))
            lon, lat = np.asarray(lon), np.asarray(lat)
            lon[-1], lat[-1] = lon[0], lat[0]
        else:
            half = self.width_nm * NM_M / 2.0
            x, y = self._local.forward(*densify_geodesic(p[:, 0], p[:, 1]))
            quad = max(4, math.ceil(_circle_segments(half) / 4))
            band = shapely.buffer(shapely.LineString(np.column_stack([x, y])), half, quad_segs=quad,
                                  cap_style="flat", join_style="round")
            ring = np.asarray(band.exterior.coords)
            lon, lat = densify_geodesic(*self._local.inverse(ring[:, 0], ring[:, 1]))
        for a in (lon, lat):
            a.setflags(write=False)
        return lon, lat

    def outline(self) -> tuple[np.ndarray, np.ndarray]:
        """The area as one closed lon/lat ring (first point repeated), densified so that its
        straight pieces follow the geodesic shape."""
        return self._outline

    def area_km2(self) -> float:
        return geodesic_area_km2(*self.outline())

    def centre(self) -> tuple[float, float]:
        """A circle's centre, else the centre of the outline's lon/lat bounding box."""
        if self.shape == CIRCLE:
            return float(self.points[0, 0]), float(self.points[0, 1])
        lon, lat = self.outline()
        return float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2)

    # -- time -----------------------------------------------------------------------------
    def active_at(self, t) -> bool:
        t = as_epoch(t)
        return not self.periods or any(a <= t < b for a, b in self.periods)

    def block_label(self) -> str:
        """'10,000 ft–FL250'."""
        return f"{format_altitude(self.floor_ft)}–{format_altitude(self.ceiling_ft)}"

    # -- edits and rows -----------------------------------------------------------------------
    def edited(self, **changes) -> "ACM":
        """A new ACM with `changes` (validated: AcmError)."""
        return replace(self, **changes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ACM) and self.record() == other.record()

    __hash__ = None  # type: ignore[assignment]

    def record(self) -> dict:
        """One row of the ACM table, as JSON values (see the module doc)."""
        return {"id": self.id, "name": self.name, "kind": self.kind, "shape": self.shape, "side": self.side,
                "floor_ft": self.floor_ft, "ceiling_ft": self.ceiling_ft, "radius_nm": self.radius_nm,
                "width_nm": self.width_nm, "periods": format_periods(self.periods), "points": self.points.tolist()}

    @classmethod
    def from_record(cls, row: Mapping) -> "ACM":
        """An ACM from a `record()`-style mapping; kind, altitudes and periods may be text as
        people write them ("roz", "FL250", "start/end;..."). Raises AcmError naming the ACM."""
        ident, name = str(row.get("id") or "").strip(), str(row.get("name") or "").strip()
        label = f"ACM {ident or name!r}" + (f" ({name})" if name and ident and name != ident else "")
        try:
            floor = parse_altitude_ft(_required(row, "floor_ft"))
            ceiling = parse_altitude_ft(_required(row, "ceiling_ft"))
            kind = parse_kind(_required(row, "kind"))
            periods = parse_periods(row.get("periods"))
        except (AcmError, AltitudeError) as exc:
            raise AcmError(f"{label}: {exc}") from None
        return cls(ident, name, kind,
                   str(row.get("side") or "").strip(), floor, ceiling, str(row.get("shape") or POLYGON),
                   _points(row.get("points", ())), float(row.get("radius_nm") or 0.0),
                   float(row.get("width_nm") or 0.0), periods)


def _points(value) -> np.ndarray:
    """The defining points: n x 2 numbers, or their JSON text (a table's text column)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise AcmError(f"points {value[:40]!r} are not a JSON list of [longitude, latitude]") from None
    try:
        return np.asarray(value, dtype=float).reshape(-1, 2)
    except (TypeError, ValueError):
        raise AcmError("points are not a list of [longitude, latitude] pairs") from None


def _required(row: Mapping, key: str):
    value = row.get(key)
    if value is None or value == "":
        raise AcmError(f"no {key}")
    return value


class Airspace:
    """Ordered, immutable collection of ACMs with unique ids."""

    def __init__(self, items: Iterable[ACM] = ()) -> None:
        items = tuple(items)
        ids = [a.id for a in items]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise AcmError(f"two ACMs have the id {dup!r}")
        self._items = items
        self._by_id = {a.id: a for a in items}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[ACM]:
        return iter(self._items)

    def __getitem__(self, i: int) -> ACM:
        return self._items[i]

    def __contains__(self, acm_id: object) -> bool:
        return acm_id in self._by_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Airspace) and self._items == other._items

    __hash__ = None  # type: ignore[assignment]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, acm_id: str) -> ACM:
        try:
            return self._by_id[acm_id]
        except KeyError:
            raise AcmError(f"no ACM {acm_id!r}") from None

    def index_of(self, acm_id: str) -> int:
        return self._items.index(self.get(acm_id))

    def new_id(self, kind: str) -> str:
        """The next free id for `kind`, e.g. 'ROZ-3'."""
        stem = "".join(c for c in kind.upper() if c.isalnum()) or "ACM"
        k = 1
        while f"{stem}-{k}" in self._by_id:
            k += 1
        return f"{stem}-{k}"

    def added(self, acm: ACM) -> "Airspace":
        return Airspace(self._items + (acm,))

    def replaced(self, acm: ACM, old_id: str | None = None) -> "Airspace":
        """With the ACM `old_id` (default: acm.id) replaced by `acm`, in its place."""
        old = self.get(old_id if old_id is not None else acm.id)
        return Airspace(acm if a is old else a for a in self._items)

    def removed(self, acm_id: str) -> "Airspace":
        self.get(acm_id)
        return Airspace(a for a in self._items if a.id != acm_id)

    def records(self) -> list[dict]:
        return [a.record() for a in self._items]

    @classmethod
    def from_records(cls, rows: Iterable[Mapping]) -> "Airspace":
        return cls(ACM.from_record(r) for r in rows)
