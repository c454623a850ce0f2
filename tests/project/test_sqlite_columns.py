"""Columns into and out of SQLite in bulk (desktop.core.project.sqlite_columns): what a plain
row-by-row SELECT sees is exactly what was given, and a bulk read gives what a row-by-row
read gives, over many chunks and whatever the values (NULLs, separators, blobs in a text
column, keys with gaps, a column whose usual value changes)."""
import math
import sqlite3

import numpy as np
import pytest

from desktop.core.project import gpkg
from desktop.core.project import sqlite_columns as sc
from desktop.core.project.gpkg import Column, GeoPackageReader, GeoPackageWriter, point_blobs
from desktop.core.project.sqlite_columns import Coded, insert_columns

N = 1000


@pytest.fixture
def small_batches(monkeypatch):
    """Statements of 7 rows, chunks of 50, a first chunk of 5: every boundary is crossed."""
    monkeypatch.setattr(sc, "ROWS_PER_STATEMENT", 7)
    monkeypatch.setattr(gpkg, "CHUNK", 50)
    monkeypatch.setattr(sc, "_PROBE", 5)


def _columns(rng):
    sides = ["red", "blue", None]
    lon, lat = rng.uniform(-10, 10, N), rng.uniform(-10, 10, N)
    lon[[3, 500]] = np.nan
    return {
        "geom": point_blobs(lon, lat),
        "name": [None if i % 97 == 0 else f"unit «{i}»\x1fx" if i % 89 == 0 else f"U{i}"
                 for i in range(N)],
        "side": Coded(rng.integers(0, 3, N), sides),
        "sector": Coded(np.where(np.arange(N) < 600, 0, 1), ["S1", "S2"]),
        "dist": np.where(np.arange(N) % 5 == 0, np.nan, rng.normal(size=N)),
        "flag": rng.integers(0, 2, N).astype(bool),
        "count": np.arange(N) * 3,
        "blank": None,
    }, lon, lat, sides


def test_inserted_columns_are_what_a_plain_select_reads(tmp_path, small_batches):
    cols, lon, lat, sides = _columns(np.random.default_rng(1))
    path = tmp_path / "t.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, name TEXT, side TEXT, "
                 "sector TEXT, dist REAL, flag BOOLEAN, count INTEGER, blank TEXT)")
    done = []
    insert_columns(conn, "t", list(cols), list(cols.values()), N, chunk=120, on_rows=done.append)
    conn.close()
    assert done == [119, 238, 357, 476, 595, 714, 833, 952, 1000]  # (chunks: whole statements of 7)
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT fid, geom, name, side, sector, dist, flag, count, blank FROM t "
                          "ORDER BY fid").fetchall()
        assert db.execute("SELECT seq FROM sqlite_sequence WHERE name='t'").fetchone() == (N,)
        assert db.execute("SELECT count(*) FROM sqlite_temp_master").fetchone() == (0,)
    assert [r[0] for r in rows] == list(range(1, N + 1))
    assert [r[1] for r in rows] == cols["geom"].tolist()
    got = np.frombuffer(b"".join(r[1] for r in rows), dtype=gpkg._POINT)
    assert np.array_equal(got["x"], lon, equal_nan=True) and np.array_equal(got["y"], lat, equal_nan=True)
    assert [r[2] for r in rows] == cols["name"]
    assert [r[3] for r in rows] == [sides[k] for k in cols["side"].codes]
    assert [r[4] for r in rows] == ["S1" if i < 600 else "S2" for i in range(N)]
    assert [r[5] for r in rows] == [None if math.isnan(v) else v for v in cols["dist"]]  # SQLite: NaN is NULL
    assert [r[6] for r in rows] == cols["flag"].astype(int).tolist()
    assert [r[7] for r in rows] == cols["count"].tolist()
    assert all(r[8] is None for r in rows)


def test_short_ascii_text_is_bound_as_records_and_stored_as_the_same_text(tmp_path, small_batches):
    """Ids and names as sqlite_columns.TextRecords (fixed-width records cut by SQL): each row holds
    its text exactly, stored as TEXT (what GDAL and the reader expect), empty values, inner
    and trailing NUL characters and the unit separator included; text that is not all
    ASCII or too long is left to be bound as str."""
    texts = [f"U{i}" if i % 11 else "" for i in range(N)]
    texts[5], texts[6], texts[7] = "a\x00b", "ends in nul\x00\x00", "sep\x1f"
    values = np.array(texts, dtype=np.dtypes.StringDType())
    ids = sc.TextRecords.of(values)
    assert ids is not None and ids.lengths[6] == 13
    assert sc.TextRecords.of(np.array(["Raqqa", "Ar Raqqah é"], dtype=values.dtype)) is None   # not ASCII
    assert sc.TextRecords.of(np.array(["x" * (sc.MAX_RECORD_BYTES + 1)], dtype=values.dtype)) is None
    conn = sqlite3.connect(tmp_path / "t.sqlite", isolation_level=None)
    conn.execute("CREATE TABLE t (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, unit_id TEXT, n INTEGER, "
                 "name TEXT)")
    names = sc.TextRecords.of(np.array([f"Unit {i}" for i in range(N)], dtype=values.dtype))
    insert_columns(conn, "t", ["geom", "unit_id", "n", "name"], [point_blobs(np.zeros(N), np.zeros(N)), ids,
                                                               np.arange(N), names], N)
    rows = conn.execute("SELECT unit_id, typeof(unit_id), n, name, typeof(name) FROM t ORDER BY fid").fetchall()
    assert [r[0] for r in rows] == texts and {r[1] for r in rows} == {"text"}
    assert [r[2] for r in rows] == list(range(N)) and [r[3] for r in rows] == [f"Unit {i}" for i in range(N)]
    assert {r[4] for r in rows} == {"text"}


def test_coded_columns_of_many_combinations_are_bound_row_by_row(tmp_path):
    """Two columns of 400 distinct values each, paired at random: too many combinations
    to share, so the one of more values is bound as text; the result is the same."""
    rng = np.random.default_rng(2)
    a = Coded(rng.integers(0, 400, N), [f"a{i}" for i in range(400)])
    b = Coded(rng.integers(0, 400, N), [f"b{i}" for i in range(400)])
    c = Coded(rng.integers(0, 2, N), ["x", "y"])
    conn = sqlite3.connect(tmp_path / "t.sqlite", isolation_level=None)
    conn.execute("CREATE TABLE t (fid INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT)")
    insert_columns(conn, "t", ["a", "b", "c"], [a, b, c], N)
    assert conn.execute("SELECT a, b, c FROM t ORDER BY fid").fetchall() == list(zip(a.tolist(), b.tolist(),
                                                                                      c.tolist()))


def _layer(tmp_path, cols) -> str:
    path = tmp_path / "layer.gpkg"
    w = GeoPackageWriter(path)
    w.add_layer("units", [Column("name", "TEXT"), Column("side", "TEXT"), Column("sector", "TEXT"),
                          Column("dist", "REAL"), Column("flag", "BOOLEAN"), Column("count", "INTEGER"),
                          Column("blank", "REAL"), Column("when", "DATETIME")],
                list(cols.values()), geometry_type="POINT")
    w.close()
    return path


def _read_both(path, few=("side", "sector", "when"), kinds=None):
    names = ["geom", "name", "side", "sector", "dist", "flag", "count", "blank", "when"]
    with GeoPackageReader(path) as r:
        bulk, rows = r.read_bulk("units", names, few), r.read("units", names)
    if kinds is not None:
        kinds.update({c: type(v).__name__ for c, v in bulk.items()})
    for c, v in bulk.items():
        if isinstance(v, Coded):
            bulk[c] = v.tolist()
        elif isinstance(v, np.ndarray):
            bulk[c] = v.tolist()
    for c in ("name", "side", "sector", "when"):  # (a text column's NULL: "", a blob: its UTF-8 text)
        rows[c] = ["" if v is None else v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                   for v in rows[c]]
    return bulk, rows


WITHOUT_ROWID = ("CREATE TABLE u2 (fid INTEGER PRIMARY KEY, geom POINT, name TEXT, side TEXT, sector TEXT, "
                 "dist REAL, flag BOOLEAN, count INTEGER, blank REAL, \"when\" DATETIME) WITHOUT ROWID; "
                 "INSERT INTO u2 SELECT * FROM units; DROP TABLE units; ALTER TABLE u2 RENAME TO units")


@pytest.mark.parametrize("edit", [
    None,
    "DELETE FROM units WHERE fid % 3 = 0",                                   # keys with gaps
    "UPDATE units SET side = 'green' WHERE fid > 700",                      # the usual value changes
    "UPDATE units SET side = CAST(X'ff00' AS BLOB) WHERE fid = 20",          # a blob where text was
    "UPDATE units SET name = CAST(X'c3a9' AS BLOB) WHERE fid = 20",          # ... one of UTF-8 text
    "UPDATE units SET side = CAST(X'c3a9ff' AS BLOB) WHERE fid = 900",       # ... among the usual values
    "UPDATE units SET sector = 'S1' || char(31) || 'b' WHERE fid = 999",     # the separator in a text
    "UPDATE units SET geom = NULL WHERE fid = 40",                           # a missing geometry
    "UPDATE units SET geom = CAST(geom || X'00' AS BLOB) WHERE fid = 41",   # blobs of two sizes
    "UPDATE units SET blank = 2.5 WHERE fid = 1000",                         # not all NULL after all
    "UPDATE units SET \"when\" = 1500000000 WHERE fid = 5",                  # a number in a DATETIME
    WITHOUT_ROWID,                                                           # fid a key, not the rowid
    WITHOUT_ROWID + "; UPDATE units SET fid = 'x' WHERE fid = 3",           # ... and one of them text
])
def test_a_bulk_read_is_a_row_by_row_read(tmp_path, small_batches, edit):
    cols, *_ = _columns(np.random.default_rng(3))
    cols["when"] = Coded(np.where(np.arange(N) % 250 == 0, 1, 0), ["2017-08-15T12:00:00Z", None])
    path = _layer(tmp_path, cols)
    if edit:
        with sqlite3.connect(path) as db:
            db.executescript(edit)
    kinds = {}
    bulk, rows = _read_both(path, kinds=kinds)
    if edit is None:  # (in bulk: the geometry as one array, the few-valued columns as codes)
        assert kinds == {"geom": "ndarray", "name": "list", "side": "Coded", "sector": "Coded", "dist": "list",
                         "flag": "list", "count": "list", "blank": "list", "when": "Coded"}
    for c in rows:
        if c == "when":  # (the number is read as its text)
            rows[c] = [str(v) if isinstance(v, int) else v for v in rows[c]]
        assert bulk[c] == rows[c], c


def test_the_usual_values_are_read_as_the_rows_that_differ(tmp_path, small_batches, monkeypatch):
    """A few-valued column holding one value but in a few rows is read as those rows
    (pk:hex); one whose usual value changes (sector: S1 to row 600, then S2) is read whole
    for a chunk, then again as the rows that differ from the new one; one of three values
    in turn (side), whole."""
    cols, *_ = _columns(np.random.default_rng(4))
    cols["when"] = Coded(np.where(np.arange(N) == 10, 1, 0), ["2017-08-15T12:00:00Z", "2017-08-15T13:00:00Z"])
    path = _layer(tmp_path, cols)
    sql = []
    real = GeoPackageReader.query

    def spy(self, statement, args=()):
        sql.append(statement)
        return real(self, statement, args)

    monkeypatch.setattr(GeoPackageReader, "query", spy)
    bulk, rows = _read_both(path)
    assert bulk["when"] == rows["when"]
    reads = [s for s in sql if "BETWEEN" in s]
    assert len(reads) == 1 + (N - 5 + 49) // 50 and all("hex(\"when\")" in s for s in reads)
    assert "hex(\"side\")" not in reads[-1]  # (a third each: whole chunks after the first)
    sparse = ["hex(\"sector\")" in r for r in reads]
    # (the last row's S2 at first: all differ, so the next chunk whole; S1 then, until the
    # chunk of rows 606-655 differs in all; one chunk whole, then S2)
    assert sparse == [True, False] + [True] * 12 + [False] + [True] * 6
