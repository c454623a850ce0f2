"""Tables of a million rows into and out of SQLite, column by column.

Python's sqlite3 costs about 1 µs per statement executed and 0.03-0.35 µs per value bound
(an int or float is cheap; None and bytes take a slow adaptation path), while SQLite
itself copies a million 17-column rows in about 0.2 s. A million units bound row by row,
17 values each, took 3.5 s. So `insert_columns`:

- puts ROWS_PER_STATEMENT rows in one `INSERT … SELECT … FROM (VALUES …)` statement;
- binds a column of fixed-size blobs (point geometries) as one blob per statement, which
  SQL cuts by the row's fid;
- binds a text column of short ASCII values (`TextRecords`: ids, names) the same way, as
  fixed-width records with each value's length: SQL cuts the text, no `str` per value
  (making and binding a million names as str took 0.15 s of a 1.7 s save);
- binds columns of few distinct values (`Coded`: sides, sectors, the time of an import)
  once per distinct combination of them, in a temporary table that each row joins by one
  integer;
- binds float columns as they are: SQLite stores a NaN as NULL (its own rule, checked by
  the project tests), so no value is looked at in Python;
- leaves an all-NULL column (None) out of the statement.

Reading row by row costs about 0.2 µs a row and 0.13 µs a value, and more again to turn
rows into columns. `read_columns` reads a chunk of rows per query, as aggregates: each
text column as one concatenation (split in C), of a column most rows of which share one
value only the rows that differ, a geometry column of fixed-size blobs as one buffer, an
all-NULL column as its count. What does not fit (a text holding the separator, blobs of
several sizes, numbers) is left for a row-by-row read.
"""
from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

ROWS_PER_STATEMENT = 500
MAX_RECORD_BYTES = 64  # the widest text column bound as records (TextRecords)
SEPARATOR = "\x1f"  # between the texts of a concatenated column (ASCII unit separator)
_COMBINATIONS = "deconflict_combinations"  # (a temporary table: never in the file)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Coded:
    """A column of few distinct values: `codes` (one integer per row) into `values`."""

    codes: np.ndarray
    values: Sequence

    def __len__(self) -> int:
        return len(self.codes)

    def tolist(self) -> list:
        return _objects(self.values)[self.codes].tolist()


@dataclass(frozen=True)
class TextRecords:
    """A text column as fixed-width records (S<w>: each value's UTF-8, zero-padded) and
    each value's length in bytes (a value may end with NUL characters: the length keeps them)."""

    records: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def of(cls, values: np.ndarray, max_width: int = MAX_RECORD_BYTES) -> "TextRecords | None":
        """A StringDType column as records, or None when it is not all ASCII (a byte a
        character) or a value is longer than `max_width` (the records would take more memory
        than its str objects)."""
        # numpy's string functions do not see a value's trailing NUL characters: a mark after
        # each value makes them inner ones, counted and kept (the mark is cut off by length).
        marked = np.strings.add(values, "x")
        lengths = np.strings.str_len(marked) - 1
        width = int(lengths.max(initial=0)) + 1
        if width - 1 > max_width:
            return None
        try:
            records = marked.astype(f"S{width}")
        except UnicodeEncodeError:
            return None
        return cls(records, lengths)


def _objects(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _plain(values) -> list:
    """A column as a list of values sqlite3 binds directly (numpy booleans as 0/1)."""
    if isinstance(values, Coded):
        return values.tolist()
    if isinstance(values, np.ndarray):
        return (values.astype(np.int64) if values.dtype.kind == "b" else values).tolist()
    return values if isinstance(values, list) else list(values)


def _combinations(coded: list[Coded], n: int) -> tuple[list[int], list[tuple]] | None:
    """(combination number of each row, from 1; the distinct combinations) of the coded
    columns, or None when there are so many that binding them row by row costs less."""
    key, radix = np.zeros(n, dtype=np.int64), 1
    for c in coded:
        k = max(len(c.values), 1)
        if radix * k > 1 << 40:
            return None
        key, radix = key * k + np.asarray(c.codes, dtype=np.int64), radix * k
    if radix <= 4 * n:  # a lookup table instead of a sort; any row stands for its combination
        row_of = np.full(radix, -1, dtype=np.int64)
        row_of[key] = np.arange(n)
        present = np.flatnonzero(row_of >= 0)
        number = np.zeros(radix, dtype=np.int64)
        number[present] = np.arange(1, len(present) + 1)
        first, inverse = row_of[present], number[key]
    else:
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1) + 1
    if len(first) > max(n // 4, 64):
        return None
    values = [_objects(c.values) for c in coded]
    rows = [tuple(v[c.codes[f]] for v, c in zip(values, coded)) for f in first.tolist()]
    return inverse.tolist(), rows


def insert_columns(conn: sqlite3.Connection, table: str, names: Sequence[str], columns: Sequence, n: int, *,
                   pk: str = "fid", chunk: int = 100_000, on_rows: Callable[[int], None] | None = None) -> None:
    """Insert `n` rows, `pk` 1..n, into `table` given column by column: each column a
    sequence of values, None (all NULL), `Coded`, `TextRecords`, or a numpy array of
    fixed-size blobs (a void dtype, e.g. GeoPackage points). `on_rows(done)` is told the
    rows written every `chunk` rows."""
    fixed, plain, coded = [], [], []   # fixed: (name, record size, records, plain column of its lengths or None)
    for name, col in zip(names, columns):
        if col is None:
            continue
        if len(col) != n:
            raise ValueError(f"{table}.{name}: {len(col)} values for {n} rows")
        if isinstance(col, np.ndarray) and col.dtype.kind == "V":
            fixed.append((name, col.dtype.itemsize, np.ascontiguousarray(col).tobytes(), None))
        elif isinstance(col, TextRecords):
            plain.append((None, col.lengths))
            records = np.ascontiguousarray(col.records)
            fixed.append((name, records.dtype.itemsize, records.tobytes(), len(plain) - 1))
        elif isinstance(col, Coded):
            coded.append((name, col))
        else:
            plain.append((name, col))
    coded.sort(key=lambda c: len(c[1].values))
    combos = None
    while coded and n and combos is None:  # without the column of most values, until few combinations are left
        combos = _combinations([c for _, c in coded], n)
        if combos is None:
            plain.append(coded.pop())
    if combos is None:
        plain += coded
        coded = []
    lists = [_plain(col) for _, col in plain]
    if combos is not None:
        conn.execute(f"CREATE TEMP TABLE {_COMBINATIONS} ({', '.join(f'c{j}' for j in range(len(coded)))})")
        conn.executemany(f"INSERT INTO temp.{_COMBINATIONS} VALUES ({', '.join('?' * len(coded))})", combos[1])
        lists.append(combos[0])
    per_row = 1 + len(lists)
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    rows = max(1, min(ROWS_PER_STATEMENT, (limit - len(fixed) - 1) // per_row))

    def statement(k: int) -> str:
        nf = len(fixed)  # ?1..?nf: each fixed column's blobs for the statement; ?nf+1: its first row's pk
        exprs = ["v.column1"]
        for j, (_, size, _, text) in enumerate(fixed):
            length = size if text is None else f"v.column{text + 2}"   # (a text's length is bound with its row)
            cut = f"substr(?{j + 1}, (v.column1 - ?{nf + 1}) * {size} + 1, {length})"
            exprs.append(cut if text is None else f"CAST({cut} AS TEXT)")
        exprs += [f"v.column{j + 2}" for j, (name, _) in enumerate(plain) if name is not None]
        exprs += [f"c.c{j}" for j in range(len(coded))]
        targets = [pk] + [f[0] for f in fixed] + [p[0] for p in plain if p[0] is not None] + [c[0] for c in coded]
        values = ", ".join(["(" + ", ".join("?" * per_row) + ")"] * k)
        sql = (f"INSERT INTO {quote(table)} ({', '.join(map(quote, targets))}) SELECT {', '.join(exprs)} "
               f"FROM (VALUES {values}) AS v")
        if coded:
            sql += f" CROSS JOIN temp.{_COMBINATIONS} AS c ON c.rowid = v.column{per_row}"
        return sql

    def params(a: int, b: int) -> list:
        head = [buf[a * size:b * size] for _, size, buf, _ in fixed] + ([a + 1] if fixed else [])
        return head + list(itertools.chain.from_iterable(zip(range(a + 1, b + 1), *(v[a:b] for v in lists))))

    full_sql = statement(rows)
    chunk = max(chunk // rows, 1) * rows
    for start in range(0, n, chunk):
        end = min(start + chunk, n)
        whole = start + (end - start) // rows * rows
        conn.executemany(full_sql, (params(a, a + rows) for a in range(start, whole, rows)))
        if whole < end:
            conn.execute(statement(end - whole), params(whole, end))
        if on_rows is not None:
            on_rows(end)
    if combos is not None:
        conn.execute(f"DROP TABLE temp.{_COMBINATIONS}")


def text_affinity(declared: str) -> bool:
    """SQLite's rule: a column declared with CHAR, CLOB or TEXT (and not INT) stores text."""
    t = declared.upper()
    return "INT" not in t and any(k in t for k in ("CHAR", "CLOB", "TEXT"))


class _Texts:
    """A text column (NULL read as "", a blob as its bytes' UTF-8 text) as a list of str,
    each chunk read as one concatenation."""

    def __init__(self, name: str) -> None:
        self.q, self.chunks = quote(name), []

    def parts(self, pk: str) -> tuple[list[str], list]:
        return [f"CAST(group_concat(ifnull({self.q}, ''), '{SEPARATOR}') AS BLOB)"], []

    def take(self, values, first_row: int, first_key: int, rows: int) -> bool:
        try:
            text = next(values).decode("utf-8")
        except UnicodeDecodeError:  # (a blob that is no UTF-8 text: row by row)
            return False
        self.chunks.append(text)
        return text.count(SEPARATOR) == rows - 1  # (else a text holds the separator)

    def result(self, n: int) -> list[str]:
        return SEPARATOR.join(self.chunks).split(SEPARATOR)


class _Few(_Texts):
    """A text column of few values as `Coded`. While 7 rows in 8 of a chunk hold one value
    (at first the last row's: a side, the time of an import; then the last of a chunk
    read whole that 7 in 8 of its rows hold), only the rows that differ from it are read,
    as "pk:hex" (no separator to mistake); else whole chunks."""

    def __init__(self, name: str, usual, keyed: bool) -> None:
        super().__init__(name)
        self.keyed = keyed  # (a row's place is its pk: rows can be skipped)
        self.key = usual  # (what SQL compares with: NULL, not "")
        self.sparse = keyed and isinstance(usual, (str, type(None)))
        self.pieces: list[tuple] = []  # (first row, rows, usual value or None, all texts or (places, texts))

    def parts(self, pk: str) -> tuple[list[str], list]:
        if not self.sparse:
            return super().parts(pk)
        return [f"group_concat(CASE WHEN {self.q} IS ? THEN NULL ELSE {quote(pk)} || ':' || hex({self.q}) END)"], \
            [self.key]

    def take(self, values, first_row: int, first_key: int, rows: int) -> bool:
        if not self.sparse:
            if not super().take(values, first_row, first_key, rows):
                return False
            texts = self.chunks.pop().split(SEPARATOR)
            self.pieces.append((first_row, rows, None, texts))
            value = texts[-1]
            if self.keyed and texts.count(value) >= rows - rows // 8:
                self.sparse = True
                if value != (self.key or ""):  # (a NULL key stays NULL: "" stands for both)
                    self.key = value
            return True
        got = next(values)
        pairs = [p.split(":", 1) for p in got.split(",")] if got else []
        try:
            texts = [bytes.fromhex(h).decode("utf-8") for _, h in pairs]
        except UnicodeDecodeError:
            return False
        places = np.array([int(k) - first_key for k, _ in pairs], dtype=np.int64)
        self.pieces.append((first_row, rows, self.key or "", (places, texts)))
        self.sparse = len(pairs) <= rows // 8
        return True

    def result(self, n: int) -> Coded:
        code_of: dict[str, int] = {}
        codes = np.zeros(n, dtype=np.int64)
        for at, rows, usual, piece in self.pieces:
            if usual is None:
                where, texts = slice(at, at + rows), piece
            else:
                codes[at:at + rows] = code_of.setdefault(usual, len(code_of))
                where, texts = at + piece[0], piece[1]
            local = {t: k for k, t in enumerate(dict.fromkeys(texts))}  # (C loops: no Python line per row)
            number = np.array([code_of.setdefault(t, len(code_of)) for t in local], dtype=np.int64)
            codes[where] = number[np.fromiter(map(local.__getitem__, texts), dtype=np.int64, count=len(texts))]
        return Coded(codes.astype(np.min_scalar_type(max(len(code_of) - 1, 0))), list(code_of))


_PROBE = 1000  # rows of the first chunk: a `few` column whose rows differ more reads the next whole


class _Blobs:
    """A blob column whose blobs all have one size, as one buffer."""

    def __init__(self, name: str) -> None:
        self.q, self.size, self.buffers = quote(name), None, []

    def parts(self, pk: str) -> tuple[list[str], list]:
        q = self.q
        return [f"CAST(group_concat({q}, '') AS BLOB)", f"min(length({q}))", f"max(length({q}))"], []

    def take(self, values, first_row: int, first_key: int, rows: int) -> bool:
        buf, low, high = (next(values) for _ in range(3))
        if self.size is None:
            self.size = low
        self.buffers.append(buf)
        return low is not None and low == high == self.size and len(buf) == rows * low  # (so no NULL either)

    def result(self, n: int) -> np.ndarray | list:
        return np.frombuffer(b"".join(self.buffers), dtype=f"V{self.size}") if n else []


class _Nulls:
    """Any other column, read here only when every value is NULL."""

    def __init__(self, name: str) -> None:
        self.q = quote(name)

    def parts(self, pk: str) -> tuple[list[str], list]:
        return [f"count({self.q})"], []

    def take(self, values, first_row: int, first_key: int, rows: int) -> bool:
        return not next(values)

    def result(self, n: int) -> list:
        return [None] * n


def read_columns(query: Callable[[str, Sequence], list[tuple]], table: str, kinds: dict[str, str], n: int,
                 first: int, last: int, *, pk: str = "fid", chunk: int = 100_000,
                 on_rows: Callable[[int], None] | None = None) -> tuple[dict[str, list | np.ndarray], list[str]]:
    """The columns of `table` whose values allow it, read in bulk in `pk` order, and the
    columns left for a row-by-row read. `kinds` names each column's kind: "text" (read as
    str, NULL as "", a blob as UTF-8), "few" (text of few values that most rows share,
    read as `Coded`), "blob" (an array of fixed-size blobs, a void dtype, when every row
    holds one of one size) or "other" (read here only when all NULL: a list of None).
    `query(sql, args)` runs a statement; `n`, `first`, `last`: the table's rows and its
    smallest and largest `pk`, an INTEGER PRIMARY KEY (a table scan is in its order)."""
    if not n:
        return {}, list(kinds)
    dense = last - first + 1 == n  # (keys 1..n as written: a row's place is its key)
    usual = query(f"SELECT {', '.join(map(quote, kinds))} FROM {quote(table)} WHERE {quote(pk)} = ?", (last,))[0]
    readers = {c: _Blobs(c) if k == "blob" else _Nulls(c) if k == "other" else _Texts(c) if k == "text" else
               _Few(c, u, dense) for (c, k), u in zip(kinds.items(), usual)}
    step = chunk if last - first < 2 * n else last - first + 1  # (scattered keys: one query)
    starts = [first] + list(range(first + min(_PROBE, step), last + 1, step))  # (a small chunk first: few?)
    done = 0
    for a, b in zip(starts, starts[1:] + [last + 1]):
        parts, args = ["count(*)"], []
        for r in readers.values():
            sql, more = r.parts(pk)
            parts += sql
            args += more
        row = query(f"SELECT {', '.join(parts)} FROM {quote(table)} NOT INDEXED WHERE {quote(pk)} BETWEEN ? AND ?",
                    (*args, a, b - 1))[0]
        rows, values = row[0], iter(row[1:])
        if rows:
            for c, r in list(readers.items()):
                if not r.take(values, done, a, rows):
                    del readers[c]
        done += rows
        if on_rows is not None:
            on_rows(done)
    return {c: r.result(n) for c, r in readers.items()}, [c for c in kinds if c not in readers]
