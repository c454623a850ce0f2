"""One writer at a time, and no silent overwrite of someone else's save.

- `project_lock(path)`: held around a read-modify-write of a project (an import, a save).
  Another Deconflict (a CLI import, a second window) waits for it briefly, then gives up
  with ProjectBusy saying why. It is an advisory `flock` on the project file itself: no
  lock file is left beside it, the OS drops it when the process dies (even by SIGKILL),
  and it never meets SQLite's own byte-range locks. A waiter that wakes on a file that was
  meanwhile replaced (saves rename a new file into place) locks the new one instead.
  Re-entrant within a process. On systems without flock (Windows) only the check below
  protects.
- `fingerprint(path)`: taken when a project is opened; a save compares it with the file
  on disk (`save_project(..., expect=)`) and raises ChangedOnDisk when another program or
  window saved in between, instead of throwing that work away.
"""
from __future__ import annotations

import os
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from desktop.core.atomic import SaveError
from desktop.core.project.sqlite_safe import disk_state

LOCK_WAIT_S = 10.0  # how long a second writer waits before it gives up
_POLL_S = 0.05
_held: dict[str, list] = {}  # real path -> [fd, depth]
_held_guard = threading.Lock()


class ProjectBusy(SaveError):
    """Another Deconflict is writing the project; the message says so and what to do."""


class ChangedOnDisk(SaveError):
    """The project file changed since it was opened (another window or program saved it)."""


@dataclass(frozen=True)
class Fingerprint:
    """What the project file on disk looked like (see desktop.core.project.sqlite_safe.disk_state)."""

    state: tuple


def fingerprint(path) -> Fingerprint:
    return Fingerprint(disk_state(path))


def check_unchanged(path, expect: Fingerprint | None) -> None:
    """ChangedOnDisk when `path` no longer looks as it did (`expect`; None: no check)."""
    if expect is not None and fingerprint(path) != expect:
        raise ChangedOnDisk(f"cannot save {path}: the file changed on disk since it was opened "
                            "(another window or program saved it); nothing was written")


def _try_flock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the fingerprint check still guards
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _open_locked(path: Path, wait: float) -> int | None:
    """An fd of `path` holding the lock; None when there is no file to lock (not yet, or
    not a regular file)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SaveError(f"cannot lock {path}: {exc.strerror or exc}") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                return None  # nothing a project could be: its reader says why
            if _try_flock(fd):
                try:
                    same = os.stat(path).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if same:
                    return fd
                os.close(fd)  # replaced while we waited: lock the new file
                continue
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() >= deadline:
            raise ProjectBusy(f"{path} is being written by another Deconflict (an import or a save); "
                              f"waited {wait:g} s. Try again when it has finished.")
        time.sleep(_POLL_S)


@contextmanager
def project_lock(path, wait: float = LOCK_WAIT_S) -> Iterator[Fingerprint]:
    """Hold the project's lock (see the module doc); yields the file's fingerprint as
    found once locked. ProjectBusy after `wait` seconds."""
    key = os.path.realpath(path)
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            fd = None
            nested = True
        else:
            nested = False
    if not nested:
        fd = _open_locked(Path(key), wait)
        with _held_guard:
            _held[key] = [fd, 1]
    try:
        yield fingerprint(path)
    finally:
        with _held_guard:
            entry = _held[key]
            entry[1] -= 1
            if entry[1] == 0:
                del _held[key]
                if entry[0] is not None:
                    os.close(entry[0])  # (after every SQLite connection to it: closing drops this process's locks)
