"""Text columns of a million rows without a Python object per value.

A Python `str` costs about 55 bytes plus an 8-byte pointer in an object array: a million
unit ids and names were 125 MB, and five more columns of pointers 40 MB. Here:

- `strings(values)`: NumPy's variable-width StringDType (16 bytes a value; strings of up
  to 15 bytes are stored inline, longer ones in the array's own arena). Ids and names.
- `Categorical`: a column of few distinct values (sides, affiliations, domains, echelons,
  symbol codes) as one small integer code per row into shared categories: a byte a row.
- `fixed_keys`, `StringIndex`, `repeats`: matching and duplicate checks by 64-bit hashes of
  the fixed-width text, verified against the text itself, all in numpy (no dict of a
  million strings).
"""
from __future__ import annotations

import numpy as np

STRING = np.dtypes.StringDType()
_ROWS = 1 << 16  # rows hashed at once (bounded temporaries for long strings)
_FEW = 16        # distinct values a column is compared with one by one rather than hashed
_SAMPLE = 4096   # rows looked at for those few values


def strings(values) -> np.ndarray:
    """`values` (a list, an object, U, S (UTF-8) or StringDType array) as a StringDType
    array; None is "", any other object its str()."""
    if isinstance(values, Categorical):
        return values.categories.astype(STRING)[values.codes]
    a = values if isinstance(values, np.ndarray) else np.array(values, dtype=object)
    if a.dtype == STRING:
        return a
    if a.dtype.kind == "S":
        return decode(a)
    if a.dtype == object and len(a):
        none = np.equal(a, None)
        if none.any():
            a = np.where(none, "", a)
    return a.astype(STRING)


def decode(fixed: np.ndarray) -> np.ndarray:
    """An S<w> array of UTF-8 as StringDType: ASCII directly, other UTF-8 through Python."""
    if not (np.ascontiguousarray(fixed).view(np.uint8) > 127).any():
        return fixed.astype(STRING)
    return np.array([x.decode("utf-8") for x in fixed.tolist()], dtype=STRING)


def encode(values: np.ndarray) -> np.ndarray:
    """A StringDType array as S<w> UTF-8: ASCII by a cast, other text through Python."""
    if not len(values):
        return np.empty(0, dtype="S1")
    width = max(int(np.strings.str_len(values).max()), 1)
    try:
        return values.astype(f"S{width}")
    except UnicodeEncodeError:
        return np.array([v.encode("utf-8") for v in values.tolist()])


def fixed_keys(fixed: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each value of a fixed-width (S or U) array, its bytes eight at a
    time, whatever the width. Equal values of one kind (S or U) have equal keys; unequal
    ones collide with probability ~2**-64."""
    w = fixed.dtype.itemsize
    words = -(-w // 8)
    out = np.empty(len(fixed), dtype=np.uint64)
    for a in range(0, len(fixed), _ROWS):
        part = fixed[a:a + _ROWS]
        padded = np.zeros((len(part), words * 8), dtype=np.uint8)
        padded[:, :w] = np.ascontiguousarray(part).view(np.uint8).reshape(len(part), w)
        h = np.zeros(len(part), dtype=np.uint64)
        for k, word in enumerate(padded.view("<u8").T):  # (zero words, the padding, left out: any width agrees)
            h = np.where(word != 0, (h ^ word) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(k + 1), h)
        out[a:a + _ROWS] = h ^ (h >> np.uint64(29))
    return out


def _compared(values: np.ndarray) -> np.ndarray:
    """Text as a fixed-width array to compare values of one column: S when it is ASCII (a
    byte a character), else U."""
    width = max(int(np.strings.str_len(values).max(initial=0)), 1)
    try:
        return values.astype(f"S{width}")
    except UnicodeEncodeError:
        return values.astype(f"U{width}")


def keys(values: np.ndarray) -> np.ndarray:
    """`fixed_keys` of the UTF-8 of a string array of any kind, so equal text has equal keys
    whatever its kind (S is taken as UTF-8; others encoded a chunk at a time: ASCII by a
    cast, a byte a character and a quarter of U's bytes to hash)."""
    values = strings(values) if values.dtype == object else values
    if not len(values):
        return np.empty(0, dtype=np.uint64)
    if values.dtype.kind == "S":
        return fixed_keys(values)
    return np.concatenate([fixed_keys(encode(values[a:a + _ROWS])) for a in range(0, len(values), _ROWS)])


class StringIndex:
    """The rows of a string column by value: its keys sorted once."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values
        k = keys(values)
        self.order = np.argsort(k, kind="stable")  # equal keys: first row first
        self.sorted = k[self.order]

    def rows_of(self, queries: np.ndarray, query_keys: np.ndarray | None = None) -> np.ndarray:
        """Row of each query (its first row), -1 where the column does not hold it.
        `query_keys`: keys(queries), when already made."""
        queries = strings(queries)
        q = keys(queries) if query_keys is None else query_keys
        pos = np.minimum(np.searchsorted(self.sorted, q), max(len(self.sorted) - 1, 0))
        rows = np.full(len(q), -1, dtype=np.int64)
        if not len(self.sorted):
            return rows
        hit = np.flatnonzero(self.sorted[pos] == q)
        cand = self.order[pos[hit]]
        same = self.values[cand] == queries[hit]
        rows[hit[same]] = cand[same]
        for i in hit[~same].tolist():  # a 64-bit collision: look at every row of that key
            lo, hi = np.searchsorted(self.sorted, q[i], side="left"), np.searchsorted(self.sorted, q[i], side="right")
            match = [r for r in self.order[lo:hi].tolist() if self.values[r] == queries[i]]
            rows[i] = min(match) if match else -1
        return rows


def repeats(values: np.ndarray, value_keys: np.ndarray | None = None) -> np.ndarray:
    """For each row, the first earlier row holding the same value, or -1. `value_keys`:
    keys(values), when already made."""
    values = strings(values) if not isinstance(values, np.ndarray) or values.dtype == object else values
    k = keys(values) if value_keys is None else value_keys
    first = np.full(len(values), -1, dtype=np.int64)
    s = np.sort(k)
    if not (s[1:] == s[:-1]).any():  # (all distinct, the usual answer: no stable sort needed)
        return first
    order = np.argsort(k, kind="stable")
    s = k[order]
    same = np.flatnonzero(s[1:] == s[:-1]) + 1  # (sorted position of a row whose key is not its group's first)
    if not len(same):
        return first
    group_start = np.maximum.accumulate(np.where(np.r_[True, s[1:] != s[:-1]], np.arange(len(s)), 0))
    earlier = order[group_start[same]]
    rows = order[same]
    equal = values[rows] == values[earlier]
    first[rows[equal]] = earlier[equal]
    for r in rows[~equal].tolist():  # a collision: compare with every earlier row of the key
        seen = np.flatnonzero(values[:r] == values[r])
        first[r] = seen[0] if len(seen) else -1
    return first


def _rows_equal(fixed: np.ndarray, values: np.ndarray):
    """For each of a few values, the mask of the rows of `fixed` (S or U) equal to it. S text
    is compared as 64-bit words (its width padded to a multiple of 8): a few integer
    comparisons a row instead of a string comparison."""
    if fixed.dtype.kind != "S":
        yield from (fixed == v for v in values)
        return
    width = -(-fixed.dtype.itemsize // 8) * 8
    words = fixed.astype(f"S{width}").view(np.uint64).reshape(len(fixed), width // 8)
    for value in np.asarray(values, dtype=f"S{width}").view(np.uint64).reshape(-1, width // 8):
        equal = words[:, 0] == value[0]
        for c in range(1, len(value)):
            equal &= words[:, c] == value[c]
        yield equal


def code_dtype(n: int) -> type:
    return np.uint8 if n <= 256 else np.uint16 if n <= 65536 else np.int32


class Categorical:
    """A text column of few distinct values: `codes` (a small unsigned integer per row)
    into `categories` (distinct str, an object array). It behaves as a 1-D array of str for
    what the code does with a unit column: == and != against a str or another column,
    indexing (an int gives a str, anything else a Categorical), len, iteration, tolist,
    np.asarray (an object array of the shared strings), astype, copy. A copy can be
    assigned to (a new value becomes a category); the table's own columns are read-only."""

    __slots__ = ("codes", "categories")
    ndim = 1
    dtype = np.dtype(object)

    def __init__(self, codes: np.ndarray, categories) -> None:
        self.codes = np.asarray(codes)
        self.categories = np.asarray(categories, dtype=object).reshape(-1)

    # -- building ------------------------------------------------------------------------
    @classmethod
    def of(cls, values) -> "Categorical":
        """Encode any column of text (None is ""; other objects their str())."""
        if isinstance(values, Categorical):
            return values
        if isinstance(values, list):  # (as read from a file: no array to make and take apart)
            a, items = None, values
        else:
            a = values if isinstance(values, np.ndarray) else np.array(values, dtype=object)
            if a.dtype.kind in "SU" or a.dtype == STRING:
                return cls._hashed(a)
            items = a.tolist()
        code_of = {v: k for k, v in enumerate(dict.fromkeys(items))}  # (C loops: no Python line per row)
        codes = np.fromiter(map(code_of.__getitem__, items), dtype=np.int64, count=len(items))
        cats = ["" if v is None else v if isinstance(v, str) else str(v) for v in code_of]
        if len(set(cats)) < len(cats):  # (two objects with one text, e.g. 1 and "1")
            return cls._hashed(np.array(cats, dtype=STRING))._take_codes(codes)
        return cls(codes.astype(code_dtype(len(cats))), cats)

    @classmethod
    def _hashed(cls, a: np.ndarray) -> "Categorical":
        """Encode a string array by the keys of its fixed-width text."""
        if not len(a):
            return cls(np.empty(0, dtype=np.uint8), [])
        fixed = a if a.dtype.kind == "S" else _compared(a)
        seen = np.unique(fixed[::max(1, len(fixed) // _SAMPLE)])  # (values missed: caught below)
        if len(seen) <= _FEW:  # a few values (sides, affiliations): one comparison of the column each
            codes = np.full(len(fixed), len(seen), dtype=np.uint8)
            for k, rows in enumerate(_rows_equal(fixed, seen)):
                codes[rows] = k
            if not (codes == len(seen)).any():
                cats = [v.decode("utf-8") for v in seen.tolist()] if fixed.dtype.kind == "S" else seen.tolist()
                return cls(codes, cats)
        k = fixed_keys(fixed)
        # Few values: those of the first rows, found by a binary search each (no sort of all keys).
        seen, first = np.unique(k[:_ROWS], return_index=True)
        inverse = np.minimum(np.searchsorted(seen, k), len(seen) - 1)
        if not (seen[inverse] == k).all():
            _, first, inverse = np.unique(k, return_index=True, return_inverse=True)
        if not np.array_equal(fixed[first][inverse], fixed):  # a collision: the slow, sure way
            _, first, inverse = np.unique(fixed, return_index=True, return_inverse=True)
        cats = a[first]
        cats = [v.decode("utf-8") for v in cats.tolist()] if a.dtype.kind == "S" else cats.tolist()
        return cls(inverse.reshape(-1).astype(code_dtype(len(cats))), cats)

    def _take_codes(self, codes: np.ndarray) -> "Categorical":
        return Categorical(self.codes[codes], self.categories)

    @classmethod
    def full(cls, n: int, value: str = "") -> "Categorical":
        """n rows of one value, costing no memory per row (a broadcast code)."""
        return cls(np.broadcast_to(np.uint8(0), (n,)), [value])

    @classmethod
    def concat(cls, parts: list["Categorical"]) -> "Categorical":
        """The rows of `parts` one after another, with their categories merged."""
        parts = [cls.of(p) for p in parts]
        merged: dict[str, int] = {}
        for p in parts:
            for c in p.categories.tolist():
                merged.setdefault(c, len(merged))
        if len(merged) == 1:  # (one value throughout: stays a broadcast code)
            return cls.full(sum(len(p) for p in parts), next(iter(merged)))
        dtype = code_dtype(len(merged))
        codes = [np.array([merged[c] for c in p.categories.tolist()], dtype=dtype)[p.codes] if len(p.categories)
                 else np.empty(len(p), dtype=dtype) for p in parts]
        return cls(np.concatenate(codes) if codes else np.empty(0, dtype=dtype), list(merged))

    # -- reading -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.codes)

    @property
    def shape(self) -> tuple[int]:
        return (len(self.codes),)

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        return self.codes.nbytes if self.codes.strides != (0,) else self.codes.itemsize

    def code_of(self, value: str) -> int:
        """The code of `value`, or -1 when no row holds it."""
        hits = np.flatnonzero(self.categories == value) if len(self.categories) else ()
        return int(hits[0]) if len(hits) else -1

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            return self.categories[self.codes[key]]
        if isinstance(key, tuple):
            return np.asarray(self)[key]
        return Categorical(self.codes[key], self.categories)

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self) -> list[str]:
        return self.categories[self.codes].tolist() if len(self.categories) else []

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self.categories[self.codes] if len(self.categories) else np.empty(len(self), dtype=object)
        return out if dtype is None else out.astype(dtype)

    def astype(self, dtype, copy: bool = True) -> np.ndarray:
        if np.dtype(dtype) == STRING:
            return self.categories.astype(STRING)[self.codes] if len(self.categories) \
                else np.empty(len(self), dtype=STRING)
        return np.asarray(self).astype(dtype)

    def isin(self, values) -> np.ndarray:
        """Mask of the rows whose value is one of `values`."""
        wanted = set(values)
        return np.isin(self.codes, [k for k, c in enumerate(self.categories.tolist()) if c in wanted])

    def _compare(self, other) -> np.ndarray | None:
        if isinstance(other, str):
            k = self.code_of(other)
            return self.codes == k if k >= 0 else np.zeros(len(self), dtype=bool)
        if isinstance(other, Categorical) and len(other) == len(self):
            mine = {c: k for k, c in enumerate(self.categories.tolist())}
            theirs = np.array([mine.get(c, -1) for c in other.categories.tolist()] or [-1], dtype=np.int64)
            return self.codes.astype(np.int64) == theirs[other.codes]
        return None

    def __eq__(self, other):  # type: ignore[override]
        same = self._compare(other)
        return np.asarray(self) == other if same is None else same

    def __ne__(self, other):  # type: ignore[override]
        same = self._compare(other)
        return np.asarray(self) != other if same is None else ~same

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = self.tolist()[:6]
        return f"Categorical({shown}{' ...' if len(self) > 6 else ''}, {len(self.categories)} categories)"

    # -- copies --------------------------------------------------------------------------
    def copy(self) -> "Categorical":
        return Categorical(self.codes.copy(), self.categories.copy())

    def setflags(self, write: bool) -> None:
        if self.codes.strides != (0,):
            self.codes.setflags(write=write)

    def __setitem__(self, key, value) -> None:
        """Assign a str or a column of str to rows of a copy (new values become categories)."""
        if not self.codes.flags.writeable:
            raise ValueError("assignment destination is read-only")
        if isinstance(value, str):
            k = self.code_of(value)
            if k < 0:
                self._extend([value])
                k = len(self.categories) - 1
            self.codes[key] = k
            return
        new = Categorical.of(value)
        fresh = [c for c in new.categories.tolist() if self.code_of(c) < 0]
        if fresh:
            self._extend(fresh)
        mine = {c: k for k, c in enumerate(self.categories.tolist())}
        self.codes[key] = np.array([mine[c] for c in new.categories.tolist()], dtype=np.int64)[new.codes]

    def _extend(self, values: list[str]) -> None:
        self.categories = np.concatenate([self.categories, np.array(values, dtype=object)])
        dtype = code_dtype(len(self.categories))
        if np.dtype(dtype).itemsize > self.codes.itemsize:
            self.codes = self.codes.astype(dtype)
