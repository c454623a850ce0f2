"""Opening the window from the command line: `deconflict`, `deconflict plan.gpkg`,
`deconflict units.csv ...` (a new scenario with the files imported), and a clear refusal
when there is no display to open it on (Qt's own would abort with a misleading hint)."""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from desktop.cli.console import PROG, CommandError

X11_SOCKETS = "/tmp/.X11-unix/X{}"
NO_DISPLAY_HINT = f"run a command instead ('{PROG} --help'), or the window under a virtual display (xvfb-run {PROG})"


def files_to_open(argv: list[str], commands: set[str]) -> list[str] | None:
    """The files of `deconflict FILE...` (None when argv is a command or options): a first
    argument that is no command and names a file, or has a file's extension."""
    if not argv or argv[0].startswith("-") or argv[0] in commands:
        return None
    if not (os.path.exists(argv[0]) or Path(argv[0]).suffix):
        return None  # a mistyped command: argparse lists the commands
    return argv


def check_files(paths: list[str], registry) -> tuple[str | None, list[str]]:
    """(project, files to import): one .gpkg alone is a project to open, else every file is
    imported into a new scenario. CommandError (exit 2) saying what is expected otherwise."""
    from desktop.cli.files import regular_file
    from desktop.core.importers import extensions, importer_for
    from desktop.core.inputs import InputError
    for path in paths:
        if path.startswith("-"):
            raise CommandError(f"{path}: options go with a command ('{PROG} COMMAND --help'); to open files in the "
                               f"window give only their names", 2)
        regular_file(path)
        if len(paths) == 1 and path.lower().endswith(".gpkg"):
            return path, []
        try:
            importer_for(path, registry)
        except InputError:
            raise CommandError(f"{path}: not a file {PROG} opens: give a project (.gpkg) or a file to import "
                               f"({', '.join(extensions(registry))}), or a command ('{PROG} --help')", 2) from None
    return None, list(paths)


def _reachable_x11(display: str) -> bool:
    """Whether an X server answers at DISPLAY (':0', 'unix:1.0', 'host:10.0'): a connect only."""
    host, _, rest = display.rpartition(":")
    try:
        number = int(rest.split(".")[0])
    except ValueError:
        return False
    try:
        if host in ("", "unix") or host.startswith("/"):
            path = host if host.startswith("/") else X11_SOCKETS.format(number)
            for address in (path, "\0" + path):  # the file, or Linux's abstract socket of that name
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(2)
                    try:
                        s.connect(address)
                        return True
                    except OSError:
                        continue
            return False
        with socket.create_connection((host, 6000 + number), timeout=2):
            return True
    except OSError:
        return False


def display_problem(env=os.environ, platform: str = sys.platform) -> str | None:
    """Why no window can be opened here (None when one can, as far as can be told without
    starting Qt): on Linux and the BSDs, no Wayland or X display, or one that does not answer."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None  # Windows and macOS always have their own display
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0]
    if qpa and qpa not in ("xcb", "wayland", "wayland-egl"):
        return None  # offscreen, vnc, eglfs ...: the user chose
    wayland, x11 = env.get("WAYLAND_DISPLAY"), env.get("DISPLAY")
    if qpa.startswith("wayland") or (not qpa and wayland):
        return None if wayland else "no display: WAYLAND_DISPLAY is not set"
    if not x11:
        return "no display: DISPLAY is not set" + (" (nor WAYLAND_DISPLAY)" if not qpa else "")
    if not _reachable_x11(x11):
        return f"no display: nothing answers at DISPLAY={x11}"
    return None


def open_window(project: str | None = None, imports: list[str] | None = None) -> int:
    """The application on the demo, on `project`, or on a new scenario with `imports`."""
    problem = display_problem()
    if problem:
        raise CommandError(f"{problem}; the window needs one: {NO_DISPLAY_HINT}", 2)
    from desktop.gui.app import run_gui
    return run_gui(project=project, imports=imports or ())
