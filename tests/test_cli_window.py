"""`deconflict FILE...` opens the window on that file, and without a display the command line
says so in one line (exit status 2) instead of Qt aborting."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli
from desktop.cli.window import display_problem

DATA = Path(__file__).resolve().parent / "data"
UNITS = "id,name,side,lat,lon\nU1,One,US-backed,35.9,39.0\nU2,Two,US-backed,35.5,38.7\nU3,Three,Russian-backed,35.2,40.0\n"
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 and Wayland displays: Linux")


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def deconflict(*argv, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *map(str, argv)], env=env, capture_output=True, text=True,
                          timeout=timeout)


def bare_env(tmp_path: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "DECONFLICT_RECOVERY_DIR": str(tmp_path / "recovery"), **extra}


# -- FILE...: a new scenario with the files imported ----------------------------------------------
def test_a_units_file_opens_a_new_scenario_with_it_imported(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(UNITS)
    proc = deconflict(units, env=bare_env(tmp_path, QT_QPA_PLATFORM="offscreen", DECONFLICT_EXIT_AFTER_PAINT="1"))
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout.strip().splitlines()[-1])
    assert shown["units"] == 3 and shown["window"].startswith("Untitled")


def test_files_go_to_the_window_and_a_lone_gpkg_is_a_project(capsys, tmp_path, monkeypatch):
    from desktop.gui import app
    opened = []
    monkeypatch.setattr(app, "run_gui", lambda project=None, imports=(): opened.append((project, list(imports))) or 0)
    units, ao = tmp_path / "units.csv", tmp_path / "ao.geojson"
    units.write_text(UNITS)
    ao.write_bytes((DATA / "demo_ao.geojson").read_bytes())
    assert run(capsys, units)[0] == 0 and opened[-1] == (None, [str(units)])
    assert run(capsys, ao, units)[0] == 0 and opened[-1] == (None, [str(ao), str(units)])
    project = tmp_path / "plan.gpkg"
    assert run(capsys, "new", project, "--demo")[0] == 0
    assert run(capsys, project)[0] == 0 and opened[-1] == (str(project), [])


@pytest.mark.parametrize("argv, message", [
    (["missing.csv"], "missing.csv: no such file"),
    (["notes.docx"], "notes.docx: not a file deconflict opens: give a project (.gpkg) or a file to import (.csv,"),
    (["units.csv", "--units"], "--units: options go with a command"),
    (["folder.csv"], "folder.csv: is a directory, not a file"),
])
def test_what_cannot_be_opened_is_explained(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.docx").write_text("minutes")
    (tmp_path / "units.csv").write_text(UNITS)
    (tmp_path / "folder.csv").mkdir()
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("deconflict: error: ") and err.count("\n") == 1 and message in err, err


def test_a_mistyped_command_lists_the_commands(capsys):
    code, _, err = run(capsys, "sector")
    assert code == 2 and "invalid choice: 'sector'" in err and "sectors" in err


# -- no display ----------------------------------------------------------------------------------
def _free_display() -> str:
    n = 90
    while os.path.exists(f"/tmp/.X11-unix/X{n}") or os.path.exists(f"/tmp/.X{n}-lock"):
        n += 1
    return f":{n}"


@linux
@pytest.mark.parametrize("argv", [[], ["units.csv"]])
@pytest.mark.parametrize("display", [None, "free"])
def test_no_display_is_one_line_and_exit_2(tmp_path, argv, display):
    """It used to abort with rc 134 and a hint about the xcb plugin."""
    (tmp_path / "units.csv").write_text(UNITS)
    extra = {} if display is None else {"DISPLAY": _free_display()}
    proc = subprocess.run([sys.executable, "-m", "desktop", *argv], env=bare_env(tmp_path, **extra), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("deconflict: error: no display: "), proc.stderr
    assert "xcb" not in proc.stderr and "xvfb-run" in lines[0]


@linux
def test_display_problem_reads_the_environment(tmp_path):
    free = _free_display()
    assert display_problem({}) == "no display: DISPLAY is not set (nor WAYLAND_DISPLAY)"
    assert display_problem({"QT_QPA_PLATFORM": "xcb"}) == "no display: DISPLAY is not set"
    assert display_problem({"DISPLAY": free}) == f"no display: nothing answers at DISPLAY={free}"
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({"QT_QPA_PLATFORM": "wayland"}) == "no display: WAYLAND_DISPLAY is not set"
    assert display_problem({}, platform="win32") is None and display_problem({}, platform="darwin") is None


@linux
def test_a_display_that_answers_is_accepted(tmp_path, monkeypatch):
    """An X server's socket (a listening stand-in) is enough: the check is a connect, nothing more."""
    import desktop.cli.window as window
    monkeypatch.setattr(window, "X11_SOCKETS", str(tmp_path / "X{}"))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "X7"))
    server.listen(1)
    try:
        assert display_problem({"DISPLAY": ":7"}) is None and display_problem({"DISPLAY": "unix:7.0"}) is None
        assert display_problem({"DISPLAY": ":8"}) == "no display: nothing answers at DISPLAY=:8"
    finally:
        server.close()
