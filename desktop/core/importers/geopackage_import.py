"""GeoPackage import. A Deconflict project brings in its AO, line, units and tracks; any
other GeoPackage (from QGIS, ArcGIS, GDAL) is read layer by layer like a Shapefile: points
are units, a line string the line, a polygon the AO, in the layer's SRS reprojected to
WGS84. Read with sqlite3 (desktop.core.project.gpkg), never written."""
from __future__ import annotations

import shapely

from desktop.core.importers.crs import to_lonlat
from desktop.core.importers.features import LINE, POINT, POLYGON, Feature, assemble
from desktop.core.importers.model import MAX_TABLE_BYTES, ImportedData, TrackReports, check_size
from desktop.core.inputs import _FIELD_OF, InputError, _key
from desktop.core.progress import Progress, step
from desktop.core.project.gpkg import GeoPackageError, GeoPackageReader, parse_geometries, quote

_KINDS = {"Point": POINT, "LineString": LINE, "Polygon": POLYGON}
_USED = {*_FIELD_OF, "kind", "name", "id", "title"}  # attributes the features' roles and units are read from


def _from_project(path, name: str, progress: Progress | None) -> ImportedData:
    from desktop.core.project import load_project
    doc = load_project(path, progress, name)
    tr = doc.tracks
    tracks = TrackReports(doc.units.ids[tr.unit], tr.time, tr.lon, tr.lat,
                          {u: n for u, n in zip(doc.units.ids.tolist(), doc.units.names.tolist())}) if len(tr) else None
    return ImportedData(name, doc.ao, doc.line, doc.units if len(doc.units) else None, tracks)


def _srs(reader: GeoPackageReader, srs_id: int, where: str):
    if srs_id in (0, -1, 4326):
        return to_lonlat(None, where)
    found = reader.srs_definition(srs_id)
    if found is None:
        raise InputError(f"{where}: SRS {srs_id} is not defined in the file")
    org, code, definition = found
    if definition and definition.strip().lower() != "undefined":
        return to_lonlat(definition, where)
    return to_lonlat(f"{org}:{code}", where)


def _layer_features(reader: GeoPackageReader, table: str, where: str) -> list[Feature]:
    geom_col = reader.geometry_column(table)
    if geom_col is None:
        return []
    column, _, srs_id, _ = geom_col
    others = [c for c, _ in reader.columns(table) if c != column and _key(c) in _USED]  # the rest is never used
    cols = reader.read(table, [column] + others)
    geoms, srs = parse_geometries(cols[column], where)
    convert = _srs(reader, int(srs_id), where)
    features = []
    for k, g in enumerate(geoms.tolist()):
        props = {c: cols[c][k] for c in others}
        title = next((str(v) for key, v in props.items() if key.lower() in ("name", "id") and v), "")
        label = f"layer '{table}' feature {k + 1}" + (f" '{title}'" if title else "")
        if g is None or g.is_empty:
            features.append(Feature(label, "no", props=props, problem="no geometry"))
            continue
        kind = g.geom_type
        if kind.startswith("Multi") and shapely.get_num_geometries(g) == 1:
            g, kind = shapely.get_geometry(g, 0), kind[5:]
        if kind not in _KINDS:
            features.append(Feature(label, kind, props=props, problem=f"{kind} geometry is not used"))
            continue
        ring = g.exterior if kind == "Polygon" else g
        xy = convert(shapely.get_coordinates(ring))
        features.append(Feature(label, _KINDS[kind], xy, props, holes=len(g.interiors) if kind == "Polygon" else 0))
    return features


def read_geopackage(path, progress: Progress | None = None) -> ImportedData:
    name, _ = check_size(path, MAX_TABLE_BYTES)
    try:
        with GeoPackageReader(path, name) as reader:
            if "deconflict_meta" in reader.tables:
                reader.close()
                return _from_project(path, name, progress)
            features: list[Feature] = []
            layers = [t for t, kind, _ in reader.contents() if kind == "features"]
            for k, table in enumerate(layers):
                step(progress, 0.9 * k / max(len(layers), 1), f"Reading layer {table}")
                features.extend(_layer_features(reader, table, f"{name}: layer {quote(table)}"))
    except GeoPackageError as exc:
        raise InputError(str(exc)) from None
    if not features:
        raise InputError(f"{name}: no feature layers")
    return assemble(name, features)


