"""CSV import: unit positions, unit tracks, or the vertices of the line or the AO.

Columns are matched by header name (case, spaces and punctuation ignored; the aliases of
the `sectors` units CSV, plus `time` for tracks and `position` for one-column positions).
Positions: `lat` + `lon` (decimal or any degree form, e.g. 35°50'10"N), `mgrs`, or one
`position` column holding any typed position. What the rows are is detected: an id and a
time -> track reports; an id -> units; neither -> ambiguous (NeedsMapping: the GUI asks
with a column-mapping dialog; the CLI says which columns are missing).

Built for a million rows: the file is parsed by the C csv reader in chunks (progress and
cancel between chunks), transposed to columns once, and numbers are parsed by numpy.
"""
from __future__ import annotations

import csv
import gc
import itertools
from pathlib import Path

import numpy as np

from desktop.core.importers.features import unstated_blank
from desktop.core.importers.model import (MAX_TABLE_BYTES, ColumnMapping, ImportedData, NeedsMapping,
                                          TrackReports, check_size, decode)
from desktop.core.inputs import (_ALIASES, _FIELD_OF, InputError, _build, _key, csv_delimiter, parse_positions,
                                 read_problem)
from desktop.core.progress import Progress, step
from desktop.core.tracks import checked_time, parse_time

EXTRA_ALIASES = {
    "time": ("time", "datetime", "timestamp", "dtg", "reporttime", "reported", "timeutc", "utc", "when",
             "reportedat", "observed"),
    "position": ("position", "coordinates", "coords", "location", "pos", "latlon", "latlong", "point"),
    "order": ("vertex", "order", "seq", "sequence", "index", "vertexindex"),
}
FIELDS = tuple(_ALIASES) + tuple(EXTRA_ALIASES)
_FIELD = {**_FIELD_OF, **{a: f for f, aliases in EXTRA_ALIASES.items() for a in aliases}}
_CHUNK = 100_000
_SAMPLE = 8
csv.field_size_limit(MAX_TABLE_BYTES)  # a quoted field may be as long as the file (the module's default: 128 KiB)


def _read_text(path, progress: Progress | None) -> tuple[str, str]:
    name, size = check_size(path, MAX_TABLE_BYTES)
    parts, done = [], 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(16 << 20):
                parts.append(chunk)
                done += len(chunk)
                step(progress, 0.25 * done / size, "Reading")
    except OSError as exc:
        raise InputError(read_problem(name, exc)) from None
    text = decode(name, b"".join(parts))
    if not text.strip():
        raise InputError(f"{name}: empty file")
    if "\n" not in text and "\r" in text:  # old Mac line ends (CR only), as the csv module and GDAL read them
        text = text.replace("\r", "\n")
    return name, text


def _lines(text: str, start: int = 0):
    """The lines of `text` from `start`, each with its line end, without copying the text
    (csv.reader joins the lines of a quoted field that spans several)."""
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


def _split_plain(text: str, delimiter: str, width: int) -> tuple[list[list[str]], bool] | None:
    """(columns, padded) of a table without quotes whose every line has `width` fields,
    split by str methods only (no per-row Python); `padded`: some field has blanks around
    it (strip them). None when the table is not that simple."""
    if '"' in text:
        return None
    body = (text.replace("\r\n", "\n") if "\r" in text else text).rstrip("\n")
    if not body:
        return None
    # Fields per line, counted on the bytes in numpy: delimiters between consecutive newlines.
    raw = np.frombuffer(body.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    delimiters = np.flatnonzero(raw == ord(delimiter))
    per_line = np.diff(np.searchsorted(delimiters, np.concatenate([[-1], newlines, [len(raw)]])))
    if not (per_line == width - 1).all():
        return None
    # A blank or tab beside a separator (or at either end) means some field needs stripping.
    blanks = np.flatnonzero((raw == 32) | (raw == 9))
    around = np.concatenate([raw[blanks[blanks > 0] - 1], raw[blanks[blanks < len(raw) - 1] + 1]])
    padded = bool(len(blanks)) and (blanks[0] == 0 or blanks[-1] == len(raw) - 1
                                    or bool(np.isin(around, (10, 13, ord(delimiter))).any()))
    flat = body.replace("\n", delimiter).split(delimiter)
    return [flat[j::width] for j in range(width)], padded


def _table(name: str, text: str, progress: Progress | None) -> tuple[list[str], int, list[list[str]], np.ndarray,
                                                                      dict[int, list[str]], bool]:
    """(header, header line, columns, line number of each row, problems by row, whether
    fields need stripping); blank rows dropped, short rows padded, rows with extra fields
    marked as problems."""
    delimiter = csv_delimiter(text)
    lines = _lines(text)
    head = csv.reader(lines, delimiter=delimiter)  # reads the header's lines only, however long
    try:
        header = next(r for r in head if any(f.strip() for f in r))
    except csv.Error as exc:
        raise InputError(f"{name}:{head.line_num}: not CSV ({exc})") from None
    except StopIteration:
        raise InputError(f"{name}: empty file") from None
    header_line, width = head.line_num, len(header)
    body_start = 0
    for _ in range(header_line):  # the text after the header's line(s)
        body_start = text.find("\n", body_start) + 1 or len(text)
    body = text[body_start:]
    plain = _split_plain(body, delimiter, width)
    if plain is not None:
        columns, padded = plain
        step(progress, 0.6, "Parsing rows")
        return header, header_line, columns, header_line + 1 + np.arange(len(columns[0])), {}, padded
    reader = csv.reader(_lines(body), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    total = max(len(text), 1)
    try:
        while True:
            chunk = []
            for row in itertools.islice(reader, _CHUNK):
                chunk.append(row)
                lines.append(header_line + reader.line_num)
            if not chunk:
                break
            rows.extend(chunk)
            step(progress, 0.25 + 0.35 * min(1.0, len(rows) * (len(delimiter.join(header)) + 1) / total), "Parsing rows")
    except csv.Error as exc:
        raise InputError(f"{name}:{header_line + reader.line_num}: not CSV ({exc})") from None
    keep = [i for i, r in enumerate(rows) if "".join(r).strip()]
    rows = [rows[i] for i in keep]
    problems = {k: [f"{len(r)} fields, the header has {width} (an unquoted comma?)"]
                for k, r in enumerate(rows) if len(r) > width and "".join(r[width:]).strip()}
    columns = [list(c) for c in itertools.zip_longest(*rows, fillvalue="")][:width] if rows else [[] for _ in header]
    while len(columns) < width:
        columns.append([""] * len(rows))
    return header, header_line, columns, np.asarray(lines, dtype=np.int64)[keep], problems, True


def auto_mapping(header: list[str]) -> tuple[ColumnMapping, list[str]]:
    """Columns matched by name; `clashes` lists fields two columns both claim."""
    columns: dict[str, int] = {}
    clashes = []
    for j, h in enumerate(header):
        fld = _FIELD.get(_key(h))
        if fld is None:
            continue
        if fld in columns:
            clashes.append(f"columns {header[columns[fld]]!r} and {h!r} both give the {fld}")
            continue
        columns[fld] = j
    has_position = {"lat", "lon"} <= columns.keys() or "mgrs" in columns or "position" in columns
    role = None
    if has_position and "id" in columns:
        role = "tracks" if "time" in columns else "units"
    return ColumnMapping(role, columns), clashes


def parse_times(values: list[str], problems: dict[int, list[str]]) -> np.ndarray:
    """ISO 8601 with an offset (fast when all are UTC 'Z' in one layout) or epoch seconds."""
    n = len(values)
    if n and all(len(v) == 20 and v[-1] == "Z" and v[10] == "T" for v in values):
        try:
            return np.array([v[:-1] for v in values], dtype="datetime64[s]").astype(np.int64)
        except ValueError:
            pass  # one of them is different: parse each
    out = np.zeros(n, dtype=np.int64)
    for i, v in enumerate(values):
        try:
            out[i] = checked_time(int(v), v) if v.isdigit() else parse_time(v)
        except ValueError as exc:
            problems.setdefault(i, []).append(f"time: {exc}" if v else "no time")
    return out


def read_csv(path, progress: Progress | None = None, mapping: ColumnMapping | None = None) -> ImportedData:
    """Import a CSV file (see the module doc). Raises InputError (or NeedsMapping)."""
    gc_was_on = gc.isenabled()
    gc.disable()  # millions of new strings and lists, no cycles: the collector would only slow this down
    try:
        return _read_csv(path, progress, mapping)
    finally:
        if gc_was_on:
            gc.enable()


def _read_csv(path, progress: Progress | None, mapping: ColumnMapping | None) -> ImportedData:
    name, text = _read_text(path, progress)
    header, header_line, by_column, line_of, problems, padded = _table(name, text, progress)
    del text
    if not len(line_of):
        raise InputError(f"{name}: no rows after the header")
    sample = [list(r) for r in zip(*(c[:_SAMPLE] for c in by_column))]
    auto, clashes = auto_mapping(header)
    if mapping is None:
        if clashes:
            raise NeedsMapping(f"{name}:{header_line}: {clashes[0]}", header, sample, auto)
        if auto.role is None:
            shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
            has_position = {"lat", "lon"} <= auto.columns.keys() or bool({"mgrs", "position"} & auto.columns.keys())
            missing = "position columns ('lat' and 'lon', 'mgrs' or 'position')" if not has_position \
                else "'id' column"
            raise NeedsMapping(f"{name}:{header_line}: cannot tell what the rows are: no {missing} "
                               f"(header: {shown})", header, sample, auto)
        mapping = auto
    step(progress, 0.65, "Reading positions")

    stripped: dict[int, list[str]] = {}

    def cols(fld: str) -> list[str] | None:
        j = mapping.columns.get(fld)
        if j is None or j >= len(by_column):
            return None
        if j not in stripped:
            stripped[j] = list(map(str.strip, by_column[j])) if padded else by_column[j]
        return stripped[j]

    n = len(line_of)
    lon, lat = parse_positions(cols, n, problems)
    step(progress, 0.8, "Checking rows")
    data = ImportedData(name)
    loc = lambda i: f"{name}:{line_of[i]}"  # noqa: E731 - message prefixes
    if mapping.role in ("line", "ao"):
        return _vertices(name, mapping, cols, lon, lat, problems, loc, data)
    fields = {f: cols(f) for f in _ALIASES}
    if fields["id"] is None:
        raise InputError(f"{name}: no id column for {mapping.role}")
    if mapping.role == "tracks":
        return _tracks(name, cols, fields, lon, lat, problems, loc, line_of, data, progress)
    units, warnings = _build(name, loc, lambda i: f"line {line_of[i]}", fields, lon, lat, problems)
    data.units = unstated_blank(units, fields)
    data.skipped.extend(warnings)
    step(progress, 1.0, "Read")
    return data


def _tracks(name, cols, fields, lon, lat, problems, loc, line_of, data: ImportedData, progress) -> ImportedData:
    times = cols("time")
    if times is None:
        raise InputError(f"{name}: track reports need a time column")
    t = parse_times(times, problems)
    ids = np.asarray(fields["id"], dtype=object)
    for i in np.flatnonzero(ids == "").tolist():
        problems.setdefault(i, []).insert(0, "no id")
    good = np.ones(len(ids), dtype=bool)
    good[list(problems)] = False
    data.skipped.extend(f"{loc(i)}: {'; '.join(problems[i])} (row skipped)" for i in sorted(problems))
    if not good.any():
        raise InputError(f"{name}: no usable rows ({len(ids)} skipped; first: {data.skipped[0]})")
    keep = np.flatnonzero(good)
    data.tracks = TrackReports(ids[keep], t[keep], lon[keep], lat[keep])
    # Each unit's attributes (name, side, ...) from its latest report, when the file has them.
    if any(fields[f] is not None for f in ("name", "side", "affiliation", "domain", "echelon", "symbol")):
        order = keep[np.lexsort((t[keep], ids[keep].astype(str)))]
        last = order[np.r_[ids[order][1:] != ids[order][:-1], True]]
        sub = {f: (None if v is None else [v[i] for i in last]) for f, v in fields.items()}
        units, _ = _build(name, lambda k: loc(last[k]), lambda k: f"line {line_of[last[k]]}", sub, lon[last], lat[last],
                          {})
        data.units = unstated_blank(units, sub)
    step(progress, 1.0, "Read")
    return data


def _vertices(name, mapping, cols, lon, lat, problems, loc, data: ImportedData) -> ImportedData:
    if problems:
        i = min(problems)
        raise InputError(f"{loc(i)}: {'; '.join(problems[i])} (a {mapping.role} needs every vertex)")
    order = np.arange(len(lon))
    if cols("order") is not None:
        try:
            order = np.argsort(np.array(cols("order"), dtype=float), kind="stable")
        except ValueError:
            raise InputError(f"{name}: the vertex order column is not numeric") from None
    xy = np.column_stack([lon[order], lat[order]])
    from desktop.core.importers.features import POLYGON, Feature, _ao, _line
    title = Path(name).stem
    try:
        if mapping.role == "line":
            data.line = _line(Feature(title, "line", xy))
        else:
            closed = xy if np.array_equal(xy[0], xy[-1]) else np.vstack([xy, xy[:1]])
            data.ao = _ao(name, Feature(title, POLYGON, closed, {"name": title}))
    except (InputError, ValueError) as exc:
        raise InputError(f"{name}: {exc}") from None
    return data


def table_preview(path, rows: int = _SAMPLE) -> tuple[list[str], list[list[str]]]:
    """Header and first rows (for the column-mapping dialog)."""
    name, text = _read_text(path, None)
    head = text[: 1 << 20]
    header, _, columns, _, _, _ = _table(name, head[: head.rfind("\n") + 1] or head, None)
    return header, [list(r) for r in zip(*(c[:rows] for c in columns))]

