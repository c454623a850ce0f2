"""Shapefile import (.shp with its .dbf, .shx and .prj): points are units, a polyline
the line, a polygon the AO; attributes from the .dbf; coordinates reprojected to WGS84
from the .prj. Read with pyshp (pure Python, no GDAL)."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import shapefile

from desktop.core.importers.crs import to_lonlat
from desktop.core.importers.features import LINE, POINT, POLYGON, Feature, assemble
from desktop.core.importers.model import MAX_TABLE_BYTES, ImportedData, check_size
from desktop.core.inputs import InputError
from desktop.core.progress import Progress, step

_KINDS = {shapefile.POINT: POINT, shapefile.POINTZ: POINT, shapefile.POINTM: POINT,
          shapefile.POLYLINE: LINE, shapefile.POLYLINEZ: LINE, shapefile.POLYLINEM: LINE,
          shapefile.POLYGON: POLYGON, shapefile.POLYGONZ: POLYGON, shapefile.POLYGONM: POLYGON,
          shapefile.MULTIPOINT: POINT, shapefile.MULTIPOINTZ: POINT, shapefile.MULTIPOINTM: POINT}


def _sibling(path: Path, ext: str) -> Path | None:
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _encoding(path: Path) -> str:
    cpg = _sibling(path, ".cpg")
    if cpg is not None:
        try:
            return cpg.read_text("ascii", errors="replace").strip() or "utf-8"
        except OSError:
            pass
    return "utf-8"


def _feature(shape, record: dict, k: int, kind: str, convert) -> Feature:
    label = f"record {k + 1}" + (f" '{record.get('name') or record.get('NAME')}'"
                                 if (record.get("name") or record.get("NAME")) else "")
    if shape.shapeType == shapefile.NULL:
        return Feature(label, "no", props=record, problem="no geometry (null shape)")
    pts = np.asarray(shape.points, dtype=float).reshape(-1, 2) if len(shape.points) else np.empty((0, 2))
    if not len(pts):
        return Feature(label, kind, props=record, problem="no coordinates")
    xy = convert(pts)
    parts = list(shape.parts) + [len(pts)] if kind != POINT else [0, len(pts)]
    if kind == POINT:
        if len(pts) != 1:
            return Feature(label, "MultiPoint", props=record, problem=f"a multipoint of {len(pts)} points")
        return Feature(label, POINT, xy, record)
    if kind == LINE:
        if len(parts) > 2:
            return Feature(label, "MultiLineString", props=record, problem=f"a polyline of {len(parts) - 1} parts; "
                           "expected one line")
        return Feature(label, LINE, xy, record)
    return Feature(label, POLYGON, xy[parts[0]:parts[1]], record, holes=len(parts) - 2)


def _paired_count(reader: shapefile.Reader, name: str, skipped: list[str]) -> int:
    """How many shapes have their record: a .dbf shorter than the .shp (or longer) leaves
    some without one, which are not imported, and the report says so."""
    shapes = reader.numShapes if reader.numShapes is not None else len(reader)
    records = reader.numRecords
    if shapes > records:
        skipped.append(f"{name}: the .dbf has {records:,} records for {shapes:,} shapes: shapes {records + 1:,} "
                       f"to {shapes:,} have no attributes and were not imported")
    elif records > shapes:
        skipped.append(f"{name}: the .dbf has {records:,} records for {shapes:,} shapes: records "
                       f"{shapes + 1:,} to {records:,} have no shape and were not imported")
    return min(shapes, records)


def read_shapefile(path, progress: Progress | None = None) -> ImportedData:
    name, _ = check_size(path, MAX_TABLE_BYTES)
    p = Path(path)
    prj = _sibling(p, ".prj")
    convert = to_lonlat(prj.read_text(errors="replace") if prj else None, name)
    skipped: list[str] = []
    if prj is None:
        skipped.append(f"{name}: no .prj file: coordinates taken as WGS84 longitude/latitude")
    encoding = _encoding(p)
    features: list[Feature] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyshp warns about damaged headers; reading the records tells
            reader = shapefile.Reader(str(p), encoding=encoding, encodingErrors="strict")
        with reader:
            kind = _KINDS.get(reader.shapeType)
            if kind is None:
                raise InputError(f"{name}: shape type {reader.shapeTypeName} is not used (points, polylines, polygons)")
            fields = [f[0] for f in reader.fields[1:]]
            count = _paired_count(reader, name, skipped)
            total = max(count, 1)
            for k in range(count):
                try:
                    record = dict(zip(fields, reader.record(k))) if fields else {}
                except UnicodeDecodeError:
                    raise InputError(f"{name}: record {k + 1}: attribute text is not {encoding} (give the "
                                     "shapefile a .cpg file naming its encoding)") from None
                features.append(_feature(reader.shape(k), record, k, kind, convert))
                if k % 10_000 == 0:
                    step(progress, 0.9 * k / total, "Reading shapes")
    except InputError:
        raise
    except (shapefile.ShapefileException, OSError, ValueError, IndexError, EOFError, LookupError) as exc:
        raise InputError(f"{name}: not a usable shapefile ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - pyshp raises struct.error and others on damaged files
        raise InputError(f"{name}: damaged shapefile ({type(exc).__name__}: {exc})") from None
    if not features:
        raise InputError(f"{name}: no records")
    return assemble(name, features, skipped)
