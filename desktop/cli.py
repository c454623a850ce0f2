"""`deconflict` command line. With no sub-command it opens the GUI on the demo; with a
project file (`deconflict plan.gpkg`) it opens that project.

Sub-commands are plugins: every `cli_command` contribution in the plugin registry adds one
(the built-in `sectors` command included), so a third party adds a command the same way.
"""
from __future__ import annotations

import argparse
import os
import sys

from desktop import __version__
from desktop.core.plugins import PluginRegistry

PROG = "deconflict"


class CommandError(Exception):
    """Raised by a command to fail with a one-line message and an exit code (no traceback)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


MAX_WARNINGS = 50  # per-row warnings shown; a file with a million bad rows must not flood


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def warn_all(warnings: list[str], source: str) -> None:
    """The first MAX_WARNINGS warnings about `source`, then how many more there were."""
    for w in warnings[:MAX_WARNINGS]:
        warn(w)
    if len(warnings) > MAX_WARNINGS:
        warn(f"... and {len(warnings) - MAX_WARNINGS} more warnings about {source}")


def load_registry() -> PluginRegistry:
    from desktop.builtin_plugins import BUILTIN_PLUGINS
    registry = PluginRegistry()
    registry.load_entry_points(BUILTIN_PLUGINS)
    return registry


def build_parser(registry: PluginRegistry | None = None) -> argparse.ArgumentParser:
    registry = registry if registry is not None else load_registry()
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for contribution in registry.contributions("cli_command"):
        try:
            contribution.load()(subparsers)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the CLI down
            registry.fail(f"cli_command {contribution.id!r}", str(exc) or type(exc).__name__)
    return parser


def _error(message: object) -> None:
    text = " ".join(str(message).split()) or "failed"
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _project_to_open(argv: list[str]) -> str | None:
    """`deconflict PROJECT.gpkg` opens a project in the application."""
    if len(argv) == 1 and argv[0].lower().endswith(".gpkg") and not argv[0].startswith("-"):
        return argv[0]
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage or input)."""
    from desktop.core.coords import CoordinateError
    from desktop.core.inputs import InputError
    from desktop.core.line import LineError
    try:
        given = sys.argv[1:] if argv is None else argv
        project = _project_to_open(given)
        if project is not None or not given:  # the application: no sub-command to parse
            from desktop.gui.app import run_gui
            return run_gui(project=project)
        args = build_parser().parse_args(argv)
        handler = getattr(args, "func", None)
        if handler is None:
            raise CommandError(f"command {args.command!r} has no handler (a broken plugin?)")
        return int(handler(args) or 0)
    except SystemExit as exc:  # argparse (usage errors, --help, --version) or a command's exit
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        _error(exc.code)
        return 1
    except (InputError, CoordinateError, LineError) as exc:
        _error(exc)
        return 2
    except CommandError as exc:
        _error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): silence the final flush of stdout.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        if os.environ.get("DECONFLICT_DEBUG"):
            raise
        _error(f"unexpected {type(exc).__name__}: {exc} (set DECONFLICT_DEBUG=1 to see where)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
