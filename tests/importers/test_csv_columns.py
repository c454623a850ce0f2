"""The numpy splitting of plain CSV files (csv_columns) against the csv module itself: for
any plain table, the same fields, stripped the same way, on the same lines; and its
numbers are Python's float() of the text, bit for bit."""
import math
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.importers import csv_table
from desktop.core.importers.csv_columns import MAX_WIDTH, FixedTable, PlainTable, decimals, read_fixed, split_plain
from desktop.core.importers.csv_table import _rows_table, _table
from desktop.core.text_columns import Categorical
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
    text = delimiter.join(["id", "name", "lat"]) + end + end.join(delimiter.join(r) for r in rows) + tail
    data = text.encode("utf-8")
    want = _rows_table("t.csv", data, len(text.split(end)[0].encode()) + len(end), delimiter,
                       ["id", "name", "lat"], 1, None)
    got = _table("t.csv", data, None)  # numpy's tokenizer when it can, else the separators' positions
    numbered = _table("t.csv", data, None, numbers=True)  # lat parsed by the tokenizer when all are numbers
    with mock.patch.object(csv_table, "read_fixed", lambda *args: None):
        separated = _table("t.csv", data, None)
    for table in (got, numbered, separated):
        if table.plain is not None:  # (not plain, a blank row, say: the csv module's way, the reference)
            same_columns(table, want)


def same_columns(got, want):
    assert got.lines.tolist() == want.lines.tolist()
    for j in range(3):
        assert got.strings(j).tolist() == want.columns[j] == got.categorical(j).tolist()
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


def test_numpys_tokenizer_takes_plain_files_and_widens_what_the_sample_did_not_see():
    rows = [f"U{i},{'n' * (1 if i < 3000 else 40)}" for i in range(6000)]  # long names only past the sample
    data = ("id,name\n" + "\n".join(rows) + "\n").encode()
    got = read_fixed(data, 8, 1, ",", 2)
    assert isinstance(got, FixedTable) and got.columns[1].tolist()[-1] == b"n" * 40
    assert read_fixed(b"a,b\nc,d\n", 4, 1, ",", 2).columns[0].tolist() == [b"c"]
    for not_for_it in (b'a,b\n"c",d\n', b"a,b\nc,d\n\ne,f\n", b"a,b\nc\rx,d\n", b"a,b\nc,d,e\n",
                       b"a,b\nc," + b"x" * (MAX_WIDTH + 1) + b"\n"):
        assert read_fixed(not_for_it, 4, 1, ",", 2) is None
    assert isinstance(_table("t.csv", b"a,b\nc," + b"x" * (MAX_WIDTH + 1) + b"\n", None).plain, PlainTable)


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


def test_files_longer_than_a_block_of_the_checks_read_as_the_csv_module_reads_them():
    """The plain-file checks look at the bytes a block at a time: a space beside a separator,
    a rare blank, a quote or a CR at or across a block's edge is still seen."""
    from desktop.core.importers.csv_columns import _BLOCK
    line = b"U1234,Unit 1234,35.5\n"
    body = line * (2 * _BLOCK // len(line) + 3)
    head = line * ((_BLOCK - 100) // len(line))

    def across_the_edge(row: bytes) -> bytes:  # `row`'s "#" made as long as puts the bytes after it at the edge
        rows = head + row.replace(b"#", b"n" * (_BLOCK - 1 - len(head) - row.index(b"#"))) + body
        assert rows[_BLOCK - 1:_BLOCK + 1] == row[row.index(b"#") + 1:][:2]
        return rows

    cases = [(f"{row!r} across a block's edge", across_the_edge(row))
             for row in (b"U1,#, 35.5\n", b"U1,# ,35.5\n", b"U1,Unit 1,#\n U2,Unit 2,35.5\n")]
    cases += [(f"unit separator at {c}", body[:c] + b"\x1f" + body[c:]) for c in range(_BLOCK - 3, _BLOCK + 2)]
    cases += [("quote", body[:-len(line)] + b'"U9",Unit 9,35.5\n'), ("CRLF", body.replace(b"\n", b"\r\n"))]
    for c in (c for c in range(_BLOCK - 3, _BLOCK + 2) if body[c:c + 1] != b"\n"):  # a lone CR: not for the tokenizer
        assert read_fixed(b"id,name,lat\n" + body[:c] + b"\r" + body[c:], 12, 1, ",", 3) is None
    for what, rows in cases:
        data = b"id,name,lat\n" + rows
        want = _rows_table("t.csv", data, 12, ",", ["id", "name", "lat"], 1, None)
        got = _table("t.csv", data, None, numbers=True)
        assert isinstance(got.plain, FixedTable) == (what != "quote"), what
        assert got.lines.tolist() == want.lines.tolist(), what
        for j in range(3):
            assert got.strings(j).tolist() == want.columns[j], what
