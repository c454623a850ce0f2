"""Start-up: the map paints before the panels and tools are built, and Python's garbage
collector, held back on the way to that first paint, runs again after it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.gui.app import EXIT_AFTER_PAINT

ROOT = Path(__file__).resolve().parents[2]


def test_first_paint_then_plugins_then_the_collector_again(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), EXIT_AFTER_PAINT: "1"}
    proc = subprocess.run([sys.executable, "-m", "desktop"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines[0] == {"painted": True}
    report = lines[-1]
    assert report["collector"] is True and report["plugin_failures"] == []
    assert {"layers", "sectors", "timeline"} <= set(report["panels"]) and "line_edit" in report["tools"]
