"""What a command says on the console besides its output: warnings on stderr, capped, and
the error that ends it with one line and an exit status (no traceback)."""
from __future__ import annotations

import sys

PROG = "deconflict"
MAX_WARNINGS = 50  # per-row warnings shown; a file with a million bad rows must not flood


class CommandError(Exception):
    """Raised by a command to fail with a one-line message and an exit code (no traceback)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def warn_all(warnings: list[str], source: str) -> None:
    """The first MAX_WARNINGS warnings about `source`, then how many more there were."""
    for w in warnings[:MAX_WARNINGS]:
        warn(w)
    if len(warnings) > MAX_WARNINGS:
        warn(f"... and {len(warnings) - MAX_WARNINGS} more warnings about {source}")


def error(message: object) -> None:
    """The one line a failed command ends with (whitespace, newlines included, collapsed)."""
    text = " ".join(str(message).split()) or "failed"
    print(f"{PROG}: error: {text}", file=sys.stderr)
