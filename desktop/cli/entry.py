"""`deconflict`'s entry point: a sub-command, or the application (desktop.cli.window) when
none is given or the arguments are files to open."""
from __future__ import annotations

import os
import sys

from desktop.cli import console, parser, window
from desktop.cli.console import CommandError
from desktop.cli.output import refuse_input_as_output
from desktop.core.freed_memory import one_heap


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad usage or input)."""
    one_heap()  # (before any thread starts: desktop.core.freed_memory)
    from desktop.core.coords import CoordinateError
    from desktop.core.inputs import InputError
    from desktop.core.line import LineError
    try:
        given = sys.argv[1:] if argv is None else argv
        if not given:
            return window.open_window()
        registry = parser.load_registry()
        files = window.files_to_open(given, {c.id for c in registry.contributions("cli_command")})
        if files is not None:  # `deconflict plan.gpkg`, `deconflict units.csv`: the application
            project, imports = window.check_files(files, registry)
            return window.open_window(project, imports)
        args = parser.build_parser(registry, given[0]).parse_args(given)
        handler = getattr(args, "func", None)
        if handler is None:
            raise CommandError(f"command {args.command!r} has no handler (a broken plugin?)")
        refuse_input_as_output(args)
        return int(handler(args) or 0)
    except SystemExit as exc:  # argparse (usage errors, --help, --version) or a command's exit
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        console.error(exc.code)
        return 1
    except (InputError, CoordinateError, LineError) as exc:
        console.error(exc)
        return 2
    except CommandError as exc:
        console.error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        console.error("interrupted")
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
        console.error(f"unexpected {type(exc).__name__}: {exc} (set DECONFLICT_DEBUG=1 to see where)")
        return 1
