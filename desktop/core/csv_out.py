"""CSV written from columns by numpy, a chunk of rows at a time, byte for byte what the csv
module writes (QUOTE_MINIMAL, "\\n" line ends) with floats as repr(np.round(x, k)).

The csv module's writer takes a Python object per field and formats every float in
Python: 7 s of a million-unit report. Here each column of a chunk becomes fixed-width
records: a row's text padded with NUL bytes, which may also stand *inside* a field (a
float's leading zeros, say). Text is encoded once per column (a Categorical's once per
category); a float's digits are looked up in a table four at a time. The records are
copied into the rows of a byte matrix between the commas, a block of rows at a time (small
enough to stay in the core's cache), and a boolean mask squeezes the NUL bytes out: the
block's text. A category that must be quoted is quoted once, by the csv module; a chunk
holding any other field that must be, or a NUL character, goes through the csv module.
Chunks are formatted on the cores a few ahead of the one being written (numpy releases
the GIL for all of it), and their bytes go to the stream's binary buffer when it has one
(no decoding and encoding again).
"""
from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass
from enum import IntEnum
from typing import BinaryIO, TextIO

import numpy as np

from desktop.core.parallel import MIN_ROWS, in_order
from desktop.core.text_columns import STRING, Categorical

_CHUNK = 1 << 16  # rows formatted at once, on one core
_BLOCK = 1 << 12  # rows laid out and squeezed at once: about half a MB, in the core's cache
_QUOTED = (44, 34, 10, 13)  # , " \n \r: a field holding one goes through the csv module
_BOOLEANS = np.array([b"false", b"true"])


@dataclass(frozen=True)
class Decimals:
    """A float column written as repr(np.round(value, places)) ("38.58915", "-0.0"), places
    >= 0; NaN and infinities are empty fields."""

    values: np.ndarray
    places: int

    def __getitem__(self, rows) -> "Decimals":
        return Decimals(self.values[rows], self.places)

    def __len__(self) -> int:
        return len(self.values)


class _NeedsModule(Exception):
    """A chunk numpy cannot write as the csv module would (a field to quote, a NUL
    character): use the module."""


def _matrix(fixed: np.ndarray) -> np.ndarray:
    """Fixed-width records (S<w>, V<w>) as their (rows, w) bytes."""
    fixed = np.ascontiguousarray(fixed)
    return fixed.view(np.uint8).reshape(len(fixed), fixed.dtype.itemsize)


class _Variant(IntEnum):
    """How a group of digits is written: in full, or without its leading (trailing) zeros,
    all of them or all but the last (first) digit."""

    FULL = 0
    NO_LEADING = 1
    NO_LEADING_BUT_LAST = 2
    NO_TRAILING = 3
    NO_TRAILING_BUT_FIRST = 4


def _group_texts(digits: int, point: bool = False) -> np.ndarray:
    """The text of each group of `digits` digits (0 to 10**digits - 1) as a little-endian
    uint32, NUL where nothing is written, in the five variants of _Variant: group g of
    variant v at v * 10**digits + g. With `point`, a "." before the digits when any is."""
    g = np.arange(10 ** digits)
    place = 10 ** np.arange(digits - 1, -1, -1)
    text = (g[:, None] // place % 10 + ord("0")).astype(np.uint8)
    from_first = g[:, None] // place != 0  # a nonzero digit here or before
    to_last = g[:, None] % (place * 10) != 0  # a nonzero digit here or after
    last, first = place == 1, place == place[0]
    tables = []
    for kept in (np.ones_like(from_first), from_first, from_first | last, to_last, to_last | first):
        chars = text * kept
        if point:
            chars = np.column_stack([np.where(kept[:, 0], ord("."), 0).astype(np.uint8), chars])
        tables.append(chars.view("<u4").reshape(-1))  # (digits + point == 4)
    return np.concatenate(tables)


_DIGITS = (_group_texts(4), 10 ** 4)  # (texts, values) of a group of four digits
_POINT_DIGITS = (_group_texts(3, point=True), 10 ** 3)  # the fraction's first group: ".ddd"


def _groups(v: np.ndarray, count: int) -> np.ndarray:
    """(rows, count) 4-digit groups of each v < 10**(4 * count), the most significant first."""
    out = np.empty((len(v), count), dtype=np.int64)
    for j in range(count - 1, 0, -1):
        rest = v // 10 ** 4
        out[:, j] = v - rest * 10 ** 4
        v = rest
    out[:, 0] = v
    return out


def _write_digits(groups: np.ndarray, tables: list, leading: bool, keep: np.ndarray, out: np.ndarray) -> None:
    """Write the text of rows of digit groups, each group looked up in its table of
    _group_texts, into `out` (rows, groups) uint32: without the leading zeros, the last
    digit kept where `keep`; or without the trailing zeros, the first digit kept where
    `keep`. A group after a nonzero one is written in full."""
    count = groups.shape[1]
    order = range(count) if leading else range(count - 1, -1, -1)
    plain, edge = ((_Variant.NO_LEADING, _Variant.NO_LEADING_BUT_LAST) if leading
                   else (_Variant.NO_TRAILING, _Variant.NO_TRAILING_BUT_FIRST))
    seen = None  # a nonzero group before this one, in that order
    for j in order:
        g = groups[:, j]
        variant = np.where(keep, edge, plain) if j == order[-1] else plain
        if seen is not None:
            variant = np.where(seen, _Variant.FULL, variant)
        texts, values = tables[j]
        out[:, j] = np.take(texts, g + variant * values)
        seen = g != 0 if seen is None else seen | (g != 0)


def _decimal_records(column: Decimals) -> np.ndarray:
    """Records of a Decimals column, NUL where no character stands: the rounded value's
    shortest repr, its digits looked up four at a time. np.round(x, k) is the double
    nearest to N / 10**k for an integer N; when N has at most 15 digits no other decimal
    of as few digits reads back as that double, so N / 10**k, trailing zeros dropped (one
    kept after the point), is the shortest text that does. A record: the sign, the integer
    part's groups (right-aligned), the point and the fraction's groups (left-aligned: "."
    and 3 digits, then 4 at a time, so that 3 and 7 places fill their groups)."""
    k = column.places
    with np.errstate(over="ignore", invalid="ignore"):  # (huge values: written by repr below)
        r = np.round(np.asarray(column.values, dtype=float), k)
        a = np.abs(r)
        fast = (a * 10.0 ** k < 1e15) & ((a >= 1e-4) | (a == 0))  # (NaN, infinities: False)
    scaled = np.rint(np.where(fast, a, 0.0) * 10.0 ** k).astype(np.int64)
    unit = 10 ** min(k, 18)  # (more places: every N < 10**15 is all fraction)
    whole = scaled // unit
    ints, fractions = max(1, -(-len(str(int(whole.max(initial=0)))) // 4)), (k + 4) // 4
    frac = (scaled - whole * unit) * 10 ** (4 * fractions - 1 - k)
    rec = np.empty(len(r), dtype=[("sign", "u1"), ("whole", "<u4", (ints,)), ("fraction", "<u4", (fractions,))])
    rec["sign"] = np.where(np.signbit(r) & fast, ord("-"), 0)
    _write_digits(_groups(whole, ints), [_DIGITS] * ints, True, fast, rec["whole"])
    _write_digits(_groups(frac, fractions), [_POINT_DIGITS] + [_DIGITS] * (fractions - 1), False, fast,
                  rec["fraction"])
    out = rec.view(np.uint8).reshape(len(r), rec.dtype.itemsize)
    odd = np.flatnonzero(np.isfinite(r) & ~fast)
    if len(odd):  # 16 digits and more, or an exponent: repr's own text
        texts = np.array([repr(v).encode() for v in r[odd].tolist()])
        out = np.pad(out, ((0, 0), (max(texts.dtype.itemsize - out.shape[1], 0), 0)))
        out[odd] = 0
        out[odd, :texts.dtype.itemsize] = _matrix(texts)
    return out.view(f"V{out.shape[1]}").reshape(-1)


def _text(values) -> np.ndarray:
    """A column of text (StringDType, objects: None empty, others as str()) as StringDType."""
    a = np.asarray(values)
    if a.dtype == STRING:
        return a
    if a.dtype == object and len(a) and (a == None).any():  # noqa: E711 - elementwise
        a = np.where(a == None, "", a)  # noqa: E711
    return a.astype(STRING)


def _encoded(text: np.ndarray) -> np.ndarray:
    """A StringDType column as S<w> UTF-8; _NeedsModule when a value holds a NUL character
    (squeezing the NUL bytes out would drop it)."""
    if not len(text):
        return np.empty(0, dtype="S1")
    chars = np.strings.str_len(text)
    try:
        fixed = text.astype(f"S{max(int(chars.max()), 1)}")  # ASCII: a byte a character
    except UnicodeEncodeError:
        items = [v.encode("utf-8") for v in text.tolist()]
        if any(b"\0" in v for v in items):
            raise _NeedsModule from None
        return np.array(items)
    if np.count_nonzero(_matrix(fixed)) != chars.sum():
        raise _NeedsModule
    return fixed


def _quoted_bytes(fixed: np.ndarray) -> np.ndarray:
    """(rows, w): where UTF-8 text (S<w>) holds a byte the csv module quotes a field for
    (byte comparisons: a lookup table over every byte cost ten times as much)."""
    b = _matrix(fixed)
    found = b == _QUOTED[0]
    for c in _QUOTED[1:]:
        found |= b == c
    return found


def _unquoted(fixed: np.ndarray) -> np.ndarray:
    """UTF-8 text as it is; _NeedsModule when a value must be quoted."""
    if _quoted_bytes(fixed).any():
        raise _NeedsModule
    return fixed


def _field_text(value: str) -> str:
    """`value` as the csv module writes it in a row: quoted when it must be."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([value, ""])
    return out.getvalue()[:-2]  # (less the comma and the empty field after it, and the line end)


def _category_records(categories: np.ndarray) -> np.ndarray:
    """A Categorical's categories as UTF-8, those that need it quoted by the csv module
    itself (a sector named "North, upper" keeps its column on numpy's way)."""
    fixed = _encoded(categories.astype(STRING))
    quoted = _quoted_bytes(fixed).any(axis=1)
    if quoted.any():
        texts = [_field_text(v) if q else v for v, q in zip(categories.tolist(), quoted.tolist())]
        fixed = _encoded(np.array(texts, dtype=STRING))
    return fixed


def _records(column) -> np.ndarray:
    """A column of a chunk as fixed-width records (S<w> or V<w>), NUL where no character
    stands: floats as above; an S array taken as the UTF-8 it is; other text encoded; a
    Categorical's categories and the booleans' true/false encoded once and indexed.
    _NeedsModule for a field to quote (but a category) or a NUL character."""
    if isinstance(column, Decimals):
        return _decimal_records(column)
    if isinstance(column, Categorical):
        if not len(column.categories):
            return np.zeros(len(column), dtype="S1")
        return np.take(_category_records(column.categories), column.codes)
    a = np.asarray(column)
    if a.dtype == bool:
        return np.take(_BOOLEANS, a.view(np.uint8))
    if a.dtype.kind == "S":
        if np.count_nonzero(_matrix(a)) != np.strings.str_len(a).sum():
            raise _NeedsModule  # a NUL inside a value
        return _unquoted(a)
    return _unquoted(_encoded(_text(a)))


def _lines(fields: list[np.ndarray]) -> list[np.ndarray]:
    """The rows of records joined by commas, one line each, the NUL bytes squeezed out: a
    uint8 array of text per block of rows. A block's rows are laid out in one reused byte
    matrix (its commas and line ends written once); each field is one strided copy of
    whole records into it (no loop over rows in numpy's copy)."""
    n = len(fields[0])
    widths = [f.dtype.itemsize for f in fields]
    rows = np.empty((min(n, _BLOCK), sum(widths) + len(fields)), dtype=np.uint8)
    places, at = [], 0
    for field, w in zip(fields, widths):
        layout = np.dtype({"names": ["f"], "formats": [f"V{w}"], "offsets": [at], "itemsize": rows.shape[1]})
        places.append((rows.view(layout)["f"][:, 0], np.ascontiguousarray(field).view(f"V{w}")))
        rows[:, at + w] = 44
        at += w + 1
    rows[:, -1] = 10
    out = []
    for a in range(0, n, _BLOCK):
        b = min(a + _BLOCK, n)
        for place, records in places:
            place[:b - a] = records[a:b]
        text = rows[:b - a].reshape(-1)
        out.append(text[text != 0])  # (numpy's mask releases the GIL; bytes.translate does not)
    return out


def _byte_stream(out: TextIO) -> BinaryIO | None:
    """The binary stream under `out` when bytes written there are what the text would have
    been: a TextIOWrapper encoding UTF-8 on a system whose line end is "\\n" (its newline
    translation then leaves "\\n" alone; csv files are opened with newline="", as the csv
    module asks). None for others (io.StringIO; Windows, where newline=None writes
    "\\r\\n")."""
    if not isinstance(out, io.TextIOWrapper) or os.linesep != "\n":
        return None
    try:
        return out.buffer if codecs.lookup(out.encoding).name == "utf-8" else None
    except LookupError:
        return None


def write_rows(out: TextIO, header: tuple[str, ...], columns: list) -> int:
    """Write the header and the rows of `columns`: arrays of text (StringDType or objects),
    Categorical, arrays of UTF-8 bytes (S, e.g. a few values encoded once and indexed), of
    bool, or Decimals."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    binary = _byte_stream(out)
    n = len(columns[0])
    chunks = ([c[a:a + _CHUNK] for c in columns] for a in range(0, n, _CHUNK))
    for part, lines in in_order(lambda part: (part, _chunk_lines(part)), chunks, parallel=n >= MIN_ROWS):
        if lines is None:
            writer.writerows(zip(*(_as_text(c) for c in part)))  # quoting (or a NUL): the csv module's way
        elif binary is not None:
            out.flush()  # (the text before: the header, chunks the csv module wrote)
            binary.writelines(lines)
        else:
            out.write(b"".join(lines).decode("utf-8"))
    return n


def _chunk_lines(part: list) -> list[np.ndarray] | None:
    """The rows of a chunk as UTF-8 text (a few arrays of it), numpy's way; None when a
    field needs quoting or holds a NUL character, or a row of one column is empty (the
    csv module writes "" there): the csv module writes those."""
    try:
        fields = [_records(c) for c in part]
    except _NeedsModule:
        return None
    if len(fields) == 1 and not _matrix(fields[0]).any(axis=1).all():
        return None
    return _lines(fields)


def _as_text(column) -> list:
    """A column as the csv module is given it: str, "" for None and NaN, true/false."""
    if isinstance(column, Decimals):
        with np.errstate(over="ignore", invalid="ignore"):
            r = np.round(np.asarray(column.values, dtype=float), column.places)
        return [repr(v) if np.isfinite(v) else "" for v in r.tolist()]
    if isinstance(column, Categorical):
        return column.tolist()
    a = np.asarray(column)
    if a.dtype == bool:
        return ["true" if v else "false" for v in a.tolist()]
    if a.dtype.kind == "S":
        return [v.decode("utf-8") for v in a.tolist()]
    return ["" if v is None else str(v) for v in a.tolist()]
