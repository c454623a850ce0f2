"""Open a Deconflict project file (GeoPackage) as a Document.

Reading goes in three steps: the raw tables (`read_raw`), migrations from the file's schema
version to the current one (`migrate`, in memory: the file itself is never changed), then
the Document (`build_document`), which checks everything the core would refuse later
(an AO that crosses itself, a line outside the globe, a duplicate unit id, ...). Any
problem is a ProjectError naming the file, the layer and the feature.
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import shapely

from desktop.core.air.acm import ACM, AcmError, Airspace
from desktop.core.alert_log import STATES, AlertLog
from desktop.core.annotations import Annotation, Annotations
from desktop.core.bulk import collector_paused
from desktop.core.calls import CallLog, duration_seconds
from desktop.core.document import Document, Place
from desktop.core.geodesy import Projection
from desktop.core.inputs import InputError
from desktop.core.line import DeconflictionLine
from desktop.core.map_state import MapState, opened_path
from desktop.core.progress import Progress, step
from desktop.core.project import schema
from desktop.core.project.gpkg import GeoPackageError, GeoPackageReader, parse_geometries, points_from_blobs
from desktop.core.project.sqlite_columns import Coded
from desktop.core.project.track_blobs import tracks_from_blobs
from desktop.core.revisions import LineRevision, RevisionLog
from desktop.core.sectors import AreaOfOperations
from desktop.core.text_columns import STRING, Categorical
from desktop.core.tracks import Tracks
from desktop.core.units import UnitTable


class ProjectError(InputError):
    """A project file that cannot be opened; the message names the file, layer and feature."""


@dataclass
class RawProject:
    """A project's tables as read: `layers[name][column]` lists in feature order (geometry
    blobs under "geom"), and the metadata as text. Only the layers and columns the schema
    knows are read (schema.read_columns)."""

    name: str
    version: int
    meta: dict[str, str]
    layers: dict[str, dict[str, list]] = field(default_factory=dict)


# Migrations, keyed by the version they upgrade FROM: MIGRATIONS[k](raw) turns a version-k
# RawProject into version k + 1 in memory. Add one whenever SCHEMA_VERSION is raised.
def _units_gain_last_report(raw: RawProject) -> None:
    """Version 1 wrote every unit with reports to the tracks layer: none has its report in
    the units layer."""
    units = raw.layers.get("units")
    if units is not None:  # (a last_report another tool added to a version-1 file means nothing here)
        units["last_report"] = [None] * len(next(iter(units.values()), []))


def _add_air(raw: RawProject) -> None:
    """2 -> 3: no aircraft state in units and tracks (NULL), no ACMs (an empty layer)."""
    for layer in ("units", "tracks"):
        cols = raw.layers.get(layer)
        if cols is not None:
            n = len(next(iter(cols.values()), []))
            for name in schema.AIR_COLUMNS:
                cols.setdefault(name, [None] * n)
    raw.layers.setdefault("acms", {"geom": [], **{c.name: [] for c in schema.LAYERS["acms"][1]}})


MIGRATIONS: dict[int, Callable[[RawProject], None]] = {1: _units_gain_last_report, 2: _add_air}
# The tables (and their columns) a migration from version k reads that the current schema
# no longer has: only these and the schema's own are read from a file.
MIGRATION_READS: dict[int, dict[str, list[str]]] = {}


def _wanted(version: int) -> dict[str, list[str]]:
    """{table: columns} read from a file of `version`."""
    wanted = {t: schema.read_columns(t) for t in schema.LAYERS if t != schema.META and t not in schema.DERIVED}
    for k, reads in sorted(MIGRATION_READS.items()):  # not a loop over the versions: a file may say -2**63
        if version <= k < schema.SCHEMA_VERSION:
            wanted.update(reads)
    return wanted


# Units columns that usually hold one value in most rows (a million units imported at once
# share a side, a time, blank echelons and symbols): read_bulk reads the rows that differ.
_MOSTLY_ONE_VALUE = ("side", "affiliation", "domain", "echelon", "symbol", "higher_formation", "last_report")


def is_project(path) -> bool:
    """True for a GeoPackage holding a Deconflict metadata table."""
    try:
        with GeoPackageReader(path) as r:
            return schema.META in r.tables
    except GeoPackageError:
        return False


def read_raw(path, name: str | None = None, progress: Progress | None = None) -> RawProject:
    """The raw tables; `progress` goes from 0 to 0.5 as rows are read."""
    name = name or str(path)
    try:
        with GeoPackageReader(path, name) as r:
            if schema.META not in r.tables:
                raise ProjectError(f"{name}: a GeoPackage, but not a Deconflict project (no {schema.META} "
                                   "table); use File › Import to bring its layers in")
            meta_cols = r.read(schema.META, ["key", "value"])
            meta = {str(k): schema.text(v) for k, v in zip(meta_cols["key"], meta_cols["value"])}
            try:
                version = int(meta.get("schema_version", ""))
            except ValueError:
                raise ProjectError(f"{name}: {schema.META}: schema_version {meta.get('schema_version')!r} "
                                   "is not a number") from None
            raw = RawProject(name, version, meta)
            wanted = {t: c for t, c in _wanted(version).items() if t in r.tables}
            sizes = {t: r.count(t) for t in wanted} if progress is not None else {}
            total, done = max(sum(sizes.values()), 1), 0
            for table, want in wanted.items():
                have = {c for c, _ in r.columns(table)}
                cols = [c for c in want if c in have]  # a missing one: _layer says so
                on_rows = None if progress is None else \
                    (lambda n, before=done: step(progress, 0.5 * (before + n) / total, "Reading the file"))
                if table == "units":  # (the layer of a million rows)
                    raw.layers[table] = r.read_bulk(table, cols, _MOSTLY_ONE_VALUE, on_rows)
                else:
                    raw.layers[table] = r.read(table, cols, on_rows)
                done += sizes.get(table, 0)
            return raw
    except GeoPackageError as exc:
        raise ProjectError(str(exc)) from None


def migrate(raw: RawProject) -> RawProject:
    if raw.version > schema.SCHEMA_VERSION:
        raise ProjectError(f"{raw.name}: made by a newer Deconflict (project schema {raw.version}; this "
                           f"version reads up to {schema.SCHEMA_VERSION}); please update Deconflict")
    while raw.version < schema.SCHEMA_VERSION:
        upgrade = MIGRATIONS.get(raw.version)
        if upgrade is None:
            raise ProjectError(f"{raw.name}: unknown project schema version {raw.version} (no migration from it)")
        upgrade(raw)
        raw.version += 1
    return raw


@contextmanager
def _layer(raw: RawProject, layer: str) -> Iterator[dict[str, list]]:
    """The layer's columns; any error inside names the file and layer."""
    if layer not in raw.layers:
        raise ProjectError(f"{raw.name}: layer {layer!r} is missing (not a complete Deconflict project)")
    cols = raw.layers[layer]
    optional = schema.OPTIONAL_COLUMNS.get(layer, ())
    missing = [c for c in schema.read_columns(layer) if c not in cols and c not in optional]
    if missing:
        raise ProjectError(f"{raw.name}: layer {layer!r} has no column {missing[0]!r}")
    try:
        yield cols
    except ProjectError:
        raise
    except (ValueError, TypeError, KeyError, shapely.errors.ShapelyError) as exc:
        raise ProjectError(f"{raw.name}: layer {layer!r}: {exc}") from None


def _geometries(cols: dict[str, list], kinds: tuple[str, ...]) -> np.ndarray:
    geoms, srs = parse_geometries(cols["geom"], "")  # the caller's _layer names the file and layer
    for i, (g, s) in enumerate(zip(geoms.tolist(), srs.tolist())):
        if g is None or g.is_empty:
            raise ValueError(f"feature {i + 1}: no geometry")
        if g.geom_type not in kinds:
            raise ValueError(f"feature {i + 1}: {g.geom_type} where {' or '.join(kinds)} was expected")
        if s != 4326:
            raise ValueError(f"feature {i + 1}: coordinates in SRS {s}, expected EPSG:4326 (WGS 84)")
    return geoms


def _check_lonlat(xy: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(xy)):
        raise ValueError(f"{what}: a coordinate is not a finite number")
    if np.any(np.abs(xy[:, 0]) > 180) or np.any(np.abs(xy[:, 1]) > 90):
        raise ValueError(f"{what}: a vertex lies outside -180..180 longitude / -90..90 latitude")


def _one(raw: RawProject, layer: str, kind: str) -> tuple[np.ndarray, dict[str, list]]:
    with _layer(raw, layer) as cols:
        geoms = _geometries(cols, (kind,))
        if len(geoms) != 1:
            raise ValueError(f"holds {len(geoms)} features; expected exactly one")
        g = geoms[0]
        xy = shapely.get_coordinates(g.exterior if kind == "Polygon" else g)
        _check_lonlat(xy, "feature 1")
        return xy, cols


def _ao(raw: RawProject) -> AreaOfOperations:
    ring, cols = _one(raw, "ao", "Polygon")
    with _layer(raw, "ao"):
        ao = AreaOfOperations(ring, name=schema.text(cols["name"][0]) or "AO")
        if len(ao.ring) < 3:
            raise ValueError("feature 1: the boundary needs at least 3 vertices")
        poly = ao.polygon(Projection.analysis_for(*ao.centre))
        if not poly.is_valid:
            raise ValueError(f"feature 1: the boundary is not a simple polygon ({shapely.is_valid_reason(poly)})")
        return ao


def _line(raw: RawProject, ao: AreaOfOperations) -> DeconflictionLine:
    xy, _ = _one(raw, "line", "LineString")
    with _layer(raw, "line"):
        line = DeconflictionLine(xy)
        line.validate(Projection.analysis_for(*ao.centre))
        return line


def _revisions(raw: RawProject) -> RevisionLog:
    with _layer(raw, "line_revisions") as cols:
        geoms = _geometries(cols, ("LineString",))
        times = schema.epoch_times(cols["effective"], "effective")
        revs = []
        for i, g in enumerate(geoms.tolist()):
            xy = shapely.get_coordinates(g)
            _check_lonlat(xy, f"feature {i + 1}")
            revs.append(LineRevision(schema.text(cols["revision_id"][i]), DeconflictionLine(xy), int(times[i]),
                                     schema.text(cols["state"][i]), schema.text(cols["note"][i]),
                                     schema.text(cols["call_id"][i])))
        return RevisionLog(revs)


def _point_lonlat(cols: dict[str, list], layer: str) -> tuple[np.ndarray, np.ndarray]:
    """A point layer's positions (NaN for an empty point)."""
    fast = points_from_blobs(cols["geom"], layer)
    if fast is not None:
        return fast
    geoms = _geometries(cols, ("Point",))
    return shapely.get_x(geoms), shapely.get_y(geoms)


def _units(raw: RawProject) -> UnitTable:
    with _layer(raw, "units") as cols:
        lon, lat = _point_lonlat(cols, "units")
        ok = np.isfinite(lon) & np.isfinite(lat)
        bad = ok & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
        if bad.any():
            raise ValueError(f"feature {int(np.argmax(bad)) + 1}: position outside -180..180 / -90..90")
        ids = np.array(cols["unit_id"], dtype=STRING)  # (read_bulk gives text as str)
        blank = np.flatnonzero(ids == "")
        if len(blank):
            raise ValueError(f"feature {blank[0] + 1}: no unit_id")

        def col(name: str) -> list | Categorical:
            values = cols[name] if name in cols else [""] * len(ids)
            return Categorical(values.codes, values.values) if isinstance(values, Coded) else values

        table = UnitTable(ids, np.array(cols["name"], dtype=STRING), col("side"), col("affiliation"), col("domain"),
                          lon, lat, col("echelon"), col("symbol"),
                          *(_numbers(cols[name], name) for name in schema.AIR_COLUMNS),
                          higher_formations=col("higher_formation"))
        dup = table.first_repeated_id()
        if dup >= 0:
            raise ValueError(f"feature {dup + 1}: duplicate unit_id {str(ids[dup])!r}")
        return table


def _numbers(values: list, column: str) -> np.ndarray | None:
    """A REAL column with NaN for NULL; None when every value is NULL (ground units: the
    table then holds one broadcast NaN, no memory per unit)."""
    if values.count(None) == len(values):
        return None
    try:
        return np.array([math.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        bad = next(i for i, v in enumerate(values) if not isinstance(v, (int, float, type(None))))
        raise ValueError(f"feature {bad + 1}: {column} {str(values[bad])[:40]!r} is not a number") from None


def _tracks(raw: RawProject, units: UnitTable) -> Tracks:
    unit, time, lon, lat, air = _track_features(raw, units)
    with _layer(raw, "units") as cols:  # units whose one report is their point and last_report
        given, at = schema.optional_epoch_times(cols["last_report"], "last_report")
        given[unit] = False  # (a unit with a track: its last_report repeats the track's)
        single = np.flatnonzero(given)
        placed = np.isfinite(units.lon[single]) & np.isfinite(units.lat[single])
        if not placed.all():
            raise ValueError(f"feature {int(single[np.argmin(placed)]) + 1}: a last_report but no position or track")
    if not len(unit) and not len(single):
        return Tracks.empty(len(units))
    # The tracks' reports sorted as Tracks.from_reports sorts them, then merged with the
    # single reports (of other units, in unit order) without sorting a million of them.
    order = np.lexsort((time, unit))
    unit = unit[order]
    of_tracks = np.zeros(len(unit) + len(single), dtype=bool)
    of_tracks[np.arange(len(unit)) + np.searchsorted(single, unit)] = True

    def merged(tracks: np.ndarray, singles: np.ndarray) -> np.ndarray:
        out = np.empty(len(tracks) + len(singles), dtype=np.result_type(tracks, singles))
        out[of_tracks], out[~of_tracks] = tracks, singles
        return out

    return Tracks(merged(unit, single.astype(np.int32)), merged(time[order], at[single]),
                  merged(lon[order], units.lon[single]), merged(lat[order], units.lat[single]), len(units),
                  **{k: merged(v[order], np.full(len(single), np.nan))  # (a single report says none: schema)
                     for k, v in air.items()})


def _track_features(raw: RawProject, units: UnitTable) -> tuple[np.ndarray, ...]:
    """(unit row, time, lon, lat) of every report in the tracks layer, and the AIR_COLUMNS
    any of them gives (one value per report)."""
    with _layer(raw, "tracks") as cols:
        if not cols["geom"]:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64), np.empty(0), np.empty(0), {}
        fast = tracks_from_blobs(cols["geom"])
        if fast is not None:
            coords, lengths = fast
            index = np.repeat(np.arange(len(lengths)), lengths)
        else:
            geoms = _geometries(cols, ("LineString",))
            if not shapely.has_m(geoms).all():
                bad = int(np.argmin(shapely.has_m(geoms)))
                raise ValueError(f"feature {bad + 1}: the track has no M (time) values")
            coords, index = shapely.get_coordinates(geoms, include_m=True, return_index=True)
            lengths = np.bincount(index, minlength=len(geoms))
        reports = np.array([int(v) for v in cols["reports"]], dtype=np.int64)
        over = reports > lengths
        if over.any() or (reports < 1).any():
            k = int(np.argmax(over | (reports < 1)))
            raise ValueError(f"feature {k + 1}: reports = {reports[k]} for a track of {lengths[k]} vertices")
        start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        keep = (np.arange(len(index)) - start[index]) < reports[index]
        coords, index = coords[keep], index[keep]
        _check_lonlat(coords[:, :2], "a track")
        ids = schema.texts(cols["unit_id"])
        unit_of = units.rows_of(ids)
        if (unit_of < 0).any():
            k = int(np.argmax(unit_of < 0))
            raise ValueError(f"feature {k + 1}: unit_id {ids[k]!r} is not in the units layer")
        if len(np.unique(unit_of)) != len(unit_of):
            raise ValueError("two tracks for one unit")
        time = coords[:, 2]
        if not np.all(np.isfinite(time)) or np.any(np.abs(time) > 2 ** 53):
            raise ValueError("a report time (M value) is not a whole number of epoch seconds")
        air = {name: _report_values(cols[name], reports, name) for name in schema.AIR_COLUMNS}
        return (unit_of[index].astype(np.int32), np.rint(time).astype(np.int64), coords[:, 0], coords[:, 1],
                {k: v for k, v in air.items() if v is not None})


def _report_values(values: list, reports: np.ndarray, column: str) -> np.ndarray | None:
    """One track column of JSON lists (one number or null per report; NULL: none known) as
    one value per report in feature order; None when no track has it."""
    if all(v is None for v in values):
        return None
    parts = []
    for k, (v, n) in enumerate(zip(values, reports.tolist())):
        if v is None:
            parts.append(np.full(n, math.nan))
            continue
        try:
            got = json.loads(v)
            arr = np.array([math.nan if x is None else x for x in got], dtype=float) if isinstance(got, list) else None
        except (json.JSONDecodeError, TypeError, ValueError, RecursionError):
            arr = None
        if arr is None or arr.shape != (n,):
            raise ValueError(f"feature {k + 1}: {column} {str(v)[:40]!r} is not a JSON list of {n} numbers or nulls")
        parts.append(arr)
    return np.concatenate(parts) if parts else np.empty(0)


def _calls(raw: RawProject) -> CallLog:
    with _layer(raw, "calls") as cols:
        if not cols["call_id"]:
            return CallLog.empty()
        links = []
        for i, v in enumerate(cols["units"]):
            try:
                got = json.loads(v) if v else []
            except (json.JSONDecodeError, TypeError, RecursionError):  # (nested too deeply)
                got = None
            if not isinstance(got, list) or not all(isinstance(x, str) for x in got):
                raise ValueError(f"feature {i + 1}: units {str(v)[:40]!r} is not a JSON list of unit ids")
            links.append(got)

        def texts(name: str) -> list[str]:
            return schema.texts(cols[name])

        return CallLog.from_columns(
            ids=texts("call_id"), start=schema.epoch_times(cols["start"], "start"),
            duration_s=np.array([_duration(i, v) for i, v in enumerate(cols["duration_s"])], dtype=np.int64),
            initiator=texts("initiator"), from_station=texts("from_station"), to_station=texts("to_station"),
            operator=texts("operator"), category=texts("category"), priority=texts("priority"),
            summary=texts("summary"), outcome=texts("outcome"), units=links,
            lon=[schema.number(v) for v in cols["lon"]], lat=[schema.number(v) for v in cols["lat"]],
            revision=texts("revision"))


def _duration(i: int, value) -> int:
    try:
        return duration_seconds(value)
    except ValueError as exc:
        raise ValueError(f"feature {i + 1}: {exc}") from None


def _places(raw: RawProject) -> tuple[Place, ...]:
    with _layer(raw, "places") as cols:
        if not cols["geom"]:
            return ()
        geoms = _geometries(cols, ("Point",))
        return tuple(Place(schema.text(n), float(shapely.get_x(g)), float(shapely.get_y(g)))
                     for n, g in zip(cols["name"], geoms.tolist()))


def _annotations(raw: RawProject) -> Annotations:
    with _layer(raw, "annotations") as cols:
        if not cols["geom"]:
            return Annotations()
        geoms = _geometries(cols, ("Point", "LineString", "Polygon"))
        items = []
        for i, g in enumerate(geoms.tolist()):
            xy = shapely.get_coordinates(g.exterior if g.geom_type == "Polygon" else g)
            if g.geom_type == "Polygon":
                xy = xy[:-1]
            items.append(Annotation(schema.text(cols["annotation_id"][i]), schema.text(cols["kind"][i]), xy,
                                    schema.text(cols["text"][i]), schema.text(cols["color"][i]),
                                    schema.number(cols["width"][i], 2.0), schema.number(cols["radius_km"][i], 0.0)))
        return Annotations(items)


def _airspace(raw: RawProject) -> Airspace:
    names = [c.name for c in schema.LAYERS["acms"][1]]
    with _layer(raw, "acms") as cols:
        acms = []
        for i, values in enumerate(zip(*(cols[n] for n in names))):
            row = dict(zip(names, values))
            try:
                row["points"] = json.loads(row["points"]) if isinstance(row["points"], str) else None
            except (json.JSONDecodeError, RecursionError):
                row["points"] = None
            try:
                acms.append(ACM.from_record(row))
            except AcmError as exc:
                raise ValueError(f"feature {i + 1}: {exc}") from None
        try:
            return Airspace(acms)
        except AcmError as exc:
            raise ValueError(str(exc)) from None


def _alerts(raw: RawProject) -> AlertLog:
    if "alerts" not in raw.layers:   # a project saved before alerts were stored
        return AlertLog()
    with _layer(raw, "alerts") as cols:
        if not cols["alert_id"]:
            return AlertLog()
        lon, lat = _point_lonlat(cols, "alerts")
        ids = [int(v) for v in cols["alert_id"]]
        if len(set(ids)) != len(ids):
            raise ValueError("two alerts with one alert_id")
        state = schema.texts(cols["state"])
        bad = next((k for k, v in enumerate(state) if v not in STATES), None)
        if bad is not None:
            raise ValueError(f"feature {bad + 1}: state {state[bad]!r} is not one of {', '.join(STATES)}")
        return AlertLog.from_columns({
            "id": ids, "time": schema.epoch_times(cols["time"], "time"), "unit": cols["unit_id"], "name": cols["name"],
            "kind": cols["kind"], "other": cols["other"], "sector": cols["sector"], "owner": cols["owner"],
            "distance_km": cols["distance_km"], "minutes": cols["minutes"], "state": state, "lon": lon.tolist(),
            "lat": lat.tolist(), "detail": cols["detail"]})


def _map_state(raw: RawProject, folder: Path | None) -> MapState:
    """The optional tables (absent from older projects: no basemap, layers as they start)."""
    basemaps, layers = (), ()
    if "basemaps" in raw.layers:
        with _layer(raw, "basemaps") as cols:
            order = np.argsort(np.asarray(cols["position"], dtype=float), kind="stable")
            paths = [schema.text(cols["path"][k]) for k in order.tolist()]
            basemaps = tuple(opened_path(p, folder) if folder is not None else p for p in paths if p)
    if "map_layers" in raw.layers:
        with _layer(raw, "map_layers") as cols:
            order = np.argsort(np.asarray(cols["position"], dtype=float), kind="stable")
            layers = tuple((schema.text(cols["layer_id"][k]), bool(cols["visible"][k]),
                            min(max(schema.number(cols["opacity"][k], 1.0), 0.0), 1.0)) for k in order.tolist())
    return MapState(basemaps, layers)


def build_document(raw: RawProject, progress: Progress | None = None, folder: Path | None = None) -> Document:
    meta = raw.meta
    left, right = meta.get("side_left", ""), meta.get("side_right", "")
    if not left or not right or left == right:
        raise ProjectError(f"{raw.name}: {schema.META}: side_left/side_right must be two different names")
    try:
        buffer_km = float(meta.get("buffer_km", "5"))
    except ValueError:
        buffer_km = math.nan
    if not (math.isfinite(buffer_km) and buffer_km > 0):
        raise ProjectError(f"{raw.name}: {schema.META}: buffer_km {meta.get('buffer_km')!r} is not a positive number")
    ao = _ao(raw)
    line = _line(raw, ao)
    step(progress, 0.6, "Reading units")
    units = _units(raw)
    step(progress, 0.7, "Reading tracks")
    tracks = _tracks(raw, units)
    step(progress, 0.85, "Reading calls and revisions")
    doc = Document(ao, line, units, (left, right), buffer_km=buffer_km, title=meta.get("title") or "Untitled",
                   places=_places(raw), calls=_calls(raw), tracks=tracks, revisions=_revisions(raw),
                   annotations=_annotations(raw), airspace=_airspace(raw), alerts=_alerts(raw),
                   map_state=_map_state(raw, folder))
    step(progress, 1.0, "Opened")
    return doc


def load_project(path, progress: Progress | None = None, name: str | None = None) -> Document:
    """Open a project file. Never writes to it. Raises ProjectError naming file, layer, feature."""
    step(progress, 0.0, "Reading the file")
    with collector_paused():  # a value object per row and column: no cycles
        raw = migrate(read_raw(path, name, progress))
        step(progress, 0.5, "Checking the layers")
        return build_document(raw, progress, Path(path).absolute().parent)
