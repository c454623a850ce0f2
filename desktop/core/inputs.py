"""Readers for scenario files: the AO and the line as GeoJSON, units as CSV or GeoJSON points.

Used by the `sectors` command and by importers. The AO and the line are all-or-nothing: a
problem raises InputError naming the file and the feature. Units are read row by row: a bad
row is skipped with a warning naming the file and row ("units.csv:7: ..."), the good rows
are kept, and only a file with no usable row at all is an error.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import Callable

import numpy as np
import shapely

from desktop.core.coords import CoordinateError, mgrs_to_lonlat_array, parse_angle, parse_mgrs, parse_position
from desktop.core.geodesy import Projection
from desktop.core.line import DeconflictionLine, LineError
from desktop.core.sectors import AreaOfOperations
from desktop.core.sidc import ECHELONS, echelon_of, identities_from_codes
from desktop.core.units import AFFILIATIONS, UnitTable


class InputError(ValueError):
    """A file that cannot be used; the message names the file (and feature or row)."""


# Header names are matched case-insensitively with punctuation and spaces ignored.
_ALIASES = {
    "id": ("id", "unitid", "uid", "identifier", "callsign"),
    "name": ("name", "unitname", "label", "title", "designation"),
    "side": ("side", "party", "force", "faction"),
    "affiliation": ("affiliation", "aff", "identity", "standardidentity"),
    "domain": ("domain", "dimension", "battledimension"),
    "echelon": ("echelon", "size", "unitsize"),
    "symbol": ("symbol", "sidc", "symbolcode", "symbolid"),
    "lat": ("lat", "latitude", "latdeg", "latdd"),
    "lon": ("lon", "lng", "long", "longitude", "londeg", "londd"),
    "mgrs": ("mgrs", "grid", "gridref", "mgrsref", "mgrsgrid", "mgrscoordinate"),
}
_FIELD_OF = {alias: f for f, aliases in _ALIASES.items() for alias in aliases}
_AFFILIATION_OF = {
    **{a: a for a in AFFILIATIONS}, "f": "friend", "friendly": "friend", "assumedfriend": "friend",
    "h": "hostile", "enemy": "hostile", "suspect": "hostile", "joker": "hostile", "faker": "hostile",
    "n": "neutral", "u": "unknown", "pending": "unknown", "": "unknown",
}
_DOMAIN_OF = {"ground": "ground", "land": "ground", "g": "ground", "": "ground", "air": "air", "a": "air"}
_LIMIT = {"lat": 90.0, "lon": 180.0}
_WORD = {"lat": "latitude", "lon": "longitude"}


def _key(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum())


# -- files and GeoJSON ------------------------------------------------------------------------
def read_problem(name: str, exc: OSError) -> str:
    """Why a file could not be read, in the words every reader uses."""
    if isinstance(exc, FileNotFoundError):
        return f"{name}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{name}: is a directory, not a file"
    return f"{name}: cannot read: {exc.strerror or exc}"


def _read_text(path) -> tuple[str, str]:
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(read_problem(name, exc)) from None
    if b"\0" in data[:4096]:
        raise InputError(f"{name}: not a text file")
    try:
        return name, data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def _load_json(path) -> tuple[str, object]:
    name, text = _read_text(path)
    if not text.strip():
        raise InputError(f"{name}: empty file")
    try:
        return name, json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None


_GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
               "GeometryCollection")


def _features(obj: object, name: str) -> list[tuple[str, dict | None, dict, object]]:
    """(label, geometry, properties, feature id) for a bare geometry, a Feature or a
    FeatureCollection; labels ("feature 3 'Raqqa'") are what messages name."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list):
            raise InputError(f"{name}: FeatureCollection without a 'features' list")
        return [_feature(f, name, f"feature {i}") for i, f in enumerate(feats)]
    if kind == "Feature":
        return [_feature(obj, name, "feature")]
    if kind in _GEOMETRIES:
        return [("geometry", obj, {}, None)]
    what = f"type {kind!r}" if kind else f"a JSON {type(obj).__name__} without a GeoJSON 'type'"
    raise InputError(f"{name}: not GeoJSON ({what}); expected a Feature, FeatureCollection or geometry")


def _feature(f: object, name: str, label: str) -> tuple[str, dict | None, dict, object]:
    if not isinstance(f, dict) or f.get("type") != "Feature":
        raise InputError(f"{name}: {label} is not a GeoJSON Feature")
    props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
    title = props.get("name") or props.get("id") or f.get("id")
    if title not in (None, ""):
        label = f"{label} {str(title)!r}"
    geom = f.get("geometry")
    if geom is not None and not (isinstance(geom, dict) and geom.get("type") in _GEOMETRIES):
        raise InputError(f"{name}: {label}: geometry is not a GeoJSON geometry")
    return label, geom, props, f.get("id")


def _position(p: object) -> tuple[float, float] | None:
    ok = (isinstance(p, (list, tuple)) and len(p) >= 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p[:2]))
    return (float(p[0]), float(p[1])) if ok else None


def _vertices(coords: object, where: str) -> np.ndarray:
    """n x 2 lon/lat from a GeoJSON position list, or InputError naming the vertex."""
    if not isinstance(coords, list):
        raise InputError(f"{where}: coordinates are not a list of positions")
    out = np.empty((len(coords), 2))
    for i, p in enumerate(coords):
        pos = _position(p)
        if pos is None:
            raise InputError(f"{where}: vertex {i} is not a [longitude, latitude] pair of numbers")
        out[i] = pos
        for axis, v in zip(("lon", "lat"), pos):
            if not math.isfinite(v):
                raise InputError(f"{where}: vertex {i}: {_WORD[axis]} is not a finite number")
            if abs(v) > _LIMIT[axis]:
                lim = int(_LIMIT[axis])
                raise InputError(f"{where}: vertex {i}: {_WORD[axis]} {v!r} is outside -{lim}..{lim} "
                                 "(GeoJSON positions are [longitude, latitude])")
    return out


def _single(name: str, obj: object, kind: str) -> tuple[str, object, dict]:
    """The one `kind` geometry (or a Multi-`kind` of one part) in a GeoJSON file."""
    found, others = [], []
    for label, geom, props, _ in _features(obj, name):
        t = geom.get("type") if geom else None
        if t == kind:
            found.append((label, geom.get("coordinates"), props))
        elif t == f"Multi{kind}":
            parts = geom.get("coordinates")
            if isinstance(parts, list) and len(parts) == 1:
                found.append((label, parts[0], props))
            else:
                n = len(parts) if isinstance(parts, list) else 0
                raise InputError(f"{name}: {label}: a Multi{kind} of {n} parts; expected one {kind}")
        else:
            others.append(f"{t or 'no geometry'} in {label}")
    if not found:
        seen = f" (found {', '.join(others[:3])}{', ...' if len(others) > 3 else ''})" if others else ""
        raise InputError(f"{name}: no {kind} geometry{seen}")
    if len(found) > 1:
        labels = ", ".join(f[0] for f in found[:4])
        raise InputError(f"{name}: {len(found)} {kind}s ({labels}); expected exactly one")
    return found[0]


def read_ao(path) -> AreaOfOperations:
    """The AO: one GeoJSON Polygon without holes (bare, in a Feature or a FeatureCollection)."""
    name, obj = _load_json(path)
    label, rings, props = _single(name, obj, "Polygon")
    where = f"{name}: {label}"
    if not isinstance(rings, list) or not rings:
        raise InputError(f"{where}: polygon without coordinates")
    if len(rings) > 1:
        raise InputError(f"{where}: the polygon has {len(rings) - 1} hole(s); an AO with holes is not supported")
    ring = _vertices(rings[0], f"{where}: boundary")
    distinct = len(np.unique(ring, axis=0)) if len(ring) else 0
    if distinct < 3:
        raise InputError(f"{where}: the boundary needs at least 3 distinct vertices, has {distinct}")
    ao = AreaOfOperations(ring, name=str(props.get("name") or "AO"))
    poly = ao.polygon(Projection.analysis_for(*ao.centre))
    if not poly.is_valid:
        raise InputError(f"{where}: the boundary is not a simple polygon ({shapely.is_valid_reason(poly)})")
    return ao


def read_line(path) -> DeconflictionLine:
    """The deconfliction line: one GeoJSON LineString, vertices in order of travel."""
    name, obj = _load_json(path)
    label, coords, _ = _single(name, obj, "LineString")
    where = f"{name}: {label}"
    line = DeconflictionLine(_vertices(coords, where))
    v = line.vertices
    centre = ((v[:, 0].min() + v[:, 0].max()) / 2, (v[:, 1].min() + v[:, 1].max()) / 2) if len(v) else (0, 0)
    try:
        line.validate(Projection.analysis_for(*centre))
    except LineError as exc:
        raise InputError(f"{where}: {exc}") from None
    return line


# -- units ------------------------------------------------------------------------------------
def read_units(path) -> tuple[UnitTable, list[str]]:
    """Units from a CSV with a header row, or from GeoJSON Points. Returns the table and the
    warnings (skipped rows, values read as a default), each naming the file and row."""
    name, text = _read_text(path)
    if not text.strip():
        raise InputError(f"{name}: empty file")
    if Path(path).suffix.lower() in (".json", ".geojson") or text.lstrip()[:1] in ("{", "["):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})") from None
        return _units_from_geojson(name, obj)
    return _units_from_csv(name, text)


def csv_delimiter(text: str) -> str:
    """The delimiter of a CSV text: whichever of , ; tab | its first line holds most
    (a comma when it holds none)."""
    first = text.lstrip("\r\n\t ").partition("\n")[0]
    return max(",;\t|", key=first.count) if any(d in first for d in ",;\t|") else ","


def csv_header(reader, name: str, field_of: dict[str, str]) -> tuple[list[str], int, dict[str, int]]:
    """The first non-blank row of `reader` as a header: (names, its line, {field: column})
    with names mapped through `field_of` (case, spaces and punctuation ignored). Two columns
    for one field are refused; StopIteration for a file with no row at all."""
    header = next(r for r in reader if any(f.strip() for f in r))
    header_line = reader.line_num
    columns: dict[str, int] = {}
    for j, h in enumerate(header):
        field = field_of.get(_key(h))
        if field in columns:
            raise InputError(f"{name}:{header_line}: columns {header[columns[field]]!r} and {h!r} "
                             f"both give the {field}")
        if field:
            columns[field] = j
    return header, header_line, columns


def _units_from_csv(name: str, text: str) -> tuple[UnitTable, list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    try:
        header, header_line, columns = csv_header(reader, name, _FIELD_OF)
        shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        if "id" not in columns:
            raise InputError(f"{name}:{header_line}: no 'id' column in the header ({shown})")
        if not ({"lat", "lon"} <= columns.keys() or "mgrs" in columns):
            raise InputError(f"{name}:{header_line}: no position columns: need 'lat' and 'lon', or 'mgrs' "
                             f"(header: {shown})")
        width = len(header)
        rows, lines, problems = [], [], {}
        for row in reader:
            if len(row) != width:
                if not "".join(row).strip():
                    continue  # blank line
                if len(row) < width:
                    row = row + [""] * (width - len(row))
                elif "".join(row[width:]).strip():
                    problems[len(rows)] = [f"{len(row)} fields, the header has {width} (an unquoted comma?)"]
            elif not row[0].strip() and not "".join(row).strip():
                continue  # a row of empty fields, as spreadsheets leave at the end
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: not CSV ({exc})") from None
    except StopIteration:
        raise InputError(f"{name}: empty file") from None
    if not rows:
        raise InputError(f"{name}: no unit rows after the header")

    by_column = list(zip(*rows))  # transposed once, in C; rows may be longer than the header
    del rows

    def col(field: str) -> list[str] | None:
        j = columns.get(field)
        return None if j is None else list(map(str.strip, by_column[j]))

    lon, lat = parse_positions(col, len(lines), problems)
    line_of = np.asarray(lines)
    return _build(name, lambda i: f"{name}:{line_of[i]}", lambda i: f"line {line_of[i]}",
                  {f: col(f) for f in _ALIASES}, lon, lat, problems)


def parse_positions(cols: Callable[[str], list[str] | None], n: int,
                    problems: dict[int, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """lon, lat of n rows from the columns `cols(field)` gives ("lat" + "lon", "mgrs", or
    one "position" column; None when absent): a row with neither lat nor lon may use its
    MGRS or position cell. Each row's problems are added to `problems`."""
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    todo = np.ones(n, dtype=bool)
    if cols("lat") is not None and cols("lon") is not None:
        lat_s, lon_s = cols("lat"), cols("lon")
        empty = np.array([not a and not b for a, b in zip(lat_s, lon_s)]) if (cols("mgrs") or cols("position")) \
            else np.zeros(n, dtype=bool)
        lat, lat_err = _floats(lat_s, "lat")
        lon, lon_err = _floats(lon_s, "lon")
        for errs in (lat_err, lon_err):
            for i, msg in errs.items():
                if not empty[i]:
                    problems.setdefault(i, []).append(msg)
        todo = empty
    for fld in ("mgrs", "position"):
        values = cols(fld)
        if values is None or not todo.any():
            continue
        idx = np.flatnonzero(todo)
        if fld == "mgrs":
            mlon, mlat, bad = mgrs_to_lonlat_array([values[i] for i in idx])
            lon[idx], lat[idx] = mlon, mlat
            for i in idx[bad]:
                problems.setdefault(int(i), []).append(_mgrs_error(values[i]))
        else:
            for i in idx.tolist():
                try:
                    lon[i], lat[i] = parse_position(values[i])
                except CoordinateError as exc:
                    problems.setdefault(i, []).append(f"position: {exc}")
        todo[idx] = False
    for i in np.flatnonzero(todo & np.isnan(lon)).tolist():
        problems.setdefault(i, []).append("no position")
    _range_problems(lon, lat, problems)
    return lon, lat


def _mgrs_error(text: str) -> str:
    if not text:
        return "no MGRS reference"
    try:
        parse_mgrs(text)
    except CoordinateError as exc:
        return str(exc)
    return f"MGRS {text!r} could not be read"


def _floats(strings: list[str], axis: str) -> tuple[np.ndarray, dict[int, str]]:
    """Parse a lat or lon column: plain numbers fast, degree forms (35°50'N) one by one."""
    errors: dict[int, str] = {}
    try:
        values = np.array(strings, dtype=float)
    except ValueError:
        values = np.full(len(strings), np.nan)
        for i, s in enumerate(strings):
            try:
                values[i] = float(s)
            except ValueError:
                try:
                    values[i] = parse_angle(s, axis)
                except CoordinateError as exc:
                    errors[i] = str(exc)
    _check_range(values, axis, errors, strings)
    return values, errors


def _check_range(values: np.ndarray, axis: str, errors: dict[int, str], raw=None) -> None:
    lim = _LIMIT[axis]
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | (np.abs(values) > lim)
    for i in np.flatnonzero(bad):
        i = int(i)
        if i in errors:
            continue
        v = float(values[i])
        if math.isfinite(v):
            errors[i] = f"{_WORD[axis]} {v!r} is outside -{int(lim)}..{int(lim)}"
        else:
            shown = raw[i] if raw is not None else v
            errors[i] = f"{_WORD[axis]} {str(shown)!r} is not a finite number"


def _range_problems(lon: np.ndarray, lat: np.ndarray, problems: dict[int, list[str]]) -> None:
    """Add an out-of-range or non-finite position to each row that has no problem yet."""
    for axis, values in (("lat", lat), ("lon", lon)):
        errs: dict[int, str] = {}
        _check_range(values, axis, errs)
        for i, msg in errs.items():
            if i not in problems:
                problems.setdefault(i, []).append(msg)


def _units_from_geojson(name: str, obj: object) -> tuple[UnitTable, list[str]]:
    feats = _features(obj, name)
    if not feats:
        raise InputError(f"{name}: no features")
    n = len(feats)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    problems: dict[int, list[str]] = {}
    cols: dict[str, list[str]] = {f: [""] * n for f in _ALIASES}
    for i, (_, geom, props, fid) in enumerate(feats):
        t = geom.get("type") if geom else None
        pos = _position(geom.get("coordinates")) if t == "Point" else None
        if t != "Point":
            problems[i] = [f"{t or 'no geometry'} is not a Point"]
        elif pos is None:
            problems[i] = ["coordinates are not a [longitude, latitude] pair of numbers"]
        else:
            lon[i], lat[i] = pos
        for key, value in props.items():
            field = _FIELD_OF.get(_key(str(key)))
            if field and value is not None:
                cols[field][i] = str(value).strip()
        if not cols["id"][i] and fid is not None:
            cols["id"][i] = str(fid)
    _range_problems(lon, lat, problems)
    return _build(name, lambda i: f"{name}: feature {i}", lambda i: f"feature {i}", cols, lon, lat, problems)


def _build(name: str, loc: Callable[[int], str], short: Callable[[int], str], cols: dict[str, list[str] | None],
           lon: np.ndarray, lat: np.ndarray, problems: dict[int, list[str]]) -> tuple[UnitTable, list[str]]:
    """Check ids, normalise affiliation/domain, drop bad rows, assemble the columns.
    `loc(i)` prefixes a message about row i ("units.csv:7"), `short(i)` refers to it ("line 7")."""
    n = len(lon)
    ids = cols["id"]
    seen: dict[str, int] = {}
    distinct = set(ids)
    for i, uid in enumerate(ids if len(distinct) != n or "" in distinct else ()):  # loop only to explain
        if not uid:
            problems.setdefault(i, []).insert(0, "no id")
        elif uid in seen:
            problems.setdefault(i, []).insert(0, f"duplicate id {uid!r} (first on {short(seen[uid])})")
        elif i not in problems:
            seen[uid] = i
    warnings = [f"{loc(i)}: {'; '.join(problems[i])} (row skipped)" for i in sorted(problems)]
    if cols.get("symbol"):  # the symbol code is the authority for the identity it states
        codes = [c if i not in problems else "" for i, c in enumerate(cols["symbol"])]
        stated, said = identities_from_codes(codes, cols.get("affiliation"), lambda a: _AFFILIATION_OF.get(_key(a)), loc)
        cols["affiliation"] = stated if stated is not None else cols.get("affiliation")
        warnings += said
    good = np.ones(n, dtype=bool)
    good[list(problems)] = False
    if not good.any():
        raise InputError(f"{name}: no usable unit rows ({n} skipped; first: {warnings[0]})")
    keep = np.flatnonzero(good) if problems else slice(None)  # (no copy when every row is good)
    n_keep = int(good.sum())

    def column(field: str, mapping: dict | None = None, default: str = "") -> np.ndarray:
        values = cols.get(field)
        if values is None:
            return np.full(n_keep, default, dtype=object)
        arr = np.asarray(values, dtype=object)[keep]
        if mapping is None:
            return arr
        out = np.empty(n_keep, dtype=object)
        for raw in set(arr.tolist()):
            hit = arr == raw
            value = mapping.get(_key(raw))
            if value is None:
                first = int(np.flatnonzero(hit)[0])
                more = int(hit.sum()) - 1
                row = first if isinstance(keep, slice) else int(keep[first])
                warnings.append(f"{loc(row)}: {field} {raw!r} is not one of "
                                f"{', '.join(sorted(set(mapping.values())))}; read as {default!r}"
                                + (f" (and {more} more rows)" if more else ""))
                value = default
            out[hit] = value
        return out

    echelons = column("echelon")  # kept as written ("battery"); drawn as the standard's echelon
    for raw in sorted({e for e in echelons.tolist() if e and not echelon_of(e)}):
        hit = np.flatnonzero(echelons == raw)
        row = int(hit[0]) if isinstance(keep, slice) else int(keep[hit[0]])
        warnings.append(f"{loc(row)}: echelon {raw!r} is not one of {', '.join(ECHELONS)} (or their "
                        f"abbreviations, battery, troop); no echelon drawn"
                        + (f" (and {len(hit) - 1} more rows)" if len(hit) > 1 else ""))
    table = UnitTable(ids=np.asarray(ids, dtype=object)[keep], names=column("name"), sides=column("side"),
                      affiliations=column("affiliation", _AFFILIATION_OF, "unknown"),
                      domains=column("domain", _DOMAIN_OF, "ground"), lon=lon[keep], lat=lat[keep],
                      echelons=echelons, symbols=column("symbol"))
    return table, warnings
