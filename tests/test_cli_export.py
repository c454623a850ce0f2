"""`deconflict export`: the headless briefing-map export, in-process and as a subprocess."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest

from desktop import cli

DATA = Path(__file__).resolve().parent / "data"
WHEN = datetime(2017, 8, 14, 15, 30, tzinfo=timezone.utc)
DTG = "141530Z AUG 17"


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def pixels(path) -> np.ndarray:
    from PySide6 import QtGui
    img = QtGui.QImage(str(path)).convertToFormat(QtGui.QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, :img.width(), :3].copy()


def test_export_is_a_builtin_cli_plugin():
    from desktop.builtin_plugins import BUILTIN_PLUGINS, CLI_COMMANDS
    assert CLI_COMMANDS in BUILTIN_PLUGINS and "export" in [c.id for c in CLI_COMMANDS.contributions]
    assert any(ep.name == "cli_commands" for ep in entry_points(group="deconflict.plugins"))
    assert "export" in cli.build_parser().format_help()


def test_cli_png_is_the_dialogs_png(qtbot, capsys, tmp_path, monkeypatch):
    """Same settings through the CLI and through File › Export Map…: the same pixels."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1502724600")  # the footer's export time, fixed
    from desktop.core.demo import demo_document
    from desktop.gui.export.dialog import ExportDialog
    out_cli = tmp_path / "cli.png"
    code, out, err = run(capsys, "export", "--demo", out_cli, "--width", 1280, "--height", 800, "--dpi", 120,
                         "--title", "Evening brief", "--subtitle", "Deir ez-Zor axis", "--dtg", DTG)
    assert code == 0, err
    assert "wrote" in out and str(out_cli) in out
    dialog = ExportDialog(demo_document())
    qtbot.addWidget(dialog)
    dialog.timestamp = WHEN
    dialog.pixels_radio.setChecked(True)
    dialog.width_spin.setValue(1280)
    dialog.height_spin.setValue(800)
    dialog.dpi_spin.setValue(120)
    dialog.title_edit.setText("Evening brief")
    dialog.subtitle_edit.setText("Deir ez-Zor axis")
    out_gui = tmp_path / "gui.png"
    dialog.export_to(out_gui)
    a, b = pixels(out_cli), pixels(out_gui)
    assert a.shape == b.shape == (800, 1280, 3)
    assert np.array_equal(a, b)


def test_cli_a3_landscape_pdf(capsys, tmp_path):
    out = tmp_path / "brief.pdf"
    code, _, err = run(capsys, "export", "--demo", out, "--paper", "A3", "--landscape", "--dpi", 300,
                       "--marking", "SECRET // EXERCISE", "--dtg", "2017-08-14T15:30Z")
    assert code == 0, err
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", out.read_bytes())
    assert float(box.group(1)) == pytest.approx(1190.55, abs=1)
    assert float(box.group(2)) == pytest.approx(841.89, abs=1)


@pytest.mark.parametrize("name, magic", [("m.jpg", b"\xff\xd8"), ("m.svg", b"<?xml"), ("m.PNG", b"\x89PNG")])
def test_format_follows_the_extension(capsys, tmp_path, name, magic):
    out = tmp_path / name
    code, _, err = run(capsys, "export", "--demo", out, "--width", 400, "--height", 300)
    assert code == 0, err
    assert out.read_bytes().startswith(magic)


def test_files_replace_parts_of_the_demo(capsys, tmp_path):
    out = tmp_path / "units.png"
    code, _, err = run(capsys, "export", "--ao", DATA / "demo_ao.geojson", "--line", DATA / "demo_line.geojson",
                       "--units", DATA / "demo_units.csv", out, "--width", 600, "--height", 400, "--no-legend",
                       "--no-summary", "--no-footer", "--no-scale-bar", "--no-north-arrow", "--marking", "")
    assert code == 0, err
    assert pixels(out).shape == (400, 600, 3)


@pytest.mark.parametrize("argv, message", [
    (["--demo", "x.gif"], "unknown image type"),
    (["--demo", "x.png", "--dpi", "1000"], "dpi 1000 is outside 72..600"),
    (["--demo", "x.png", "--dpi", "abc"], "invalid float value"),
    (["--demo", "x.png", "--width", "800"], "both a width and a height"),
    (["--demo", "x.png", "--width", "800", "--height", "600", "--paper", "A3"], "not both"),
    (["--demo", "x.png", "--paper", "B5"], "invalid choice"),
    (["--demo", "x.png", "--extent", "view"], "invalid choice"),
    (["--demo", "x.png", "--dtg", "yesterday"], "date-time group"),
    (["x.png"], "give --ao and --line"),
    (["--demo", "no/such/folder/x.png"], "does not exist"),
    (["--demo", "--line", "missing.geojson", "x.png"], "missing.geojson: no such file"),
])
def test_bad_arguments_fail_with_one_line(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "export", *argv)
    assert code == 2
    lines = [line for line in err.splitlines() if not line.startswith("deconflict: warning:")]
    assert len(lines) == 1 and lines[0].startswith("deconflict: error:"), err
    assert message in lines[0]
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob(".*"))


def test_headless_subprocess_without_display(tmp_path, monkeypatch):
    """No DISPLAY and no QT_QPA_PLATFORM: the command picks the offscreen platform itself
    and draws exactly what the in-process export draws."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1502724600")  # both footers' export time
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = tmp_path / "sub.png"
    proc = subprocess.run([sys.executable, "-m", "desktop", "export", "--demo", str(out), "--width", "900",
                           "--height", "600", "--dtg", DTG], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    from desktop.core.demo import demo_document
    from desktop.gui.export.render import export_map
    from desktop.gui.export.settings import ExportSettings
    ref = tmp_path / "ref.png"
    export_map(demo_document(), ExportSettings(width=900, height=600, dpi=None, timestamp=WHEN), ref)
    assert np.array_equal(pixels(out), pixels(ref))


def test_no_buffer_band_leaves_the_band_out(capsys, tmp_path):
    texts = {}
    for flag in ((), ("--no-buffer-band",)):
        out = tmp_path / f"map{len(flag)}.svg"
        code, _, err = run(capsys, "export", "--demo", out, "--width", 800, "--height", 600, *flag)
        assert code == 0, err
        texts[bool(flag)] = out.read_text()
    assert "Buffer ±5 km" in texts[False] and "Buffer" not in texts[True]


def _svg_texts(path) -> str:
    import xml.etree.ElementTree as ET
    return " ".join(t.text or "" for t in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text"))


def test_at_draws_the_map_of_that_moment(capsys, tmp_path):
    """--at T: the caption names the moment and the revision then in force, and the page's
    numbers are those of `sectors --at T` (the same core snapshot)."""
    out = tmp_path / "june18.svg"
    code, _, err = run(capsys, "export", "--demo", out, "--at", "2017-06-18T15:43:00Z", "--width", 1600,
                       "--height", 1000, "--dtg", DTG)
    assert code == 0, err
    texts = _svg_texts(out)
    assert "Situation at 181543Z JUN 17  ·  DTG 141530Z AUG 17" in texts and "rev june" in texts
    code, report, _ = run(capsys, "sectors", "--demo", "--at", "2017-06-18T15:43:00Z", "--format", "json")
    import json
    units = json.loads(report)["units"]
    near = sum(u["near_line"] for u in units)
    assert f"{near} near line" in texts


def test_project_exports_with_its_markup(capsys, tmp_path):
    from desktop.core.annotations import Annotation
    from desktop.core.demo import demo_document
    from desktop.core.project import save_project
    doc = demo_document()
    doc.set_annotations(doc.annotations.added(Annotation("text-1", "text", [(39.65, 35.74)], text="Crossing Alpha")))
    project = tmp_path / "plan.gpkg"
    save_project(doc, project)
    out = tmp_path / "plan.svg"
    code, _, err = run(capsys, "export", "--project", project, out, "--width", 1600, "--height", 1000)
    assert code == 0, err
    assert "Crossing Alpha" in _svg_texts(out)


def test_at_needs_the_scenarios_own_history(capsys, tmp_path):
    code, _, err = run(capsys, "export", "--demo", "--units", DATA / "demo_units.csv", tmp_path / "x.png",
                       "--at", "2017-06-18T15:43:00Z")
    assert code == 2 and "--at draws the tracks and line revisions" in err


# -- the DTG is the moment the map shows (issue 10.2) ---------------------------------------------
def test_the_dtg_is_the_moment_the_map_shows_and_the_footer_the_export_time(capsys, tmp_path):
    """The demo shows 15 Aug 2017 12:00Z: that is the brief's DTG, not the computer clock;
    the moment of the export stays in the provenance footer."""
    before = datetime.now(timezone.utc)
    out = tmp_path / "brief.svg"
    code, _, err = run(capsys, "export", "--demo", out, "--width", 1600, "--height", 1000)
    assert code == 0, err
    texts = _svg_texts(out)
    assert "DTG 151200Z AUG 17" in texts
    exported = re.search(r"Exported (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", texts).group(1)
    assert before.replace(second=0, microsecond=0) <= datetime.strptime(exported, "%Y-%m-%d %H:%M").replace(
        tzinfo=timezone.utc) <= datetime.now(timezone.utc)
    # With --at, the moment asked for.
    code, _, err = run(capsys, "export", "--demo", out, "--width", 1600, "--height", 1000,
                       "--at", "2017-06-18T15:43:00Z")
    assert code == 0, err
    assert "Situation at 181543Z JUN 17  ·  DTG 181543Z JUN 17" in _svg_texts(out)


def test_the_dialog_dates_the_page_at_the_time_cursor(qtbot, tmp_path):
    from desktop.core.demo import demo_document
    from desktop.core.time_cursor import view_at
    from desktop.core.tracks import parse_time
    from desktop.gui.export.dialog import ExportDialog
    doc = demo_document()
    doc.set_time_view(view_at(doc, parse_time("2017-06-18T15:43:00Z")))
    dialog = ExportDialog(doc)
    qtbot.addWidget(dialog)
    assert "181543Z JUN 17" in dialog.subtitle_edit.placeholderText()
    dialog.pixels_radio.setChecked(True)
    dialog.width_spin.setValue(1600)
    dialog.height_spin.setValue(1000)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("svg"))
    out = tmp_path / "cursor.svg"
    dialog.export_to(out)
    assert "DTG 181543Z JUN 17" in _svg_texts(out)
