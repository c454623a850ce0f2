"""The columnar CSV writer against the csv module: for any columns, the same text byte for
byte (quoting, UTF-8, NaN as an empty field, floats as repr(np.round(x, k)))."""
import csv
import io

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.csv_out import Decimals, write_rows
from desktop.core.text_columns import Categorical, strings
from tests.fuzzing import fuzz

TEXT = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["US-backed", "a,b", 'say "x"', "two\nlines", "é€",
                                                                      "", " lead", "trail ", "nul\0inside"]),
                 st.integers())
FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-180, 180), st.floats(-1e-3, 1e-3))


def reference(columns) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["t", "x", "b"])
    texts, floats, bools = columns
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.round(np.asarray(floats, dtype=float), 7).tolist()
    for t, x, b in zip(texts, rounded, bools):
        writer.writerow(["" if t is None else str(t), repr(x) if np.isfinite(x) else "", "true" if b else "false"])
    return out.getvalue()


@fuzz(100)
@given(rows=st.lists(st.tuples(TEXT, FLOAT, st.booleans()), max_size=40))
def test_the_same_text_as_the_csv_module(rows):
    texts = np.array([r[0] for r in rows], dtype=object)
    floats = np.array([r[1] for r in rows], dtype=float)
    bools = np.array([r[2] for r in rows], dtype=bool)
    want = reference((texts.tolist(), floats, bools.tolist()))
    as_text = ["" if t is None else str(t) for t in texts.tolist()]
    for column in (texts, strings(texts), Categorical.of(as_text)):  # objects, StringDType, categories
        out = io.StringIO()
        assert write_rows(out, ("t", "x", "b"), [column, Decimals(floats, 7), bools]) == len(rows)
        assert out.getvalue() == want


def test_a_million_rows_in_chunks_match():
    rng = np.random.default_rng(2)
    n = 200_000
    texts = np.array([f"U{i}" for i in range(n)], dtype=object)
    floats = rng.uniform(-180, 180, n)
    floats[::1000] = np.nan
    bools = rng.integers(0, 2, n).astype(bool)
    out = io.StringIO()
    write_rows(out, ("t", "x", "b"), [texts, Decimals(floats, 7), bools])
    assert out.getvalue() == reference((texts.tolist(), floats, bools.tolist()))


def test_columns_without_quotes_or_nul_never_reach_the_csv_module(monkeypatch):
    from desktop.core import csv_out

    def refuse(column):
        raise AssertionError("went through the csv module")

    monkeypatch.setattr(csv_out, "_as_text", refuse)
    ids = strings([f"U{i}" for i in range(1000)])
    out = io.StringIO()
    write_rows(out, ("id", "side", "sector", "x", "b"),
               [ids, Categorical.of(["US-backed", "Ålpha"] * 500), np.array([b"S1", b""] * 500),
                Decimals(np.linspace(-1, 1, 1000), 3), np.zeros(1000, dtype=bool)])
    assert out.getvalue().splitlines()[1] == "U0,US-backed,S1,-1.0,false"
