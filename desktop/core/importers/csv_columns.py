"""A plain CSV table (no quotes, every row with the header's number of fields) split into
columns without a Python object per field, and the Table every CSV import reads from.

The rows of a million-unit file used to become ten million Python strings (4.2 GB for a
144 MB file, most of the import's time). Here the bytes are split in C and each column
becomes one fixed-width byte array (`S<w>`), only then turned into what it is: numbers
(numpy's C parser, correctly rounded), categories (a code per row) or StringDType text
(desktop.core.text_columns).

Two splitters. csv_arrow's `read_arrow` (Arrow's C++ reader on every core) takes the plain
files whose lines fit its blocks; `split_plain` here, the positions of the separators
giving each field's start and end, gathered per column (long fields one by one), takes
the plain files it refuses. Anything else (quotes, ragged rows) goes the csv module's
way, row by row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from desktop.core.text_columns import STRING, Categorical, decode, fixed_keys, keys, strings

NEWLINE = 10
BLANKS = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32)  # what str.strip() strips of ASCII
_SCAN = 16 << 20        # bytes scanned for separators at once (bounded temporaries)
_ROWS = 1 << 16         # rows gathered at once
MAX_WIDTH = 256         # a column's fields up to this long are gathered into one array; longer ones one by one


@dataclass(frozen=True, eq=False)
class PlainTable:
    """Where every field of a plain table lies in `raw` (the body's bytes): field j of a
    row ends at end[row, j] and starts after the previous separator."""

    raw: np.ndarray
    end: np.ndarray  # (rows, width), int32 or int64

    def __len__(self) -> int:
        return len(self.end)

    def numbers(self, j: int) -> None:
        """(No column of a plain table was parsed as numbers: see csv_arrow.)"""
        return None

    def column(self, j: int) -> "Column":
        end = self.end[:, j]
        if j:
            start = self.end[:, j - 1] + 1
        else:
            start = np.empty_like(end)
            start[0] = 0
            start[1:] = self.end[:-1, -1] + 1
        return Column(self.raw, start, end)

    def blank_rows(self, delimiter: str) -> np.ndarray:
        """Rows of blank fields only (a spreadsheet leaves them at the end): `blank_rows`."""
        column = self.column(0)
        return blank_rows(column, lambda i: self.raw[column.start[i]:self.end[i, -1]].tobytes()
                          .decode("utf-8").replace(delimiter, ""))


def blank_rows(first, text_of_row: Callable[[int], str]) -> np.ndarray:
    """Rows of blank fields only, as str.strip() sees blanks. Only rows whose `first` field
    is blank (or starts with a non-ASCII character) can be: those are looked at one by one,
    their fields as `text_of_row` joins them."""
    fixed, too_long = first.fixed()
    head = fixed.astype("S1").view(np.uint8)
    blank = np.zeros(len(fixed), dtype=bool)
    for i in np.flatnonzero(((head == 0) | (head > 127)) & ~too_long).tolist():
        blank[i] = not text_of_row(i).strip()
    return blank


def split_plain(data: bytes, offset: int, delimiter: str, width: int) -> PlainTable | None:
    """The fields of data[offset:] (the rows after the header: UTF-8, lines ending in \n or
    \r\n) when every line has exactly `width` fields and none is quoted; None otherwise."""
    stop = len(data)
    while stop > offset and data[stop - 1] in b"\r\n \t":  # blank lines at the end: dropped
        stop -= 1
    if stop <= offset or data.find(b'"', offset) >= 0:  # nothing, or quotes: the csv module's way
        return None
    raw = np.frombuffer(data, dtype=np.uint8, count=stop - offset, offset=offset)
    d = ord(delimiter)
    dtype = np.int32 if len(raw) < 2 ** 31 else np.int64
    found = []
    for at in range(0, len(raw), _SCAN):  # separators, a slice of the file at a time
        part = raw[at:at + _SCAN]
        found.append((np.flatnonzero((part == d) | (part == NEWLINE)) + at).astype(dtype))
    found.append(np.array([len(raw)], dtype=dtype))  # the last line's end
    seps = np.concatenate(found)
    if len(seps) % width:
        return None
    end = seps.reshape(-1, width)
    if not ((raw[np.minimum(end[:-1, -1], len(raw) - 1)] == NEWLINE).all()):
        return None
    if width > 1 and (raw[end[:, :-1]] == NEWLINE).any():
        return None  # a row with fewer fields, or a blank line: the csv module's way
    return PlainTable(raw, end)


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a plain table: its fields' byte ranges."""

    raw: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return len(self.start)

    def fixed(self) -> tuple[np.ndarray, np.ndarray]:
        """(S<w> array of the fields, stripped of blanks; mask of fields longer than
        MAX_WIDTH, left empty there: take them with `texts_at`)."""
        start, length = self.start, self.end - self.start
        too_long = length > MAX_WIDTH
        w = int(min(length.max(initial=0), MAX_WIDTH)) or 1
        raw = self.raw if len(self.raw) >= w else np.concatenate([self.raw, np.zeros(w, dtype=np.uint8)])
        windows = np.lib.stride_tricks.sliding_window_view(raw, w)  # w bytes from every position, no copy
        start = np.minimum(start, len(windows) - 1)  # (a field near the end: its window starts earlier...)
        shift = self.start - start                     # (... by this much)
        out = np.empty((len(start), w), dtype=np.uint8)
        offsets = np.arange(w)
        for a in range(0, len(start), _ROWS):  # whole windows copied in C, then what lies past each field zeroed
            block = windows[start[a:a + _ROWS]]
            sh = shift[a:a + _ROWS]
            if sh.any():
                block = np.take_along_axis(block, np.minimum(offsets + sh[:, None], w - 1), axis=1)
            block[offsets >= length[a:a + _ROWS, None]] = 0
            out[a:a + _ROWS] = block
        out[too_long] = 0
        return (stripped_matrix(out) if self.padded() else out.view(f"S{w}").ravel()), too_long

    def padded(self) -> bool:
        """Whether a field may start or end with a blank (else none needs stripping): blanks
        can only matter at a field's ends, so only its first and last bytes are looked at."""
        nonempty = self.end > self.start
        ends = np.concatenate([self.raw[self.start[nonempty]], self.raw[self.end[nonempty] - 1]])
        return bool(np.isin(ends, BLANKS).any())

    def rows(self, keep: np.ndarray) -> "Column":
        return Column(self.raw, self.start[keep], self.end[keep])

    def texts_at(self, rows) -> list[str]:
        """The fields of `rows`, one by one (UTF-8, blanks stripped)."""
        raw = self.raw
        return [raw[self.start[i]:self.end[i]].tobytes().decode("utf-8").strip() for i in rows]


def byte_matrix(fixed: np.ndarray) -> np.ndarray:
    """An S<w> array (maybe a strided view of the tokenizer's rows) as its (rows, w) bytes."""
    return np.ascontiguousarray(fixed).view(np.uint8).reshape(len(fixed), fixed.dtype.itemsize)


def _unicode_ends(fixed: np.ndarray) -> np.ndarray:
    """Fields that start or end with a non-ASCII character once ASCII blanks are gone: it
    may be a blank str.strip() removes too (a no-break space), so strip those in Python."""
    b = byte_matrix(fixed)
    if not len(b) or b.max() < 128:
        return np.empty(0, dtype=np.intp)
    length = np.strings.str_len(fixed)
    last = b[np.arange(len(b)), np.maximum(length - 1, 0)]
    return np.flatnonzero((length > 0) & ((b[:, 0] > 127) | (last > 127)))


def stripped_matrix(b: np.ndarray) -> np.ndarray:
    """A (rows, w) byte matrix with blanks (and a CR) at either end of each row removed,
    left-aligned and zero padded, viewed as S<w>."""
    col = np.arange(b.shape[1])
    blank = np.isin(b, BLANKS)
    if blank.any():
        keep = (b != 0) & ~blank
        some = keep.any(axis=1)
        lead = np.where(some, keep.argmax(axis=1), 0)
        stop = np.where(some, b.shape[1] - keep[:, ::-1].argmax(axis=1), 0)
        if lead.any():
            b = np.take_along_axis(b, np.minimum(lead[:, None] + col, b.shape[1] - 1), axis=1)
        b[col >= (stop - lead)[:, None]] = 0
    return np.ascontiguousarray(b).view(f"S{b.shape[1]}").ravel()


def decimals(fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values, parsed mask) of a column of numbers: numpy's own C parser (correctly
    rounded, as Python's float()) on the whole column; when some field is no number
    (degrees, blanks, damage) only the plain decimals (an optional sign, digits, at most
    one point) are parsed, the others are NaN and False: the caller reads those one by one."""
    try:
        return fixed.astype(np.float64), np.ones(len(fixed), dtype=bool)
    except ValueError:
        pass
    b = byte_matrix(fixed)
    used = b != 0
    digit = (b >= 48) & (b <= 57)
    point = b == 46
    sign = np.zeros_like(used)
    sign[:, 0] = (b[:, 0] == 45) | (b[:, 0] == 43)
    ok = (digit | point | sign | ~used).all(axis=1) & (point.sum(axis=1) <= 1) & digit.any(axis=1)
    ok &= ~(~used[:, :-1] & used[:, 1:]).any(axis=1)  # no byte after the padding
    values = np.full(len(fixed), np.nan)
    values[ok] = fixed[ok].astype(np.float64)
    return values, ok


# -- the table ----------------------------------------------------------------------------
@dataclass(eq=False)
class Table:
    """A CSV file as columns: the header, and the rows after it (blank ones left out) with
    the line each starts on. Plain files keep their bytes (PlainTable); others were read
    by the csv module into lists of stripped strings, a chunk of rows at a time."""

    header: list[str]
    header_line: int
    lines: np.ndarray
    problems: dict[int, list[str]]
    plain: object | None = None             # PlainTable, or csv_arrow's ArrowTable
    keep: np.ndarray | None = None        # plain: the rows that are not blank
    columns: list[list[str]] | None = None  # otherwise
    ascii: bool = False                     # plain: the file is ASCII (a byte a character, nothing to decode)

    def __len__(self) -> int:
        return len(self.lines)

    def __post_init__(self) -> None:
        self._stripped: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _column(self, j: int):
        """Column j of the plain table (a Column, or csv_arrow's CodedColumn), blank rows left out."""
        c = self.plain.column(j)
        return c if self.keep is None else c.rows(self.keep)

    def strings(self, j: int) -> np.ndarray:
        """Column j as a StringDType array (blanks stripped)."""
        if self.plain is None:
            return strings(self.columns[j])
        fixed, _, odd = self._fixed(j)
        out = fixed.astype(STRING) if self.ascii else decode(fixed)
        if len(odd):
            out[odd] = self._column(j).texts_at(odd)
        return out

    def keys(self, j: int, texts: np.ndarray) -> np.ndarray:
        """text_columns.keys of column j, whose strings are `texts` (Table.strings): a plain
        file's hashed from the stripped UTF-8 bytes already at hand (encoding a million ids
        again took 30 ms), the rows read one by one from their text."""
        if self.plain is None:
            return keys(texts)
        fixed, _, odd = self._fixed(j)
        out = fixed_keys(fixed)
        if len(odd):
            out[odd] = keys(texts[odd])
        return out

    def categorical(self, j: int) -> Categorical:
        """Column j as a Categorical (a column of few distinct values: a million units of two
        sides are two strings and a byte a row)."""
        if self.plain is None:
            return Categorical.of(self.columns[j])
        coded = getattr(self._column(j), "categorical", None)  # (encoded as it was read)
        if coded is not None and (categorical := coded()) is not None:
            return categorical
        fixed, _, odd = self._fixed(j)
        return Categorical.of(fixed if not len(odd) else self.strings(j))

    def _fixed(self, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(S<w> fields, too long, rows to read one by one: too long, or a non-ASCII
        character at an end). Kept: several fields may read one column."""
        if j not in self._stripped:
            fixed, too_long = self._column(j).fixed()
            odd = np.flatnonzero(too_long)
            self._stripped[j] = fixed, too_long, odd if self.ascii else np.union1d(odd, _unicode_ends(fixed))
        return self._stripped[j]

    def texts_at(self, j: int, rows) -> list[str]:
        if self.plain is None:
            return [self.columns[j][i] for i in rows]
        return self._column(j).texts_at(rows)

    def decimals(self, j: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Column j's plain decimals and where they were found (module doc); None for a
        file read row by row (its strings are parsed the usual way)."""
        if self.plain is None:
            return None
        numbers = self.plain.numbers(j)
        if numbers is not None:
            values = numbers if self.keep is None else numbers[self.keep]
            return values.copy(), np.ones(len(values), dtype=bool)
        fixed, too_long, _ = self._fixed(j)
        values, ok = decimals(fixed)
        ok &= ~too_long
        return values, ok

    def sample(self, k: int) -> list[list[str]]:
        rows = range(min(k, len(self)))
        return [list(r) for r in zip(*(self.texts_at(j, rows) for j in range(len(self.header))))]
