"""KML and KMZ import (Google Earth): placemarks in any folder nesting. A Point is a unit,
a LineString the line, a Polygon the AO, a gx:Track (or gx:MultiTrack) a unit's track.
Attributes come from the placemark's name and its ExtendedData (Data and SchemaData);
the folder path is kept in messages. Parsed with a hardened XML parser (xml_safe)."""
from __future__ import annotations

import zipfile
import zlib
from xml.etree.ElementTree import Element

import numpy as np

from desktop.core.importers.features import LINE, POINT, POLYGON, TRACK, Feature, assemble
from desktop.core.importers.model import MAX_TEXT_BYTES, ImportedData, check_size, read_limited, read_zip_member
from desktop.core.importers.xml_safe import child, children, local, parse_xml, text_of
from desktop.core.inputs import InputError
from desktop.core.progress import Progress, step
from desktop.core.tracks import parse_time

_CONTAINERS = ("kml", "Document", "Folder")
_GEOMETRIES = ("Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Track", "MultiTrack", "Model")
MAX_NESTING = 64  # folders in folders, MultiGeometries in MultiGeometries


class _Bad(ValueError):
    pass


def parse_coordinates(text: str, altitude: bool = False) -> np.ndarray:
    """'lon,lat[,alt] lon,lat[,alt] ...' -> n x 2 (with `altitude`, n x 3: NaN where none)."""
    out = []
    for k, token in enumerate(text.split()):
        parts = token.split(",")
        try:
            if len(parts) < 2:
                raise ValueError
            point = (float(parts[0]), float(parts[1]))
            out.append(point + (float(parts[2]) if len(parts) > 2 else np.nan,) if altitude else point)
        except ValueError:
            raise _Bad(f"coordinate {k}: {token[:40]!r} is not 'longitude,latitude'") from None
    if not out:
        raise _Bad("no coordinates")
    return np.array(out, dtype=float)


def _properties(pm: Element) -> dict:
    props = {}
    ext = child(pm, "ExtendedData")
    if ext is not None:
        for data in children(ext, "Data"):
            props[data.get("name", "")] = text_of(data, "value")
        for schema in children(ext, "SchemaData"):
            for sd in children(schema, "SimpleData"):
                props[sd.get("name", "")] = (sd.text or "").strip()
    name = text_of(pm, "name")
    if name and "name" not in {k.lower() for k in props}:
        props["name"] = name
    if pm.get("id") and not name and not any(k.lower() in ("id", "unit_id", "uid") for k in props):
        props["id"] = pm.get("id")  # Google Earth's ids are generated: the name comes first
    return props


def _track(elem: Element) -> tuple[np.ndarray, np.ndarray]:
    """gx:Track -> (coords, times); gx:MultiTrack -> its tracks concatenated."""
    if local(elem.tag) == "MultiTrack":
        parts = [_track(t) for t in children(elem, "Track")]
        if not parts:
            raise _Bad("an empty gx:MultiTrack")
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    whens = [(w.text or "").strip() for w in children(elem, "when")]
    coords = [(c.text or "").strip() for c in children(elem, "coord")]
    if len(whens) != len(coords):
        raise _Bad(f"a gx:Track with {len(whens)} times and {len(coords)} positions")
    times = np.empty(len(whens), dtype=np.int64)
    xy = np.empty((len(coords), 2))
    for k, (w, c) in enumerate(zip(whens, coords)):
        try:
            times[k] = parse_time(w)
        except ValueError as exc:
            raise _Bad(f"report {k}: {exc}") from None
        parts = c.split()
        try:
            xy[k] = float(parts[0]), float(parts[1])
        except (ValueError, IndexError):
            raise _Bad(f"report {k}: {c[:40]!r} is not 'longitude latitude [altitude]'") from None
    return xy, times


def _geometry(elem: Element, depth: int = 0) -> tuple[str, np.ndarray, np.ndarray | None, int]:
    """(kind, coords, times, holes) of one geometry element."""
    tag = local(elem.tag)
    if tag == "Point":
        xy = parse_coordinates(text_of(elem, "coordinates"))
        if len(xy) != 1:
            raise _Bad(f"a Point with {len(xy)} positions")
        return POINT, xy, None, 0
    if tag == "LineString":
        return LINE, parse_coordinates(text_of(elem, "coordinates")), None, 0
    if tag == "Polygon":
        outer = child(elem, "outerBoundaryIs")
        ring = child(outer, "LinearRing") if outer is not None else None
        if ring is None:
            raise _Bad("a Polygon without an outer boundary")
        return POLYGON, parse_coordinates(text_of(ring, "coordinates")), None, len(children(elem, "innerBoundaryIs"))
    if tag in ("Track", "MultiTrack"):
        xy, times = _track(elem)
        return TRACK, xy, times, 0
    if tag == "MultiGeometry":
        if depth >= MAX_NESTING:
            raise _Bad(f"MultiGeometry nested more than {MAX_NESTING} deep")
        parts = [c for c in elem if local(c.tag) in _GEOMETRIES]
        shapes = [p for p in parts if local(p.tag) != "Point"]
        if len(shapes) == 1:  # Google Earth labels an area with a point beside it: use the area
            return _geometry(shapes[0], depth + 1)
        if len(parts) == 1:
            return _geometry(parts[0], depth + 1)
        raise _Bad(f"a MultiGeometry of {len(parts)} parts; expected one point, line or polygon")
    raise _Bad(f"{tag} geometry is not used")


def _placemarks(root: Element, name: str, out: list[Feature]) -> None:
    """The placemarks in document order, folders walked with a stack of their children (a
    recursion died at 50,000 nested folders); nesting is capped at MAX_NESTING."""
    stack = [(iter(root), "")]
    while stack:
        children, folder = stack[-1]
        c = next(children, None)
        if c is None:
            stack.pop()
            continue
        tag = local(c.tag)
        if tag in _CONTAINERS:
            if len(stack) > MAX_NESTING:
                raise InputError(f"{name}: folders nested more than {MAX_NESTING} deep")
            title = text_of(c, "name")
            stack.append((iter(c), f"{folder}/{title}" if folder and title else (title or folder)))
        elif tag == "Placemark":
            props = _properties(c)
            label = f"placemark {len(out) + 1}" + (f" '{props['name']}'" if props.get("name") else "") + \
                (f" in folder '{folder}'" if folder else "")
            geom = next((g for g in c if local(g.tag) in _GEOMETRIES), None)
            if geom is None:
                out.append(Feature(label, "no", props=props, problem="no geometry"))
                continue
            try:
                kind, xy, times, holes = _geometry(geom)
            except _Bad as exc:
                out.append(Feature(label, local(geom.tag), props=props, problem=str(exc)))
                continue
            out.append(Feature(label, kind, xy, props, times, holes))


def _features(name: str, data: bytes, progress: Progress | None) -> ImportedData:
    root = parse_xml(name, data)
    if local(root.tag) != "kml":
        raise InputError(f"{name}: not KML (the root element is <{local(root.tag)}>, not <kml>)")
    step(progress, 0.6, "Reading placemarks")
    features: list[Feature] = []
    _placemarks(root, name, features)
    if not features:
        raise InputError(f"{name}: no placemarks")
    return assemble(name, features)


def read_kml(path, progress: Progress | None = None) -> ImportedData:
    name, data = read_limited(path, MAX_TEXT_BYTES)
    step(progress, 0.3, "Parsing KML")
    return _features(name, data, progress)


def read_kmz(path, progress: Progress | None = None) -> ImportedData:
    """A KMZ is a zip holding doc.kml (or another .kml at its root) and images."""
    name, _ = check_size(path, MAX_TEXT_BYTES)
    try:
        with zipfile.ZipFile(path) as z:
            kmls = [i for i in z.infolist() if i.filename.lower().endswith(".kml") and "/" not in i.filename]
            member = next((i for i in kmls if i.filename.lower() == "doc.kml"), kmls[0] if kmls else None)
            if member is None:
                raise InputError(f"{name}: a zip archive without a .kml document")
            data = read_zip_member(z, member, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error) as exc:
        raise InputError(f"{name}: not a usable KMZ (zip) archive ({exc})") from None
    step(progress, 0.3, "Parsing KML")
    return _features(f"{name}:{member.filename}", data, progress)
