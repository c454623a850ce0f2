"""GPX import (handheld GPS): each track (<trk>, all its segments) becomes a unit's track,
the unit named after the track; waypoints (<wpt>) are units; a route (<rte>) or a track
without times is a candidate for the line. GPX 1.0 and 1.1; hardened XML parser."""
from __future__ import annotations

import numpy as np

from desktop.core.importers.features import LINE, POINT, TRACK, Feature, assemble
from desktop.core.importers.model import MAX_TEXT_BYTES, ImportedData, read_limited
from desktop.core.importers.xml_safe import children, local, parse_xml, text_of
from desktop.core.inputs import InputError
from desktop.core.progress import Progress, step
from desktop.core.tracks import parse_time


class _Bad(ValueError):
    pass


def _point(pt, k: int) -> tuple[float, float]:
    try:
        return float(pt.get("lon", "")), float(pt.get("lat", ""))
    except ValueError:
        raise _Bad(f"point {k}: lat={pt.get('lat')!r} lon={pt.get('lon')!r} are not numbers") from None


def _props(elem) -> dict:
    return {k: text_of(elem, k) for k in ("name", "desc", "type", "sym", "cmt") if text_of(elem, k)}


def _path(points: list, label: str, props: dict) -> Feature:
    try:
        xy = np.array([_point(p, k) for k, p in enumerate(points)], dtype=float).reshape(-1, 2)
    except _Bad as exc:
        return Feature(label, LINE, props=props, problem=str(exc))
    if not len(xy):
        return Feature(label, LINE, props=props, problem="no points")
    stamps = [text_of(p, "time") for p in points]
    if not any(stamps):
        return Feature(label, LINE, xy, props)
    times = np.empty(len(stamps), dtype=np.int64)
    for k, s in enumerate(stamps):
        if not s:
            return Feature(label, TRACK, props=props, problem=f"point {k}: no <time> (every point of a track needs one)")
        try:
            times[k] = parse_time(s)
        except ValueError as exc:
            return Feature(label, TRACK, props=props, problem=f"point {k}: {exc}")
    return Feature(label, TRACK, xy, props, times)


def read_gpx(path, progress: Progress | None = None) -> ImportedData:
    name, data = read_limited(path, MAX_TEXT_BYTES)
    step(progress, 0.3, "Parsing GPX")
    root = parse_xml(name, data)
    if local(root.tag) != "gpx":
        raise InputError(f"{name}: not GPX (the root element is <{local(root.tag)}>, not <gpx>)")
    step(progress, 0.6, "Reading tracks")
    features: list[Feature] = []
    for k, wpt in enumerate(children(root, "wpt")):
        props = _props(wpt)
        label = f"waypoint {k + 1}" + (f" '{props['name']}'" if props.get("name") else "")
        try:
            features.append(Feature(label, POINT, np.array([_point(wpt, 0)]), props))
        except _Bad as exc:
            features.append(Feature(label, POINT, props=props, problem=str(exc)))
    for k, trk in enumerate(children(root, "trk")):
        props = _props(trk)
        label = f"track {k + 1}" + (f" '{props['name']}'" if props.get("name") else "")
        points = [p for seg in children(trk, "trkseg") for p in children(seg, "trkpt")]
        features.append(_path(points, label, props))
    for k, rte in enumerate(children(root, "rte")):
        props = _props(rte)
        label = f"route {k + 1}" + (f" '{props['name']}'" if props.get("name") else "")
        features.append(_path(children(rte, "rtept"), label, props))
    if not features:
        raise InputError(f"{name}: no waypoints, tracks or routes")
    return assemble(name, features)
