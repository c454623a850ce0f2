"""A minimal OGC GeoPackage (1.4) writer and reader on the standard library's sqlite3.

Why not GDAL: the project file must open and save 1M track points in well under 1.5 s and
the app must not ship GDAL (tens of MB) for it. The container is simple: an SQLite file with
`application_id` 'GPKG', the spatial reference systems table, a contents table that lists
every layer, a geometry-columns table, and per layer a table whose geometry column holds
GeoPackage binary blobs (an 8-byte header, an optional envelope, then ISO WKB). GDAL, QGIS
and ArcGIS read such a file as ordinary layers (the tests check it with GDAL itself).

No R-tree spatial index is written: the layers are small (a feature per unit or per
track), building one for a large layer would double the save time, and readers work
without it (QGIS offers to build one).
"""
from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence

import numpy as np
import shapely
import shapely.errors

from desktop.core.project.sqlite_columns import insert_columns, quote, read_columns, text_affinity
from desktop.core.project.sqlite_safe import DatabaseFileError, ReadOnlyDatabase
from desktop.core.project.wkb_check import WKBError, check_wkb

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400         # GeoPackage 1.4
WGS84 = 4326
WGS84_WKT = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
             'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
             'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
             'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]')
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_HEAD = struct.Struct("<2sBBi")           # magic, version, flags, srs_id (little-endian)
_POINT = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"),
                   ("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
CHUNK = 100_000  # rows per insert/fetch batch: progress and Cancel between batches
MAX_DEFAULT = 1024  # characters of a column's default value (ours have none)
MAX_LAYERS = 10_000  # rows of gpkg_contents read (it may be a view that never ends)


class GeoPackageError(DatabaseFileError):
    """Not a GeoPackage, or a layer/blob that cannot be read; the message says where."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a GeoPackage column type: TEXT, INTEGER, REAL, BOOLEAN, DATETIME


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# -- blobs ------------------------------------------------------------------------------------
def _header(srs_id: int, envelope: Sequence[float] | None, empty: bool = False) -> bytes:
    flags = 0x01 | ((1 if envelope is not None else 0) << 1) | (0x10 if empty else 0)
    head = _HEAD.pack(b"GP", 0, flags, srs_id)
    return head + (struct.pack("<4d", *envelope) if envelope is not None else b"")


def geometry_blobs(geoms: np.ndarray, srs_id: int = WGS84) -> list[bytes]:
    """GeoPackage blobs for shapely geometries (vectorised WKB; an xy envelope per
    non-point geometry, as GDAL writes)."""
    geoms = np.asarray(geoms, dtype=object)
    wkb = shapely.to_wkb(geoms, flavor="iso", byte_order=1)
    bounds = shapely.bounds(geoms)
    points = shapely.get_type_id(geoms) == 0
    out = []
    for w, b, is_point, g in zip(wkb.tolist(), bounds.tolist(), points.tolist(), geoms.tolist()):
        empty = g.is_empty
        env = None if (is_point or empty) else (b[0], b[2], b[1], b[3])
        out.append(_header(srs_id, env, empty) + w)
    return out


def point_blobs(lon: np.ndarray, lat: np.ndarray, srs_id: int = WGS84) -> np.ndarray:
    """Point blobs for coordinate columns, built in numpy (no per-point shapely object),
    as an array of fixed-size blobs (a void dtype; `tolist()` gives bytes). A NaN
    position is written as an empty point (the header's empty flag, NaN coordinates)."""
    rec = np.zeros(len(lon), dtype=_POINT)
    rec["magic"], rec["srs"], rec["order"], rec["type"] = b"GP", srs_id, 1, 1
    rec["x"], rec["y"] = lon, lat
    rec["flags"] = np.where(np.isnan(lon) | np.isnan(lat), 0x11, 0x01)
    return rec.view(f"V{_POINT.itemsize}")


def linestring_m_blob(x: np.ndarray, y: np.ndarray, m: np.ndarray, srs_id: int = WGS84) -> bytes:
    """One LINESTRING M (ISO WKB type 2002) with an xy envelope."""
    coords = np.column_stack([x, y, m]).astype("<f8")
    env = (float(x.min()), float(x.max()), float(y.min()), float(y.max()))
    return _header(srs_id, env) + struct.pack("<BII", 1, 2002, len(coords)) + coords.tobytes()


def split_blob(blob: bytes, where: str) -> tuple[int, bytes, bool]:
    """(srs_id, WKB, empty) of a GeoPackage geometry blob; GeoPackageError naming `where`."""
    if not isinstance(blob, (bytes, memoryview)) or len(blob) < 8 or blob[:2] != b"GP":
        raise GeoPackageError(f"{where}: not a GeoPackage geometry")
    flags = blob[3]
    if flags & 0x20:
        raise GeoPackageError(f"{where}: extended (non-standard) geometry types are not supported")
    env = (flags >> 1) & 0x07
    if env not in _ENVELOPE_BYTES:
        raise GeoPackageError(f"{where}: invalid envelope code {env}")
    srs_id = struct.unpack_from("<i" if flags & 1 else ">i", blob, 4)[0]
    start = 8 + _ENVELOPE_BYTES[env]
    if len(blob) <= start:
        raise GeoPackageError(f"{where}: truncated geometry")
    return srs_id, bytes(blob[start:]), bool(flags & 0x10)


def points_from_blobs(blobs: list | np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path: (lon, lat) when every blob (of a list, or of an array of fixed-size
    blobs) is a little-endian 2-D point without envelope (what this module writes); None
    otherwise."""
    if isinstance(blobs, np.ndarray):
        if not len(blobs) or blobs.dtype.itemsize != _POINT.itemsize:
            return None
        rec = blobs.view(_POINT)
    elif not blobs or None in blobs or set(map(len, blobs)) != {_POINT.itemsize}:
        return None
    else:
        rec = np.frombuffer(b"".join(blobs), dtype=_POINT)
    if (not np.all(rec["magic"] == b"GP") or not np.all((rec["flags"] & 0x2F) == 0x01)
            or not np.all(rec["order"] == 1) or not np.all(rec["type"] == 1)):
        return None
    lon, lat = rec["x"].copy(), rec["y"].copy()
    empty = (rec["flags"] & 0x10) != 0
    lon[empty], lat[empty] = np.nan, np.nan
    return lon, lat


def parse_geometries(blobs: list | np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(shapely geometries, srs ids) for a column of blobs (None for NULL geometries; or an
    array of fixed-size blobs); GeoPackageError names `where` (unless empty) and the
    feature (fid order, from 1) of an unreadable blob."""
    prefix = f"{where}: " if where else ""
    blobs = blobs.tolist() if isinstance(blobs, np.ndarray) else blobs
    wkbs, srs = [], np.zeros(len(blobs), dtype=np.int64)
    for i, blob in enumerate(blobs):
        if blob is None:
            wkbs.append(None)
            continue
        srs[i], wkb, empty = split_blob(blob, f"{prefix}feature {i + 1}")
        try:
            check_wkb(wkb)  # GEOS recurses into nested collections: a deep one would crash it
        except WKBError as exc:
            raise GeoPackageError(f"{prefix}feature {i + 1}: unreadable geometry ({exc})") from None
        wkbs.append(wkb)
    try:
        return shapely.from_wkb(np.array(wkbs, dtype=object), on_invalid="raise"), srs
    except shapely.errors.GEOSException:
        for i, w in enumerate(wkbs):  # find the culprit for the message
            try:
                shapely.from_wkb(w, on_invalid="raise")
            except shapely.errors.GEOSException as exc:
                reason = str(exc).split(": ", 1)[-1]
                raise GeoPackageError(f"{prefix}feature {i + 1}: unreadable geometry ({reason})") from None
        raise


def _text(value) -> str:
    """A value of a text column as `read_bulk` gives it (as SQLite's own text of it)."""
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# -- writing ----------------------------------------------------------------------------------
class GeoPackageWriter:
    """Creates a new GeoPackage at `path` (which must not exist). Call `close()` to commit.

    Settings favour speed: no rollback journal and no syncs while writing; the caller
    writes beside the target and fsyncs + renames (desktop.core.atomic)."""

    def __init__(self, path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        c = self.conn
        c.execute("PRAGMA journal_mode=OFF")
        c.execute("PRAGMA synchronous=OFF")
        c.execute(f"PRAGMA application_id={APPLICATION_ID}")
        c.execute(f"PRAGMA user_version={USER_VERSION}")
        c.execute("BEGIN")  # everything below is one transaction
        c.execute("""CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
                     organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
                     definition TEXT NOT NULL, description TEXT)""")
        c.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            ("WGS 84 geodetic", WGS84, "EPSG", WGS84, WGS84_WKT, "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
        ])
        c.execute("""CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
                     identifier TEXT UNIQUE, description TEXT DEFAULT '',
                     last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                     min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
                     CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""")
        c.execute("""CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
                     geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
                     m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
                     CONSTRAINT uk_gc_table_name UNIQUE (table_name),
                     CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
                     CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""")
        self._changed = now_iso()

    def add_layer(self, name: str, columns: Sequence[Column], values: Sequence, *,
                  geometry_type: str | None = None, m: bool = False,
                  extent: Sequence[float] | None = None, description: str = "",
                  on_rows: Callable[[int], None] | None = None) -> None:
        """A features layer (geometry_type "POINT", "LINESTRING", "POLYGON", "GEOMETRY", ...;
        the first of `values` is the geometry column) or, without geometry_type, an
        attributes table. `values` holds a column per column, as `insert_columns` takes
        them (a sequence, None for all NULL, `Coded`, an array of fixed-size blobs).
        `on_rows(n)` is told the rows written so far, every CHUNK rows (progress, cancel)."""
        cols = [f"{quote(c.name)} {c.type}" for c in columns]
        if geometry_type:
            cols.insert(0, f"geom {geometry_type}")
        self.conn.execute(f"CREATE TABLE {quote(name)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                          + ", ".join(cols) + ")")
        names = (["geom"] if geometry_type else []) + [c.name for c in columns]
        n = next((len(v) for v in values if v is not None), 0)
        insert_columns(self.conn, name, names, values, n, chunk=CHUNK, on_rows=on_rows)
        kind = "features" if geometry_type else "attributes"
        ext = tuple(extent) if extent is not None and np.all(np.isfinite(extent)) else (None,) * 4
        self.conn.execute("INSERT INTO gpkg_contents VALUES (?,?,?,?,?,?,?,?,?,?)",
                          (name, kind, name, description, self._changed, *ext, WGS84 if geometry_type else None))
        if geometry_type:
            self.conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?,?,?,?,?,?)",
                              (name, "geom", geometry_type, WGS84, 0, 1 if m else 0))

    def close(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()

    def abort(self) -> None:
        self.conn.close()


# -- reading ----------------------------------------------------------------------------------
class GeoPackageReader:
    """Read-only access that never writes to the file and reads through side files another
    program left (desktop.core.project.sqlite_safe); every query has a time budget."""

    def __init__(self, path, name: str | None = None) -> None:
        self.name = name or str(path)
        try:
            self.db = ReadOnlyDatabase(path, self.name)
        except DatabaseFileError as exc:
            text = str(exc)
            if text.endswith("not an SQLite database"):
                text = f"{self.name}: not a GeoPackage (not an SQLite database)"
            raise GeoPackageError(text) from None
        tables = {r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='table'")}
        if "gpkg_contents" not in tables:
            self.close()
            raise GeoPackageError(f"{self.name}: an SQLite database but not a GeoPackage (no gpkg_contents table)")
        self.tables = tables

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "GeoPackageReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, sql: str, args: Sequence = ()) -> list[tuple]:
        try:
            return [row for batch in self.db.fetch_batches(self.db.execute(sql, args), CHUNK) for row in batch]
        except DatabaseFileError as exc:
            raise GeoPackageError(str(exc)) from None

    def contents(self) -> list[tuple[str, str, int | None]]:
        """(table name, data type, srs id) of every layer the file lists."""
        return [(str(n), str(t), s) for n, t, s in
                self.query(f"SELECT table_name, data_type, srs_id FROM gpkg_contents ORDER BY rowid "
                           f"LIMIT {MAX_LAYERS}")]

    def geometry_column(self, table: str) -> tuple[str, str, int, int] | None:
        """(column, geometry type, srs id, m flag) of a features table, or None."""
        rows = self.query("SELECT column_name, geometry_type_name, srs_id, m FROM gpkg_geometry_columns "
                          "WHERE table_name=? LIMIT 1", (table,))
        return tuple(rows[0]) if rows else None  # type: ignore[return-value]

    def columns(self, table: str) -> list[tuple[str, str]]:
        return [(str(r[1]), str(r[2]).upper()) for r in self.query(f"PRAGMA table_info({quote(table)})")]

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT count(*) FROM {quote(table)}")[0][0])

    def read(self, table: str, columns: Sequence[str], on_rows: Callable[[int], None] | None = None) -> dict[str, list]:
        """The named columns of `table` in fid order, as lists; `on_rows(n)` is told the
        rows read so far, every CHUNK rows."""
        self._check_readable(table, columns)
        pk = next((c for c, _ in self.columns(table) if c.lower() == "fid"), "rowid")
        out: dict[str, list] = {c: [] for c in columns}
        lists = list(out.values())
        done = 0
        try:
            cursor = self.db.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)} "
                                     f"ORDER BY {quote(pk)}")
            for batch in self.db.fetch_batches(cursor, CHUNK):
                for target, values in zip(lists, zip(*batch)):  # columns batch by batch: no list of every row
                    target.extend(values)
                done += len(batch)
                if on_rows is not None:
                    on_rows(done)
        except DatabaseFileError as exc:
            raise GeoPackageError(str(exc)) from None
        return out

    def read_bulk(self, table: str, columns: Sequence[str], few: Sequence[str] = (),
                  on_rows: Callable[[int], None] | None = None) -> dict[str, list | np.ndarray]:
        """`read` for a table of a million rows (sqlite_columns.read_columns): the same
        values, but a TEXT (or DATE, DATETIME) column as str (NULL as "", a blob as its
        bytes' UTF-8 text; those of `few`, which usually hold one value in most rows, may
        come as `Coded`), and the geometry column, when every blob has one size, as an
        array of fixed-size blobs (a void dtype)."""
        self._check_readable(table, columns)
        info = self.query(f"PRAGMA table_info({quote(table)})")
        declared = {str(r[1]): str(r[2]) for r in info}
        keys = [str(r[1]) for r in info if r[5]]
        geometry = self.geometry_column(table)
        kinds = {c: "blob" if geometry is not None and c == geometry[0] else
                 ("few" if c in few else "text") if text_affinity(declared[c]) or declared[c].upper() in
                 ("DATE", "DATETIME") else "other" for c in columns}  # (GeoPackage dates are text)
        out: dict[str, list | np.ndarray] = {}
        left = list(columns)
        if keys == ["fid"] and declared["fid"].upper() == "INTEGER" and \
                str(self.query("PRAGMA encoding")[0][0]).upper() == "UTF-8":  # (a scan goes in fid order)
            n, first, last = self.query(f"SELECT count(*), min(fid), max(fid) FROM {quote(table)}")[0]
            if isinstance(first, int) and isinstance(last, int):
                out, left = read_columns(self.query, table, kinds, n, first, last, chunk=CHUNK, on_rows=on_rows)
        if left:
            out.update(self.read(table, left, on_rows if len(left) == len(columns) else None))
        for c in left:
            if kinds[c] in ("text", "few") and set(map(type, out[c])) != {str}:
                out[c] = [_text(v) for v in out[c]]
        return {c: out[c] for c in columns}

    def _check_readable(self, table: str, columns: Sequence[str]) -> None:
        if table not in self.tables:
            raise GeoPackageError(f"{self.name}: no layer {table!r}")
        have = {c for c, _ in self.columns(table)}
        missing = [c for c in columns if c not in have]
        if missing:
            raise GeoPackageError(f"{self.name}: layer {table!r} has no column {missing[0]!r}")
        self._check_stored(table, columns)

    def _check_stored(self, table: str, columns: Sequence[str]) -> None:
        """Refuse what would let a small file grow without bound when read: a virtual table,
        a generated column, or a default longer than MAX_DEFAULT (rows written before an
        ALTER TABLE ADD COLUMN all return it: 200 KB defaults made an 11 MB file 7.7 GB)."""
        sql = self.query("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,))
        if sql and str(sql[0][0] or "").lstrip().upper().startswith("CREATE VIRTUAL"):
            raise GeoPackageError(f"{self.name}: layer {table!r} is a virtual table, not stored data")
        info = {str(r[1]): r for r in self.query(f"PRAGMA table_xinfo({quote(table)})")}
        for c in columns:
            default, hidden = info[c][4], info[c][6]
            if hidden:
                raise GeoPackageError(f"{self.name}: layer {table!r}: column {c!r} is computed, not stored")
            if default is not None and len(str(default)) > MAX_DEFAULT:
                raise GeoPackageError(f"{self.name}: layer {table!r}: column {c!r} has a default of "
                                      f"{len(str(default)):,} characters (at most {MAX_DEFAULT:,}): every row "
                                      "would repeat it")

    def srs_definition(self, srs_id: int) -> tuple[str, int, str] | None:
        rows = self.query("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                          "WHERE srs_id=? LIMIT 1", (srs_id,))
        return tuple(rows[0]) if rows else None  # type: ignore[return-value]
