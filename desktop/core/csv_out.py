"""CSV written from columns by numpy, a chunk of rows at a time, byte for byte what the csv
module writes (QUOTE_MINIMAL, "\\n" line ends) with floats as repr(np.round(x, k)).

The csv module's writer takes a Python object per field and formats every float in
Python: 7 s of a million-unit report. Here each column becomes one fixed-width byte array
(text encoded once, floats formatted with integer arithmetic), and the rows are scattered
into one buffer. A chunk holding a field that must be quoted goes through the csv module.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TextIO

import numpy as np

_CHUNK = 1 << 16
_QUOTE_IF = (44, 34, 10, 13)  # , " \n \r: a field holding one is quoted


@dataclass(frozen=True)
class Decimals:
    """A float column written as repr(np.round(value, places)) ("38.58915", "-0.0"); NaN is
    an empty field."""

    values: np.ndarray
    places: int


def _digits(n: np.ndarray, width: int) -> np.ndarray:
    """(rows, width) ASCII digits of non-negative integers, right-aligned, zero-padded."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((n[:, None] // powers) % 10 + 48).astype(np.uint8)


def _decimal_bytes(column: Decimals) -> np.ndarray:
    """S<w> texts of a Decimals column: the rounded value's shortest repr. np.round(x, k) is
    the double nearest to an integer over 10**k, so that decimal, trailing zeros dropped
    (one kept after the point), is the shortest text that reads back as it."""
    k = column.places
    with np.errstate(over="ignore", invalid="ignore"):  # (huge values: written by repr below)
        r = np.round(np.asarray(column.values, dtype=float), k)
        finite = np.isfinite(r)
        exact = finite & (np.abs(r) * 10.0 ** k < 2.0 ** 53)  # integer arithmetic holds these exactly
    whole, frac = np.divmod(np.rint(np.abs(np.where(exact, r, 0.0)) * 10.0 ** k).astype(np.int64), 10 ** k)
    wide = len(str(int(whole.max(initial=0))))
    int_digits, frac_digits = _digits(whole, wide), _digits(frac, k)
    int_len = np.where(whole > 0, wide - (int_digits != 48).argmax(axis=1), 1)
    nonzero = frac_digits != 48
    frac_len = np.where(nonzero.any(axis=1), k - nonzero[:, ::-1].argmax(axis=1), 1)
    sign = (np.signbit(r) & finite).astype(np.int64)
    n, width = len(r), 1 + wide + 1 + k
    out = np.zeros((n, width), dtype=np.uint8)
    rows = np.arange(n)
    out[sign == 1, 0] = 45
    j = np.arange(wide)
    src = np.minimum(wide - int_len[:, None] + j, wide - 1)  # the significant integer digits ...
    keep = j < int_len[:, None]
    out[np.broadcast_to(rows[:, None], keep.shape)[keep], (sign[:, None] + j)[keep]] = \
        np.take_along_axis(int_digits, src, axis=1)[keep]  # ... after the sign
    point = sign + int_len
    out[rows, point] = 46
    j = np.arange(k)
    keep = j < frac_len[:, None]
    out[np.broadcast_to(rows[:, None], keep.shape)[keep], (point[:, None] + 1 + j)[keep]] = frac_digits[keep]
    out[~finite] = 0
    texts = out.view(f"S{width}").ravel()
    odd = np.flatnonzero(finite & (~exact | ((r != 0) & (np.abs(r) < 1e-4))))  # too big; repr's exponent form
    if len(odd):
        texts = texts.astype(f"S{max(width, 24)}")
        texts[odd] = [repr(v).encode() for v in r[odd].tolist()]
    return texts


class _NeedsModule(Exception):
    """A chunk numpy cannot write as the csv module would (a NUL character): use the module."""


def _text_bytes(values: np.ndarray) -> np.ndarray:
    """S<w> UTF-8 of a column of str (None: empty; other objects as str())."""
    values = np.asarray(values, dtype=object)
    if len(values) and (values == None).any():  # noqa: E711 - elementwise
        values = np.where(values == None, "", values)  # noqa: E711
    try:
        texts = values.astype("S")  # (ASCII: a character a byte)
        chars = np.fromiter(map(len, map(str, values.tolist())), dtype=np.int64, count=len(values))
    except UnicodeEncodeError:
        encoded = [str(v).encode("utf-8") for v in values.tolist()]
        texts = np.array(encoded)
        chars = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    if (np.strings.str_len(texts) != chars).any():
        raise _NeedsModule  # a trailing NUL, which a byte string drops
    return texts


def field_bytes(column) -> tuple[np.ndarray, bool]:
    """(S<w> texts of a column, whether they may hold a character that needs quoting):
    floats and booleans never do; an S array is taken as the UTF-8 it is."""
    if isinstance(column, Decimals):
        return _decimal_bytes(column), False
    a = np.asarray(column)
    if a.dtype == bool:
        return np.where(a, b"true", b"false"), False
    return (a if a.dtype.kind == "S" else _text_bytes(a)), True


def _needs_quotes(texts: np.ndarray) -> bool:
    return bool(np.isin(texts.view(np.uint8), _QUOTE_IF).any())


def _join(fields: list[np.ndarray]) -> bytes:
    """The rows of byte columns joined by commas, one line each."""
    lengths = [np.strings.str_len(f) for f in fields]
    n = len(fields[0])
    line = sum(lengths) + len(fields)
    buf = np.empty(int(line.sum()), dtype=np.uint8)
    pos = np.cumsum(line) - line
    for k, (f, length) in enumerate(zip(fields, lengths)):
        w = f.dtype.itemsize
        mask = np.arange(w) < length[:, None]
        buf[(pos[:, None] + np.arange(w))[mask]] = f.view(np.uint8).reshape(n, w)[mask]
        pos = pos + length
        buf[pos] = 44 if k < len(fields) - 1 else 10
        pos += 1
    return buf.tobytes()


def write_rows(out: TextIO, header: tuple[str, ...], columns: list) -> int:
    """Write the header and the rows of `columns`: arrays of str (objects), of UTF-8 bytes
    (S, e.g. a few values encoded once and indexed), of bool, or Decimals."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    n = len(columns[0].values if isinstance(columns[0], Decimals) else columns[0])
    for a in range(0, n, _CHUNK):
        part = [Decimals(c.values[a:a + _CHUNK], c.places) if isinstance(c, Decimals) else c[a:a + _CHUNK]
                for c in columns]
        try:
            fields = [field_bytes(c) for c in part]
            if not any(text and _needs_quotes(f) for f, text in fields):
                out.write(_join([f for f, _ in fields]).decode("utf-8"))
                continue
        except _NeedsModule:
            pass
        writer.writerows(zip(*(_as_text(c) for c in part)))  # quoting (or a NUL): the csv module's way
    return n


def _as_text(column) -> list:
    """A column as the csv module is given it: str, "" for None and NaN, true/false."""
    if isinstance(column, Decimals):
        return [v.decode("utf-8") for v in _decimal_bytes(column).tolist()]
    a = np.asarray(column)
    if a.dtype == bool:
        return ["true" if v else "false" for v in a.tolist()]
    if a.dtype.kind == "S":
        return [v.decode("utf-8") for v in a.tolist()]
    return ["" if v is None else str(v) for v in a.tolist()]
