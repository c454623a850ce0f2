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
from pathlib import Path
from typing import Callable

import numpy as np
import shapely

from desktop.core.air.acm import ACM, AcmError, Airspace
from desktop.core.alert_log import STATES, AlertLog
from desktop.core.annotations import Annotation, Annotations
from desktop.core.bulk import collector_paused
from desktop.core.calls import CallLog, duration_seconds
from desktop.core.document import Document, Place
from desktop.core.geodesy import Projection
from desktop.core.line import DeconflictionLine
from desktop.core.map_state import MapState, opened_path
from desktop.core.progress import Progress, step
from desktop.core.project import schema
from desktop.core.project.gpkg import GeoPackageError, GeoPackageReader
from desktop.core.project.layer_access import (ProjectError, RawProject, check_lonlat, layer_columns, layer_geometries,
                                               point_lonlat)
from desktop.core.project.unit_layers import read_tracks, read_units
from desktop.core.revisions import LineRevision, RevisionLog
from desktop.core.sectors import AreaOfOperations


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
                cols = [c for c in want if c in have]  # a missing one: layer_columns says so
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


def _one(raw: RawProject, layer: str, kind: str) -> tuple[np.ndarray, dict[str, list]]:
    with layer_columns(raw, layer) as cols:
        geoms = layer_geometries(cols, (kind,))
        if len(geoms) != 1:
            raise ValueError(f"holds {len(geoms)} features; expected exactly one")
        g = geoms[0]
        xy = shapely.get_coordinates(g.exterior if kind == "Polygon" else g)
        check_lonlat(xy, "feature 1")
        return xy, cols


def _ao(raw: RawProject) -> AreaOfOperations:
    ring, cols = _one(raw, "ao", "Polygon")
    with layer_columns(raw, "ao"):
        ao = AreaOfOperations(ring, name=schema.text(cols["name"][0]) or "AO")
        if len(ao.ring) < 3:
            raise ValueError("feature 1: the boundary needs at least 3 vertices")
        poly = ao.polygon(Projection.analysis_for(*ao.centre))
        if not poly.is_valid:
            raise ValueError(f"feature 1: the boundary is not a simple polygon ({shapely.is_valid_reason(poly)})")
        return ao


def _line(raw: RawProject, ao: AreaOfOperations) -> DeconflictionLine:
    xy, _ = _one(raw, "line", "LineString")
    with layer_columns(raw, "line"):
        line = DeconflictionLine(xy)
        line.validate(Projection.analysis_for(*ao.centre))
        return line


def _revisions(raw: RawProject) -> RevisionLog:
    with layer_columns(raw, "line_revisions") as cols:
        geoms = layer_geometries(cols, ("LineString",))
        times = schema.epoch_times(cols["effective"], "effective")
        revs = []
        for i, g in enumerate(geoms.tolist()):
            xy = shapely.get_coordinates(g)
            check_lonlat(xy, f"feature {i + 1}")
            revs.append(LineRevision(schema.text(cols["revision_id"][i]), DeconflictionLine(xy), int(times[i]),
                                     schema.text(cols["state"][i]), schema.text(cols["note"][i]),
                                     schema.text(cols["call_id"][i])))
        return RevisionLog(revs)


def _calls(raw: RawProject) -> CallLog:
    with layer_columns(raw, "calls") as cols:
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
    with layer_columns(raw, "places") as cols:
        if not cols["geom"]:
            return ()
        geoms = layer_geometries(cols, ("Point",))
        return tuple(Place(schema.text(n), float(shapely.get_x(g)), float(shapely.get_y(g)))
                     for n, g in zip(cols["name"], geoms.tolist()))


def _annotations(raw: RawProject) -> Annotations:
    with layer_columns(raw, "annotations") as cols:
        if not cols["geom"]:
            return Annotations()
        geoms = layer_geometries(cols, ("Point", "LineString", "Polygon"))
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
    with layer_columns(raw, "acms") as cols:
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
    with layer_columns(raw, "alerts") as cols:
        if not cols["alert_id"]:
            return AlertLog()
        lon, lat = point_lonlat(cols, "alerts")
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
        with layer_columns(raw, "basemaps") as cols:
            order = np.argsort(np.asarray(cols["position"], dtype=float), kind="stable")
            paths = [schema.text(cols["path"][k]) for k in order.tolist()]
            basemaps = tuple(opened_path(p, folder) if folder is not None else p for p in paths if p)
    if "map_layers" in raw.layers:
        with layer_columns(raw, "map_layers") as cols:
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
    units = read_units(raw)
    step(progress, 0.7, "Reading tracks")
    tracks = read_tracks(raw, units)
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
