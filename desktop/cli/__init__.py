"""The `deconflict` command line: the application with no command, else a sub-command.

Every sub-command is a `cli_command` plugin contribution (desktop.builtin_plugins.CLI_COMMANDS
holds the built-in ones), so a third party adds one the same way. A command is one module
under `desktop/cli/commands/` whose `add_command(subparsers)` adds its parser with
`parser.command_parser` and composes the shared options of `options` (a project, --demo,
files that replace the scenario's parts, --at, -o ...); `scenario.load_scenario` reads the
scenario those options name, `output.emit` writes the result, and `console.CommandError`
ends it with one line and an exit status.
"""
from desktop.cli.console import CommandError
from desktop.cli.entry import main
from desktop.cli.parser import build_parser, load_registry

__all__ = ["CommandError", "build_parser", "load_registry", "main"]
