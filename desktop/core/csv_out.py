"""CSV written from columns by numpy, a chunk of rows at a time, byte for byte what the csv
module writes (QUOTE_MINIMAL, "\\n" line ends) with floats as repr(np.round(x, k)).

The csv module's writer takes a Python object per field and formats every float in
Python: 7 s of a million-unit report. Here each column of a chunk becomes a byte matrix
(a row per unit, its text padded with NUL bytes, which may also stand *inside* a field:
a float's leading zeros, say), the columns are laid side by side with the commas and line
ends, and the NUL bytes are squeezed out in one pass: the chunk's text. Text is encoded
once per column (a Categorical's once per category), floats are formatted with integer
arithmetic. A chunk holding a field that must be quoted, or a NUL character, goes through
the csv module. Chunks are formatted on the cores a few ahead of the one being written
(numpy's arithmetic releases the GIL).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from desktop.core.parallel import MIN_ROWS, in_order
from desktop.core.text_columns import STRING, Categorical

_CHUNK = 1 << 16
_NEEDS_QUOTES = np.isin(np.arange(256), (44, 34, 10, 13))  # , " \n \r: a field holding one is quoted


@dataclass(frozen=True)
class Decimals:
    """A float column written as repr(np.round(value, places)) ("38.58915", "-0.0"); NaN is
    an empty field."""

    values: np.ndarray
    places: int

    def __getitem__(self, rows) -> "Decimals":
        return Decimals(self.values[rows], self.places)

    def __len__(self) -> int:
        return len(self.values)


class _NeedsModule(Exception):
    """A chunk numpy cannot write as the csv module would (a NUL character): use the module."""


def _matrix(fixed: np.ndarray) -> np.ndarray:
    """An S<w> array as its (rows, w) bytes."""
    fixed = np.ascontiguousarray(fixed)
    return fixed.view(np.uint8).reshape(len(fixed), fixed.dtype.itemsize)


def _decimal_matrix(column: Decimals) -> np.ndarray:
    """(rows, w) bytes of a Decimals column with NUL where no character stands: the rounded
    value's shortest repr. np.round(x, k) is the double nearest to an integer over 10**k, so
    that decimal, trailing zeros dropped (one kept after the point), is the shortest text
    that reads back as it."""
    k = column.places
    with np.errstate(over="ignore", invalid="ignore"):  # (huge values: written by repr below)
        r = np.round(np.asarray(column.values, dtype=float), k)
        finite = np.isfinite(r)
        exact = finite & (np.abs(r) * 10.0 ** k < 2.0 ** 53)  # integer arithmetic holds these exactly
    scaled = np.rint(np.abs(np.where(exact, r, 0.0)) * 10.0 ** k).astype(np.int64)
    whole, frac = np.divmod(scaled, 10 ** k)
    wide = len(str(int(whole.max(initial=0))))
    places = max(k, 1)  # (k = 0: "35.0")
    out = np.zeros((len(r), 2 + wide + places), dtype=np.uint8)
    out[:, 0] = np.where(np.signbit(r), 45, 0)
    for p in range(wide):  # integer digits, leading zeros left out (the last one kept)
        unit = 10 ** (wide - 1 - p)
        out[:, 1 + p] = np.where((whole >= unit) | (unit == 1), whole // unit % 10 + 48, 0)
    out[:, 1 + wide] = 46
    for q in range(places):  # fraction digits, trailing zeros left out (the first one kept)
        unit = 10 ** (k - 1 - q) if q < k else 1
        digit = frac // unit % 10 if q < k else np.zeros_like(frac)
        rest = frac % (unit * 10) if q < k else digit
        out[:, 2 + wide + q] = np.where((rest != 0) | (q == 0), digit + 48, 0)
    out[~finite] = 0
    odd = np.flatnonzero(finite & (~exact | ((r != 0) & (np.abs(r) < 1e-4))))  # too big; repr's exponent form
    if len(odd):
        texts = np.array([repr(v).encode() for v in r[odd].tolist()])
        w = max(out.shape[1], texts.dtype.itemsize)
        out = np.pad(out, ((0, 0), (0, w - out.shape[1])))
        out[odd] = 0
        out[odd, :texts.dtype.itemsize] = _matrix(texts)
    return out


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


def field_bytes(column) -> tuple[np.ndarray, bool]:
    """((rows, w) bytes of a column, NUL where no character stands; whether they may hold a
    character that needs quoting): floats and booleans never do; an S array is taken as the
    UTF-8 it is; a Categorical's categories are encoded (and looked at) once."""
    if isinstance(column, Decimals):
        return _decimal_matrix(column), False
    if isinstance(column, Categorical):
        categories = _encoded(column.categories.astype(STRING)) if len(column.categories) else np.array([b""])
        return _matrix(categories[column.codes]), bool(_NEEDS_QUOTES[_matrix(categories)].any())
    a = np.asarray(column)
    if a.dtype == bool:
        return _matrix(np.where(a, b"true", b"false")), False
    if a.dtype.kind == "S":
        m = _matrix(a)
        if np.count_nonzero(m) != np.strings.str_len(a).sum():
            raise _NeedsModule  # a NUL inside a value
        return m, True
    return _matrix(_encoded(_text(a))), True


def _join(fields: list[np.ndarray]) -> bytes:
    """The rows of byte matrices joined by commas, one line each, the NUL bytes squeezed out."""
    n = len(fields[0])
    comma, newline = np.full((n, 1), 44, dtype=np.uint8), np.full((n, 1), 10, dtype=np.uint8)
    parts = [p for f in fields for p in (f, comma)]
    parts[-1] = newline
    return np.concatenate(parts, axis=1).tobytes().translate(None, b"\0")  # (C's byte loop: faster than a mask)


def write_rows(out: TextIO, header: tuple[str, ...], columns: list) -> int:
    """Write the header and the rows of `columns`: arrays of text (StringDType or objects),
    Categorical, arrays of UTF-8 bytes (S, e.g. a few values encoded once and indexed), of
    bool, or Decimals."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    n = len(columns[0])
    chunks = ([c[a:a + _CHUNK] for c in columns] for a in range(0, n, _CHUNK))
    for part, text in in_order(lambda part: (part, _chunk_text(part)), chunks, parallel=n >= MIN_ROWS):
        if text is not None:
            out.write(text)
        else:
            writer.writerows(zip(*(_as_text(c) for c in part)))  # quoting (or a NUL): the csv module's way
    return n


def _chunk_text(part: list) -> str | None:
    """The rows of a chunk as text, numpy's way; None when a field needs quoting or holds a
    NUL character (the csv module writes those)."""
    try:
        fields = [field_bytes(c) for c in part]
    except _NeedsModule:
        return None
    if any(quotable and _NEEDS_QUOTES[f].any() for f, quotable in fields):
        return None
    return _join([f for f, _ in fields]).decode("utf-8")


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
