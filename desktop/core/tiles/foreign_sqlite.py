"""Reading an SQLite file someone else wrote (MBTiles, GeoPackage tiles), safely. Pure.

- Regular files only: a FIFO or a device would block or never end.
- Read-only (`mode=ro`), never `immutable=1`: a `-wal` file or a hot `-journal` beside the
  file belongs to it. With `immutable` SQLite would ignore them and show a state that
  never existed (a transaction half rolled back) or miss committed edits. A read-only
  connection reads through a WAL and refuses a hot journal it may not roll back: we say so.
- Every query has a time limit (a progress handler): a recursive view in a hostile file
  must not hang the map.
- Every failure is a `TileFileError` whose message names the file.
"""
from __future__ import annotations

import os
import sqlite3
import stat
import struct
import threading
import time
from pathlib import Path
from typing import Sequence

from desktop.core.inputs import read_problem

SQLITE_MAGIC = b"SQLite format 3\0"
QUERY_SECONDS = 5.0      # any one query against a foreign file
_CHECK_EVERY = 2000      # SQLite VM steps between two looks at the clock


class TileFileError(ValueError):
    """A tile file that cannot be used; the message names the file and says why."""


def sniff_image(blob: bytes) -> str:
    """The real format of a tile blob from its magic bytes: 'png', 'jpeg', 'webp', 'gif',
    'tiff', 'pbf' (a vector tile, gzipped or plain) or 'unknown'."""
    head = bytes(blob[:16])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith((b"II*\0", b"MM\0*")):
        return "tiff"
    if head.startswith(b"\x1f\x8b") or head[:1] == b"\x1a":  # gzip, or protobuf field 3 (layers)
        return "pbf"
    return "unknown"


def image_size(blob: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG or WebP from its header, without decoding; None when
    the header does not say."""
    kind = sniff_image(blob)
    try:
        if kind == "png":
            return struct.unpack(">II", blob[16:24])
        if kind == "jpeg":
            i = 2
            while i + 9 < len(blob):
                if blob[i] != 0xFF:
                    return None
                marker, length = blob[i + 1], struct.unpack(">H", blob[i + 2:i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                    h, w = struct.unpack(">HH", blob[i + 5:i + 9])
                    return w, h
                i += 2 + length
            return None
        if kind == "webp":
            chunk = blob[12:16]
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", blob[26:30])
                return w & 0x3FFF, h & 0x3FFF
            if chunk == b"VP8L":
                b = int.from_bytes(blob[21:25], "little")
                return (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
            if chunk == b"VP8X":
                return int.from_bytes(blob[24:27], "little") + 1, int.from_bytes(blob[27:30], "little") + 1
    except (struct.error, IndexError):
        return None
    return None


class ForeignSQLite:
    """A read-only connection to someone else's SQLite file, usable from several threads
    (one query at a time), every query under a time limit."""

    def __init__(self, path, what: str = "tile file", query_seconds: float | None = None) -> None:
        self.path = Path(path)
        self.name = os.fspath(path)
        self.query_seconds = QUERY_SECONDS if query_seconds is None else query_seconds
        self._lock = threading.Lock()
        self._deadline = 0.0
        self._check_file(what)
        uri = self.path.resolve().as_uri() + "?mode=ro"
        try:
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise TileFileError(f"{self.name}: cannot open as SQLite ({exc})") from None
        self.conn.set_progress_handler(self._past_deadline, _CHECK_EVERY)
        self.tables = {str(r[0]): str(r[1]) for r in self.query("SELECT name, type FROM sqlite_master "
                                                                  "WHERE type IN ('table', 'view')")}

    def _check_file(self, what: str) -> None:
        try:
            st = os.stat(self.path)  # follows links: a link to a FIFO is a FIFO
        except OSError as exc:
            raise TileFileError(read_problem(self.name, exc)) from None
        if stat.S_ISDIR(st.st_mode):
            raise TileFileError(f"{self.name}: is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise TileFileError(f"{self.name}: not a regular file (a pipe or a device)")
        if st.st_size == 0:
            raise TileFileError(f"{self.name}: empty file")
        try:
            with open(self.path, "rb") as f:
                head = f.read(100)
        except OSError as exc:
            raise TileFileError(read_problem(self.name, exc)) from None
        if not head.startswith(SQLITE_MAGIC):
            raise TileFileError(f"{self.name}: not a {what} (not an SQLite database)")
        if len(head) < 100:
            raise TileFileError(f"{self.name}: truncated SQLite file ({st.st_size} bytes)")
        page = struct.unpack(">H", head[16:18])[0]
        page = 65536 if page == 1 else page
        pages, changes, valid_for = (struct.unpack(">I", head[o:o + 4])[0] for o in (28, 24, 92))
        # The header's page count is valid when written by SQLite >= 3.7.0 (valid_for ==
        # changes); a WAL may hold pages beyond the file, so only judge without one.
        if pages and valid_for == changes and st.st_size < page * pages and \
                not os.path.exists(f"{self.path}-wal"):
            raise TileFileError(f"{self.name}: truncated ({st.st_size} of {page * pages} bytes)")

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0

    def query(self, sql: str, args: Sequence = (), limit_s: float | None = None) -> list[tuple]:
        """All rows of one query; a TileFileError naming the file when the file is damaged,
        locked in a way we may not resolve, or the query runs past its time limit."""
        with self._lock:
            self._deadline = time.monotonic() + min(self.query_seconds, limit_s or self.query_seconds)
            try:
                return self.conn.execute(sql, args).fetchall()
            except sqlite3.OperationalError as exc:
                raise TileFileError(self._explain(exc)) from None
            except (sqlite3.DatabaseError, UnicodeDecodeError, OverflowError) as exc:
                raise TileFileError(f"{self.name}: damaged or truncated database ({exc})") from None

    def _explain(self, exc: sqlite3.OperationalError) -> str:
        text = str(exc)
        if "interrupted" in text:
            return f"{self.name}: a query took over {self.query_seconds:g} s; the file is too slow or hostile"
        if "readonly" in text or "read-only" in text:
            return (f"{self.name}: holds an unfinished transaction (a hot journal beside it); open it once in "
                    "the program that wrote it, or copy it with that journal, then try again")
        if "locked" in text or "busy" in text:
            return f"{self.name}: locked by another program; try again when it is done"
        if "unable to open" in text:
            return f"{self.name}: cannot read it (its write-ahead log needs a writable folder, or access is denied)"
        return f"{self.name}: {text}"

    def columns(self, table: str) -> set[str]:
        return {str(r[1]).lower() for r in self.query(f"PRAGMA table_info({quote(table)})")}

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def quote(name: str) -> str:
    """An SQL identifier, quoted (names come from the file)."""
    return '"' + str(name).replace('"', '""') + '"'
