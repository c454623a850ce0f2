"""Builders of hostile and unlucky files, made in the test itself, and a way to run the
command line in a child process under memory and time limits."""
from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OTHER_NAME = "EDITED IN ANOTHER PROGRAM"
UNCOMMITTED = "NEVER COMMITTED"


def _other_program(path: Path, body: str) -> None:
    """Run `body` with `c`, a connection to `path`, in a child that then dies at once
    (no checkpoint, no rollback, no close): what a crash or a kill -9 leaves."""
    code = f"import os, sqlite3\nc = sqlite3.connect({str(path)!r}, isolation_level=None)\n{body}\nos._exit(9)\n"
    subprocess.run([sys.executable, "-c", code], check=False)


def wal_edit_left_behind(path: Path) -> None:
    """Another SQLite program (QGIS editing the layers, say) commits in WAL mode and is
    killed before a checkpoint: the committed edit lives only in path-wal."""
    _other_program(path, f"c.execute('PRAGMA journal_mode=WAL')\n"
                         f"c.execute(\"UPDATE units SET name='{OTHER_NAME}' WHERE fid=1\")")
    assert Path(f"{path}-wal").stat().st_size > 0


def hot_journal_left_behind(path: Path) -> None:
    """A program killed in the middle of a transaction, after SQLite spilled changed pages
    into the file: the file holds uncommitted data, path-journal the pages to restore."""
    _other_program(path, "c.execute('PRAGMA cache_size=1')\nc.execute('BEGIN')\n"
                         f"c.execute(\"UPDATE units SET name='{UNCOMMITTED}'\")\n"
                         f"c.execute(\"UPDATE calls SET summary='{UNCOMMITTED}'\")")
    assert Path(f"{path}-journal").stat().st_size > 0
    with sqlite3.connect(Path(path).resolve().as_uri() + "?immutable=1", uri=True) as c:  # the trap is set
        assert c.execute("SELECT name FROM units WHERE fid=1").fetchone()[0] == UNCOMMITTED


def open_normally(path: Path) -> sqlite3.Connection:
    """What the next program to open the file (QGIS, sqlite3, GDAL) sees."""
    return sqlite3.connect(path)


def run_cli(*argv, memory_mb: int = 1024, seconds: int = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`deconflict ARGV` in a child process with its address space capped at `memory_mb`
    and its run time at `seconds` (then it is killed: a hang fails the test)."""
    def limits() -> None:
        cap = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "OPENBLAS_NUM_THREADS": "1"}  # (each BLAS thread reserves address space)
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, argv)], capture_output=True, text=True,
                          timeout=seconds, preexec_fn=limits, env=env, cwd=cwd)


def nested_collection_blob(depth: int) -> bytes:
    """A GeoPackage blob holding a GeometryCollection nested `depth` deep (9 bytes a level):
    GEOS reads it by recursion and overflows the stack."""
    import struct
    level = b"\x01" + struct.pack("<II", 7, 1)
    return b"GP\x00\x01" + struct.pack("<i", 4326) + level * depth + b"\x01" + struct.pack("<II", 7, 0)


def set_blob(path: Path, layer: str, blob: bytes, fid: int = 1) -> None:
    """Replace one feature's geometry, as a hostile tool would."""
    with sqlite3.connect(path) as c:
        c.execute(f'UPDATE "{layer}" SET geom = ? WHERE fid = ?', (blob, fid))
    sqlite3.connect(path).close()


def default_bomb(path: Path, rows: int = 40_000, default_kb: int = 200) -> None:
    """Another tool's table and an extra column in `units` whose values are defaults: rows
    written before ALTER TABLE ADD COLUMN all return the default, stored once in the schema.
    Read naively, an 11 MB file expands to rows x default_kb (8 GB here)."""
    big = "x" * (default_kb << 10)
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE their_notes (a INTEGER)")
        c.executemany("INSERT INTO their_notes VALUES (?)", ((i,) for i in range(rows)))
        c.execute(f"ALTER TABLE their_notes ADD COLUMN note TEXT DEFAULT '{big}'")
        c.execute(f"ALTER TABLE units ADD COLUMN their_remark TEXT DEFAULT '{big}'")
    sqlite3.connect(path).close()


def known_column_bomb(path: Path, default_kb: int = 200) -> None:
    """A known column (`units.name`) whose every value is a 200 KB default."""
    big = "x" * (default_kb << 10)
    with sqlite3.connect(path) as c:
        c.execute("ALTER TABLE units RENAME COLUMN name TO old_name")
        c.execute(f"ALTER TABLE units ADD COLUMN name TEXT DEFAULT '{big}'")
    sqlite3.connect(path).close()


def deflated_zeros(megabytes: int) -> bytes:
    """A raw deflate stream of `megabytes` MB of zero bytes, about 1 KB per MB, built by
    repeating one flushed block (no need to compress gigabytes in the test)."""
    import zlib
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + c.flush(zlib.Z_FINISH)


def lying_zip(path: Path, member: str, method: int, packed: bytes, claimed_size: int) -> None:
    """A zip holding `packed` (already compressed with `method`: 8 deflate, 12 bzip2) whose
    local header and central directory claim it unpacks to `claimed_size` bytes."""
    import struct
    import zlib
    name = member.encode()
    crc = zlib.crc32(b"")
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(packed), claimed_size,
                        len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(packed),
                          claimed_size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(packed), 0)
    path.write_bytes(local + packed + central + end)


def recursive_geometry_columns(path: Path, matching: bool) -> None:
    """A GeoPackage whose gpkg_geometry_columns is a view over a recursion without end: a
    query on it never returns (no row ever matches) or never stops returning rows."""
    name = "'units'" if matching else "printf('t%d', n)"
    with sqlite3.connect(path) as c:
        c.execute("DROP TABLE gpkg_geometry_columns")
        c.execute("CREATE VIEW gpkg_geometry_columns AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL "
                  f"SELECT n + 1 FROM r) SELECT {name} AS table_name, 'geom' AS column_name, "
                  "'POINT' AS geometry_type_name, 4326 AS srs_id, 0 AS z, 0 AS m FROM r")
    sqlite3.connect(path).close()
