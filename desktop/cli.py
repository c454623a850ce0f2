"""`deconflict` command line. With no sub-command it opens the GUI on the demo."""
from __future__ import annotations

import argparse
import sys

from desktop import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deconflict", description=__doc__)
    parser.add_argument("--version", action="version", version=f"deconflict {__version__}")
    parser.add_subparsers(dest="command")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from desktop.gui.app import run_gui
        return run_gui()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
