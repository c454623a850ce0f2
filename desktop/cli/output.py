"""Where a command's result goes: standard output (as UTF-8) or a file written aside and
renamed into place, so that a failure never leaves half a file."""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Callable, TextIO

from desktop.cli.console import CommandError


INPUTS = ("project", "ao", "line", "units", "calls", "files")  # the dests of the options that name inputs


def _same_file(a: str, b: str) -> bool:
    """One file under two names: equal real paths (links resolved), or one inode (a hard link)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def refuse_input_as_output(args) -> None:
    """CommandError (exit status 2) when a command's OUT (`args.output`) is one of its input
    files: writing the result there would destroy what it is computed from."""
    output = getattr(args, "output", None)
    if output in (None, "-"):
        return
    for dest in INPUTS:
        given = getattr(args, dest, None)
        for path in [given] if isinstance(given, str) else given or ():
            if _same_file(output, path):
                raise CommandError(f"{output}: is also an input ({path}); write the result to another file", 2)


def output_format(fmt: str | None, output: str | None, choices=("json", "csv"), default: str = "json") -> str:
    """--format, else the extension of -o when it is one of `choices`, else `default`."""
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in choices else default


def emit(output: str | None, write: Callable[[TextIO], None]) -> None:
    """Run `write` on stdout (as UTF-8) or on OUT, written aside, flushed to disk and
    renamed (desktop.core.atomic) so that a failure never leaves half a file."""
    if output in (None, "-"):
        stream, wrapper = sys.stdout, None
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8" and hasattr(stream, "buffer"):
            stream.flush()
            stream = wrapper = io.TextIOWrapper(stream.buffer, encoding="utf-8", newline="")
        try:
            write(stream)
        finally:
            stream.flush()
            if wrapper is not None:
                wrapper.detach()  # leave sys.stdout's buffer open
        return
    from desktop.core.atomic import SaveError, atomic_write

    def write_file(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            write(f)
    try:
        atomic_write(output, write_file)
    except SaveError as exc:
        raise CommandError(str(exc).replace("cannot save", "cannot write", 1)) from None
