"""`deconflict new`, `export-data`, and `sectors`/`calls`/`diff` on a project file."""
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop import cli
from desktop.core.project import load_project

DATA = Path(__file__).resolve().parents[1] / "data"


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.gpkg"
    assert cli.main(["new", "--demo", str(path)]) == 0
    return path


def test_new_demo_writes_the_whole_scenario(demo_project):
    from desktop.core.demo import demo_document
    from tests.project.scenario import assert_same_document
    assert_same_document(demo_document(), load_project(demo_project))


@pytest.mark.parametrize("argv", [
    ["sectors"], ["sectors", "--at", "2017-06-18T18:43:00+03:00", "--format", "csv"], ["calls"],
    ["calls", "--from", "2017-06-18T00:00:00+03:00", "--to", "2017-06-19T00:00:00+03:00"],
    ["diff", "june", "august"], ["diff", "august", "september", "--at", "2017-08-15T12:00:00Z", "--format", "csv"],
])
def test_project_gives_the_same_answers_as_the_demo(capsys, demo_project, argv):
    code, from_demo, err = run(capsys, *argv[:1], "--demo", *argv[1:])
    assert code == 0, err
    code, from_project, err = run(capsys, *argv[:1], "--project", demo_project, *argv[1:])
    assert code == 0, err
    assert from_project == from_demo and len(from_demo) > 100
    code, positional, err = run(capsys, *argv[:1], demo_project, *argv[1:])  # `sectors plan.gpkg`
    assert code == 0, err
    assert positional == from_demo


def test_a_project_named_twice_must_agree(capsys, demo_project, tmp_path):
    code, out, _ = run(capsys, "sectors", demo_project, "--project", demo_project)
    assert code == 0 and json.loads(out)["units"]
    code, out, err = run(capsys, "sectors", demo_project, "--project", tmp_path / "other.gpkg")
    assert code == 2 and out == "" and "two projects given" in err
    code, out, err = run(capsys, "calls", demo_project, "--demo")
    assert code == 2 and "give --demo or --project, not both" in err


def test_export_takes_the_project_before_the_output(capsys, demo_project, tmp_path):
    out = tmp_path / "brief.png"
    code, stdout, err = run(capsys, "export", demo_project, out, "--width", 400, "--height", 300)
    assert code == 0 and out.read_bytes().startswith(b"\x89PNG"), err


def test_new_from_files_answers_like_the_files(capsys, tmp_path):
    calls = tmp_path / "calls.csv"
    code, out, _ = run(capsys, "calls", "--demo", "--format", "csv", "-o", calls)
    assert code == 0
    project = tmp_path / "mine.gpkg"
    files = ["--ao", DATA / "demo_ao.geojson", "--line", DATA / "demo_line.geojson", "--units", DATA / "demo_units.csv"]
    code, out, err = run(capsys, "new", project, *files, "--calls", calls, "--sides", "US-backed,Russian-backed")
    assert code == 0 and "44 units" in out and "868 calls" in out, err
    _, direct, _ = run(capsys, "sectors", *files)
    _, via_project, _ = run(capsys, "sectors", "--project", project)
    assert via_project == direct
    doc = load_project(project)
    assert doc.title == "mine" and len(doc.calls) == 868 and len(doc.revisions) == 0


@pytest.mark.parametrize("argv, message", [
    (["new", "x.gpkg"], "give --ao and --line"),
    (["new", "x.json", "--demo"], "must end in .gpkg"),
    (["sectors", "--demo", "--project", "p.gpkg"], "not both"),
    (["diff", "june", "august"], "give --demo or --project"),
])
def test_usage_errors(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_new_does_not_overwrite_without_force(capsys, tmp_path):
    p = tmp_path / "p.gpkg"
    p.write_bytes(b"precious")
    code, _, err = run(capsys, "new", "--demo", p)
    assert code == 2 and "exists; give --force" in err and p.read_bytes() == b"precious"
    code, _, err = run(capsys, "new", "--demo", p, "--force")
    assert code == 0 and load_project(p).title == "Euphrates 2017 (demo)"


def test_bad_project_is_one_line_exit_2(capsys, tmp_path):
    p = tmp_path / "broken.gpkg"
    p.write_text("not sqlite")
    code, out, err = run(capsys, "sectors", "--project", p)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "broken.gpkg: not a GeoPackage" in err


@pytest.mark.parametrize("layer", ["line", "sectors", "units"])
@pytest.mark.parametrize("fmt", ["geojson", "kml", "csv"])
def test_export_data_every_layer_and_format(capsys, demo_project, tmp_path, layer, fmt):
    out = tmp_path / f"{layer}.{fmt}"
    code, stdout, err = run(capsys, "export-data", demo_project, "--layer", layer, out)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    doc = load_project(demo_project)
    expected = {"line": 1, "sectors": 2, "units": 47}[layer]
    if fmt == "geojson":
        features = json.loads(text)["features"]
        assert len(features) == expected
    elif fmt == "kml":
        root = ET.fromstring(text.encode())
        ns = {"k": "http://www.opengis.net/kml/2.2"}
        assert len(root.findall(".//k:Placemark", ns)) == expected
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == (len(doc.line) if layer == "line" else expected)
    if layer == "units" and fmt == "csv":
        _, report, _ = run(capsys, "sectors", "--project", demo_project, "--format", "csv")
        assert text == report


def test_import_into_a_project(capsys, tmp_path):
    from tests.importers.samples import GPX, KML
    project = tmp_path / "p.gpkg"
    assert cli.main(["new", "--demo", str(project)]) == 0
    (tmp_path / "opfor.kml").write_text(KML)
    (tmp_path / "walk.gpx").write_text(GPX)
    code, out, err = run(capsys, "import", project, tmp_path / "opfor.kml", tmp_path / "walk.gpx",
                         DATA / "units_bad.csv")
    assert code == 0, err
    assert "opfor.kml: AO 'AO' (4 vertices), line of 4 vertices, 2 units, 3 track reports of 1 unit" in out
    assert "units_bad.csv:3: latitude 123.0 is outside -90..90 (row skipped)" in err
    doc = load_project(project)
    assert doc.ao.name == "AO" and {"SAA-02", "AIR-09", "PATROL-7", "U1"} <= set(doc.units.ids.tolist())


def test_import_failures_leave_the_project_untouched(capsys, tmp_path):
    project = tmp_path / "p.gpkg"
    assert cli.main(["new", "--demo", str(project)]) == 0
    before = project.read_bytes()
    (tmp_path / "vertices.csv").write_text("lat,lon\n35.7,38.2\n35.8,38.9\n35.7,39.6\n")
    code, out, err = run(capsys, "import", project, DATA / "demo_units.csv", tmp_path / "vertices.csv")
    assert code == 2 and "vertices.csv:1: cannot tell what the rows are: no 'id' column" in err and "--as" in err
    assert project.read_bytes() == before
    code, out, err = run(capsys, "import", project, tmp_path / "vertices.csv", "--as", "line")
    assert code == 0 and "line of 3 vertices" in out and len(load_project(project).line) == 3


@pytest.mark.parametrize("layer, kind", [("line", "LineString"), ("sectors", "Polygon"), ("units", "Point")])
@pytest.mark.parametrize("fmt", ["geojson", "kml"])
def test_gdal_reads_the_exports(capsys, demo_project, tmp_path, layer, kind, fmt):
    pyogrio = pytest.importorskip("pyogrio")
    out = tmp_path / f"{layer}.{fmt}"
    assert cli.main(["export-data", str(demo_project), "--layer", layer, str(out)]) == 0
    import shapely
    meta, _, geometry, _ = pyogrio.raw.read(out)
    kinds = {g.geom_type for g in shapely.from_wkb(geometry)}
    assert len(geometry) == {"line": 1, "sectors": 2, "units": 47}[layer] and kinds == {kind}
    assert meta["crs"] == "EPSG:4326"


def test_import_a_project_into_itself_is_idempotent(capsys, tmp_path):
    """Issue 14.5: `import P P` doubled every track report (111,180 duplicates)."""
    project = tmp_path / "p.gpkg"
    assert cli.main(["new", "--demo", str(project)]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "import", project, project)
    assert code == 0, err
    assert "111,689 track reports skipped: already present (same unit, time and position)" in out
    assert "wrote" in out and "111,689 track reports" in out and len(load_project(project).tracks) == 111_689


# -- an output that is an input is refused (issue 14, item 4) ------------------------------------
@pytest.mark.parametrize("argv", [
    ["sectors", "--project", "{p}", "-o", "{out}"],
    ["sectors", "{p}", "--format", "csv", "-o", "{out}"],
    ["export", "--project", "{p}", "{out}"],
    ["export", "{p}", "{out}", "--format", "png"],
    ["export-data", "{p}", "--layer", "units", "--format", "csv", "{out}"],
    ["calls", "{p}", "-o", "{out}"],
    ["diff", "{p}", "june", "august", "-o", "{out}"],
    ["new", "{out}", "--demo", "--units", "{p}", "--force"],
])
@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_an_output_that_is_an_input_is_refused(capsys, tmp_path, monkeypatch, demo_project, argv, spelling):
    import hashlib
    import os
    import shutil
    p = tmp_path / "plan.gpkg"
    shutil.copyfile(demo_project, p)
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    monkeypatch.chdir(tmp_path)
    out = {"same": "plan.gpkg", "dotted": "./sub/../plan.gpkg", "symlink": "link.gpkg", "hardlink": "hard.gpkg"}[spelling]
    (tmp_path / "sub").mkdir()
    os.symlink(p, tmp_path / "link.gpkg")
    os.link(p, tmp_path / "hard.gpkg")
    code, stdout, err = run(capsys, *[a.format(p=str(p), out=out) for a in argv])
    assert code == 2 and stdout == "", err
    assert err.startswith(f"deconflict: error: {out}: is also an input (")
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
    assert (tmp_path / "link.gpkg").is_symlink()


@pytest.mark.parametrize("argv, name", [
    (["sectors", "--demo", "--format", "csv", "-o", "{out}"], "report.csv"),
    (["export", "--demo", "{out}", "--width", "300", "--height", "200"], "brief.png"),
    (["export-data", "{p}", "--layer", "units", "{out}"], "units.geojson"),
    (["new", "{out}", "--demo", "--force"], "copy.gpkg"),
])
def test_writing_through_a_symlink_keeps_the_link_and_writes_its_target(capsys, tmp_path, demo_project, argv, name):
    import os
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / name
    target.write_bytes(b"old")
    link = tmp_path / name
    os.symlink(os.path.relpath(target, tmp_path), link)
    code, _, err = run(capsys, *[a.format(p=str(demo_project), out=str(link)) for a in argv])
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_bytes() != b"old" and len(target.read_bytes()) > 100
    assert sorted(p.name for p in shared.iterdir()) == [name]  # no temporary file left beside it
