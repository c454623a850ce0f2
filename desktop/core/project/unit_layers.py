"""The units and tracks layers of a project file as a UnitTable and its Tracks (a million
units read as columns: desktop.core.project.sqlite_columns)."""
from __future__ import annotations

import json
import math

import numpy as np
import shapely

from desktop.core.project import schema
from desktop.core.project.layer_access import RawProject, check_lonlat, layer_columns, layer_geometries, point_lonlat
from desktop.core.project.sqlite_columns import Coded
from desktop.core.project.track_blobs import tracks_from_blobs
from desktop.core.text_columns import STRING, Categorical
from desktop.core.tracks import Tracks
from desktop.core.units import UnitTable


def read_units(raw: RawProject) -> UnitTable:
    """The units layer (positions, ids unique and not blank, the aircraft state columns)."""
    with layer_columns(raw, "units") as cols:
        lon, lat = point_lonlat(cols, "units")
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


def read_tracks(raw: RawProject, units: UnitTable) -> Tracks:
    """Every unit's reports: its track's, or the one its last_report gives."""
    unit, time, lon, lat, air = _track_features(raw, units)
    with layer_columns(raw, "units") as cols:  # units whose one report is their point and last_report
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
    with layer_columns(raw, "tracks") as cols:
        if not cols["geom"]:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64), np.empty(0), np.empty(0), {}
        fast = tracks_from_blobs(cols["geom"])
        if fast is not None:
            coords, lengths = fast
            index = np.repeat(np.arange(len(lengths)), lengths)
        else:
            geoms = layer_geometries(cols, ("LineString",))
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
        check_lonlat(coords[:, :2], "a track")
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
