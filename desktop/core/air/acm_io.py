"""ACMs in files: GeoJSON and KML in, GeoJSON and KML (3D volumes for Google Earth) out.

GeoJSON: one Feature per ACM. A Polygon is a polygon ACM, a Point with `radius_nm` a circle,
a LineString with `width_nm` (full width) a corridor. Properties: `id`, `name`, `kind`,
`side`, `floor_ft`, `ceiling_ft` (feet MSL, or text such as "FL250" or "SFC") and the
active periods as `periods` ("start/end;start/end", or a list of "start/end" strings or of
{"start", "end"}) or as one `start` and `end`; no period means always active.

KML: a Placemark per ACM. What its ExtendedData says (the same names) wins; otherwise the
geometry gives the block: an extruded Polygon with absolute altitudes reaches from the
surface up to its altitude; a MultiGeometry of polygons at absolute altitudes (a top, a
bottom and walls, as tools write 3D blocks) from its lowest to its highest altitude, with
the outline of its first horizontal face. A TimeSpan is one active period.

Reading is all-or-nothing, like the AO: a bad ACM is an InputError naming the file and the
feature or placemark, since a block left out silently would hide its conflicts.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TextIO
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

import numpy as np

from desktop.core.air.acm import ACM, CIRCLE, CORRIDOR, POLYGON, AcmError, Airspace, format_periods, parse_kind
from desktop.core.air.measures import FT_M
from desktop.core.exporters import _coords, _extended, _kml_document
from desktop.core.importers.geojson import load_json
from desktop.core.importers.kml import _properties, parse_coordinates
from desktop.core.importers.model import MAX_TEXT_BYTES, read_limited
from desktop.core.importers.xml_safe import child, children, local, parse_xml, text_of
from desktop.core.inputs import InputError, _features, _key
from desktop.core.report import DEGREE_DECIMALS

# Property names as people write them (case, spaces and punctuation ignored).
_ALIASES = {
    "id": ("id", "acmid", "uid", "identifier"), "name": ("name", "title", "label"),
    "kind": ("kind", "type", "acmtype", "acmkind"), "side": ("side", "owner", "party", "force"),
    "shape": ("shape",), "floor_ft": ("floorft", "floor", "lower", "minalt", "minaltitude", "bottom"),
    "ceiling_ft": ("ceilingft", "ceiling", "upper", "maxalt", "maxaltitude", "top"),
    "radius_nm": ("radiusnm", "radius"), "width_nm": ("widthnm", "width"),
    "periods": ("periods", "active", "activeperiods"), "start": ("start", "begin", "from", "activefrom"),
    "end": ("end", "to", "until", "activeto"), "points": ("points",),
}
_FIELD = {alias: f for f, aliases in _ALIASES.items() for alias in aliases}
_GEOMETRY_SHAPE = {"Polygon": POLYGON, "Point": CIRCLE, "LineString": CORRIDOR}
# KML colours (aabbggrr) by the owner's place in the document's sides: blue, red, then grey.
_SIDE_KML = ("ffdc6e28", "ff3232d7", "ff909090")
FORMATS = ("geojson", "kml")


def _fields(props: dict) -> dict:
    out = {}
    for key, value in props.items():
        field = _FIELD.get(_key(str(key)))
        if field and value not in (None, "") and field not in out:
            out[field] = value
    if "periods" not in out and ("start" in out or "end" in out):
        out["periods"] = [{"start": out.get("start"), "end": out.get("end")}]
    return out


def _acm(where: str, row: dict, shape: str, points: np.ndarray, default_id: str) -> ACM:
    row = {**row, "shape": row.get("shape") or shape, "points": points}
    row.setdefault("id", default_id)
    if "kind" not in row and str(row.get("name") or "").split():  # "ROZ Deir ez-Zor"
        try:
            row["kind"] = parse_kind(str(row["name"]).split()[0])
        except AcmError:
            pass
    if row["shape"] == CIRCLE and not row.get("radius_nm"):
        raise InputError(f"{where}: a circle (a Point) needs a radius_nm")
    if row["shape"] == CORRIDOR and not row.get("width_nm"):
        raise InputError(f"{where}: a corridor (a LineString) needs a width_nm (full width)")
    try:
        row["radius_nm"] = float(row.get("radius_nm") or 0.0)
        row["width_nm"] = float(row.get("width_nm") or 0.0)
        return ACM.from_record(row)
    except (AcmError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: {exc}") from None


def _collect(name: str, acms: list[ACM]) -> Airspace:
    if not acms:
        raise InputError(f"{name}: no ACMs")
    try:
        return Airspace(acms)
    except AcmError as exc:
        raise InputError(f"{name}: {exc}") from None


# -- GeoJSON ----------------------------------------------------------------------------------
def read_airspace_geojson(path) -> Airspace:
    name, obj = load_json(path)
    acms = []
    for k, (label, geom, props, fid) in enumerate(_features(obj, name)):
        where = f"{name}: {label}"
        kind = geom.get("type") if geom else None
        coords = geom.get("coordinates") if geom else None
        if kind == "MultiPolygon" and isinstance(coords, list) and len(coords) == 1:
            kind, coords = "Polygon", coords[0]
        if kind not in _GEOMETRY_SHAPE:
            raise InputError(f"{where}: {kind or 'no geometry'}; an ACM is a Polygon, a Point (circle) "
                             "or a LineString (corridor)")
        try:
            if kind == "Polygon":
                if not isinstance(coords, list) or not coords:
                    raise ValueError("a polygon without coordinates")
                if len(coords) > 1:
                    raise ValueError(f"the polygon has {len(coords) - 1} hole(s); an ACM with holes is not supported")
                coords = coords[0]
            points = np.asarray(coords if kind != "Point" else [coords], dtype=float)[:, :2]
        except (ValueError, TypeError, IndexError) as exc:
            reason = str(exc) if "polygon" in str(exc) else "coordinates are not [longitude, latitude] positions"
            raise InputError(f"{where}: {reason}") from None
        row = _fields(props)
        acms.append(_acm(where, row, _GEOMETRY_SHAPE[kind], points, str(fid) if fid is not None else f"ACM-{k + 1}"))
    return _collect(name, acms)


def _geometry(acm: ACM) -> dict:
    pts = np.round(acm.points, DEGREE_DECIMALS).tolist()
    if acm.shape == CIRCLE:
        return {"type": "Point", "coordinates": pts[0]}
    if acm.shape == CORRIDOR:
        return {"type": "LineString", "coordinates": pts}
    lon, lat = acm.points[:, 0], acm.points[:, 1]
    ccw = np.sum((np.roll(lon, -1) - lon) * (np.roll(lat, -1) + lat)) < 0  # RFC 7946: exterior counter-clockwise
    ring = pts if ccw else pts[::-1]
    return {"type": "Polygon", "coordinates": [ring + ring[:1]]}


def write_airspace_geojson(airspace: Airspace, out: TextIO) -> None:
    """One Feature per ACM: its defining geometry and the columns of the ACM table."""
    features = [{"type": "Feature", "id": a.id,
                 "properties": {k: v for k, v in a.record().items() if k != "points"},
                 "geometry": _geometry(a)} for a in airspace]
    out.write(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                         allow_nan=False, indent=1) + "\n")


# -- KML --------------------------------------------------------------------------------------
def _kml_coordinates(text: str, where: str) -> np.ndarray:
    """'lon,lat[,alt] ...' -> n x 3 (altitude NaN when not given)."""
    try:
        return parse_coordinates(text, altitude=True)
    except ValueError as exc:  # the KML reader's own error
        raise InputError(f"{where}: {exc}") from None


def _outer_ring(poly: Element, where: str) -> np.ndarray:
    outer = child(poly, "outerBoundaryIs")
    ring = child(outer, "LinearRing") if outer is not None else None
    if ring is None:
        raise InputError(f"{where}: a Polygon without an outer boundary")
    return _kml_coordinates(text_of(ring, "coordinates"), where)


def _mode(elem: Element) -> str:
    return text_of(elem, "altitudeMode") or text_of(elem, "{http://www.google.com/kml/ext/2.2}altitudeMode") \
        or "clampToGround"


def _kml_block(geom: Element, where: str) -> tuple[str, np.ndarray, dict]:
    """(shape, points, altitudes the geometry gives) of a placemark's geometry."""
    tag = local(geom.tag)
    if tag == "Point":
        return CIRCLE, _kml_coordinates(text_of(geom, "coordinates"), where)[:1, :2], {}
    if tag == "LineString":
        return CORRIDOR, _kml_coordinates(text_of(geom, "coordinates"), where)[:, :2], {}
    polygons = [geom] if tag == "Polygon" else [g for g in geom if local(g.tag) == "Polygon"] \
        if tag == "MultiGeometry" else []
    if not polygons:
        raise InputError(f"{where}: a {tag}; an ACM is a Polygon, a 3D block (MultiGeometry of polygons), "
                         "a Point (circle) or a LineString (corridor)")
    rings = [_outer_ring(p, where) for p in polygons]
    flat = [r for r in rings if np.ptp(r[:, 2]) < 1.0] if all(np.isfinite(r[:, 2]).all() for r in rings) else rings
    outline = (flat or rings)[0][:, :2]
    modes = {_mode(p) for p in polygons}
    if modes != {"absolute"}:
        return POLYGON, outline, {}
    z = np.concatenate([r[:, 2] for r in rings])
    if not np.isfinite(z).all():
        return POLYGON, outline, {}
    top = float(z.max()) / FT_M
    if len(polygons) == 1:
        extruded = text_of(polygons[0], "extrude") in ("1", "true")
        return POLYGON, outline, ({"floor_ft": 0.0, "ceiling_ft": top} if extruded else {})
    return POLYGON, outline, {"floor_ft": float(z.min()) / FT_M, "ceiling_ft": top}


def _time_span(pm: Element) -> list[dict] | None:
    span = child(pm, "TimeSpan")
    if span is None:
        return None
    return [{"start": text_of(span, "begin"), "end": text_of(span, "end")}]


def _placemarks(elem: Element, folder: str, out: list[tuple[str, Element]]) -> None:
    for c in elem:
        tag = local(c.tag)
        if tag in ("kml", "Document", "Folder"):
            name = text_of(c, "name")
            _placemarks(c, f"{folder}/{name}" if folder and name else (name or folder), out)
        elif tag == "Placemark":
            label = f"placemark {len(out) + 1}" + (f" '{text_of(c, 'name')}'" if text_of(c, "name") else "") + \
                (f" in folder '{folder}'" if folder else "")
            out.append((label, c))


def read_airspace_kml(path) -> Airspace:
    name, data = read_limited(path, MAX_TEXT_BYTES)
    root = parse_xml(name, data)
    if local(root.tag) != "kml":
        raise InputError(f"{name}: not KML (the root element is <{local(root.tag)}>, not <kml>)")
    found: list[tuple[str, Element]] = []
    _placemarks(root, "", found)
    acms = []
    for k, (label, pm) in enumerate(found):
        where = f"{name}: {label}"
        geom = next((g for g in pm if local(g.tag) in ("Polygon", "MultiGeometry", "Point", "LineString")), None)
        if geom is None:
            raise InputError(f"{where}: no geometry")
        props = _properties(pm)
        shape, points, heights = _kml_block(geom, where)
        row = {**heights, **_fields(props)}
        row.setdefault("periods", _time_span(pm))
        if "points" in row:  # the defining points this module writes (a circle's centre, a corridor's centreline)
            points = _kml_coordinates(str(row.pop("points")), where)[:, :2]
        if "floor_ft" not in row or "ceiling_ft" not in row:
            raise InputError(f"{where}: no altitude block: give floor_ft and ceiling_ft in its ExtendedData, or draw "
                             "it as an extruded polygon or a 3D block with absolute altitudes")
        title = row.get("name") or text_of(pm, "name")
        row["name"] = title
        acms.append(_acm(where, row, shape, points, pm.get("id") or f"ACM-{k + 1}"))
    return _collect(name, acms)


def _side_styles() -> str:
    return "".join(f'<Style id="acm{i}"><LineStyle><color>{c}</color><width>2</width></LineStyle>'
                   f"<PolyStyle><color>{'55' + c[2:]}</color></PolyStyle></Style>\n" for i, c in enumerate(_SIDE_KML))


def _face(lon: np.ndarray, lat: np.ndarray, z: np.ndarray | float, extrude: bool = False) -> str:
    alt = np.broadcast_to(np.round(z, 2), lon.shape)
    coords = " ".join(f"{x!r},{y!r},{h!r}" for x, y, h in zip(np.round(lon, DEGREE_DECIMALS).tolist(),
                                                              np.round(lat, DEGREE_DECIMALS).tolist(), alt.tolist()))
    return (f"<Polygon>{'<extrude>1</extrude>' if extrude else ''}<altitudeMode>absolute</altitudeMode>"
            f"<outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>")


def _volume(acm: ACM) -> str:
    """The block as Google Earth draws it in 3D: from the surface, one extruded polygon; else
    a top, a bottom and a wall per edge of the outline."""
    lon, lat = acm.outline()
    if np.sum((lon[1:] - lon[:-1]) * (lat[1:] + lat[:-1])) > 0:  # clockwise: turn it (faces lit from outside)
        lon, lat = lon[::-1], lat[::-1]
    top, bottom = acm.ceiling_ft * FT_M, acm.floor_ft * FT_M
    if acm.floor_ft <= 0:
        return _face(lon, lat, top, extrude=True)
    walls = "".join(_face(np.array([lon[i], lon[i + 1], lon[i + 1], lon[i], lon[i]]),
                          np.array([lat[i], lat[i + 1], lat[i + 1], lat[i], lat[i]]),
                          np.array([bottom, bottom, top, top, bottom])) for i in range(len(lon) - 1))
    return f"<MultiGeometry>{_face(lon, lat, top)}{_face(lon[::-1], lat[::-1], bottom)}{walls}</MultiGeometry>"


def write_airspace_kml(airspace: Airspace, out: TextIO, sides: tuple[str, ...] = (), title: str = "Airspace") -> None:
    """Each ACM as a 3D volume (altitudes absolute, metres MSL), styled by its owner's place
    in `sides`, named with its block, its columns in ExtendedData; one period is also a
    TimeSpan, so Google Earth's time slider shows and hides it."""

    def body():
        for a in airspace:
            style = sides.index(a.side) if a.side in sides[:2] else 2
            record = a.record()
            record["points"] = _coords(a.points)
            span = ""
            if len(a.periods) == 1:
                begin, end = format_periods(a.periods).split("/")
                span = f"<TimeSpan><begin>{begin}</begin><end>{end}</end></TimeSpan>"
            out.write(f"<Placemark id=\"{escape(a.id)}\"><name>{escape(a.kind)} {escape(a.name or a.id)} "
                      f"{escape(a.block_label())}</name>{span}<styleUrl>#acm{style}</styleUrl>"
                      f"{_extended(record.items())}{_volume(a)}</Placemark>\n")
    _kml_document(title, out, _side_styles(), body)


def read_airspace(path) -> Airspace:
    """ACMs from a .kml file, else from GeoJSON. Raises InputError naming the file and feature."""
    if Path(path).suffix.lower() == ".kml":
        return read_airspace_kml(path)
    if Path(path).suffix.lower() == ".kmz":
        raise InputError(f"{os.fspath(path)}: unzip the KMZ and give its .kml")
    return read_airspace_geojson(path)


def write_airspace(airspace: Airspace, fmt: str, out: TextIO, sides: tuple[str, ...] = (), title: str = "Airspace") -> None:
    if fmt == "kml":
        write_airspace_kml(airspace, out, sides, title)
    elif fmt == "geojson":
        write_airspace_geojson(airspace, out)
    else:
        raise ValueError(f"cannot write airspace as {fmt!r}: formats {FORMATS}")
