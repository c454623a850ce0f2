"""The splitting of plain CSV files (Arrow's reader, csv_arrow; numpy's, csv_columns)
against the csv module itself: for any plain table, the same fields, stripped the same
way, on the same lines; and its numbers are Python's float() of the text, bit for bit."""
import math
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.importers import csv_table
from desktop.core.importers import csv_arrow
from desktop.core.importers.csv_arrow import ArrowTable, CodedColumn, read_arrow
from desktop.core.importers.csv_columns import MAX_WIDTH, PlainTable, decimals, split_plain
from desktop.core.importers.csv_table import _rows_table, _table
from desktop.core.inputs import InputError
from desktop.core.text_columns import Categorical, keys, strings
from tests.fuzzing import fuzz

FIELD = st.one_of(
    st.text(alphabet=st.sampled_from("abcXYZ019 .-+\tÅé漢\xa0\u3000\x0b\x1f"), max_size=12),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-10 ** 18, 10 ** 18).map(str),
    st.sampled_from(["", " ", "35°50'N", "1e5", "-0", ".5", "5.", "nan", "x" * (MAX_WIDTH + 5)]))


@fuzz(80)
@given(rows=st.lists(st.lists(FIELD, min_size=3, max_size=3), min_size=1, max_size=30),
       crlf=st.booleans(), tail=st.sampled_from(["", "\n", "\n\n", "\r\n \n"]), delimiter=st.sampled_from(",;\t|"))
def test_plain_tables_split_as_the_csv_module_reads_them(rows, crlf, tail, delimiter):
    rows = [[f.replace(delimiter, "").replace("\n", "").replace("\r", "") for f in r] for r in rows]
    end = "\r\n" if crlf else "\n"
    text = delimiter.join(["id", "side", "lat"]) + end + end.join(delimiter.join(r) for r in rows) + tail
    data = text.encode("utf-8")
    want = _rows_table("t.csv", data, len(text.split(end)[0].encode()) + len(end), delimiter,
                       ["id", "side", "lat"], 1, None)
    got = _table("t.csv", data, None)  # Arrow when it can, else the separators' positions
    numbered = _table("t.csv", data, None, numbers=True)  # lat parsed by Arrow when all are numbers, side encoded
    with mock.patch.object(csv_table, "read_arrow", lambda *args: None):
        separated = _table("t.csv", data, None)
    for table in (got, numbered, separated):
        if table.plain is not None:  # (not plain, a blank row, say: the csv module's way, the reference)
            same_columns(table, want)


def same_columns(got, want):
    assert got.lines.tolist() == want.lines.tolist()
    for j in range(3):
        assert got.strings(j).tolist() == want.columns[j] == got.categorical(j).tolist()
        # Hashed from the file's bytes, as text_columns hashes the text (too long fields, blanks
        # str.strip() removes beyond ASCII: read one by one).
        assert got.keys(j, got.strings(j)).tolist() == keys(strings(want.columns[j])).tolist()
        values, ok = got.decimals(j)
        for v, k, t in zip(values.tolist(), ok.tolist(), want.columns[j]):
            try:
                expected = float(t)
            except ValueError:
                assert not k
                continue
            if k:
                assert v == expected or (math.isnan(v) and math.isnan(expected))
                assert math.copysign(1, v) == math.copysign(1, expected)


def test_decimals_are_exactly_float():
    rng = np.random.default_rng(3)
    texts = [repr(x) for x in rng.uniform(-180, 180, 20_000).tolist()]
    texts += [f"{x:.6f}" for x in rng.uniform(-90, 90, 20_000)]
    fixed = np.array([t.encode() for t in texts])
    values, ok = decimals(fixed)
    assert ok.all() and values.tolist() == [float(t) for t in texts]
    values, ok = decimals(np.array([b"35.5", b"", b"35\xc2\xb050'N", b"-.5", b"1.2.3", b"+7"]))
    assert ok.tolist() == [True, False, False, True, False, True] and values[[0, 3, 5]].tolist() == [35.5, -0.5, 7.0]


def test_categories_of_a_byte_column_share_values():
    fixed = np.array([b"US-backed", b"Russian-backed", b"US-backed", b"", "Ålpha".encode()] * 1000)
    cat = Categorical.of(fixed)
    assert cat.tolist() == [f.decode() for f in fixed.tolist()] and len(cat.categories) == 4


def test_arrow_takes_plain_files_and_leaves_the_others_to_the_csv_module():
    rows = [f"U{i},{'n' * (1 if i < 3000 else 40)}" for i in range(6000)]
    data = ("id,name\n" + "\n".join(rows) + "\n").encode()
    got = read_arrow(data, 8, ",", 2)
    assert isinstance(got, ArrowTable) and got.column(1).texts_at([5999]) == ["n" * 40]
    assert read_arrow(b"a,b\nc,d\n", 4, ",", 2).column(0).texts_at([0]) == ["c"]
    for not_for_it in (b'a,b\n"c",d\n', b"a,b\nc\rx,d\n", b"a,b\nc,d,e\n", b"a,b\nc\0,d\n"):
        assert read_arrow(not_for_it, 4, ",", 2) is None
    blank_line = _table("t.csv", b"a,b\nc,d\n\r\n\ne,f\n", None)  # (rows of empty fields, left out)
    assert isinstance(blank_line.plain, ArrowTable) and blank_line.lines.tolist() == [2, 5]
    long = b"a,b\nc," + b"x" * (MAX_WIDTH + 1) + b"\n"
    table = _table("t.csv", long, None)
    assert isinstance(table.plain, ArrowTable) and table.strings(1).tolist() == ["x" * (MAX_WIDTH + 1)]


def test_without_pyarrow_plain_files_are_split_by_numpy(monkeypatch):
    def missing():
        raise ImportError("No module named 'pyarrow'")
    monkeypatch.setattr(csv_arrow, "arrow", missing)
    table = _table("t.csv", b"id,name,lat\nU1, One ,35.5\nU2,Two,36\n", None, numbers=True)
    assert isinstance(table.plain, PlainTable) and table.strings(1).tolist() == ["One", "Two"]
    assert table.decimals(2)[0].tolist() == [35.5, 36.0]


def test_columns_of_few_values_are_encoded_as_they_are_read():
    data = ("id,side,lat,lon\n" + "".join(f"U{i},{' Blue' if i % 3 else 'Red '},{i % 80}.5,{i % 170}.25\n"
                                          for i in range(5000))).encode()
    table = _table("t.csv", data, None, numbers=True)
    assert isinstance(table.plain.column(1), CodedColumn) and table.plain.numbers(2) is not None
    sides = table.categorical(1)
    assert sorted(sides.categories) == ["Blue", "Red"] and sides.tolist()[:3] == ["Red", "Blue", "Blue"]
    assert table.strings(1).tolist() == sides.tolist() and table.texts_at(1, [3]) == ["Red"]
    assert table.decimals(3)[0][:2].tolist() == [0.25, 1.25]


def test_split_plain_refuses_what_is_not_plain():
    assert split_plain(b'a,"b"\n', 0, ",", 2) is None
    assert split_plain(b"a,b\nc\n", 0, ",", 2) is None
    assert split_plain(b"a,b\n\nc,d\n", 0, ",", 2) is None
    assert len(split_plain(b"a,b\r\nc,d\r\n\r\n", 0, ",", 2)) == 2


def test_the_tokenizer_parses_lat_and_lon_as_float_and_keeps_their_text():
    rng = np.random.default_rng(5)
    lat = [f"{x:.{k}f}" for x, k in zip(rng.uniform(-90, 90, 3000), rng.integers(0, 12, 3000))] + ["35.10", " 035 "]
    lon = [repr(x) for x in rng.uniform(-180, 180, len(lat)).tolist()]
    data = ("id,lat,lon\n" + "".join(f"U{i},{a},{o}\n" for i, (a, o) in enumerate(zip(lat, lon)))).encode()
    table = _table("t.csv", data, None, numbers=True)
    assert table.plain.numbers(1) is not None and table.plain.numbers(2) is not None
    values, ok = table.decimals(1)
    assert ok.all() and values.tolist() == [float(t) for t in lat]
    assert table.decimals(2)[0].tolist() == [float(t) for t in lon]
    assert table.strings(1).tolist()[-2:] == ["35.10", "035"]  # the file's text, read again when asked
    assert table.sample(1) == [["U0", lat[0], lon[0]]]
    # One field that is no plain number: the columns are text, parsed the usual way.
    damaged = data.replace(b",35.10,", b",35\xc2\xb010'N,")
    table = _table("t.csv", damaged, None, numbers=True)
    assert table.plain.numbers(1) is None and table.plain.numbers(2) is None
    assert table.decimals(2)[0].tolist() == [float(t) for t in lon]
    values, ok = table.decimals(1)
    assert ok.sum() == len(lat) - 1 and table.strings(1)[len(lat) - 2] == "35°10'N"


def test_files_longer_than_an_arrow_block_read_as_the_csv_module_reads_them():
    """Arrow splits a file a block at a time on several threads: a space beside a separator,
    a rare blank, a quote, a CR or a line feed (a blank line, a short row) at or across a
    block's edge reads as the csv module reads it (a quote, a lone CR or a short row by the
    csv module itself)."""
    block = 1 << 12
    line = b"U1234,Unit 1234,35.5\n"
    body = line * (3 * block // len(line) + 3)
    cases = [(f"{what} at {c}", body[:c] + insert + body[c:]) for c in range(block - 3, block + 3)
             for what, insert in (("space", b" "), ("unit separator", b"\x1f"), ("CR", b"\r"), ("line feed", b"\n"))]
    cases += [("quote", body[:-len(line)] + b'"U9",Unit 9,35.5\n'), ("CRLF", body.replace(b"\n", b"\r\n"))]
    with mock.patch.object(csv_arrow, "_BLOCK_BYTES", block):
        for what, rows in cases:
            data = b"id,name,lat\n" + rows
            try:
                want = _rows_table("t.csv", data, 12, ",", ["id", "name", "lat"], 1, None)
            except InputError:  # (a lone CR within a line: the csv module refuses it, Arrow must not take it)
                assert read_arrow(data, 12, ",", 3) is None, what
                continue
            got = _table("t.csv", data, None, numbers=True)
            arrow = "quote" not in what and rows.count(b"\r") == rows.count(b"\r\n") \
                and all(row.count(b",") == 2 for row in rows.split(b"\n") if row.strip())
            assert isinstance(got.plain, ArrowTable) == arrow, what
            assert got.lines.tolist() == want.lines.tolist(), what
            for j in range(3):
                assert got.strings(j).tolist() == want.columns[j], what
            if got.plain is not None:
                assert (got.decimals(2)[0] == 35.5).sum() == sum(t == "35.5" for t in want.columns[2]), what
