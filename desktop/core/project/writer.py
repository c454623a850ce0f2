"""Save a Document as a Deconflict project (one GeoPackage; layers in desktop.core.project.schema)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np
import shapely

from desktop import __version__
from desktop.core.atomic import atomic_write
from desktop.core.bulk import collector_paused
from desktop.core.document import Document
from desktop.core.map_state import stored_path
from desktop.core.progress import Progress, step
from desktop.core.project import schema
from desktop.core.project.gpkg import GeoPackageWriter, geometry_blobs, now_iso, point_blobs
from desktop.core.project.lock import LOCK_WAIT_S, Fingerprint, check_unchanged, fingerprint, project_lock
from desktop.core.project.sqlite_columns import Coded, TextRecords
from desktop.core.project.sqlite_safe import settle_side_files
from desktop.core.project.track_blobs import linestring_m_blobs
from desktop.core.text_columns import STRING, Categorical


def _extent(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float] | None:
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return None
    return float(lon[ok].min()), float(lat[ok].min()), float(lon[ok].max()), float(lat[ok].max())


def _layer(w: GeoPackageWriter, name: str, values: list, extent=None, m: bool = False, total: int = 0) -> None:
    """Add one layer of schema.LAYERS from its columns (as GeoPackageWriter.add_layer takes
    them); with `total` rows, progress is reported as they go."""
    geometry_type, columns = schema.LAYERS[name]
    report = getattr(w, "report", None)
    on_rows = (lambda n: report(n / total)) if report is not None and total else None
    w.add_layer(name, columns, values, geometry_type=geometry_type, m=m, extent=extent,
                description=schema.DESCRIPTIONS[name], on_rows=on_rows)


def _columns(name: str, rows: list[tuple]) -> list[list]:
    """A small layer's rows as its columns."""
    geometry_type, columns = schema.LAYERS[name]
    return [list(c) for c in zip(*rows)] if rows else [[] for _ in range(len(columns) + bool(geometry_type))]


def _text(values) -> Coded | TextRecords | list:
    """A text column: a Categorical (desktop.core.text_columns) as its codes, short ASCII
    text as records (ids, names: sqlite_columns.TextRecords), else str values."""
    if isinstance(values, Categorical):
        return Coded(values.codes, values.categories.tolist())
    if isinstance(values, np.ndarray) and values.dtype == STRING:
        records = TextRecords.of(values)
        return values.tolist() if records is None else records  # (else str, every one)
    return schema.texts(values)


def _meta(doc: Document) -> list[tuple[str, str]]:
    return [("schema_version", str(schema.SCHEMA_VERSION)), ("app_version", __version__),
            ("title", doc.title), ("side_left", doc.sides[0]), ("side_right", doc.sides[1]),
            ("buffer_km", repr(float(doc.buffer_km))), ("saved_at", now_iso())]


def _ao_and_lines(w: GeoPackageWriter, doc: Document) -> None:
    ring = doc.ao.ring
    _layer(w, "ao", [geometry_blobs([shapely.Polygon(ring)]), [doc.ao.name]], _extent(ring[:, 0], ring[:, 1]))
    v = doc.line.vertices
    _layer(w, "line", [geometry_blobs([shapely.LineString(v)]), ["working line"]], _extent(v[:, 0], v[:, 1]))
    revs = list(doc.revisions)
    blobs = geometry_blobs([shapely.LineString(r.line.vertices) for r in revs]) if revs else []
    times = schema.iso_times(np.array([r.effective for r in revs], dtype=np.int64))
    allv = np.concatenate([r.line.vertices for r in revs]) if revs else np.empty((0, 2))
    _layer(w, "line_revisions", _columns("line_revisions", [(b, r.id, r.state, t, r.note, r.call_id)
                                                            for b, r, t in zip(blobs, revs, times)]),
           _extent(allv[:, 0], allv[:, 1]))


def _sectors_and_units(w: GeoPackageWriter, doc: Document) -> None:
    # The committed line's analysis, even if an autosave lands in the middle of a drag.
    analysis = doc.analysis if doc.shown_line is doc.line else doc.analyse(doc.line)
    sectors = analysis.sectors.sectors
    c = analysis.classification
    proj = doc.analysis_projection
    polys = [shapely.orient_polygons(s.lonlat_polygon(proj)) for s in sectors]
    counts = analysis.counts().tolist()
    near = np.bincount(c.sector[c.near_line] + 1, minlength=len(sectors) + 1)[1:].tolist()
    wrong = np.bincount(c.sector[c.wrong_side] + 1, minlength=len(sectors) + 1)[1:].tolist()
    rows = [(b, s.id, s.name, s.owner, s.side, float(s.area_km2), int(n), int(nn), int(ww))
            for b, s, n, nn, ww in zip(geometry_blobs(polys) if polys else [], sectors, counts, near, wrong)]
    bounds = shapely.total_bounds(polys) if polys else None
    _layer(w, "sectors", _columns("sectors", rows), None if bounds is None else tuple(bounds))

    u = doc.units
    sector = np.asarray(c.sector, dtype=np.intp)
    cols = [point_blobs(u.lon, u.lat)] + [_text(col) for col in
                                         (u.ids, u.names, u.sides, u.affiliations, u.domains, u.echelons, u.symbols,
                                          u.higher_formations)]
    cols += [_last_reports(doc), Coded(np.where(sector < 0, len(sectors), sector), [s.id for s in sectors] + [None]),
             _nullable(np.round(c.distance_km, 6)), Coded(c.near_line.astype(np.uint8), [0, 1]),
             Coded(c.wrong_side.astype(np.uint8), [0, 1])]
    cols += [_nullable(getattr(u, name)) for name in schema.AIR_COLUMNS]
    _layer(w, "units", cols, _extent(u.lon, u.lat), total=len(u))


def _nullable(values: np.ndarray) -> np.ndarray | None:
    """A float column (NaN is stored as NULL: sqlite_columns), or None when all are NaN
    (ground units' aircraft state: a column left out)."""
    return values if np.isfinite(values).any() else None


def _report_values(tracks, offsets: np.ndarray, units: np.ndarray) -> list:
    """Per unit of `units`, its reports' AIR_COLUMNS as JSON lists (null where a report does
    not say), or None for a column none of its reports gives."""
    out = []
    for name in schema.AIR_COLUMNS:
        col = getattr(tracks, name)
        if col is None or not len(units):
            out.append(None)
            continue
        finite = np.concatenate([[0], np.cumsum(np.isfinite(col))])
        known = finite[offsets[units + 1]] - finite[offsets[units]]
        out.append([json.dumps([None if v != v else v for v in col[offsets[u]:offsets[u + 1]].tolist()])
                    if k else None for u, k in zip(units.tolist(), known.tolist())])
    return out


def _last_reports(doc: Document) -> Coded:
    """units.last_report: the time of each unit's latest report (NULL without one), each
    distinct time formatted once (a million units imported at one moment share one)."""
    tr = doc.tracks
    has = np.flatnonzero(tr.report_counts() > 0)
    distinct, inverse = np.unique(tr.time[tr.offsets[1:][has] - 1], return_inverse=True)
    codes = np.full(len(tr.offsets) - 1, len(distinct), dtype=np.int64)
    codes[has] = inverse.reshape(-1)
    return Coded(codes, schema.iso_times(distinct) + [None])


def _in_tracks_layer(doc: Document) -> np.ndarray:
    """The units written to the tracks layer: all with reports but those whose one report
    is at their position (bit for bit) and says no altitude, course or speed, which the
    units layer holds (schema)."""
    tr, u = doc.tracks, doc.units
    counts = tr.report_counts()
    single = np.flatnonzero(counts == 1)
    first = tr.offsets[single]
    at_point = ((tr.lon[first].view(np.int64) == u.lon[single].view(np.int64))
                & (tr.lat[first].view(np.int64) == u.lat[single].view(np.int64)))
    says = np.zeros(len(single), dtype=bool)   # an aircraft's state: kept in the tracks layer
    for name in schema.AIR_COLUMNS:
        col = getattr(tr, name)
        if col is not None:
            says |= np.isfinite(col[first])
    keep = counts > 0
    keep[single[at_point & ~says]] = False
    return np.flatnonzero(keep)


def _tracks(w: GeoPackageWriter, doc: Document) -> None:
    tr, ids = doc.tracks, doc.units.ids
    units = _in_tracks_layer(doc)
    start, end = tr.offsets[units], tr.offsets[units + 1]
    offsets = np.concatenate([[0], np.cumsum(end - start)])
    rows = np.arange(offsets[-1]) + np.repeat(start - offsets[:-1], end - start)  # the reports written, in runs
    blobs = linestring_m_blobs(tr.lon[rows], tr.lat[rows], tr.time[rows].astype(float), offsets)
    cols = [blobs, schema.texts(ids[units]), (end - start).tolist(), schema.iso_times(tr.time[start]),
            schema.iso_times(tr.time[end - 1]), *_report_values(tr, tr.offsets, units)]
    _layer(w, "tracks", cols, _extent(tr.lon[rows], tr.lat[rows]), m=True)


def _calls(w: GeoPackageWriter, doc: Document) -> None:
    calls = doc.calls
    flat, off = calls.unit_ids.tolist(), calls.unit_offsets.tolist()
    links = [json.dumps(flat[a:b], ensure_ascii=False) for a, b in zip(off[:-1], off[1:])]
    cols = [calls.ids.tolist(), schema.iso_times(calls.start), calls.duration_s.tolist()]
    cols += [getattr(calls, k).tolist() for k in ("initiator", "from_station", "to_station", "operator",
                                                  "category", "priority", "summary", "outcome")]
    cols += [links, calls.lon, calls.lat, calls.revision.tolist()]  # (a NaN position: NULL)
    _layer(w, "calls", cols, total=len(calls))


def _places_and_annotations(w: GeoPackageWriter, doc: Document) -> None:
    places = doc.places
    lon = np.array([p.lon for p in places], dtype=float)
    lat = np.array([p.lat for p in places], dtype=float)
    _layer(w, "places", [point_blobs(lon, lat), [p.name for p in places]], _extent(lon, lat))
    items = list(doc.annotations)
    geoms = [annotation_geometry(a) for a in items]
    rows = [(b, a.id, a.kind, a.text, a.color, a.width, a.radius_km)
            for b, a in zip(geometry_blobs(geoms) if geoms else [], items)]
    _layer(w, "annotations", _columns("annotations", rows), tuple(shapely.total_bounds(geoms)) if geoms else None)


def _acms(w: GeoPackageWriter, doc: Document) -> None:
    """Each ACM's outline as its polygon and the columns it is rebuilt from (ACM.record)."""
    items = list(doc.airspace)
    polys = [shapely.Polygon(np.column_stack(a.outline())) for a in items]
    rows = []
    for blob, a in zip(geometry_blobs(polys) if polys else [], items):
        r = a.record()
        rows.append((blob, r["id"], r["name"], r["kind"], r["shape"], r["side"], r["floor_ft"], r["ceiling_ft"],
                     r["radius_nm"], r["width_nm"], r["periods"], json.dumps(r["points"])))
    _layer(w, "acms", _columns("acms", rows), tuple(shapely.total_bounds(polys)) if polys else None)


def _map_state(w: GeoPackageWriter, doc: Document, folder: Path) -> None:
    state = doc.map_state
    _layer(w, "basemaps", _columns("basemaps", [(stored_path(p, folder), k) for k, p in enumerate(state.basemaps)]))
    _layer(w, "map_layers", _columns("map_layers", [(i, int(bool(v)), float(o), k)
                                                    for k, (i, v, o) in enumerate(state.layers)]))


def annotation_geometry(a) -> shapely.Geometry:
    p = a.points
    if len(p) == 1:
        return shapely.Point(p[0])
    if a.kind == "polygon":
        return shapely.Polygon(p)  # closed here; the reader drops the repeated vertex
    return shapely.LineString(p)


def _alerts(w: GeoPackageWriter, doc: Document) -> None:
    c = doc.alerts.columns()
    cols = [point_blobs(c["lon"], c["lat"]), c["id"].tolist(), schema.iso_times(c["time"])]
    cols += [schema.texts(c[k]) for k in ("unit", "name", "kind", "other", "sector", "owner")]
    cols += [_nullable(c["distance_km"]), _nullable(c["minutes"]), schema.texts(c["state"]), schema.texts(c["detail"])]
    _layer(w, "alerts", cols, _extent(c["lon"], c["lat"]), total=len(doc.alerts))


_STEPS: tuple[tuple[str, Callable[[GeoPackageWriter, Document], None]], ...] = (
    ("AO and line", _ao_and_lines), ("sectors and units", _sectors_and_units), ("tracks", _tracks),
    ("calls", _calls), ("places and markup", _places_and_annotations), ("airspace", _acms),
    ("alerts", _alerts))


def write_project(doc: Document, path, progress: Progress | None = None) -> None:
    """Write `doc` to a new GeoPackage at `path` (not atomic: see save_project)."""
    with collector_paused():  # a value object per row and column: no cycles
        _write_project(doc, path, progress)


def _write_project(doc: Document, path, progress: Progress | None) -> None:
    w = GeoPackageWriter(path)
    try:
        _layer(w, schema.META, _columns(schema.META, _meta(doc)))
        for k, (what, write) in enumerate(_STEPS):
            step(progress, k / len(_STEPS), f"Saving {what}")
            w.report = None if progress is None else \
                (lambda f, k=k, what=what: step(progress, (k + f) / len(_STEPS), f"Saving {what}"))
            write(w, doc)
        _map_state(w, doc, Path(path).absolute().parent)  # the temporary file is beside the project
        w.close()
    except BaseException:
        w.abort()
        raise
    step(progress, 1.0, "Saved")


def save_project(doc: Document, path, progress: Progress | None = None, expect: Fingerprint | None = None,
                 wait: float = LOCK_WAIT_S) -> Fingerprint:
    """Save atomically: written beside `path`, fsynced, renamed over it, under the
    project's lock (waiting up to `wait` s for another writer). With `expect`, the
    fingerprint taken when the file was opened, a file another window or program saved
    meanwhile is not overwritten: ChangedOnDisk. Side files another program left beside
    the old file are folded into it first, so the new file never meets them. Raises
    SaveError (desktop.core.atomic; ProjectBusy, ChangedOnDisk) naming the file and the
    reason; the old file is then untouched. Returns the new file's fingerprint."""
    def before_replace(target: Path) -> None:
        check_unchanged(target, expect)
        settle_side_files(target)

    with project_lock(path, wait):
        check_unchanged(path, expect)  # before the work of writing, and again before the rename
        atomic_write(Path(path), lambda tmp: write_project(doc, tmp, progress), before_replace)
        return fingerprint(path)
