"""A plain CSV table (no quotes, every row with the header's number of fields) split into
columns without a Python object per field.

The rows of a million-unit file used to become ten million Python strings (4.2 GB for a
144 MB file, most of the import's time). Here the bytes are split in C and each column is
one fixed-width byte array (`S<w>`), only then turned into what it is: numbers (numpy's C
parser, correctly rounded), categories (a code per row) or StringDType text
(desktop.core.text_columns).

Two splitters. `read_fixed`: numpy's C tokenizer (np.loadtxt, no quotes, no comments) into
fixed-width columns whose widths come from a sample of the file and are checked after (a
field that fills its width is read again wider); used when every field is at most
MAX_WIDTH bytes and the file has no blank line inside. `split_plain`: the positions of the
separators give each field's start and end, gathered per column (long fields one by one).
Anything else (quotes, ragged rows, blank lines within) goes the csv module's way, row by
row.
"""
from __future__ import annotations

import functools
import io
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from desktop.core.text_columns import STRING, Categorical, decode, strings

NEWLINE = 10
BLANKS = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32)  # what str.strip() strips of ASCII
_SCAN = 16 << 20        # bytes scanned for separators at once (bounded temporaries)
_ROWS = 1 << 16         # rows gathered at once
MAX_WIDTH = 256         # a column's fields up to this long are gathered into one array; longer ones one by one
_SAMPLE_BYTES = 1 << 16  # read_fixed's widths: from this much of the file's start and end


@dataclass(frozen=True, eq=False)
class PlainTable:
    """Where every field of a plain table lies in `raw` (the body's bytes): field j of a
    row ends at end[row, j] and starts after the previous separator."""

    raw: np.ndarray
    end: np.ndarray  # (rows, width), int32 or int64

    def __len__(self) -> int:
        return len(self.end)

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
        """Rows of blank fields only (a spreadsheet leaves them at the end), as str.strip()
        sees blanks. Only rows whose first field is blank (or starts with a non-ASCII
        character) can be: those are looked at one by one."""
        column = self.column(0)
        fixed, too_long = column.fixed()
        head = fixed.view(np.uint8).reshape(len(self), -1)[:, 0]
        blank = np.zeros(len(self), dtype=bool)
        for i in np.flatnonzero(((head == 0) | (head > 127)) & ~too_long).tolist():
            text = self.raw[column.start[i]:self.end[i, -1]].tobytes().decode("utf-8")
            blank[i] = not text.replace(delimiter, "").strip()
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
        nonempty = length > 0  # blanks can only matter at a field's ends: look there first
        ends = np.concatenate([self.raw[self.start[nonempty]], self.raw[self.end[nonempty] - 1]])
        return (_stripped(out) if np.isin(ends, BLANKS).any() else out.view(f"S{w}").ravel()), too_long

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


def _stripped(b: np.ndarray) -> np.ndarray:
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


# -- numpy's tokenizer ----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FixedTable:
    """The fields of a plain table as numpy's tokenizer gave them: one S<w> array per
    column (views of its rows, unstripped, never truncated), or float64 for the columns the
    tokenizer parsed as numbers (`texts` reads such a column again as text when asked).
    `padded`: a field may start or end with a blank (else no field needs stripping);
    `rare_blanks`: the file holds one of the ASCII separators str.strip() strips and
    bytes.strip() does not (0x1c-0x1f)."""

    columns: list[np.ndarray]
    rare_blanks: bool = False
    padded: bool = True
    texts: Callable[[int], np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.columns[0])

    def numbers(self, j: int) -> np.ndarray | None:
        """Column j as the tokenizer's float64, when it parsed it so."""
        return self.columns[j] if self.columns[j].dtype.kind == "f" else None

    def column(self, j: int) -> "FixedColumn":
        raw = self.columns[j] if self.numbers(j) is None else self.texts(j)
        return FixedColumn(raw, self.rare_blanks, self.padded)

    def blank_rows(self, delimiter: str) -> np.ndarray:
        """Rows of blank fields only, as str.strip() sees blanks: rows whose first field is
        blank (or starts with a non-ASCII character) are looked at one by one. None when a
        column holds numbers (a blank field is none)."""
        blank = np.zeros(len(self), dtype=bool)
        if any(c.dtype.kind == "f" for c in self.columns):
            return blank
        first = self.column(0).fixed()[0].astype("S1").view(np.uint8)  # (each stripped field's first byte)
        for i in np.flatnonzero((first == 0) | (first > 127)).tolist():
            blank[i] = not "".join(c[i].decode("utf-8") for c in self.columns).strip()
        return blank


@dataclass(frozen=True, eq=False)
class FixedColumn:
    raw: np.ndarray
    rare_blanks: bool = False
    padded: bool = True

    def fixed(self) -> tuple[np.ndarray, np.ndarray]:
        """(the fields stripped of blanks, as S<w>; no field too long: all False)."""
        out = np.strings.strip(self.raw) if self.padded else self.raw  # (ASCII blanks, in C; else a view)
        if self.rare_blanks:
            out = _stripped(byte_matrix(out).copy())
        return out, np.zeros(len(out), dtype=bool)

    def texts_at(self, rows) -> list[str]:
        return [self.raw[i].decode("utf-8").strip() for i in rows]


def _sample_widths(data: bytes, offset: int, stop: int, delimiter: bytes, width: int) -> np.ndarray | None:
    """The longest field of each column among the lines at the start and the end of
    data[offset:stop]; None when a sampled line has another number of fields."""
    longest = np.zeros(width, dtype=np.int64)
    head = data[offset:min(stop, offset + _SAMPLE_BYTES)]
    tail = data[max(offset, stop - _SAMPLE_BYTES):stop]
    lines = head.split(b"\n")[:-1] + tail.split(b"\n")[1:] if stop - offset > _SAMPLE_BYTES else \
        data[offset:stop].split(b"\n")
    for line in lines:
        fields = line.rstrip(b"\r").split(delimiter)
        if len(fields) != width:
            return None
        np.maximum(longest, [len(f) for f in fields], out=longest)
    return longest


_ODD = b'"\0\r\t\x0b\x0c\x1c\x1d\x1e\x1f'  # what a plain file's body may not hold, or a blank other than a space
_NOT_ODD = bytes(c for c in range(256) if c not in _ODD)
_BLOCK = 1 << 18  # bytes the checks below look at per numpy pass: temporaries that stay in the cache


def _blocks(raw: np.ndarray, overlap: int = 0):
    """(block, reusable bool scratch of its length) over raw, `overlap` bytes shared by
    neighbours. A 60 MB file compared at once made 60 MB temporaries: their first touch
    cost more than the comparison."""
    scratch = np.empty(_BLOCK + overlap, dtype=bool)
    for a in range(0, max(len(raw) - overlap, 1), _BLOCK):
        part = raw[a:a + _BLOCK + overlap]
        yield part, scratch[:len(part)]


def _odd_bytes(data: bytes, start: int, stop: int) -> tuple[set[int], int]:
    """(the bytes of _ODD that data[start:stop] holds, its number of line feeds). Control
    bytes are counted, not collected: when the line feeds (and carriage returns) are all
    of them, the set is known without a pass that copies the file."""
    raw = np.frombuffer(data, dtype=np.uint8, count=stop - start, offset=start)
    control = newlines = 0
    for part, scratch in _blocks(raw):
        control += int(np.count_nonzero(np.less(part, 32, out=scratch)))
        newlines += int(np.count_nonzero(np.equal(part, NEWLINE, out=scratch)))
    odd = {ord('"')} if data.find(b'"', start, stop) >= 0 else set()
    if control > newlines:
        returns = data.count(b"\r", start, stop)
        odd |= {13} if control == newlines + returns else set(data[start:stop].translate(None, _NOT_ODD))
    return odd, newlines


def _blank_at_field_end(data: bytes, offset: int, stop: int, delimiter: int, odd: set[int]) -> bool:
    """Whether a field of data[offset:stop] may start or end with a blank: any blank but a
    space in the body (`odd`: the bytes of _ODD it holds), or a space beside a separator or
    a line end."""
    if odd & set(BLANKS) - {NEWLINE, 32}:
        return True
    raw = np.frombuffer(data, dtype=np.uint8, count=stop - offset, offset=offset)
    if not len(raw):
        return False
    if raw[0] == 32 or raw[-1] == 32:
        return True
    separator, beside = np.empty(_BLOCK + 1, dtype=bool), np.empty(_BLOCK + 1, dtype=bool)
    for part, space in _blocks(raw, overlap=1):
        if not np.equal(part, 32, out=space).any():
            continue
        sep = separator[:len(part)]
        np.logical_or(np.equal(part, delimiter, out=sep), np.equal(part, NEWLINE, out=beside[:len(part)]), out=sep)
        pair = beside[:len(part) - 1]
        if np.logical_and(space[1:], sep[:-1], out=pair).any() or np.logical_and(space[:-1], sep[1:], out=pair).any():
            return True
    return False


def read_fixed(data: bytes, offset: int, header_line: int, delimiter: str, width: int,
               numbers: Collection[int] = ()) -> FixedTable | None:
    """The fields of data[offset:] (the rows after the header's `header_line` lines) split
    by numpy's C tokenizer, when the file is plain (no quote, no NUL, no lone CR, no blank
    line inside, every row `width` fields) and no field is longer than MAX_WIDTH bytes;
    None otherwise. The columns in `numbers` (lat, lon) are parsed as decimals by the
    tokenizer itself when every field of theirs is one (else read as text, as the others)."""
    stop = len(data)
    while stop > offset and data[stop - 1] in b"\r\n \t":  # blank lines at the end: dropped
        stop -= 1
    start = max(offset - 1, 0)
    if stop <= offset or width < 2:
        return None
    odd, newlines = _odd_bytes(data, start, stop)
    if {ord('"'), 0} & odd:
        return None
    if 13 in odd and data.count(b"\r", start, stop) != data.count(b"\r\n", start, stop):
        return None
    longest = _sample_widths(data, offset, stop, delimiter.encode(), width)
    if longest is None:
        return None
    widths = np.minimum(longest + longest // 2 + 8, MAX_WIDTH + 1)
    source = data if data[stop:] in (b"", b"\n", b"\r\n") else data[:stop]  # (one line end: the tokenizer's too)

    def tokens(dtype, usecols=None) -> np.ndarray:
        return np.loadtxt(io.BytesIO(source), delimiter=delimiter, skiprows=header_line, comments=None,
                          quotechar=None, ndmin=1, dtype=dtype, usecols=usecols)

    numbers = sorted(j for j in numbers if 0 <= j < width)
    while True:
        text = [f"S{w}" for w in widths]
        try:
            try:
                rows = tokens([(f"f{j}", "f8" if j in numbers else t) for j, t in enumerate(text)])
            except ValueError:  # a ragged row, or a number column holding something else
                if not numbers:
                    raise
                numbers = []
                rows = tokens([(f"f{j}", t) for j, t in enumerate(text)])
        except ValueError:  # a ragged row
            return None
        if len(rows) != newlines - data[start:offset].count(b"\n") + 1:
            return None  # the tokenizer skipped a blank line: the line numbers would be wrong
        matrix = rows.view(np.uint8).reshape(len(rows), -1)
        ends = [rows.dtype.fields[f"f{j}"][1] + w - 1 for j, w in enumerate(widths) if j not in numbers]
        full = np.zeros(width, dtype=bool)
        full[[j for j in range(width) if j not in numbers]] = matrix[:, ends].any(axis=0)  # a field filling its width
        if not full.any():
            rare = any(c > 13 and c != 32 for c in odd & set(BLANKS))
            return FixedTable([rows[f"f{j}"] for j in range(width)], rare,
                              rare or _blank_at_field_end(data, offset, stop, ord(delimiter), odd),
                              functools.cache(lambda j: _text_column(tokens, j, int(widths[j]))))
        if (widths[full] > MAX_WIDTH).any():
            return None  # a field longer than MAX_WIDTH: split_plain takes it
        widths = np.where(full, np.minimum(widths * 4, MAX_WIDTH + 1), widths)  # (a field may be cut: wider)


def _text_column(tokens: Callable, j: int, w: int) -> np.ndarray:
    """Column j of the tokenizer's rows as text (S<w>), wider until no field fills it."""
    while True:
        column = tokens(f"S{w}", usecols=j)
        if w > MAX_WIDTH or not column.view(np.uint8).reshape(len(column), w)[:, -1].any():
            return column
        w = min(w * 4, MAX_WIDTH + 1)


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
    plain: PlainTable | FixedTable | None = None
    keep: np.ndarray | None = None        # plain: the rows that are not blank
    columns: list[list[str]] | None = None  # otherwise
    ascii: bool = False                     # plain: the file is ASCII (a byte a character, nothing to decode)

    def __len__(self) -> int:
        return len(self.lines)

    def __post_init__(self) -> None:
        self._stripped: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _column(self, j: int) -> Column | FixedColumn:
        c = self.plain.column(j)
        if self.keep is None:
            return c
        return FixedColumn(c.raw[self.keep], c.rare_blanks, c.padded) if isinstance(c, FixedColumn) else \
            Column(c.raw, c.start[self.keep], c.end[self.keep])

    def strings(self, j: int) -> np.ndarray:
        """Column j as a StringDType array (blanks stripped)."""
        if self.plain is None:
            return strings(self.columns[j])
        fixed, _, odd = self._fixed(j)
        out = fixed.astype(STRING) if self.ascii else decode(fixed)
        if len(odd):
            out[odd] = self._column(j).texts_at(odd)
        return out

    def categorical(self, j: int) -> Categorical:
        """Column j as a Categorical (a column of few distinct values: a million units of two
        sides are two strings and a byte a row)."""
        if self.plain is None:
            return Categorical.of(self.columns[j])
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
        numbers = self.plain.numbers(j) if isinstance(self.plain, FixedTable) else None
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
