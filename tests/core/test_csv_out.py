"""The columnar CSV writer against the csv module: for any columns, the same text byte for
byte (quoting, UTF-8, NaN as an empty field, floats as repr(np.round(x, k))), whether it
goes to a text stream or to the bytes under one."""
import csv
import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core import csv_out
from desktop.core.csv_out import Decimals, write_rows
from desktop.core.text_columns import Categorical, strings
from tests.fuzzing import fuzz

TEXT = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["US-backed", "a,b", 'say "x"', "two\nlines", "é€",
                                                                      "", " lead", "trail ", "nul\0inside", "cr\r"]),
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


def written(header, columns, to_bytes: bool = False) -> str:
    """What write_rows writes: to an io.StringIO, or to a UTF-8 TextIOWrapper (whose bytes
    it writes to its buffer), read back as text."""
    if not to_bytes:
        out = io.StringIO()
        assert write_rows(out, header, columns) == len(columns[0])
        return out.getvalue()
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    assert write_rows(out, header, columns) == len(columns[0])
    out.flush()
    return raw.getvalue().decode("utf-8")


@fuzz(100)
@given(rows=st.lists(st.tuples(TEXT, FLOAT, st.booleans()), max_size=40), to_bytes=st.booleans())
def test_the_same_text_as_the_csv_module(rows, to_bytes):
    texts = np.array([r[0] for r in rows], dtype=object)
    floats = np.array([r[1] for r in rows], dtype=float)
    bools = np.array([r[2] for r in rows], dtype=bool)
    want = reference((texts.tolist(), floats, bools.tolist()))
    as_text = ["" if t is None else str(t) for t in texts.tolist()]
    for column in (texts, strings(texts), Categorical.of(as_text)):  # objects, StringDType, categories
        assert written(("t", "x", "b"), [column, Decimals(floats, 7), bools], to_bytes) == want


@fuzz(200)
@given(values=st.lists(st.one_of(st.floats(), st.floats(-1e20, 1e20), st.floats(-1, 1),
                                 st.integers(-10 ** 17, 10 ** 17).map(float),
                                 st.tuples(st.integers(-10 ** 9, 10 ** 9), st.integers(-12, 16)).map(
                                     lambda m: m[0] * 10.0 ** m[1])), max_size=30),
       places=st.integers(0, 20))
def test_decimals_are_the_repr_of_the_rounded_value(values, places):
    """Any magnitude, any number of places: 15 digits and fewer are looked up, 16 and more
    (or an exponent) are repr's own."""
    floats = np.array(values, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.round(floats, places).tolist()
    want = "".join(f"{repr(x) if np.isfinite(x) else ''},\n" for x in rounded)
    assert written(("x", "y"), [Decimals(floats, places), np.array([""] * len(values), dtype=object)]) == "x,y\n" + want


def test_sixteen_significant_digits_are_not_written_as_the_rounded_integer():
    """np.round(x, k) * 10**k of 16 digits: the integer is not the shortest text of the
    double (the writer printed -74439488223.10229 for repr's -74439488223.1023)."""
    floats = np.array([-74439488223.1023, 675873956.491862, 999999999999999.0, 1e15])
    got = written(("a", "b"), [Decimals(floats, 5), Decimals(floats, 7)]).splitlines()[1:]
    want = [f"{float(np.round(x, 5))!r},{float(np.round(x, 7))!r}" for x in floats.tolist()]
    assert got == want and got[0] == "-74439488223.1023,-74439488223.1023"


def test_a_million_rows_in_chunks_match():
    rng = np.random.default_rng(2)
    n = 200_000
    texts = np.array([f"U{i}" for i in range(n)], dtype=object)
    floats = rng.uniform(-180, 180, n)
    floats[::1000] = np.nan
    bools = rng.integers(0, 2, n).astype(bool)
    want = reference((texts.tolist(), floats, bools.tolist()))
    for to_bytes in (False, True):
        assert written(("t", "x", "b"), [texts, Decimals(floats, 7), bools], to_bytes) == want


def test_columns_without_quotes_or_nul_never_reach_the_csv_module(monkeypatch):
    def refuse(column):
        raise AssertionError("went through the csv module")

    monkeypatch.setattr(csv_out, "_as_text", refuse)
    ids = strings([f"U{i}" for i in range(1000)])
    out = io.StringIO()
    write_rows(out, ("id", "side", "sector", "x", "b"),
               [ids, Categorical.of(["US-backed", "Ålpha"] * 500), np.array([b"S1", b""] * 500),
                Decimals(np.linspace(-1, 1, 1000), 3), np.zeros(1000, dtype=bool)])
    assert out.getvalue().splitlines()[1] == "U0,US-backed,S1,-1.0,false"


def test_categories_to_quote_are_quoted_as_the_csv_module_does_without_it(monkeypatch):
    """A sector named with a comma, a quote or a line break: written by numpy, each category
    quoted once by the csv module itself."""
    names = ["North, upper", 'The "Box"', "two\nlines", "cr\rinside", "plain", ""]
    rows = [names[i % len(names)] for i in range(300)]
    ids = [f"U{i}" for i in range(300)]
    want = io.StringIO()
    csv.writer(want, lineterminator="\n").writerows([("id", "sector"), *zip(ids, rows)])

    def refuse(column):
        raise AssertionError("went through the csv module")

    monkeypatch.setattr(csv_out, "_as_text", refuse)
    for to_bytes in (False, True):
        assert written(("id", "sector"), [strings(ids), Categorical.of(rows)], to_bytes) == want.getvalue()


@pytest.mark.parametrize("column", [np.array(["a", "", None, "b"], dtype=object), Categorical.of(["a", "", "", "b"]),
                                    np.array([b"a", b"", b"", b"b"])])
def test_an_empty_field_alone_on_its_line_is_quoted(column):
    """One column: the csv module writes an empty row as "" (an empty line would be no row)."""
    want = io.StringIO()
    csv.writer(want, lineterminator="\n").writerows([("t",), ("a",), ("",), ("",), ("b",)])
    assert written(("t",), [column]) == written(("t",), [column], to_bytes=True) == want.getvalue()


def test_bytes_go_to_the_buffer_in_order_with_the_text_around_them(tmp_path):
    """A real file: the caller's text before and after, a chunk the csv module writes (a
    quoted id) between chunks numpy writes, all in their order."""
    n = 3 * csv_out._CHUNK
    ids = [f"U{i}" for i in range(n)]
    ids[csv_out._CHUNK + 5] = "U,quoted"
    values = np.arange(n) / 8
    path = tmp_path / "out.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        assert csv_out._byte_stream(f) is f.buffer
        f.write("# before\n")
        write_rows(f, ("id", "x"), [strings(ids), Decimals(values, 3)])
        f.write("# after\n")
    want = io.StringIO()
    want.write("# before\n")
    csv.writer(want, lineterminator="\n").writerows([("id", "x"), *zip(ids, map(repr, values.tolist()))])
    want.write("# after\n")
    assert path.read_bytes() == want.getvalue().encode("utf-8")


def test_a_stream_in_another_encoding_gets_text():
    """UTF-16 (or any encoding but UTF-8): no bytes behind its back, the same as the csv
    module through the same kind of stream."""
    def through(write) -> bytes:
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-16", newline="")
        write(out)
        out.flush()
        return raw.getvalue()

    ids, sides = [f"U{i}" for i in range(50)], ["Ålpha", "US-backed"] * 25
    assert through(lambda out: write_rows(out, ("id", "side"), [strings(ids), Categorical.of(sides)])) == \
        through(lambda out: csv.writer(out, lineterminator="\n").writerows([("id", "side"), *zip(ids, sides)]))
