"""From a file's features to ImportedData: which feature is the AO, the line, a unit or a
track, and what is skipped and why. Shared by the GeoJSON, KML, GPX, Shapefile and
GeoPackage importers, which only turn their format into `Feature`s.

Roles: a `kind` property (ao, line, unit, track; sector and line_extension are derived and
skipped) decides; otherwise points are units, time-stamped paths are tracks, a polygon is
the AO and a line string the line. When a file holds several polygons (or lines), the one
named or kinded "AO" ("line") is taken; without such a hint none is guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import shapely

from desktop.core.geodesy import Projection
from desktop.core.importers.model import ImportedData, TrackReports
from desktop.core.inputs import _ALIASES, _FIELD_OF, InputError, _build, _key
from desktop.core.line import DeconflictionLine, LineError
from desktop.core.sectors import AreaOfOperations

POINT, LINE, POLYGON, TRACK = "point", "line", "polygon", "track"
_DERIVED = {"sector": "a sector (derived from the AO and the line; not imported)",
            "lineextension": "a line extension (derived; not imported)"}
_AO_NAME = re.compile(r"^(ao|area\s*of\s*operations?)\b|\bao$", re.IGNORECASE)
_LINE_NAME = re.compile(r"\b(deconfliction\s*)?line\b", re.IGNORECASE)


@dataclass
class Feature:
    """One feature as a format reader saw it. `coords`: n x 2 lon/lat as given (a polygon's
    outer ring, closing vertex included when the file has it); `times` per vertex for a
    track; `problem` a reason the reader already knows the feature is unusable."""

    label: str
    kind: str
    coords: np.ndarray | None = None
    props: dict = field(default_factory=dict)
    times: np.ndarray | None = None
    holes: int = 0
    problem: str | None = None


def _coords_problem(xy: np.ndarray) -> str | None:
    if xy is None or not len(xy):
        return "no coordinates"
    finite = np.isfinite(xy)
    if not finite.all():
        i = int(np.argmin(finite.all(axis=1)))
        return f"vertex {i}: a coordinate is not a finite number"
    for axis, col, lim in (("longitude", 0, 180.0), ("latitude", 1, 90.0)):
        bad = np.abs(xy[:, col]) > lim
        if bad.any():
            i = int(np.argmax(bad))
            return f"vertex {i}: {axis} {float(xy[i, col])!r} is outside -{lim:g}..{lim:g}"
    return None


def _kind_of(f: Feature) -> str:
    for key, value in f.props.items():
        if _key(str(key)) == "kind" and isinstance(value, str):
            return _key(value)
    return ""


def _title(f: Feature) -> str:
    for key in ("name", "id", "title"):
        for k, v in f.props.items():
            if _key(str(k)) == key and isinstance(v, str) and v.strip():
                return v.strip()
    return ""


def _pick(name: str, candidates: list[tuple[Feature, object]], what: str, pattern: re.Pattern,
          kinds: tuple[str, ...], skipped: list[str]):
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0][1]
    hinted = [c for c in candidates if _kind_of(c[0]) in kinds or pattern.search(_title(c[0]) or "")]
    if len(hinted) == 1:
        for f, _ in candidates:
            if f is not hinted[0][0]:
                skipped.append(f"{name}: {f.label}: another {what} ('{_title(hinted[0][0])}' was taken as the {what})")
        return hinted[0][1]
    labels = ", ".join(f.label for f, _ in candidates[:4]) + (", ..." if len(candidates) > 4 else "")
    skipped.append(f"{name}: {len(candidates)} possible {what}s ({labels}): cannot tell which is the {what}; "
                   f"name one '{what}' (or give it kind={what}) or import them one at a time")
    return None


def _ao(name: str, f: Feature) -> AreaOfOperations:
    ring = f.coords
    if f.holes:
        raise InputError(f"the polygon has {f.holes} hole(s); an AO with holes is not supported")
    if len(ring) < 2 or not np.array_equal(ring[0], ring[-1]):
        raise InputError("the polygon's ring is not closed (its first and last positions differ)")
    if len(np.unique(ring, axis=0)) < 3:
        raise InputError("the boundary needs at least 3 distinct vertices")
    ao = AreaOfOperations(ring, name=_title(f) or "AO")
    poly = ao.polygon(Projection.analysis_for(*ao.centre))
    if not poly.is_valid:
        raise InputError(f"the boundary is not a simple polygon ({shapely.is_valid_reason(poly)})")
    return ao


def _line(f: Feature) -> DeconflictionLine:
    line = DeconflictionLine(f.coords)
    v = line.vertices
    centre = ((v[:, 0].min() + v[:, 0].max()) / 2, (v[:, 1].min() + v[:, 1].max()) / 2)
    try:
        line.validate(Projection.analysis_for(*centre))
    except LineError as exc:
        raise InputError(str(exc)) from None
    return line


def _track(f: Feature) -> TrackReports:
    uid = ""
    for k, v in f.props.items():
        if _FIELD_OF.get(_key(str(k))) == "id" and v not in (None, ""):
            uid = str(v).strip()
    uid = uid or _title(f)
    if not uid:
        raise InputError("a track needs an id or a name (the unit it belongs to)")
    n = len(f.coords)
    return TrackReports(np.full(n, uid, dtype=object), np.asarray(f.times, dtype=np.int64), f.coords[:, 0].copy(),
                        f.coords[:, 1].copy(), {uid: _title(f) or uid})


def assemble(name: str, features: list[Feature], skipped: list[str] | None = None) -> ImportedData:
    """ImportedData from a file's features (see the module doc for the roles)."""
    data = ImportedData(name, skipped=list(skipped or ()))
    points: list[Feature] = []
    aos: list[tuple[Feature, AreaOfOperations]] = []
    lines: list[tuple[Feature, DeconflictionLine]] = []
    tracks: list[TrackReports] = []
    for f in features:
        kind = _kind_of(f)
        why = f.problem or _DERIVED.get(kind) or (None if f.kind in (POINT, LINE, POLYGON, TRACK)
                                                  else f"{f.kind} geometry is not used")
        why = why or _coords_problem(f.coords)
        if f.kind == TRACK and why is None and (f.times is None or len(f.times) != len(f.coords)):
            why = "a track without a time for every position"
        if why:
            data.skipped.append(f"{name}: {f.label}: {why}")
            continue
        try:
            if f.kind == POINT:
                points.append(f)
            elif f.kind == TRACK:
                tracks.append(_track(f))
            elif f.kind == POLYGON:
                aos.append((f, _ao(name, f)))
            else:
                lines.append((f, _line(f)))
        except InputError as exc:
            data.skipped.append(f"{name}: {f.label}: {exc}")
    data.ao = _pick(name, aos, "AO", _AO_NAME, ("ao",), data.skipped)
    data.line = _pick(name, lines, "line", _LINE_NAME, ("line",), data.skipped)
    data.tracks = TrackReports.concat(tracks)
    if points:
        data.units = _units(name, points, data.skipped)
    return data


def _units(name: str, points: list[Feature], skipped: list[str]):
    n = len(points)
    cols: dict[str, list[str]] = {f: [""] * n for f in _ALIASES}
    lon = np.array([float(p.coords[0, 0]) for p in points])
    lat = np.array([float(p.coords[0, 1]) for p in points])
    for i, p in enumerate(points):
        for key, value in p.props.items():
            fld = _FIELD_OF.get(_key(str(key)))
            if fld and value not in (None, ""):
                cols[fld][i] = str(value).strip()
        if not cols["id"][i]:
            cols["id"][i] = _title(p)
    try:
        table, warnings = _build(name, lambda i: f"{name}: {points[i].label}", lambda i: points[i].label, cols, lon,
                                 lat, {})
    except InputError as exc:
        skipped.append(str(exc))
        return None
    skipped.extend(warnings)
    return table
