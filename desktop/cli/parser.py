"""The `deconflict` argument parser: one sub-command per `cli_command` plugin contribution,
and `command_parser`, which every command uses to add its own."""
from __future__ import annotations

import argparse
from typing import Callable

from desktop import __version__
from desktop.cli.console import PROG
from desktop.core.plugins import PluginRegistry

DESCRIPTION = """\
Deconflict: the deconfliction line, its sectors, tracked units and the hotline log.

With no command it opens the window on the embedded demo; "deconflict plan.gpkg" opens a
project, and "deconflict units.csv" (any file it can import) a new scenario with that file
imported. The commands below work without a window; "deconflict COMMAND --help" says more."""


def load_registry() -> PluginRegistry:
    from desktop.builtin_plugins import BUILTIN_PLUGINS
    registry = PluginRegistry()
    registry.load_entry_points(BUILTIN_PLUGINS)
    return registry


def build_parser(registry: PluginRegistry | None = None, command: str | None = None) -> argparse.ArgumentParser:
    """The parser of `command` alone when it names one (only its module is imported: the
    others' imports were 30 ms of every command's start, and a broken plugin troubles no
    other command), else of every command (the top-level help and usage list them)."""
    registry = registry if registry is not None else load_registry()
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    contributions = registry.contributions("cli_command")
    chosen = [c for c in contributions if c.id == command]
    _add_commands(registry, subparsers, chosen)
    if not subparsers.choices:  # no command named, or it failed to load: the others, for the usage
        _add_commands(registry, subparsers, [c for c in contributions if c not in chosen])
    return parser


def _add_commands(registry: PluginRegistry, subparsers, contributions) -> None:
    for contribution in contributions:
        try:
            contribution.load()(subparsers)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the CLI down
            registry.fail(f"cli_command {contribution.id!r}", str(exc) or type(exc).__name__)


def command_parser(subparsers, name: str, *, help: str, description: str, run: Callable[[argparse.Namespace], int],
                   examples: str = "") -> argparse.ArgumentParser:
    """The sub-command `name`: `run(args)` returns its exit status; `args.parser` is its
    parser (for usage errors that depend on several options)."""
    p = subparsers.add_parser(name, help=help, description=description, epilog=examples or None,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=run, parser=p)
    return p
