"""SQLite files written by other programs (a project QGIS edited, any GeoPackage, a tile
database), read safely; and the side files to settle before one is replaced.

Reading never writes to the file, reads only what was committed, and always returns:

- Without side files the file is opened `immutable` (no journal, no lock, no -shm): the
  fastest way, and nothing beside it is created even in a read-only folder.
- A `-wal` (a program in WAL mode, killed before a checkpoint or still running) holds
  committed changes the file itself lacks; a hot `-journal` holds the pages of a
  transaction that never committed, already half written into the file. `immutable`
  ignores both: it would miss the first and show the second. Only SQLite knows how to
  apply them, and applying them writes, so the file and its side files are copied into a
  private folder and SQLite recovers the copy.
- Every statement runs under a time budget (a progress handler): a recursive view or a
  pathological query fails with a message instead of hanging.
- Only regular files: a FIFO or a device would block or never end.

Writing: a new file renamed over an old one must never meet the old one's side files
(SQLite would apply a stale WAL to the new file: "database disk image is malformed").
`settle_side_files` lets SQLite fold them into the old file first, and refuses while
another program has the file open.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
import time
from pathlib import Path

SIDE_SUFFIXES = ("-wal", "-journal")
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # a rollback journal's header, while it is live
QUERY_SECONDS = 30.0  # a statement (or one batch of rows) longer than this is stopped
_CHECK_EVERY = 20_000  # virtual-machine steps between two looks at the clock
_COPY_TRIES = 3


class DatabaseFileError(ValueError):
    """An SQLite file that cannot be read; the message names it and says why."""


def regular_file(path, name: str) -> os.stat_result:
    """stat of `path`, which must be a regular file (a FIFO would block a reader forever,
    a device never end); DatabaseFileError naming `name` otherwise."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DatabaseFileError(f"{name}: no such file") from None
    except OSError as exc:
        raise DatabaseFileError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise DatabaseFileError(f"{name}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseFileError(f"{name}: not a regular file (a pipe, socket or device)")
    return st


def read_head(path, size: int) -> bytes:
    """The first `size` bytes of a file, without blocking on a FIFO (O_NONBLOCK)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def pending_side_files(path) -> list[Path]:
    """The side files that change what `path` holds: a non-empty `-wal`, or a `-journal`
    whose header is live (an empty or zeroed journal, as TRUNCATE and PERSIST modes
    leave, is not)."""
    found = []
    for suffix in SIDE_SUFFIXES:
        side = Path(f"{os.fspath(path)}{suffix}")
        try:
            if not side.is_file() or side.stat().st_size == 0:
                continue
            if suffix == "-journal" and read_head(side, 8) != JOURNAL_MAGIC:
                continue
        except OSError:
            continue
        found.append(side)
    return found


def disk_state(path) -> tuple:
    """What changes whenever a program commits to `path`: identity, size and time of the
    file and of its side files, and their headers (SQLite's change counter, the WAL's
    salts). Cheap: stats and 132 bytes. The -shm is left out: readers write to it."""
    state = []
    for suffix, head in (("", 100), ("-wal", 32), ("-journal", 8)):
        try:
            st = os.stat(f"{os.fspath(path)}{suffix}")
            data = read_head(f"{os.fspath(path)}{suffix}", head) if stat.S_ISREG(st.st_mode) else b""
        except OSError:
            state.append((suffix, None))
            continue
        state.append((suffix, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, data))
    return tuple(state)


def _budget(conn: sqlite3.Connection) -> list[float]:
    """A per-statement deadline checked by a progress handler; `deadline[0]` is reset by
    the reader before each statement or batch."""
    deadline = [time.monotonic() + QUERY_SECONDS]
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline[0] else 0, _CHECK_EVERY)
    return deadline


class ReadOnlyDatabase:
    """A read-only connection to an SQLite file (see the module doc). `execute` and
    `fetch_batches` give every statement the time budget and turn SQLite's errors into
    DatabaseFileError naming the file."""

    def __init__(self, path, name: str | None = None) -> None:
        self.name = name or os.fspath(path)
        self._copy_dir: str | None = None
        regular_file(path, self.name)
        try:
            head = read_head(path, 100)
        except OSError as exc:
            raise DatabaseFileError(f"{self.name}: cannot read: {exc.strerror or exc}") from None
        if not head:
            raise DatabaseFileError(f"{self.name}: empty file")
        if not head.startswith(b"SQLite format 3\0"):
            raise DatabaseFileError(f"{self.name}: not an SQLite database")
        self.recovered = pending_side_files(path)  # side files read through, if any
        try:
            if self.recovered:
                self.conn = self._open_recovered_copy(Path(path))
            else:
                self.conn = sqlite3.connect(Path(path).resolve().as_uri() + "?immutable=1", uri=True)
            self._deadline = _budget(self.conn)
            self.execute("SELECT count(*) FROM sqlite_master")  # a damaged header or schema fails here
        except sqlite3.DatabaseError as exc:
            self.close()
            raise DatabaseFileError(f"{self.name}: damaged or truncated database ({exc})") from None
        except BaseException:
            self.close()
            raise

    def _open_recovered_copy(self, path: Path) -> sqlite3.Connection:
        """Copy the file with its side files into a private folder and let SQLite apply
        them there (read-only afterwards). A copy that raced a writer is taken again."""
        self._copy_dir = tempfile.mkdtemp(prefix="deconflict-read-")
        copy = Path(self._copy_dir) / "db.sqlite"
        for _ in range(_COPY_TRIES):
            before = disk_state(path)
            try:
                shutil.copyfile(path, copy)
                for side in pending_side_files(path):
                    shutil.copyfile(side, f"{copy}{side.name[len(path.name):]}")
            except OSError as exc:
                raise DatabaseFileError(f"{self.name}: another program left changes in "
                                        f"{', '.join(s.name for s in self.recovered)}; reading them needs a "
                                        f"private copy, which failed: {exc.strerror or exc}") from None
            if disk_state(path) == before:
                break
        conn = sqlite3.connect(copy)  # a normal open: SQLite replays the WAL or rolls the journal back
        conn.execute("PRAGMA query_only=1")
        return conn

    def execute(self, sql: str, args=()) -> sqlite3.Cursor:
        self._deadline[0] = time.monotonic() + QUERY_SECONDS
        try:
            return self.conn.execute(sql, args)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise self.error(exc) from None

    def fetch_batches(self, cursor: sqlite3.Cursor, size: int):
        """The cursor's rows, `size` at a time, each batch under a fresh time budget."""
        try:
            while True:
                self._deadline[0] = time.monotonic() + QUERY_SECONDS
                batch = cursor.fetchmany(size)
                if not batch:
                    return
                yield batch
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise self.error(exc) from None

    def error(self, exc: BaseException) -> DatabaseFileError:
        if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
            return DatabaseFileError(f"{self.name}: a query took more than {QUERY_SECONDS:g} s and was stopped "
                                     "(a recursive view or a damaged index?)")
        return DatabaseFileError(f"{self.name}: damaged or truncated database ({exc})")  # text not UTF-8: damaged too

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None
        if self._copy_dir is not None:
            shutil.rmtree(self._copy_dir, ignore_errors=True)
            self._copy_dir = None


class FileInUse(OSError):
    """Another program has the file open (it holds SQLite's lock); the message says so."""


def settle_side_files(path) -> None:
    """Before a new file is renamed over `path`: have SQLite fold a `-wal` into it, or roll
    a hot `-journal` back, and remove them (the old file stays a consistent database).
    FileInUse when another program holds the file; OSError when they cannot be settled."""
    path = Path(path)
    pending = pending_side_files(path)
    if not pending:
        return
    names = ", ".join(p.name for p in pending)
    try:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # rolls a hot journal back
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]  # checkpoints, removes the WAL
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise FileInUse(f"{path.name} is open in another program, with changes in {names}; "
                            "close it there, or save under another name") from None
        raise OSError(f"{path.name} has side files ({names}) that could not be folded in ({exc}); "
                      "open it in the program that wrote them, or save under another name") from None
    except sqlite3.DatabaseError as exc:
        raise OSError(f"{path.name} has side files ({names}) but is not a readable database ({exc}); "
                      "move them away, or save under another name") from None
    left = pending_side_files(path)
    if str(mode).lower() != "delete" or left:
        raise FileInUse(f"{path.name}: {', '.join(p.name for p in left) or names} could not be folded in "
                        "(is it open in another program?); close it there, or save under another name")
    Path(f"{path}-shm").unlink(missing_ok=True)
