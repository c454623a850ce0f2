"""Atomic file replacement: write beside the target, flush to disk, rename over it.

Killing the process at any moment leaves either the old file or the new one, never a
broken one: the rename is atomic on POSIX and Windows (os.replace), and the data is fsynced
before it, so a power cut cannot leave the new name pointing at unwritten blocks either.
"""
from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Callable


class SaveError(OSError):
    """A file that could not be written; the message says which and why. The old file is
    untouched."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "permission denied (read-only folder or file?)"
        return exc.strerror or str(exc)
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        return "the disk is full" if "full" in text else text
    return str(exc) or type(exc).__name__


def fsync_path(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if directory:
            return  # not possible on every platform (Windows): the rename is still atomic
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _remove_stale_temps(target: Path) -> None:
    """Temporary files of earlier writes whose process died mid-write (killed, crashed)."""
    for tmp in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            pid = int(tmp.name[len(target.name) + 2:].split(".")[0])
            if pid != os.getpid():
                os.kill(pid, 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except (ValueError, OSError):
            pass  # not ours, or a live process's (or no permission to ask): leave it


def write_target(path) -> Path:
    """Where writing `path` really goes: through symbolic links to the file they name, so
    a save through a link keeps the link and updates its target."""
    target = Path(path)
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def atomic_write(path, write: Callable[[Path], None], before_replace: Callable[[Path], None] | None = None) -> None:
    """Call `write(tmp)` to create the new content in a temporary file beside `path`, then
    fsync it and rename it over `path` (over the file a symbolic link `path` names:
    `write_target`). `before_replace(target)`, if given, runs just before the rename and
    may refuse it by raising. Raises SaveError naming the file on any failure (read-only
    folder, full disk, ...) after removing the temporary file."""
    target = write_target(path)
    tmp = temp_beside(target)
    try:
        if not target.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, f"folder {target.parent} does not exist")
        _remove_stale_temps(target)
        write(tmp)
        fsync_path(tmp)
        if target.exists():
            try:
                shutil.copymode(target, tmp)
            except OSError:
                pass  # keep the default mode rather than fail the save
        if before_replace is not None:
            before_replace(target)
        os.replace(tmp, target)
        fsync_path(target.parent, directory=True)
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(exc, SaveError):
            raise
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise SaveError(f"cannot save {target}: {_reason(exc)}") from exc
        raise
