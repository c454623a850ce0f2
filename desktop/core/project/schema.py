"""The project file's layers and columns (schema version 3), shared by the writer and reader.

Every layer is in WGS84 lon/lat (EPSG:4326). Layers marked *derived* are written for other
GIS tools and recomputed, never read, when the project is opened.

  deconflict_meta   attributes: key, value (schema_version, title, side_left, side_right,
                    buffer_km, app_version, saved_at)
  ao                POLYGON: name (the AO's vertices; edges are geodesics)
  line              LINESTRING: name (the working line, vertices in order of travel)
  line_revisions    LINESTRING: revision_id, state, effective (DATETIME), note, call_id
  sectors           POLYGON, derived: sector_id, name, owner, side, area_km2, units, near_line, wrong_side
  units             POINT: unit_id, name, side, affiliation, domain, echelon, symbol,
                    higher_formation (optional), last_report (DATETIME, the time of its
                    latest report; empty: none), alt_ft, course_deg, speed_kt (aircraft
                    state; NULL when unknown); derived: sector, distance_km, near_line,
                    wrong_side
  tracks            LINESTRING M: unit_id, reports, first_report, last_report (DATETIME);
                    M = report time in epoch seconds. A feature per unit with reports,
                    except a unit whose one report is at its position and carries no
                    aircraft state: that report is the unit's point and last_report (a
                    million units imported without time are then no million one-point
                    lines to write and read). A unit with one report elsewhere repeats it
                    to make a valid line: read `reports`. alt_ft, course_deg, speed_kt:
                    each a JSON list with one value per report (null where a report does
                    not say), NULL when no report of it says
  calls             attributes: call_id, start (DATETIME), duration_s, initiator,
                    from_station, to_station, operator, category, priority, summary,
                    outcome, units (JSON list of unit ids), lon, lat, revision
  places            POINT: name
  annotations       GEOMETRY (POINT text/circle, LINESTRING arrow/measure/freehand, POLYGON
                    polygon): annotation_id, kind, text, color, width, radius_km
  acms              POLYGON (the outline: a circle or corridor as the area it covers, edges
                    densified to follow geodesics): id, name, kind, shape, side, floor_ft,
                    ceiling_ft (feet MSL), radius_nm, width_nm, periods (ISO 8601 intervals
                    "start/end;start/end", empty: always active), points (JSON list of the
                    defining [lon, lat]: a polygon's vertices, a circle's centre, a
                    corridor's centreline); desktop.core.air.acm rebuilds each ACM from them
  alerts            POINT, optional (where the unit was; empty when unknown): alert_id,
                    time (DATETIME), unit_id, name, kind, other, sector, owner, distance_km,
                    minutes, state, detail — the alert history (desktop.core.alert_log), in
                    the order raised
  basemaps          attributes, optional: path (relative to the project's folder when the
                    file is there or below), position (the order added)
  map_layers        attributes, optional: layer_id, visible, opacity, position (drawing
                    order, bottom first): how the map's layers are shown

The three optional tables came later, within version 1: a project without them opens with
no alerts, no user basemap and every layer as it starts; older versions of the app ignore
them. So did the optional columns (OPTIONAL_COLUMNS): a project without one reads it as
blank, and older versions ignore it. They stay optional in the later versions.
Version 2 added units.last_report (version 1 wrote every unit with reports to tracks;
reader.MIGRATIONS[1] reads it as empty). Version 3 added the aircraft columns of units and
tracks and the acms layer (reader.MIGRATIONS[2]: no aircraft state, no ACMs).
"""
from __future__ import annotations

import math

import numpy as np

from desktop.core.project.gpkg import Column
from desktop.core.project.sqlite_columns import Coded
from desktop.core.tracks import parse_time

SCHEMA_VERSION = 3
META = "deconflict_meta"

T, I, R, B, D = "TEXT", "INTEGER", "REAL", "BOOLEAN", "DATETIME"
LAYERS: dict[str, tuple[str | None, tuple[Column, ...]]] = {
    META: (None, (Column("key", T), Column("value", T))),
    "ao": ("POLYGON", (Column("name", T),)),
    "line": ("LINESTRING", (Column("name", T),)),
    "line_revisions": ("LINESTRING", (Column("revision_id", T), Column("state", T), Column("effective", D),
                                      Column("note", T), Column("call_id", T))),
    "sectors": ("POLYGON", (Column("sector_id", T), Column("name", T), Column("owner", T), Column("side", T),
                            Column("area_km2", R), Column("units", I), Column("near_line", I),
                            Column("wrong_side", I))),
    "units": ("POINT", (Column("unit_id", T), Column("name", T), Column("side", T), Column("affiliation", T),
                        Column("domain", T), Column("echelon", T), Column("symbol", T),
                        Column("higher_formation", T), Column("last_report", D), Column("sector", T),
                        Column("distance_km", R), Column("near_line", B), Column("wrong_side", B),
                        Column("alt_ft", R), Column("course_deg", R), Column("speed_kt", R))),
    "tracks": ("LINESTRING", (Column("unit_id", T), Column("reports", I), Column("first_report", D),
                              Column("last_report", D), Column("alt_ft", T), Column("course_deg", T),
                              Column("speed_kt", T))),
    "calls": (None, (Column("call_id", T), Column("start", D), Column("duration_s", I), Column("initiator", T),
                     Column("from_station", T), Column("to_station", T), Column("operator", T),
                     Column("category", T), Column("priority", T), Column("summary", T), Column("outcome", T),
                     Column("units", T), Column("lon", R), Column("lat", R), Column("revision", T))),
    "places": ("POINT", (Column("name", T),)),
    "annotations": ("GEOMETRY", (Column("annotation_id", T), Column("kind", T), Column("text", T),
                                 Column("color", T), Column("width", R), Column("radius_km", R))),
    "acms": ("POLYGON", (Column("id", T), Column("name", T), Column("kind", T), Column("shape", T),
                         Column("side", T), Column("floor_ft", R), Column("ceiling_ft", R), Column("radius_nm", R),
                         Column("width_nm", R), Column("periods", T), Column("points", T))),
    "alerts": ("POINT", (Column("alert_id", I), Column("time", D), Column("unit_id", T), Column("name", T),
                         Column("kind", T), Column("other", T), Column("sector", T), Column("owner", T),
                         Column("distance_km", R), Column("minutes", R), Column("state", T), Column("detail", T))),
    "basemaps": (None, (Column("path", T), Column("position", I))),
    "map_layers": (None, (Column("layer_id", T), Column("visible", B), Column("opacity", R), Column("position", I))),
}
AIR_COLUMNS = ("alt_ft", "course_deg", "speed_kt")  # in units (REAL) and tracks (JSON per report)
DESCRIPTIONS = {
    META: "Deconflict project metadata (schema version, title, sides, buffer)",
    "ao": "Area of operations (edges are geodesics)",
    "line": "The working deconfliction line (edges are geodesics)",
    "line_revisions": "Saved versions of the line, with effective time and agreeing call",
    "sectors": "Sectors cut from the AO by the line (derived; recomputed on open)",
    "units": "Tracked units at their current position (sector columns derived)",
    "tracks": "Unit position reports, one line per unit; M = report time, epoch seconds UTC",
    "calls": "Hotline-call log",
    "places": "Named reference places",
    "annotations": "Map markup (text, arrows, strokes, areas, range rings, measurements)",
    "acms": "Airspace coordination measures: areas with a floor and ceiling (ft MSL) and active periods",
    "alerts": "Alert history: line alerts from live reports (and other finders), in the order raised",
    "basemaps": "Basemap files (MBTiles, GeoPackage tiles) shown under the map, by path",
    "map_layers": "How the map's layers are shown: drawing order, visibility, opacity",
}
DERIVED = ("sectors",)
DERIVED_COLUMNS = {"units": ("sector", "distance_km", "near_line", "wrong_side")}
OPTIONAL_COLUMNS = {"units": ("higher_formation",)}  # came later within version 1: blank when absent


def read_columns(layer: str) -> list[str]:
    """What the reader takes from a layer: its geometry and the columns it is built from
    (derived ones are recomputed). Nothing else in a file is read, so a table or column
    another tool added costs nothing, however large. A migration that needs an older
    column adds it here."""
    geometry_type, columns = LAYERS[layer]
    derived = DERIVED_COLUMNS.get(layer, ())
    return (["geom"] if geometry_type else []) + [c.name for c in columns if c.name not in derived]


def iso_times(epoch: np.ndarray) -> list[str]:
    """Epoch seconds -> GeoPackage DATETIME text (ISO 8601 UTC, 'Z'). Each distinct time is
    formatted once (a million units imported at one moment share one)."""
    distinct, inverse = np.unique(np.asarray(epoch, dtype=np.int64), return_inverse=True)
    s = np.datetime_as_string(distinct.astype("datetime64[s]"), unit="s")
    return np.array([t + "Z" for t in s.tolist()], dtype=object)[inverse.reshape(-1)].tolist()


def epoch_times(texts: list, where: str) -> np.ndarray:
    """GeoPackage DATETIME text -> int64 epoch seconds; ValueError naming `where` and the
    feature of a text that is not a time."""
    try:
        return _epochs(texts)
    except _BadTime as bad:
        raise ValueError(f"{where}: feature {bad.at + 1}: {bad.reason}") from None


def optional_epoch_times(texts: list | Coded, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(given, epoch seconds) of a DATETIME column that may be empty (NULL or ''): a mask
    of the rows that hold a time, and the times (0 where none). Each distinct text is
    looked at once (a million units imported at one moment share one)."""
    if isinstance(texts, Coded):
        distinct, codes = list(texts.values), np.asarray(texts.codes)
    else:
        code_of = {t: k for k, t in enumerate(dict.fromkeys(texts))}
        distinct = list(code_of)
        codes = np.fromiter(map(code_of.__getitem__, texts), dtype=np.int64, count=len(texts))
    given = np.array([t is not None and t != "" for t in distinct], dtype=bool)
    out = np.zeros(len(distinct), dtype=np.int64)
    rows = np.flatnonzero(given)
    try:
        out[rows] = _epochs([distinct[i] for i in rows.tolist()])
    except _BadTime as bad:
        row = int(np.argmax(codes == rows[bad.at]))
        raise ValueError(f"{where}: feature {row + 1}: {bad.reason}") from None
    return given[codes], out[codes]


class _BadTime(ValueError):
    def __init__(self, at: int, reason: str) -> None:
        super().__init__(reason)
        self.at, self.reason = at, reason


def _epochs(texts: list) -> np.ndarray:
    """Each distinct text parsed once (a million units imported at one moment share one)."""
    if not texts:
        return np.empty(0, dtype=np.int64)
    distinct = list(dict.fromkeys(texts))
    try:
        parsed = _parse_times(distinct)
    except _BadTime as bad:
        raise _BadTime(texts.index(distinct[bad.at]), bad.reason) from None
    if len(distinct) == len(texts):
        return parsed
    epoch_of = dict(zip(distinct, parsed.tolist()))
    return np.fromiter(map(epoch_of.__getitem__, texts), dtype=np.int64, count=len(texts))


def _parse_times(texts: list) -> np.ndarray:
    """Fast for what we write (UTC, 'Z'); any other ISO 8601 form with an offset (as other
    tools may write) one by one."""
    try:
        if all(isinstance(t, str) and len(t) == 20 and t.endswith("Z") for t in texts):
            return np.array([t[:-1] for t in texts], dtype="datetime64[s]").astype(np.int64)
    except ValueError:
        pass
    out = np.empty(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise _BadTime(i, f"time {t!r} is not ISO 8601 text")
        try:
            out[i] = parse_time(t)
        except ValueError as exc:
            raise _BadTime(i, str(exc)) from None
    return out


def text(value) -> str:
    return "" if value is None else str(value)


def texts(values) -> list[str]:
    """A column as str ("" for NULL); no per-value work when it is all text already."""
    values = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if set(map(type, values)) <= {str}:
        return values
    return [text(v) for v in values]


def number(value, default: float = math.nan) -> float:
    return default if value is None else float(value)
