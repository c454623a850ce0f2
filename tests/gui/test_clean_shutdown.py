"""SIGTERM, SIGINT and SIGHUP end the application cleanly, as Quit does, and the next start
offers recovery only when there is something to recover, saying what (issue 10.3: a kill
with no edits used to offer to "recover 0 edit(s)")."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.core.recovery import recoverable_sessions

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def start(tmp_path: Path, *argv: str) -> tuple[subprocess.Popen, Path]:
    root = tmp_path / "recovery"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DECONFLICT_RECOVERY_DIR": str(root), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local")}
    child = subprocess.Popen([sys.executable, "-m", "desktop", *argv], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return child, root


def wait_for_journal(child: subprocess.Popen, root: Path, holding: str = "") -> None:
    """Until the window's journal is written (and holds `holding`)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read()
        for journal in root.glob("session-*/journal.jsonl"):
            if holding in journal.read_text(encoding="utf-8"):
                return
        time.sleep(0.1)
    child.kill()
    pytest.fail("the window never wrote its journal")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_ends_a_saved_session_cleanly(tmp_path, signum):
    child, root = start(tmp_path)
    wait_for_journal(child, root)
    child.send_signal(signum)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0 and "Traceback" not in err
    assert list(root.iterdir()) == []  # the session ended: its journal is gone
    assert recoverable_sessions(root) == []


def test_a_kill_with_no_edits_leaves_nothing_to_offer(tmp_path):
    """Even a SIGKILL (no handler runs) of the demo with no edits: nothing unsaved, no offer."""
    child, root = start(tmp_path)
    wait_for_journal(child, root)
    child.kill()
    child.communicate(timeout=60)
    assert recoverable_sessions(root) == []


def test_unsaved_edits_survive_a_signal_and_the_offer_says_what_they_are(tmp_path):
    (tmp_path / "units.csv").write_text("id,lat,lon\nU1,35.9,39.0\nU2,35.5,38.7\nU3,35.2,40.0\n")
    child, root = start(tmp_path, "units.csv")  # a new scenario with one import: one unsaved edit
    wait_for_journal(child, root, holding="Import units.csv")
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)
    assert child.returncode == 0
    (session,) = recoverable_sessions(root)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(session.modified))
    assert session.describe() == f"“Untitled” (never saved): 1 unsaved edit, the last “Import units.csv: 3 units”, at {when}"
    doc, _, problems = session.recover()
    assert problems == [] and doc.units.ids.tolist() == ["U1", "U2", "U3"]
