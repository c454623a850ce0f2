"""Export the line, the sectors and the units as GeoJSON, KML (Google Earth) or CSV.

The same functions serve `deconflict export-data` and File › Export Data. Columns follow
the sectors report (desktop.core.report) so a file exported here and a report agree:
units carry their sector, distance to the line and the two flags; sectors their owner,
unit count and geodesic area; the line its MIL-STD-2525 boundary code and amplifiers
(desktop.core.line_symbol), so other tools can draw it as the control measure. Lines keep
their exact vertices (edges are geodesics: KML asks Google Earth to follow the ground with
<tessellate>); sector polygons are densified so their straight lon/lat edges follow the
geodesic boundary.
"""
from __future__ import annotations

import csv
import io
from typing import Callable, TextIO
from xml.sax.saxutils import escape

import numpy as np

from desktop.core.document import Analysis, Document
from desktop.core.line_symbol import line_symbol
from desktop.core.report import (_GEOJSON_PROPS, _GEOJSON_UNIT, DEGREE_DECIMALS, _dumps, _polygon_geometry,
                                 _records, _sector_rows, _unit_columns, write_csv)

LAYERS = ("line", "sectors", "units")
FORMATS = ("geojson", "kml", "csv")
EXTENSIONS = {"geojson": ".geojson", "kml": ".kml", "csv": ".csv"}
# KML colours are aabbggrr. Left-side sectors blue, right-side red (as on the map);
# units by affiliation (MIL-STD-2525 fills).
_SIDE_KML = ("ffdc6e28", "ff3232d7")
_AFFILIATION_KML = {"friend": "ffffe080", "hostile": "ff8080ff", "neutral": "ffaaffaa", "unknown": "ff80ffff"}
_SECTOR_FIELDS = ("id", "name", "owner", "unit_count", "area_km2")


def format_for(path: str) -> str | None:
    low = str(path).lower()
    return next((f for f, ext in EXTENSIONS.items() if low.endswith(ext)), "geojson" if low.endswith(".json") else None)


def _vertices(doc: Document) -> list:
    return np.round(doc.line.vertices, 10).tolist()


# -- GeoJSON ----------------------------------------------------------------------------------
def _line_geojson(doc: Document, analysis: Analysis, out: TextIO) -> None:
    props = {"kind": "line", "name": doc.title, "vertices": len(doc.line), **dict(line_symbol(doc).amplifiers())}
    feature = {"type": "Feature", "properties": props,
               "geometry": {"type": "LineString", "coordinates": _vertices(doc)}}
    out.write(_dumps({"type": "FeatureCollection", "features": [feature]}) + "\n")


def _sectors_geojson(doc: Document, analysis: Analysis, out: TextIO) -> None:
    proj = doc.analysis_projection
    features = [{"type": "Feature", "properties": {"kind": "sector", **row},
                 "geometry": _polygon_geometry(s.lonlat_polygon(proj))}
                for row, s in zip(_sector_rows(analysis), analysis.sectors.sectors)]
    head = {"type": "FeatureCollection"}
    if analysis.sectors.error:
        head["error"] = analysis.sectors.error
    out.write(_dumps(head)[:-1] + ', "features": [' + ",\n".join(_dumps(f) for f in features) + "]}\n")


def _units_geojson(doc: Document, analysis: Analysis, out: TextIO) -> None:
    out.write('{"type": "FeatureCollection", "features": [')
    sep = "\n"
    for record in _records(_unit_columns(doc, analysis), _GEOJSON_PROPS + ("lon", "lat"), _GEOJSON_UNIT):
        out.write(sep + record)
        sep = ",\n"
    out.write("\n]}\n")


# -- KML --------------------------------------------------------------------------------------
def _kml_document(name: str, out: TextIO, styles: str, body: Callable[[], None]) -> None:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n'
              f"<Document><name>{escape(name)}</name>\n{styles}")
    body()
    out.write("</Document>\n</kml>\n")


def _coords(xy) -> str:
    return " ".join(f"{x!r},{y!r}" for x, y in np.round(np.asarray(xy, dtype=float), DEGREE_DECIMALS).tolist())


def _extended(pairs) -> str:
    return "<ExtendedData>" + "".join(f'<Data name="{escape(str(k))}"><value>{escape("" if v is None else str(v))}'
                                      "</value></Data>" for k, v in pairs) + "</ExtendedData>"


def _line_kml(doc: Document, analysis: Analysis, out: TextIO) -> None:
    style = ('<Style id="line"><LineStyle><color>ff141414</color><width>3</width></LineStyle></Style>\n')

    def body():
        out.write(f"<Placemark><name>Deconfliction line</name><styleUrl>#line</styleUrl>"
                  f"{_extended([('kind', 'line'), ('vertices', len(doc.line)), *line_symbol(doc).amplifiers()])}"
                  f"<LineString><tessellate>1</tessellate><coordinates>{_coords(doc.line.vertices)}"
                  "</coordinates></LineString></Placemark>\n")
    _kml_document(f"{doc.title}: line", out, style, body)


def _sectors_kml(doc: Document, analysis: Analysis, out: TextIO) -> None:
    styles = "".join(f'<Style id="side{i}"><LineStyle><color>{c}</color><width>2</width></LineStyle>'
                     f"<PolyStyle><color>{'66' + c[2:]}</color></PolyStyle></Style>\n"
                     for i, c in enumerate(_SIDE_KML))
    proj = doc.analysis_projection

    def body():
        for row, s in zip(_sector_rows(analysis), analysis.sectors.sectors):
            poly = _polygon_geometry(s.lonlat_polygon(proj))["coordinates"]
            rings = f"<outerBoundaryIs><LinearRing><coordinates>{_coords(poly[0])}</coordinates></LinearRing></outerBoundaryIs>"
            rings += "".join(f"<innerBoundaryIs><LinearRing><coordinates>{_coords(r)}</coordinates></LinearRing>"
                             "</innerBoundaryIs>" for r in poly[1:])
            side = 0 if s.owner == doc.sides[0] else 1
            out.write(f"<Placemark><name>{escape(s.id)} {escape(s.name)}</name><styleUrl>#side{side}</styleUrl>"
                      f"{_extended([('kind', 'sector'), *row.items()])}"
                      f"<Polygon><tessellate>1</tessellate>{rings}</Polygon></Placemark>\n")
    _kml_document(f"{doc.title}: sectors", out, styles, body)


def _units_kml(doc: Document, analysis: Analysis, out: TextIO) -> None:
    styles = "".join(f'<Style id="{a}"><IconStyle><color>{c}</color><scale>0.8</scale><Icon><href>'
                     "http://maps.google.com/mapfiles/kml/shapes/placemark_square.png</href></Icon></IconStyle>"
                     "</Style>\n" for a, c in _AFFILIATION_KML.items())
    cols = _unit_columns(doc, analysis)
    keys = list(_GEOJSON_PROPS)

    def body():
        for row in zip(*(cols[k] for k in keys), cols["lon"], cols["lat"]):
            props = dict(zip(keys, row[:-2]))
            lon, lat = row[-2:]
            where = "" if lon is None or lat is None else f"<Point><coordinates>{lon!r},{lat!r}</coordinates></Point>"
            style = props["affiliation"] if props["affiliation"] in _AFFILIATION_KML else "unknown"
            out.write(f"<Placemark><name>{escape(props['id'])}</name><styleUrl>#{style}</styleUrl>"
                      f"{_extended(props.items())}{where}</Placemark>\n")
    _kml_document(f"{doc.title}: units", out, styles, body)


# -- CSV --------------------------------------------------------------------------------------
def _line_csv(doc: Document, analysis: Analysis, out: TextIO) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(("vertex", "lon", "lat"))
    w.writerows((i + 1, lon, lat) for i, (lon, lat) in enumerate(_vertices(doc)))


def _sectors_csv(doc: Document, analysis: Analysis, out: TextIO) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(_SECTOR_FIELDS)
    w.writerows(tuple(row[k] for k in _SECTOR_FIELDS) for row in _sector_rows(analysis))


def _units_csv(doc: Document, analysis: Analysis, out: TextIO) -> None:
    write_csv(doc, out, analysis)  # the sectors table: what the sectors panel exports


_WRITERS = {("line", "geojson"): _line_geojson, ("sectors", "geojson"): _sectors_geojson,
            ("units", "geojson"): _units_geojson, ("line", "kml"): _line_kml, ("sectors", "kml"): _sectors_kml,
            ("units", "kml"): _units_kml, ("line", "csv"): _line_csv, ("sectors", "csv"): _sectors_csv,
            ("units", "csv"): _units_csv}


def export_layer(doc: Document, layer: str, fmt: str, out: TextIO, analysis: Analysis | None = None) -> None:
    """Write one layer ("line", "sectors", "units") in one format ("geojson", "kml", "csv")."""
    if layer not in LAYERS or fmt not in FORMATS:
        raise ValueError(f"cannot export layer {layer!r} as {fmt!r}: layers {LAYERS}, formats {FORMATS}")
    _WRITERS[layer, fmt](doc, analysis if analysis is not None else doc.analysis, out)


def export_layer_text(doc: Document, layer: str, fmt: str) -> str:
    buf = io.StringIO()
    export_layer(doc, layer, fmt, buf)
    return buf.getvalue()

