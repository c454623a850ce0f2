"""A plain CSV table split into columns by Apache Arrow's C++ CSV reader, on every core.

numpy's tokenizer (the reader before this one) held the GIL on one core for 0.3 s of a
million-row file; Arrow splits the same file in about 0.1 s on two cores, its decimals
parsed by fast_float (correctly rounded, as Python's float()), its columns of few values
(sides, affiliations) dictionary-encoded as it goes. Arrow is told as little as possible
so that what it returns means what the csv module would have read: no quoting, no null
value, no UTF-8 check (_read_bytes made it), no empty line skipped (a blank line is a row
of empty fields, left out later as the csv module's way leaves it out: the line numbers
stay right). Text stays Arrow's bytes until asked for; stripping blanks as str.strip()
does is ours (csv_columns).

Only files the csv module would read the same way come here: no quote, no NUL, no lone
carriage return (Arrow ends a line there, the csv module does not).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from desktop.core.importers.csv_columns import MAX_WIDTH, Column, blank_rows, stripped_matrix
from desktop.core.text_columns import Categorical, code_dtype

_FEW_CODED = 4096  # distinct fields of a coded column looked at one by one for its categories
_BLOCK_BYTES = 1 << 22  # what one of Arrow's threads splits at a time (its default, 1 MiB, a little slower; 8 MiB no faster)


@functools.cache
def arrow():
    """pyarrow, imported on first use (≈50 ms of start-up only for those who read a CSV),
    allocating with malloc: what a read frees goes back to the system with the rest when
    the window rests (desktop.core.freed_memory); Arrow's own allocator kept ≈90 MB of a
    million-row read."""
    import pyarrow as pa
    pa.set_memory_pool(pa.system_memory_pool())
    return pa


class ArrowColumn(Column):
    """A text column as Arrow read it: the fields' bytes one after another in one buffer
    (Column's raw, start and end) and, for an ASCII file, the Arrow array itself, padded to
    a fixed width by Arrow (a gather of a million fields costs numpy 50 ms, Arrow 8)."""

    def __init__(self, array, ascii_text: bool) -> None:
        _, offsets, values = array.buffers()
        ends = np.frombuffer(offsets, dtype=np.int32)[array.offset:array.offset + len(array) + 1]
        raw = np.frombuffer(values, dtype=np.uint8) if values is not None else np.zeros(0, dtype=np.uint8)
        super().__init__(raw, ends[:-1], ends[1:])
        object.__setattr__(self, "array", array if ascii_text else None)

    def fixed(self) -> tuple[np.ndarray, np.ndarray]:
        length = self.end - self.start
        w = int(length.max(initial=0))
        if self.array is None or w > MAX_WIDTH or not w:
            return super().fixed()
        pa = arrow()
        from pyarrow import _compute  # (pyarrow.compute wraps 286 kernels on import: 50 ms)
        text = pa.Array.from_buffers(pa.string(), len(self.array), self.array.buffers(), offset=self.array.offset)
        padded = _compute.call_function("ascii_rpad", [text], _compute.PadOptions(w, padding="\0"))  # (a byte a character)
        matrix = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[:len(padded) * w].reshape(-1, w)
        fixed = stripped_matrix(matrix.copy()) if self.padded() else matrix.view(f"S{w}").ravel()
        return fixed, np.zeros(len(fixed), dtype=bool)


@dataclass(frozen=True, eq=False)
class CodedColumn:
    """A column Arrow dictionary-encoded: a code per row into its distinct fields."""

    codes: np.ndarray
    values: ArrowColumn  # (the distinct fields, as the file has them: unstripped)

    def __len__(self) -> int:
        return len(self.codes)

    def fixed(self) -> tuple[np.ndarray, np.ndarray]:
        """(the fields stripped of blanks, as S<w>; mask of fields too long: see Column)."""
        fixed, too_long = self.values.fixed()
        return fixed[self.codes], too_long[self.codes]

    def texts_at(self, rows) -> list[str]:
        return self.values.texts_at(self.codes[np.asarray(rows, dtype=np.intp)].tolist())

    def rows(self, keep: np.ndarray) -> "CodedColumn":
        return CodedColumn(self.codes[keep], self.values)

    def categorical(self) -> Categorical | None:
        """The column as a Categorical (fields that differ only by blanks are one category);
        None when it has too many distinct fields to look at one by one."""
        n = len(self.values)
        if n > _FEW_CODED:
            return None
        texts = self.values.texts_at(range(n))
        cats = list(dict.fromkeys(texts))
        category = {t: k for k, t in enumerate(cats)}
        remap = np.array([category[t] for t in texts] or [0], dtype=code_dtype(len(cats)))
        return Categorical(remap[self.codes], cats)


@dataclass(frozen=True, eq=False)
class ArrowTable:
    """The rows of a plain file as columns: ArrowColumn for text, CodedColumn for the
    columns asked for as categories, float64 for the columns parsed as numbers (read again
    as text when asked)."""

    columns: list
    reread: Callable[[int], ArrowColumn]  # (j -> column j as text)

    def __len__(self) -> int:
        return len(self.columns[0])

    def numbers(self, j: int) -> np.ndarray | None:
        c = self.columns[j]
        return c if isinstance(c, np.ndarray) else None

    def column(self, j: int):
        c = self.columns[j]
        return self.reread(j) if isinstance(c, np.ndarray) else c

    def blank_rows(self, delimiter: str) -> np.ndarray:
        """Rows of blank fields only (csv_columns.blank_rows); none when a column holds
        numbers (a blank field is none)."""
        if any(isinstance(c, np.ndarray) for c in self.columns):
            return np.zeros(len(self), dtype=bool)
        return blank_rows(self.columns[0], lambda i: "".join(c.texts_at([i])[0] for c in self.columns))


def read_arrow(data: bytes, offset: int, delimiter: str, width: int, numbers: Collection[int] = (),
               few: Collection[int] = (), ascii_text: bool = False) -> ArrowTable | None:
    """The fields of data[offset:] (the rows after the header) when the file is plain (no
    quote, no NUL, no lone CR, every line `width` fields or none); None otherwise. The
    columns in `numbers` (lat, lon) are parsed as decimals when every field of theirs is
    one (else read as text, as the others); those in `few` are encoded."""
    stop = len(data)
    while stop > offset and data[stop - 1] in b"\r\n \t":  # blank lines at the end: dropped
        stop -= 1
    if stop <= offset or width < 2:
        return None
    if data.find(b'"', offset, stop) >= 0 or data.find(b"\0", offset, stop) >= 0:
        return None  # (single bytes: memchr, a few ms for 60 MB; a two-byte find took 40)
    if data.find(b"\r", offset, stop) >= 0 and data.count(b"\r", offset, stop) != data.count(b"\r\n", offset, stop):
        return None
    try:
        pa = arrow()
    except ImportError:  # (a broken install: csv_columns' numpy splitter reads the file, slower)
        return None
    source = pa.py_buffer(data)[offset:stop]
    numbers = {j for j in numbers if 0 <= j < width}
    few = {j for j in few if 0 <= j < width} - numbers

    def read(numbers, only=None) -> list:
        return _read(source, delimiter, width, numbers, few, ascii_text, only)

    try:
        try:
            columns = read(numbers)
        except pa.ArrowInvalid:  # a ragged row, or a number column holding something else
            if not numbers:
                raise
            columns = read(set())
    except pa.ArrowException:  # a ragged row, a line longer than a block: the other splitters' way
        return None
    return ArrowTable(columns, functools.cache(lambda j: read(set(), only=j)[0]))


def _read(source, delimiter: str, width: int, numbers: set[int], few: set[int], ascii_text: bool,
          only: int | None) -> list:
    pa = arrow()
    import pyarrow.csv as pc
    names = [f"f{j}" for j in range(width)]
    types = {n: pa.float64() if j in numbers else pa.dictionary(pa.int32(), pa.binary()) if j in few else pa.binary()
             for j, n in enumerate(names)}
    table = pc.read_csv(
        pa.BufferReader(source),
        read_options=pc.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
        parse_options=pc.ParseOptions(delimiter=delimiter, quote_char=False, double_quote=False,
                                      escape_char=False, newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pc.ConvertOptions(column_types=types, null_values=[], strings_can_be_null=False,
                                          check_utf8=False, include_columns=None if only is None else [names[only]]))
    return [_column(table.column(k), ascii_text) for k in range(table.num_columns)]


def _column(chunks, ascii_text: bool):
    pa = arrow()
    if pa.types.is_floating(chunks.type):
        return chunks.combine_chunks().to_numpy()
    if pa.types.is_dictionary(chunks.type):
        coded = chunks.unify_dictionaries().combine_chunks()
        return CodedColumn(coded.indices.to_numpy().astype(code_dtype(len(coded.dictionary))),
                           ArrowColumn(coded.dictionary, ascii_text))
    return ArrowColumn(chunks.combine_chunks(), ascii_text)
