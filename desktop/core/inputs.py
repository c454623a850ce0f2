"""What every reader of tables and features shares: InputError, and the vocabulary of a
unit table (header aliases, affiliation and domain words, positions in any typed form, row
checks that name the file and row).

The files themselves are read by the importers (desktop.core.importers, through the plugin
registry): the CLI's file arguments and File › Import take that one road.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from desktop.core.air.columns import ALIASES as AIR_ALIASES
from desktop.core.air.columns import parse_air_columns
from desktop.core.coords import CoordinateError, mgrs_to_lonlat_array, parse_angle, parse_mgrs, parse_position
from desktop.core.sidc import ECHELONS, echelon_of, identities_from_codes
from desktop.core.text_columns import Categorical, repeats, strings
from desktop.core.units import AFFILIATIONS, UnitTable


class InputError(ValueError):
    """A file that cannot be used; the message names the file (and feature or row)."""


# Header names are matched case-insensitively with punctuation and spaces ignored.
_ALIASES = {
    "id": ("id", "unitid", "uid", "identifier", "callsign"),
    "name": ("name", "unitname", "label", "title", "designation"),
    "side": ("side", "party", "force", "faction"),
    "affiliation": ("affiliation", "affiliatio", "aff", "identity", "standardidentity"),  # .dbf: 10 characters
    "domain": ("domain", "dimension", "battledimension"),
    "echelon": ("echelon", "size", "unitsize"),
    "symbol": ("symbol", "sidc", "symbolcode", "symbolid"),
    "higher_formation": ("higherformation", "higherfor", "formation", "parentunit", "parent"),  # .dbf: 10 chars
    "lat": ("lat", "latitude", "latdeg", "latdd"),
    "lon": ("lon", "lng", "long", "longitude", "londeg", "londd"),
    "mgrs": ("mgrs", "grid", "gridref", "mgrsref", "mgrsgrid", "mgrscoordinate"),
    **AIR_ALIASES,  # alt_ft, course_deg, speed_kt: the aircraft state (desktop.core.air)
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


# -- units ------------------------------------------------------------------------------------
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


def parse_positions(cols: Callable[[str], list[str] | None], n: int,
                    problems: dict[int, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """lon, lat of n rows from the columns `cols(field)` gives ("lat" + "lon", "mgrs", or
    one "position" column; None when absent): a row with neither lat nor lon may use its
    MGRS or position cell. Each row's problems are added to `problems`."""
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    todo = np.ones(n, dtype=bool)
    if cols("lat") is not None and cols("lon") is not None:
        lat_s, lon_s = cols("lat"), cols("lon")
        empty = (strings(lat_s) == "") & (strings(lon_s) == "") \
            if cols("mgrs") is not None or cols("position") is not None else np.zeros(n, dtype=bool)
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


def _build(name: str, loc: Callable[[int], str], short: Callable[[int], str], cols: dict[str, object],
           lon: np.ndarray, lat: np.ndarray, problems: dict[int, list[str]],
           id_keys: np.ndarray | None = None) -> tuple[UnitTable, list[str]]:
    """Check ids, normalise affiliation/domain, drop bad rows, assemble the columns.
    `cols[field]`: the field's cells (a list or array of text; None when the file has no
    such column). Affiliation and domain stay "" where the file gives none (the merge of an
    import keeps a known unit's value there and gives new units the defaults).
    `loc(i)` prefixes a message about row i ("units.csv:7"), `short(i)` refers to it ("line 7").
    Whole columns at a time: at a million rows only the rows with a problem are looked at
    one by one. `id_keys`: text_columns.keys of the ids, when already made."""
    n = len(lon)
    ids = strings(cols["id"])
    air = parse_air_columns(cols, n, problems)
    _id_problems(ids, problems, short, id_keys)
    warnings = [f"{loc(i)}: {'; '.join(problems[i])} (row skipped)" for i in sorted(problems)]
    if cols.get("symbol") is not None and len(cols["symbol"]):  # the code is the authority for the identity it states
        codes = Categorical.of(cols["symbol"]).tolist()
        for i in problems:
            codes[i] = ""
        raw = cols.get("affiliation")
        stated, said = identities_from_codes(codes, None if raw is None else Categorical.of(raw).tolist(),
                                             lambda a: _AFFILIATION_OF.get(_key(a)), loc)
        cols = {**cols, "affiliation": stated if stated is not None else raw}
        warnings += said
    good = np.ones(n, dtype=bool)
    good[list(problems)] = False
    if not good.any():
        raise InputError(f"{name}: no usable unit rows ({n} skipped; first: {warnings[0]})")
    keep = np.flatnonzero(good) if problems else slice(None)  # (no copy when every row is good)
    n_keep = int(good.sum())

    def column(field: str, mapping: dict | None = None, default: str = "") -> Categorical:
        values = cols.get(field)
        if values is None:
            return Categorical.full(n_keep)
        cat = Categorical.of(values)[keep]
        if mapping is None:
            return cat
        # Each distinct value is looked up once, however many rows hold it.
        raw = cat.categories.tolist()
        mapped = [mapping.get(_key(r)) if r else "" for r in raw]
        counts = np.bincount(cat.codes, minlength=len(raw))
        unknown = [k for k, value in enumerate(mapped) if value is None and counts[k]]
        if unknown:
            first = _first_rows(cat.codes, len(raw))
            known = ", ".join(sorted(set(mapping.values()) - {""}))
            for k in sorted(unknown, key=lambda k: first[k]):
                row = int(first[k]) if isinstance(keep, slice) else int(keep[first[k]])
                more = int(counts[k]) - 1
                warnings.append(f"{loc(row)}: {field} {raw[k]!r} is not one of {known}; read as {default!r}"
                                + (f" (and {more} more rows)" if more else ""))
        out = [default if value is None else value for value in mapped]
        distinct = list(dict.fromkeys(out))
        lookup = np.array([distinct.index(v) for v in out] or [0], dtype=cat.codes.dtype)
        return Categorical(lookup[cat.codes], distinct or [default])

    echelons = column("echelon")  # kept as written ("battery"); drawn as the standard's echelon
    _warn_unknown_echelons(echelons, keep, loc, warnings)
    table = UnitTable(ids=ids[keep], names=strings(cols["name"])[keep] if cols.get("name") is not None else None,
                      sides=column("side"), affiliations=column("affiliation", _AFFILIATION_OF, "unknown"),
                      domains=column("domain", _DOMAIN_OF, "ground"), lon=lon[keep], lat=lat[keep],
                      echelons=echelons, symbols=column("symbol"),
                      higher_formations=column("higher_formation"),
                      **{k: v[keep] for k, v in air.items()})
    return table, warnings


def _id_problems(ids: np.ndarray, problems: dict[int, list[str]], short: Callable[[int], str],
                 id_keys: np.ndarray | None = None) -> None:
    """Rows without an id, and rows repeating the id of an earlier row that has no other
    problem ("first on" that row), as row problems. Only rows whose id is empty or repeated
    are looked at one by one, in file order."""
    blank = ids == ""
    first = repeats(ids, id_keys)
    repeated = first >= 0
    if not (blank.any() or repeated.any()):
        return
    involved = blank | repeated
    involved[first[repeated]] = True
    seen: dict[str, int] = {}
    for i in np.flatnonzero(involved).tolist():
        uid = ids[i]
        if not uid:
            problems.setdefault(i, []).insert(0, "no id")
        elif uid in seen:
            problems.setdefault(i, []).insert(0, f"duplicate id {uid!r} (first on {short(seen[uid])})")
        elif i not in problems:
            seen[uid] = i


def _warn_unknown_echelons(echelons: Categorical, keep, loc: Callable[[int], str], warnings: list[str]) -> None:
    """A warning for each echelon word that names no echelon of the standard, at its first row."""
    words = echelons.categories.tolist()
    counts = np.bincount(echelons.codes, minlength=len(words))
    unknown = [k for k, word in enumerate(words) if word and counts[k] and not echelon_of(word)]
    if not unknown:
        return
    first = _first_rows(echelons.codes, len(words))
    for k in sorted(unknown, key=lambda k: first[k]):
        row = int(first[k]) if isinstance(keep, slice) else int(keep[first[k]])
        more = int(counts[k]) - 1
        warnings.append(f"{loc(row)}: echelon {words[k]!r} is not one of {', '.join(ECHELONS)} (or their "
                        f"abbreviations, battery, troop); no echelon drawn"
                        + (f" (and {more} more rows)" if more else ""))


def _first_rows(codes: np.ndarray, k: int) -> np.ndarray:
    """The first row holding each of the codes 0..k-1 (len(codes) where none does)."""
    first = np.full(k, len(codes), dtype=np.int64)
    np.minimum.at(first, codes.astype(np.int64), np.arange(len(codes)))
    return first
