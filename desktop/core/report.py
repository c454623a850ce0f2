"""Sector reports: a document's analysis as JSON, CSV or GeoJSON text.

Built for a million units: columns come from numpy as lists once, unit records are written
from pre-encoded columns through a fixed template, a chunk at a time, straight to the
output stream (one unit per line: readable, diffable, and no pure-Python pretty-printer).
"""
from __future__ import annotations

import io
import json
from json.encoder import encode_basestring  # the C string encoder json.dumps uses
from typing import Iterator, TextIO

import numpy as np
import shapely

from desktop.core.csv_out import Decimals, write_rows
from desktop.core.document import Analysis, Document
from desktop.core.measure_units import MeasureUnits, area_field, distance_field, from_km, from_km2
from desktop.core.text_columns import Categorical

FORMATS = ("json", "csv", "geojson")
KM_DECIMALS = 3          # distances: metres
AREA_DECIMALS = 3        # km², i.e. 1000 m²
DEGREE_DECIMALS = 7      # about a centimetre
UNIT_FIELDS = ("id", "name", "side", "lon", "lat", "sector", "distance_km", "near_line", "wrong_side")
CSV_FIELDS = ("id", "name", "side", "affiliation", "lon", "lat", "sector", "sector_name", "sector_owner",
              "distance_km", "near_line", "wrong_side")
_CHUNK = 65536
_BOOLS = ("near_line", "wrong_side")
_NUMBERS = {"lon", "lat", "distance_km"}


def _other_unit(units: MeasureUnits | None) -> str | None:
    """The distance unit a report adds beside km (None: km only)."""
    return None if units is None or units.distance == "km" else units.distance


def _with_distance(fields: tuple[str, ...], units: MeasureUnits | None) -> tuple[str, ...]:
    """Report fields with the user's distance unit beside distance_km (which stays)."""
    unit = _other_unit(units)
    if unit is None:
        return fields
    at = fields.index("distance_km") + 1
    return fields[:at] + (distance_field(unit),) + fields[at:]


def unit_fields(units: MeasureUnits | None = None) -> tuple[str, ...]:
    """Keys of a JSON report's unit records."""
    return _with_distance(UNIT_FIELDS, units)


def csv_fields(units: MeasureUnits | None = None) -> tuple[str, ...]:
    """Columns of a CSV report."""
    return _with_distance(CSV_FIELDS, units)


def _rounded(values: np.ndarray, decimals: int) -> list:
    """Rounded floats as a list, NaN -> None (JSON has no NaN)."""
    v = np.round(np.asarray(values, dtype=float), decimals)
    out = v.tolist()
    for i in np.flatnonzero(np.isnan(v)):
        out[i] = None
    return out


def _texts(values: np.ndarray) -> list[str]:
    """A string column as str (ids built in code may be ints; None is empty)."""
    return [v if isinstance(v, str) else ("" if v is None else str(v)) for v in values.tolist()]


def _unit_columns(doc: Document, analysis: Analysis, rows: np.ndarray | None = None,
                  units_of_measure: MeasureUnits | None = None) -> dict[str, list]:
    """Report columns for the units `rows` (indices; None = all, in table order), with the
    distance also in the user's unit when it is not km."""
    units, cls, sectors = doc.shown_units, analysis.classification, analysis.sectors.sectors
    idx = slice(None) if rows is None else np.asarray(rows, dtype=np.intp).reshape(-1)
    # Index -1 (outside every sector) picks the trailing None.
    pick = np.asarray(cls.sector[idx], dtype=np.intp)
    lookup = {key: np.array([getattr(s, attr) for s in sectors] + [None], dtype=object)[pick].tolist()
              for key, attr in (("sector", "id"), ("sector_name", "name"), ("sector_owner", "owner"))}
    cols = {
        "id": _texts(units.ids[idx]), "name": _texts(units.names[idx]), "side": _texts(units.sides[idx]),
        "affiliation": _texts(units.affiliations[idx]),
        "lon": _rounded(units.lon[idx], DEGREE_DECIMALS), "lat": _rounded(units.lat[idx], DEGREE_DECIMALS),
        **lookup,
        "distance_km": _rounded(cls.distance_km[idx], KM_DECIMALS),
        "near_line": np.asarray(cls.near_line[idx], dtype=bool).tolist(),
        "wrong_side": np.asarray(cls.wrong_side[idx], dtype=bool).tolist(),
    }
    unit = _other_unit(units_of_measure)
    if unit is not None:
        cols[distance_field(unit)] = _rounded(from_km(np.asarray(cls.distance_km[idx], dtype=float), unit),
                                              KM_DECIMALS)
    return cols


def _sector_rows(analysis: Analysis, units: MeasureUnits | None = None) -> list[dict]:
    counts = analysis.counts().tolist()
    rows = [{"id": s.id, "name": s.name, "owner": s.owner, "unit_count": int(c),
             "area_km2": round(float(s.area_km2), AREA_DECIMALS)}
            for s, c in zip(analysis.sectors.sectors, counts)]
    unit = _other_unit(units)
    if unit is not None:
        for row, s in zip(rows, analysis.sectors.sectors):
            row[area_field(unit)] = round(from_km2(s.area_km2, unit), AREA_DECIMALS)
    return rows


def _head(analysis: Analysis, units: MeasureUnits | None, **first) -> dict:
    """A report's head: the buffer (also in the user's unit), then what follows."""
    buffer_km = analysis.classification.buffer_km
    head = {**first, "buffer_km": buffer_km}
    unit = _other_unit(units)
    if unit is not None:
        head[distance_field(unit, "buffer")] = round(from_km(buffer_km, unit), KM_DECIMALS)
    return head


def report_dict(doc: Document, analysis: Analysis | None = None, units: MeasureUnits | None = None) -> dict:
    """The JSON report as plain Python data (the README gives the schema); with `units`,
    distances, areas and the buffer also in the user's distance unit."""
    analysis = analysis if analysis is not None else doc.analysis
    cols, fields = _unit_columns(doc, analysis, None, units), unit_fields(units)
    records = [dict(zip(fields, row)) for row in zip(*(cols[k] for k in fields))]
    out = {**_head(analysis, units), "sectors": _sector_rows(analysis, units), "units": records}
    if analysis.sectors.error:
        out["error"] = analysis.sectors.error
    return out


# -- streaming JSON -----------------------------------------------------------------------
def _encoded(key: str, values: list) -> list[str]:
    """JSON text of each value of one column, exactly as json.dumps would write it."""
    if key in _BOOLS:
        return ["true" if v else "false" for v in values]
    if key in _NUMBERS or key.startswith("distance_"):
        return ["null" if v is None else repr(v) for v in values]
    return ["null" if v is None else encode_basestring(v) for v in values]


def _records(cols: dict[str, list], keys: tuple[str, ...], template: str) -> Iterator[str]:
    """`template % (encoded values...)` for every unit, a chunk of units at a time."""
    n = len(cols["id"])
    for start in range(0, n, _CHUNK):
        part = [_encoded(k, cols[k][start:start + _CHUNK]) for k in keys]
        yield from (template % row for row in zip(*part))


def _template(prefix: str, keys: tuple[str, ...], suffix: str) -> str:
    return prefix + ", ".join(f"{json.dumps(k)}: %s" for k in keys) + suffix


def _dumps(obj, **kw) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, **kw)


def write_json(doc: Document, out: TextIO, analysis: Analysis | None = None,
               units: MeasureUnits | None = None) -> None:
    analysis = analysis if analysis is not None else doc.analysis
    head = {**_head(analysis, units), "sectors": _sector_rows(analysis, units), "units": None}
    if analysis.sectors.error:
        head["error"] = analysis.sectors.error
    # Pretty-print the small head; the units go where the placeholder null is, one per line.
    before, _, after = _dumps(head, indent=2).partition('"units": null')
    out.write(before + '"units": [')
    sep = "\n    "
    fields = unit_fields(units)
    for record in _records(_unit_columns(doc, analysis, None, units), fields, _template("{", fields, "}")):
        out.write(sep + record)
        sep = ",\n    "
    out.write(("\n  ]" if sep != "\n    " else "]") + after + "\n")


def write_csv(doc: Document, out: TextIO, analysis: Analysis | None = None,
              rows: np.ndarray | None = None, units: MeasureUnits | None = None) -> int:
    """One row per unit (those in `rows`, in that order, or all); empty sector fields
    outside the AO, booleans as true/false; with `units`, the distance in the user's unit
    too. The CLI and the sectors panel both write this, column by column
    (desktop.core.csv_out). Returns the number of unit rows."""
    analysis = analysis if analysis is not None else doc.analysis
    shown, cls, sectors = doc.shown_units, analysis.classification, analysis.sectors.sectors
    idx = slice(None) if rows is None else np.asarray(rows, dtype=np.intp).reshape(-1)
    pick = np.asarray(cls.sector[idx], dtype=np.intp)
    pick = np.where(pick < 0, len(sectors), pick)  # outside every sector: the trailing ""

    def of_sector(attr: str) -> Categorical:  # (each sector's text encoded and looked at once)
        return Categorical(pick, [getattr(s, attr) for s in sectors] + [""])

    columns = [shown.ids[idx], shown.names[idx], shown.sides[idx], shown.affiliations[idx],
               Decimals(shown.lon[idx], DEGREE_DECIMALS), Decimals(shown.lat[idx], DEGREE_DECIMALS),
               of_sector("id"), of_sector("name"), of_sector("owner"), Decimals(cls.distance_km[idx], KM_DECIMALS),
               np.asarray(cls.near_line[idx], dtype=bool), np.asarray(cls.wrong_side[idx], dtype=bool)]
    unit = _other_unit(units)
    if unit is not None:  # beside distance_km, as csv_fields says
        at = CSV_FIELDS.index("distance_km") + 1
        columns.insert(at, Decimals(from_km(np.asarray(cls.distance_km[idx], dtype=float), unit), KM_DECIMALS))
    return write_rows(out, csv_fields(units), columns)


def _ring(coords) -> list:
    return np.round(np.asarray(coords)[:, :2], DEGREE_DECIMALS).tolist()


def _polygon_geometry(poly: shapely.Polygon) -> dict:
    poly = shapely.orient_polygons(poly)  # RFC 7946: exterior counter-clockwise, holes clockwise
    return {"type": "Polygon",
            "coordinates": [_ring(poly.exterior.coords)] + [_ring(r.coords) for r in poly.interiors]}


def _shape_features(doc: Document, analysis: Analysis, units: MeasureUnits | None = None) -> list[dict]:
    """Sectors (polygons) and the line as it separates them, in lon/lat."""
    proj = doc.analysis_projection
    features = [{"type": "Feature", "properties": {"kind": "sector", **row},
                 "geometry": _polygon_geometry(sector.lonlat_polygon(proj))}
                for row, sector in zip(_sector_rows(analysis, units), analysis.sectors.sectors)]
    res = analysis.sectors
    for kind, xy in (("line", res.line_xy), ("line_extension", res.extension_start_xy),
                     ("line_extension", res.extension_end_xy)):
        if len(xy) >= 2:
            coords = _ring(np.column_stack(proj.inverse(xy[:, 0], xy[:, 1])))
            features.append({"type": "Feature", "properties": {"kind": kind},
                             "geometry": {"type": "LineString", "coordinates": coords}})
    return features


_GEOJSON_PROPS = tuple(k for k in CSV_FIELDS if k not in ("lon", "lat"))
_NOWHERE = '{"type": "Point", "coordinates": [null, null]}}'


def _geojson_unit(props: tuple[str, ...]) -> str:
    return _template('{"type": "Feature", "properties": {"kind": "unit", ', props,
                     '}, "geometry": {"type": "Point", "coordinates": [%s, %s]}}')


_GEOJSON_UNIT = _geojson_unit(_GEOJSON_PROPS)


def write_geojson(doc: Document, out: TextIO, analysis: Analysis | None = None,
                  units: MeasureUnits | None = None) -> None:
    """One FeatureCollection: sectors, the line (and its extensions), the units; one
    feature per line."""
    analysis = analysis if analysis is not None else doc.analysis
    head = _head(analysis, units, type="FeatureCollection")
    if analysis.sectors.error:
        head["error"] = analysis.sectors.error
    out.write(_dumps(head)[:-1] + ', "features": [')
    sep = "\n"
    for feature in _shape_features(doc, analysis, units):
        out.write(sep + _dumps(feature))
        sep = ",\n"
    props = _with_distance(_GEOJSON_PROPS, units)
    for record in _records(_unit_columns(doc, analysis, None, units), props + ("lon", "lat"),
                           _geojson_unit(props)):
        if record.endswith(_NOWHERE):  # no position at the time asked: a feature without geometry (RFC 7946)
            record = record[:-len(_NOWHERE)] + "null}"
        out.write(sep + record)
        sep = ",\n"
    out.write("\n]}\n")


def geojson_dict(doc: Document, analysis: Analysis | None = None, units: MeasureUnits | None = None) -> dict:
    return json.loads(render(doc, "geojson", analysis, units))


_WRITERS = {"json": write_json, "csv": write_csv, "geojson": write_geojson}


def write_report(doc: Document, fmt: str, out: TextIO, analysis: Analysis | None = None,
                 units: MeasureUnits | None = None) -> None:
    """Write the report in one of FORMATS to a text stream; with `units` whose distance is
    not km, distances, areas and the buffer get a column in that unit too."""
    if fmt not in _WRITERS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "csv":
        write_csv(doc, out, analysis, units=units)
    else:
        _WRITERS[fmt](doc, out, analysis, units)


def render(doc: Document, fmt: str, analysis: Analysis | None = None, units: MeasureUnits | None = None) -> str:
    """The report in one of FORMATS as a string."""
    buf = io.StringIO()
    write_report(doc, fmt, buf, analysis, units)
    return buf.getvalue()
