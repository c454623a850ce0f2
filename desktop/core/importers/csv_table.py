"""CSV import: unit positions, unit tracks, or the vertices of the line or the AO.

Columns are matched by header name (case, spaces and punctuation ignored; the aliases of
the `sectors` units CSV, plus `time` for tracks and `position` for one-column positions).
Positions: `lat` + `lon` (decimal or any degree form, e.g. 35°50'10"N), `mgrs`, or one
`position` column holding any typed position. What the rows are is detected: an id and a
time -> track reports; an id -> units; neither -> ambiguous (NeedsMapping: the GUI asks
with a column-mapping dialog; the CLI says which columns are missing).

Built for a million rows: a plain file (no quotes, every row as wide as the header) is
split into columns by Arrow's CSV reader (csv_arrow, or numpy: csv_columns) without a
Python object per field, its decimals parsed at once; any other goes through the csv
module row by row into columns.
"""
from __future__ import annotations

import codecs
import csv
import itertools
from pathlib import Path

import numpy as np

from desktop.core.air.columns import parse_air_columns
from desktop.core.bulk import collector_paused
from desktop.core.importers.csv_arrow import read_arrow
from desktop.core.importers.csv_columns import Table, split_plain
from desktop.core.importers.model import (MAX_TABLE_BYTES, ColumnMapping, ImportedData, NeedsMapping,
                                          TrackReports, check_size, decode)
from desktop.core.inputs import (_ALIASES, _FIELD_OF, InputError, _build, _key, _range_problems, csv_delimiter,
                                 parse_positions, read_problem)
from desktop.core.progress import Progress, step
from desktop.core.text_columns import strings
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
_FEW = ("side", "affiliation", "domain", "echelon", "symbol", "higher_formation")  # fields of few distinct values
_SAMPLE = 8
_READ = 256 << 20  # bytes read at once: most files in one read (joining the parts copied the file)
csv.field_size_limit(MAX_TABLE_BYTES)  # a quoted field may be as long as the file (the module's default: 128 KiB)


def _read_bytes(path, progress: Progress | None) -> tuple[str, bytes, bool]:
    """(name, the file as UTF-8 bytes, whether they are ASCII): a BOM dropped, UTF-16 (with
    a BOM) converted, the text checked (InputError naming the line of a bad byte), CR-only
    line ends made \\n."""
    name, size = check_size(path, MAX_TABLE_BYTES)
    parts, done = [], 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_READ):
                parts.append(chunk)
                done += len(chunk)
                step(progress, 0.1 * done / size, "Reading")
    except OSError as exc:
        raise InputError(read_problem(name, exc)) from None
    data = parts[0] if len(parts) == 1 else b"".join(parts)
    del parts
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = decode(name, data).encode("utf-8")
    elif data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    ascii_text = data.isascii()
    if not ascii_text or b"\0" in data[:4096]:
        decode(name, data)  # (checks; the text itself is not kept)
    if not data or data.isspace():
        raise InputError(f"{name}: empty file")
    if b"\n" not in data and b"\r" in data:  # old Mac line ends (CR only), as the csv module and GDAL read them
        data = data.replace(b"\r", b"\n")
    return name, data, ascii_text


def _lines(data: bytes, start: int = 0):
    """The lines of data[start:] as text, each with its line end, one at a time (csv.reader
    joins the lines of a quoted field that spans several)."""
    while start < len(data):
        end = data.find(b"\n", start) + 1 or len(data)
        yield data[start:end].decode("utf-8")
        start = end


def _table(name: str, data: bytes, progress: Progress | None, mapping: ColumnMapping | None = None,
           numbers: bool = False, ascii_text: bool | None = None) -> Table:
    """The header, and the rows after it as columns: split by Arrow or numpy when the file is
    plain (csv_arrow, csv_columns), else by the csv module a chunk of rows at a time. Blank
    rows are left out; a row with more fields than the header is a problem of that row.
    With `numbers`, the lat and lon columns (of `mapping`, else found by name) are parsed as
    decimals as they are split when they hold nothing else, and the columns of few values
    encoded. `ascii_text`: whether data is ASCII, when known."""
    first = data.lstrip(b"\r\n\t ")[:1 << 20].partition(b"\n")[0]
    delimiter = csv_delimiter(first.decode("utf-8", "replace"))
    head = csv.reader(_lines(data), delimiter=delimiter)  # reads the header's lines only, however long
    try:
        header = next(r for r in head if any(f.strip() for f in r))
    except csv.Error as exc:
        raise InputError(f"{name}:{head.line_num}: not CSV ({exc})") from None
    except StopIteration:
        raise InputError(f"{name}: empty file") from None
    header_line, width = head.line_num, len(header)
    offset = 0
    for _ in range(header_line):  # the bytes after the header's line(s)
        offset = data.find(b"\n", offset) + 1 or len(data)
    found = (mapping or auto_mapping(header)[0]).columns if numbers else {}
    ascii_text = data.isascii() if ascii_text is None else ascii_text
    plain = read_arrow(data, offset, delimiter, width, [found[f] for f in ("lat", "lon") if f in found],
                       [found[f] for f in _FEW if f in found], ascii_text)
    if plain is None:
        plain = split_plain(data, offset, delimiter, width)
    step(progress, 0.3, "Parsing rows")
    if plain is not None:
        blank = plain.blank_rows(delimiter)
        keep = np.flatnonzero(~blank) if blank.any() else None
        lines = header_line + 1 + (np.arange(len(plain)) if keep is None else keep)
        return Table(header, header_line, lines, {}, plain=plain, keep=keep, ascii=ascii_text)
    return _rows_table(name, data, offset, delimiter, header, header_line, progress)


def _rows_table(name, data, offset, delimiter, header, header_line, progress) -> Table:
    width = len(header)
    reader = csv.reader(_lines(data, offset), delimiter=delimiter)
    columns: list[list[str]] = [[] for _ in range(width)]
    lines: list[int] = []
    problems: dict[int, list[str]] = {}
    total = max(len(data) - offset, 1)
    try:
        for row in reader:
            if not "".join(row).strip():
                continue  # blank
            if len(row) > width and "".join(row[width:]).strip():
                problems[len(lines)] = [f"{len(row)} fields, the header has {width} (an unquoted comma?)"]
            lines.append(header_line + reader.line_num)  # (the line a multi-line row ends on)
            for target, value in zip(columns, itertools.chain(row, itertools.repeat("", width))):
                target.append(value.strip())
            if len(lines) % _CHUNK == 0:
                step(progress, 0.3 + 0.3 * min(1.0, len(lines) * (len(delimiter.join(header)) + 1) / total),
                     "Parsing rows")
    except csv.Error as exc:
        raise InputError(f"{name}:{header_line + reader.line_num}: not CSV ({exc})") from None
    return Table(header, header_line, np.asarray(lines, dtype=np.int64), problems, columns=columns)


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


def parse_times(values, problems: dict[int, list[str]]) -> np.ndarray:
    """ISO 8601 with an offset (fast when all are UTC 'Z' in one layout) or epoch seconds."""
    t = strings(values)
    n = len(t)
    if n and (np.strings.str_len(t) == 20).all() and np.strings.endswith(t, "Z").all() \
            and (np.strings.find(t, "T") == 10).all():
        stamps = np.ascontiguousarray(t.astype("U20").view(np.uint32).reshape(n, 20)[:, :19]).view("U19").ravel()
        try:
            return stamps.astype("datetime64[s]").astype(np.int64)
        except ValueError:
            pass  # one of them is different: parse each
    values = t.tolist()
    out = np.zeros(n, dtype=np.int64)
    for i, v in enumerate(values):
        try:
            out[i] = checked_time(int(v), v) if v.isdigit() else parse_time(v)
        except ValueError as exc:
            problems.setdefault(i, []).append(f"time: {exc}" if v else "no time")
    return out


def read_csv(path, progress: Progress | None = None, mapping: ColumnMapping | None = None) -> ImportedData:
    """Import a CSV file (see the module doc). Raises InputError (or NeedsMapping)."""
    with collector_paused():  # millions of new strings and lists, no cycles
        return _read_csv(path, progress, mapping)


def _read_csv(path, progress: Progress | None, mapping: ColumnMapping | None) -> ImportedData:
    name, data, ascii_text = _read_bytes(path, progress)
    table = _table(name, data, progress, mapping, numbers=True, ascii_text=ascii_text)
    del data  # (a plain table holds a view of it)
    header, header_line, problems = table.header, table.header_line, table.problems
    if not len(table):
        raise InputError(f"{name}: no rows after the header")
    auto, clashes = auto_mapping(header)
    if mapping is None:
        if clashes:
            raise NeedsMapping(f"{name}:{header_line}: {clashes[0]}", header, table.sample(_SAMPLE), auto)
        if auto.role is None:
            shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
            has_position = {"lat", "lon"} <= auto.columns.keys() or bool({"mgrs", "position"} & auto.columns.keys())
            missing = "position columns ('lat' and 'lon', 'mgrs' or 'position')" if not has_position \
                else "'id' column"
            raise NeedsMapping(f"{name}:{header_line}: cannot tell what the rows are: no {missing} "
                               f"(header: {shown})", header, table.sample(_SAMPLE), auto)
        mapping = auto
    step(progress, 0.65, "Reading positions")
    columns = {f: j for f, j in mapping.columns.items() if j < len(header)}
    read: dict[int, object] = {}

    def cols(fld: str):  # StringDType, or Categorical for the fields of few values
        j = columns.get(fld)
        if j is None:
            return None
        if j not in read:
            read[j] = table.categorical(j) if fld in _FEW else table.strings(j)
        return read[j]

    lon, lat = _positions(table, columns, cols, problems)
    line_of = table.lines
    step(progress, 0.8, "Checking rows")
    data = ImportedData(name)
    loc = lambda i: f"{name}:{line_of[i]}"  # noqa: E731 - message prefixes
    if mapping.role in ("line", "ao"):
        return _vertices(name, mapping, cols, lon, lat, problems, loc, data)
    fields = {f: cols(f) for f in _ALIASES if f not in ("lat", "lon", "mgrs")}  # (positions: read above)
    if fields["id"] is None:
        raise InputError(f"{name}: no id column for {mapping.role}")
    if mapping.role == "tracks":
        return _tracks(name, cols, fields, lon, lat, problems, loc, line_of, data, progress)
    id_keys = table.keys(columns["id"], fields["id"])
    data.units, warnings = _build(name, loc, lambda i: f"line {line_of[i]}", fields, lon, lat, problems, id_keys)
    if len(data.units) == len(id_keys):  # (no row left out)
        data.keep_id_keys(id_keys)
    data.skipped.extend(warnings)
    step(progress, 1.0, "Read")
    return data


def _positions(table: Table, columns: dict[str, int], cols, problems: dict[int, list[str]]) -> tuple[np.ndarray,
                                                                                                     np.ndarray]:
    """lon, lat of every row (parse_positions), the plain decimals of a plain file's lat
    and lon columns parsed at once in numpy; only the other rows (degrees, MGRS, blanks,
    damage) are read one by one."""
    fast = [table.decimals(columns[f]) for f in ("lat", "lon") if f in columns]
    if len(fast) < 2 or fast[0] is None:
        return parse_positions(cols, len(table), problems)
    (lat, lat_ok), (lon, lon_ok) = fast
    rest = np.flatnonzero(~(lat_ok & lon_ok))
    if len(rest):
        texts = {f: table.texts_at(j, rest) for f, j in columns.items() if f in ("lat", "lon", "mgrs", "position")}
        found: dict[int, list[str]] = {}
        lon[rest], lat[rest] = parse_positions(texts.get, len(rest), found)
        for k, messages in found.items():
            problems.setdefault(int(rest[k]), []).extend(messages)
    _range_problems(lon, lat, problems)
    return lon, lat


def _tracks(name, cols, fields, lon, lat, problems, loc, line_of, data: ImportedData, progress) -> ImportedData:
    times = cols("time")
    if times is None:
        raise InputError(f"{name}: track reports need a time column")
    t = parse_times(times, problems)
    ids = np.asarray(fields["id"], dtype=object)
    air = parse_air_columns(fields, len(ids), problems)
    for i in np.flatnonzero(ids == "").tolist():
        problems.setdefault(i, []).insert(0, "no id")
    good = np.ones(len(ids), dtype=bool)
    good[list(problems)] = False
    data.skipped.extend(f"{loc(i)}: {'; '.join(problems[i])} (row skipped)" for i in sorted(problems))
    if not good.any():
        raise InputError(f"{name}: no usable rows ({len(ids)} skipped; first: {data.skipped[0]})")
    keep = np.flatnonzero(good)
    data.tracks = TrackReports(ids[keep], t[keep], lon[keep], lat[keep], air={k: v[keep] for k, v in air.items()})
    # Each unit's attributes (name, side, ...) from its latest report, when the file has them.
    if any(fields[f] is not None for f in ("name", "side", "affiliation", "domain", "echelon", "symbol",
                                           "higher_formation")):
        order = keep[np.lexsort((t[keep], ids[keep].astype(str)))]
        last = order[np.r_[ids[order][1:] != ids[order][:-1], True]]
        sub = {f: (None if v is None else v[last]) for f, v in fields.items()}
        data.units, _ = _build(name, lambda k: loc(last[k]), lambda k: f"line {line_of[last[k]]}", sub, lon[last],
                               lat[last], {})
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
    name, data, ascii_text = _read_bytes(path, None)
    head = data[: 1 << 20]
    table = _table(name, head[: head.rfind(b"\n") + 1] or head, None, ascii_text=ascii_text)
    return table.header, table.sample(rows)
