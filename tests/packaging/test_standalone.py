"""Smoke test of the standalone executables (issue: standalone executable): each runs from a
folder outside the repository with no Python environment, answers like the source install,
exports the map and opens the main window with every built-in plugin."""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import numpy as np
import pytest

from desktop.builtin_plugins import BUILTIN_PLUGINS
from desktop.gui.app import EXIT_AFTER_PAINT
from tests.packaging.standalone import ROOT, clean_env, install_copies, run

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="built and smoke-tested on Linux CI")
KINDS = ("onedir", "onefile")
DTG = "2017-08-14T15:30Z"


@pytest.fixture(scope="module")
def executables(tmp_path_factory):
    return install_copies(tmp_path_factory.mktemp("standalone"))


@pytest.fixture
def env(tmp_path):
    return clean_env(tmp_path / "home")


def _ok(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_version_is_stamped_from_pyproject(executables, kind, env, tmp_path):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert _ok(run(executables[kind], "--version", cwd=tmp_path, env=env)).strip() == f"deconflict {version}"


@pytest.mark.parametrize("kind", KINDS)
def test_sectors_report_matches_the_source_install(executables, kind, env, tmp_path):
    frozen = json.loads(_ok(run(executables[kind], "sectors", "--demo", "--format", "json", cwd=tmp_path, env=env)))
    source = subprocess.run([sys.executable, "-m", "desktop", "sectors", "--demo", "--format", "json"],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    assert frozen == json.loads(source.stdout)
    assert len(frozen["units"]) == 47 and {s["owner"] for s in frozen["sectors"]} == {"US-backed", "Russian-backed"}


@pytest.mark.parametrize("kind", KINDS)
def test_export_writes_the_same_map_as_the_source_install(executables, kind, env, tmp_path, qapp):
    from PySide6 import QtGui
    frozen_png, source_png = tmp_path / "frozen.png", tmp_path / "source.png"
    _ok(run(executables[kind], "export", "--demo", str(frozen_png), "--dtg", DTG, cwd=tmp_path, env=env))
    subprocess.run([sys.executable, "-m", "desktop", "export", "--demo", str(source_png), "--dtg", DTG],
                   capture_output=True, check=True, cwd=ROOT, env={**env, "PATH": f"{sys.prefix}/bin:/usr/bin:/bin"})
    images = [QtGui.QImage(str(p)).convertToFormat(QtGui.QImage.Format.Format_RGB32) for p in (frozen_png, source_png)]
    assert (images[0].width(), images[0].height()) == (1754, 1240)  # A4 landscape at 150 dpi
    a, b = (np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), -1) for img in images)
    # Same renderer, same fonts, same data: at most anti-aliasing noise may differ.
    assert np.count_nonzero(a != b) < 0.001 * a.size


@pytest.mark.parametrize("kind", KINDS)
def test_gui_opens_with_every_builtin_plugin_and_quits_cleanly(executables, kind, tmp_path):
    env = clean_env(tmp_path / "home", **{EXIT_AFTER_PAINT: "1"})
    shown = json.loads(_ok(run(executables[kind], cwd=tmp_path, env=env, timeout=60)).strip().splitlines()[-1])
    panels = {c.id for p in BUILTIN_PLUGINS for c in p.contributions if c.kind == "panel"}
    tools = {c.id for p in BUILTIN_PLUGINS for c in p.contributions if c.kind == "tool"}
    assert set(shown["panels"]) == panels and set(shown["tools"]) == tools
    assert shown["plugin_failures"] == [] and shown["window"].startswith("Euphrates 2017")
    # Help › User guide has the README (shipped as data), the WMM its coefficients (pygeomag).
    from desktop.gui.help import sections
    assert shown["guide_sections"] == len(sections((ROOT / "README.md").read_text(encoding="utf-8")))
    assert shown["magnetic_model"] == "WMM-2015v2"


@pytest.mark.parametrize("kind", KINDS)
def test_project_files_and_importers_work_frozen(executables, kind, env, tmp_path):
    """The importer plugins (defusedxml for KML, loaded by name at run time; pruned pyarrow
    for CSV) and the GeoPackage project file work in the executable as in the source install."""
    from tests.importers.samples import BOMB, GPX
    exe = executables[kind]
    (tmp_path / "patrol.gpx").write_text(GPX)
    (tmp_path / "bomb.kml").write_text(BOMB)
    (tmp_path / "units.csv").write_text("id,name,side,lat,lon\nCSV-1,Arrow one,US-backed,35.95,39.01\n"
                                        "CSV-2,Arrow two,Russian-backed,35.2,40.1\n")
    _ok(run(exe, "new", "--demo", "plan.gpkg", cwd=tmp_path, env=env))
    _ok(run(exe, "import", "plan.gpkg", "patrol.gpx", cwd=tmp_path, env=env))
    _ok(run(exe, "import", "plan.gpkg", "units.csv", cwd=tmp_path, env=env))
    bomb = run(exe, "import", "plan.gpkg", "bomb.kml", cwd=tmp_path, env=env)
    assert bomb.returncode == 2 and "Traceback" not in bomb.stderr and "bomb.kml" in bomb.stderr
    frozen = json.loads(_ok(run(exe, "sectors", "--project", "plan.gpkg", "--format", "json", cwd=tmp_path, env=env)))
    source = subprocess.run([sys.executable, "-m", "desktop", "sectors", "--project", str(tmp_path / "plan.gpkg"),
                             "--format", "json"], capture_output=True, text=True, check=True, cwd=ROOT)
    assert frozen == json.loads(source.stdout)
    assert {u["id"] for u in frozen["units"]} >= {"PATROL-7", "RAQQA-OP", "CSV-1", "CSV-2"}


@pytest.mark.parametrize("kind", KINDS)
def test_tak_publish_works_frozen(executables, kind, env, tmp_path):
    """pytak, takproto and TLS support (ssl, cryptography) are in the executable: the line goes
    out over UDP as XML and as TAK protocol 1, and a TLS connection attempt fails on the
    network (refused), not on a missing module."""
    import socket

    import takproto
    from defusedxml import ElementTree as SafeET
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(10)
        port = sock.getsockname()[1]
        _ok(run(executables[kind], "publish", "--demo", "--udp", f"127.0.0.1:{port}", cwd=tmp_path, env=env))
        # 6 removals, the line, and the demo's airspace: 3 blocks of June 2017 removed, the corridor
        xml = [SafeET.fromstring(sock.recv(65536)) for _ in range(11)]
        _ok(run(executables[kind], "publish", "--demo", "--udp", f"127.0.0.1:{port}", "--protocol", "1",
                cwd=tmp_path, env=env))
        proto = [takproto.parse_proto(sock.recv(65536)) for _ in range(11)]
    assert xml[-1].get("type") == "u-d-f" and proto[-1].cotEvent.uid == xml[-1].get("uid")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    (tmp_path / "me.pem").write_text("not a certificate")
    tls = run(executables[kind], "publish", "--demo", "--tcp", f"127.0.0.1:{port}", "--cert", "me.pem",
              "--insecure", cwd=tmp_path, env=env)
    assert tls.returncode == 1 and "Traceback" not in tls.stderr and "ModuleNotFoundError" not in tls.stderr
