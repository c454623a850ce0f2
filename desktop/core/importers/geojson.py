"""GeoJSON import: the AO (a Polygon), the line (a LineString), units (Points) and tracks
(LineStrings with a per-vertex `times` property, as GPS tools export them), from a bare
geometry, a Feature or a FeatureCollection (RFC 7946: [longitude, latitude])."""
from __future__ import annotations

import json

import numpy as np

from desktop.core.importers.features import LINE, POINT, POLYGON, TRACK, Feature, assemble
from desktop.core.importers.model import MAX_TEXT_BYTES, ImportedData, decode, read_limited
from desktop.core.inputs import InputError, _features
from desktop.core.progress import Progress, step
from desktop.core.tracks import epoch_seconds, parse_time

_TIME_KEYS = ("times", "coordTimes", "coordinateTimes", "timestamps")


def _array(coords: object) -> np.ndarray | None:
    """n x 2 positions (altitudes dropped), or None when the nesting or the numbers are wrong."""
    if not isinstance(coords, list) or not all(isinstance(p, list) for p in coords):
        return None
    try:
        a = np.array(coords, dtype=float)
    except (ValueError, TypeError):
        return None
    if a.ndim != 2 or a.shape[1] < 2:
        return None
    return a[:, :2]


def _times(props: dict, n: int) -> np.ndarray | None:
    for key in _TIME_KEYS:
        values = props.get(key)
        if isinstance(values, list) and len(values) == n:
            try:
                return np.array([epoch_seconds(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                                 else parse_time(str(v)) for v in values], dtype=np.int64)
            except ValueError:
                return None
    return None


def _feature(label: str, geom: dict | None, props: dict) -> Feature:
    kind = geom.get("type") if geom else None
    coords = geom.get("coordinates") if geom else None
    all_props, props = props, {k: v for k, v in props.items() if k not in _TIME_KEYS}
    if kind == "Point" or (kind == "MultiPoint" and isinstance(coords, list) and len(coords) == 1):
        xy = _array([coords] if kind == "Point" else coords)
        return Feature(label, POINT, xy, props, problem=None if xy is not None and len(xy) == 1 else
                       "coordinates are not a [longitude, latitude] pair of numbers")
    if kind and kind.startswith("Multi") and kind != "MultiPoint":  # one part is as good as the single kind
        parts = len(coords) if isinstance(coords, list) else 0
        if parts != 1:
            return Feature(label, kind, problem=f"a {kind} of {parts} parts; expected one {kind[5:].lower()}")
        kind, coords = kind[5:], coords[0]
    if kind == "LineString":
        xy = _array(coords)
        if xy is None:
            return Feature(label, LINE, problem="coordinates are not a list of [longitude, latitude] positions")
        times = _times(all_props, len(xy))
        return Feature(label, TRACK if times is not None else LINE, xy, props, times)
    if kind == "Polygon":
        xy = _array(coords[0]) if isinstance(coords, list) and coords else None
        if xy is None:
            return Feature(label, POLYGON, problem="coordinates are not a list of rings of [longitude, latitude] "
                                                   "positions")
        return Feature(label, POLYGON, xy, props, holes=len(coords) - 1)
    return Feature(label, kind or "no", problem=None if kind else "no geometry")


def load_json(path) -> tuple[str, object]:
    """(name, the parsed JSON) of a text file under the importers' byte cap; InputError
    naming the file (and line) when it is not JSON a reader can use."""
    name, data = read_limited(path, MAX_TEXT_BYTES)
    text = decode(name, data)
    if not text.strip():
        raise InputError(f"{name}: empty file")
    try:
        return name, json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}: not JSON (column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{name}: not usable JSON (nested too deeply)") from None


def read_geojson(path, progress: Progress | None = None) -> ImportedData:
    step(progress, 0.2, "Reading")
    name, obj = load_json(path)
    step(progress, 0.5, "Checking features")
    features = []
    for label, geom, props, fid in _features(obj, name):
        if fid is not None and not any(k.lower() == "id" for k in props):
            props = {**props, "id": fid}
        features.append(_feature(label, geom, props))
    step(progress, 0.8, "Checking features")
    return assemble(name, features)
