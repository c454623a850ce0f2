"""Compact text columns: each checked against the object arrays of str they replace."""
from __future__ import annotations

import pickle
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import text_columns
from desktop.core.text_columns import STRING, Categorical, StringIndex, encode, repeats, strings
from desktop.core.units import UnitTable

WORDS = st.sampled_from(["", "US-backed", "Russian-backed", "friend", "Ålpha", "a" * 40, "x\ty", "دير الزور", "1"])
COLUMNS = st.lists(WORDS, max_size=40)


def reference_repeats(values: list[str]) -> list[int]:
    first: dict[str, int] = {}
    out = []
    for i, v in enumerate(values):
        out.append(first.get(v, -1))
        first.setdefault(v, i)
    return out


@settings(max_examples=200, deadline=None)
@given(COLUMNS, COLUMNS, st.data())
def test_categorical_behaves_as_an_object_array_of_str(values, others, data):
    obj = np.array(values, dtype=object)
    cat = Categorical.of(values)
    assert cat.tolist() == values and list(cat) == values and len(cat) == len(values)
    assert np.asarray(cat).tolist() == values and cat.astype(STRING).tolist() == values
    for word in ("", "US-backed", "absent"):
        assert np.array_equal(cat == word, obj == word) and np.array_equal(cat != word, obj != word)
    if values:
        i = data.draw(st.integers(0, len(values) - 1))
        assert cat[i] == values[i] and isinstance(cat[i], str)
        mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values))))
        assert cat[mask].tolist() == obj[mask].tolist() and cat[1::2].tolist() == values[1::2]
        other = Categorical.of(data.draw(st.lists(WORDS, min_size=len(values), max_size=len(values))))
        assert np.array_equal(cat == other, obj == np.asarray(other))
    both = Categorical.concat([cat, Categorical.of(others), Categorical.full(3, "Ålpha")])
    assert both.tolist() == values + others + ["Ålpha"] * 3
    assert np.array_equal(cat.isin({"friend", "1"}), np.isin(obj, ["friend", "1"]))
    assert pickle.loads(pickle.dumps(cat)).tolist() == values


def test_categorical_copies_take_assignment_and_the_tables_columns_do_not():
    units = UnitTable.from_records([{"id": f"U{i}", "lon": 38.0, "lat": 35.0, "side": "A"} for i in range(300)])
    with pytest.raises(ValueError, match="read-only"):
        units.sides[0] = "B"
    sides = units.sides.copy()
    sides[0] = "B"
    sides[1:] = [f"side {i}" for i in range(299)]  # past 256 categories: wider codes
    assert sides.tolist() == ["B"] + [f"side {i}" for i in range(299)] and units.sides.tolist() == ["A"] * 300
    assert sides.codes.dtype == np.uint16


@settings(max_examples=200, deadline=None)
@given(COLUMNS, COLUMNS)
def test_rows_of_and_repeats_agree_with_a_dict(table, queries):
    index = StringIndex(strings(table))
    first = {}
    for i, v in enumerate(table):
        first.setdefault(v, i)
    assert index.rows_of(queries).tolist() == [first.get(q, -1) for q in queries]
    assert repeats(strings(table)).tolist() == reference_repeats(table)


def test_a_hash_collision_is_caught_by_comparing_the_text(monkeypatch):
    table = ["b", "a", "c", "a", "b"]
    monkeypatch.setattr(text_columns, "fixed_keys", lambda fixed: np.zeros(len(fixed), dtype=np.uint64))
    assert StringIndex(strings(table)).rows_of(["a", "c", "z", "b"]).tolist() == [1, 2, -1, 0]
    assert repeats(strings(table)).tolist() == reference_repeats(table)
    assert Categorical.of(strings(table)).tolist() == table


def test_strings_reads_what_object_columns_held():
    assert strings(np.array([None, 5, "a"], dtype=object)).tolist() == ["", "5", "a"]
    assert strings(np.array(["Ålpha".encode(), b"b"])).tolist() == ["Ålpha", "b"]
    assert strings(["x"]).dtype == STRING
    assert encode(strings(["Ålpha", "b"])).tolist() == ["Ålpha".encode(), b"b"]
    assert Categorical.of(np.array([1, "1", None], dtype=object)).tolist() == ["1", "1", ""]


def test_a_million_units_take_a_few_bytes_each():
    n = 1_000_000
    ids = np.arange(n).astype(str).astype(STRING)
    units = UnitTable(ids, ids, Categorical.of(np.array(["A", "B"])[np.arange(n) % 2]), None, None,
                      np.zeros(n), np.zeros(n))
    columns = [getattr(units, f.name) for f in fields(UnitTable)]
    held = sum(c.nbytes for c in columns if isinstance(c, Categorical) or c.strides != (0,))  # (broadcast: free)
    assert held < 55 * n  # an object array of str: 63 bytes a value for each of the two text columns alone
    assert units.side_codes(("B", "A"))[:4].tolist() == [1, 0, 1, 0]


def test_keys_are_those_of_the_utf8_whatever_the_column_holds():
    # One chunk of ASCII ids, then one with non-ASCII ids and a repeat of the first chunk's
    # first id: found, whatever way each chunk was hashed.
    ascii_ids = [f"U{i}" for i in range(70_000)]
    values = ascii_ids + ["Ålpha", "U0", "دير الزور", "U69999"]
    assert repeats(strings(values)).tolist()[-4:] == [-1, 0, -1, 69_999]
    index = StringIndex(strings(values))
    assert index.rows_of(np.array(["U0", "Ålpha", "U69999", "nope"])).tolist() == [0, 70_000, 69_999, -1]
    assert np.array_equal(text_columns.keys(np.array(values)), text_columns.keys(strings(values)))


def test_few_categories_compared_as_words_tell_values_apart_past_their_first_bytes():
    words = [b"Russian-backed-1", b"Russian-backed-2", b"Russian-backed", b"R", b"", b"Russian-backed-1x"]
    fixed = np.array(words * 500, dtype="S24")[::-1]  # (a strided view, as the tokenizer gives)
    cat = Categorical.of(fixed)
    assert cat.tolist() == [w.decode() for w in fixed.tolist()] and len(cat.categories) == len(words)
