"""The `deconflict` command line, run in-process through main() and once as a subprocess."""
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod

from desktop import cli
from desktop.core.demo import demo_document
from desktop.core.plugins import Contribution, Plugin, PluginRegistry

DATA = Path(__file__).resolve().parent / "data"
AO, LINE = str(DATA / "demo_ao.geojson"), str(DATA / "demo_line.geojson")
GEOD = Geod(ellps="WGS84")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def demo_json(capsys, *extra):
    code, out, err = run(capsys, "sectors", "--demo", *extra)
    assert code == 0, err
    return json.loads(out)


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("deconflict ")


def test_demo_json_matches_the_document(capsys):
    report = demo_json(capsys)
    doc = demo_document()
    analysis = doc.analysis
    sectors = analysis.sectors.sectors
    assert set(report) == {"buffer_km", "sectors", "units"}
    assert report["buffer_km"] == doc.buffer_km == 5.0
    assert [s["id"] for s in report["sectors"]] == [s.id for s in sectors]
    assert [(s["name"], s["owner"]) for s in report["sectors"]] == [(s.name, s.owner) for s in sectors]
    assert [s["unit_count"] for s in report["sectors"]] == analysis.counts().tolist()
    assert [s["area_km2"] for s in report["sectors"]] == pytest.approx([s.area_km2 for s in sectors], abs=1e-3)
    assert {s["owner"] for s in report["sectors"]} == {"US-backed", "Russian-backed"}
    units = report["units"]
    assert len(units) == len(doc.units)
    assert set(units[0]) == {"id", "name", "side", "lon", "lat", "sector", "distance_km", "near_line", "wrong_side"}
    cls = analysis.classification
    ids = [s.id for s in sectors]
    assert [u["id"] for u in units] == doc.units.ids.tolist()
    assert [u["sector"] for u in units] == [ids[i] if i >= 0 else None for i in cls.sector]
    assert [u["distance_km"] for u in units] == pytest.approx(cls.distance_km.tolist(), abs=6e-4)
    assert [u["near_line"] for u in units] == cls.near_line.tolist()
    assert [u["wrong_side"] for u in units] == cls.wrong_side.tolist()
    assert [u["lat"] for u in units] == doc.units.lat.tolist()
    assert any(u["near_line"] for u in units)  # the demo is meant to show something


def write_demo(tmp_path):
    """The demo scenario as files (from the demo module, so the test follows its edits)."""
    doc = demo_document()
    ring = doc.ao.ring.tolist() + [doc.ao.ring[0].tolist()]
    paths = {k: tmp_path / f"{k}.{ext}" for k, ext in (("ao", "geojson"), ("line", "geojson"), ("units", "csv"))}
    paths["ao"].write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    paths["line"].write_text(json.dumps({"type": "Feature", "properties": {},
                                         "geometry": {"type": "LineString", "coordinates": doc.line.vertices.tolist()}}))
    u = doc.units
    with paths["units"].open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "side", "affiliation", "domain", "lat", "lon"])
        w.writerows(zip(u.ids, u.names, u.sides, u.affiliations, u.domains, u.lat.tolist(), u.lon.tolist()))
    return {k: str(v) for k, v in paths.items()}


def test_files_give_the_demo_answer(capsys, tmp_path):
    files = write_demo(tmp_path)
    code, out, err = run(capsys, "sectors", "--ao", files["ao"], "--line", files["line"], "--units", files["units"])
    assert code == 0 and err == ""
    assert json.loads(out) == demo_json(capsys)


def test_units_csv_and_geojson_fixtures_agree(capsys):
    reports = []
    for units in ("demo_units.csv", "demo_units.geojson"):
        code, out, err = run(capsys, "sectors", "--ao", AO, "--line", LINE, "--units", str(DATA / units))
        assert code == 0 and err == ""
        reports.append(json.loads(out))
    assert reports[0] == reports[1]


def test_demo_parts_can_be_replaced(capsys):
    code, out, _ = run(capsys, "sectors", "--demo", "--units", str(DATA / "units_bad.csv"))
    assert code == 0
    assert [u["id"] for u in json.loads(out)["units"]] == ["U1", "U7"]


def test_mgrs_units_classify_like_lat_lon(capsys):
    got, want = [], []
    for units, report in (("demo_units_mgrs.csv", got), ("demo_units.csv", want)):
        code, out, err = run(capsys, "sectors", "--ao", AO, "--line", LINE, "--units", str(DATA / units))
        assert code == 0 and err == ""
        report.append(json.loads(out))
    got, want = got[0], want[0]
    assert len(got["units"]) == len(want["units"]) == 44
    assert got["sectors"] == want["sectors"]
    for a, b in zip(got["units"], want["units"]):
        assert (a["id"], a["sector"], a["near_line"], a["wrong_side"]) == \
               (b["id"], b["sector"], b["near_line"], b["wrong_side"])
        assert a["distance_km"] == pytest.approx(b["distance_km"], abs=0.003)  # MGRS is 1 m


def test_csv_output(capsys):
    code, out, _ = run(capsys, "sectors", "--demo", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    report = demo_json(capsys)
    assert list(rows[0]) == ["id", "name", "side", "affiliation", "lon", "lat", "sector", "sector_name", "sector_owner",
                             "distance_km", "near_line", "wrong_side"]
    sectors = {s["id"]: s for s in report["sectors"]}
    assert len(rows) == len(report["units"])
    for row, unit in zip(rows, report["units"]):
        assert row["id"] == unit["id"] and row["sector"] == (unit["sector"] or "")
        assert float(row["distance_km"]) == unit["distance_km"] and float(row["lat"]) == unit["lat"]
        assert row["near_line"] == str(unit["near_line"]).lower()
        assert row["wrong_side"] == str(unit["wrong_side"]).lower()
        if unit["sector"]:
            assert row["sector_owner"] == sectors[unit["sector"]]["owner"]


def test_geojson_output(capsys):
    code, out, _ = run(capsys, "sectors", "--demo", "--format", "geojson")
    assert code == 0
    fc = json.loads(out)
    doc = demo_document()
    assert fc["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert kinds.count("unit") == len(doc.units) and kinds.count("line") == 1
    sectors = [f for f in fc["features"] if f["properties"]["kind"] == "sector"]
    assert len(sectors) == 2
    total = 0.0
    for f, s in zip(sectors, doc.analysis.sectors.sectors):
        poly = shapely.geometry.shape(f["geometry"])
        assert poly.is_valid and poly.geom_type == "Polygon"
        assert poly.exterior.is_ccw  # RFC 7946 winding
        lon, lat = np.asarray(poly.exterior.coords).T
        area = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 1e6
        assert area == pytest.approx(s.area_km2, rel=1e-5)
        assert f["properties"]["area_km2"] == pytest.approx(area, rel=1e-5)
        total += area
    assert total == pytest.approx(doc.ao.area_km2(), rel=1e-4)
    # Every unit point lies in the sector polygon it is reported in (away from the line).
    polys = {f["properties"]["id"]: shapely.geometry.shape(f["geometry"]) for f in sectors}
    for f in fc["features"]:
        p = f["properties"]
        if p["kind"] == "unit" and p["sector"] and p["distance_km"] > 0.5:
            assert polys[p["sector"]].contains(shapely.geometry.shape(f["geometry"])), p["id"]


def test_output_file_format_from_extension(capsys, tmp_path):
    for name, check in (("r.csv", lambda t: t.startswith("id,name,side")),
                        ("r.geojson", lambda t: json.loads(t)["type"] == "FeatureCollection"),
                        ("r.json", lambda t: "sectors" in json.loads(t)),
                        ("r.txt", lambda t: "sectors" in json.loads(t))):
        code, out, err = run(capsys, "sectors", "--demo", "-o", str(tmp_path / name))
        assert code == 0 and out == "" and err == ""
        assert check((tmp_path / name).read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.geojson", "r.json", "r.txt"]  # no temp files


def test_sides_and_buffer(capsys):
    base = demo_json(capsys)
    swapped = demo_json(capsys, "--sides", "Russian-backed,US-backed")
    assert [s["owner"] for s in swapped["sectors"]] == ["Russian-backed", "US-backed"]
    for a, b in zip(base["units"], swapped["units"]):
        if a["sector"] and a["distance_km"] > 0:
            assert a["wrong_side"] != b["wrong_side"]
    wide = demo_json(capsys, "--buffer-km", "20")
    assert wide["buffer_km"] == 20.0
    assert sum(u["near_line"] for u in wide["units"]) > sum(u["near_line"] for u in base["units"])
    assert all(u["near_line"] == (u["distance_km"] <= 20) for u in wide["units"])


def test_unknown_sides_are_warned_about(capsys):
    code, out, err = run(capsys, "sectors", "--demo", "--sides", "Blue,Red")
    assert code == 0 and json.loads(out)
    assert "warning: 47 units have a side ('Russian-backed', 'US-backed') that is neither 'Blue' nor 'Red'" in err


def test_line_that_cannot_split_the_ao(capsys, tmp_path):
    far = tmp_path / "far.geojson"
    far.write_text(json.dumps({"type": "LineString", "coordinates": [[30, 30], [31, 31]]}))
    code, out, err = run(capsys, "sectors", "--demo", "--line", str(far))
    assert code == 1
    report = json.loads(out)
    assert report["error"] == "cannot split the AO: the line lies outside the AO"
    assert report["sectors"] == [] and all(u["sector"] is None for u in report["units"])
    assert all(u["distance_km"] > 100 for u in report["units"])
    assert "deconflict: error: cannot split the AO" in err
    code, out, _ = run(capsys, "sectors", "--demo", "--line", str(far), "--format", "geojson")
    assert code == 1 and json.loads(out)["error"].startswith("cannot split")


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


POLY = {"type": "Polygon", "coordinates": [[[38, 35], [40, 35], [40, 36], [38, 36], [38, 35]]]}


@pytest.mark.parametrize("option, name, content, message", [
    ("--ao", "missing.geojson", None, "missing.geojson: no such file"),
    ("--ao", "ao.geojson", "{not json", "ao.geojson:1: not JSON (column 2"),
    ("--ao", "ao.geojson", {"type": "LineString", "coordinates": [[38, 35], [39, 36]]},
     "ao.geojson: no AO polygon in it; it holds line of 2 vertices"),
    ("--ao", "ao.geojson", {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "A"}, "geometry": POLY},
        {"type": "Feature", "properties": {"name": "B"}, "geometry": POLY}]}, "ao.geojson: nothing to import: 2 possible AOs (feature 0 'A', feature 1 'B')"),
    ("--line", "line.geojson", POLY, "line.geojson: no line in it; it holds AO 'AO' (4 vertices)"),
    ("--line", "line.geojson", {"type": "Feature", "properties": {"name": "Aug"}, "geometry": {
        "type": "LineString", "coordinates": [[38, 35], [39, 123]]}},
     "line.geojson: nothing to import: feature 'Aug': vertex 1: latitude 123.0 is outside -90..90"),
    ("--line", "line.geojson", {"type": "LineString", "coordinates": [[38, 35], [39, 36], [39, 35], [38, 36]]},
     "line.geojson: nothing to import: geometry: the line would cross itself"),
    ("--units", "units.csv", "id,name\nA,x\n", "units.csv:1: cannot tell what the rows are: no position columns"),
    ("--units", "units.csv", "id,lat,lon\nA,123,38\n", "units.csv: no usable unit rows (1 skipped; first: "),
    ("--units", "units.json", "[1, 2", "units.json:1: not JSON"),
])
def test_bad_inputs_fail_with_one_line(capsys, tmp_path, option, name, content, message):
    path = write(tmp_path, name, content) if content is not None else str(tmp_path / name)
    args = ["sectors", "--demo", option, path]
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("deconflict: error: ") and err.count("\n") == 1
    assert message in err and str(tmp_path) in err


def test_bad_unit_rows_are_warnings(capsys):
    path = str(DATA / "units_bad.csv")
    code, out, err = run(capsys, "sectors", "--demo", "--units", path)
    assert code == 0 and len(json.loads(out)["units"]) == 2
    for line in (3, 4, 5, 6, 7, 9, 10):
        assert f"deconflict: warning: {path}:{line}: " in err
    assert f"{path}:3: latitude 123.0 is outside -90..90" in err
    assert f"{path}:4: latitude 'nan' is not a finite number" in err
    assert f"{path}:5: no id" in err
    path = str(DATA / "units_bad_mgrs.csv")
    code, out, err = run(capsys, "sectors", "--demo", "--units", path)
    assert code == 0 and [u["id"] for u in json.loads(out)["units"]] == ["M1"]
    assert f"{path}:4: 'nonsense' is not an MGRS reference" in err


def test_warnings_are_capped(capsys, tmp_path):
    rows = "".join(f"U{i},95,38\n" for i in range(120)) + "OK,35.5,38.5\n"
    path = write(tmp_path, "many.csv", "id,lat,lon\n" + rows)
    code, _, err = run(capsys, "sectors", "--demo", "--units", path)
    assert code == 0
    assert err.count("row skipped") == 50 and "... and 70 more warnings" in err


@pytest.mark.parametrize("argv, message", [
    (["sectors"], "give --ao and --line"),
    (["sectors", "--ao", AO], "give --ao and --line"),
    (["sectors", "--demo", "--sides", "OnlyOne"], "expected two different side names"),
    (["sectors", "--demo", "--sides", "A,A"], "expected two different side names"),
    (["sectors", "--demo", "--buffer-km", "0"], "expected a positive number of kilometres"),
    (["sectors", "--demo", "--buffer-km", "nan"], "expected a positive number of kilometres"),
    (["sectors", "--demo", "--format", "xml"], "invalid choice"),
    (["nosuchcommand"], "invalid choice"),
])
def test_usage_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err


def test_unwritable_output(capsys, tmp_path):
    code, _, err = run(capsys, "sectors", "--demo", "-o", str(tmp_path / "no" / "such" / "dir.json"))
    assert code == 1 and "deconflict: error: cannot write " in err and "dir.json" in err


# -- sub-commands are plugins ---------------------------------------------------------------
def add_hello(subparsers):
    p = subparsers.add_parser("hello", help="say hello")
    p.add_argument("--fail", action="store_true")
    p.set_defaults(func=_hello)


def _hello(args):
    if args.fail:
        raise RuntimeError("kaboom")
    print("hello from a plugin")
    return 0


def broken_command(subparsers):
    raise ImportError("missing dependency")


def test_third_party_command(capsys, monkeypatch):
    registry = cli.load_registry()
    registry.register(Plugin("hello", (Contribution("cli_command", "hello", "Hello", "tests.test_cli:add_hello"),)))
    registry.register(Plugin("broken", (Contribution("cli_command", "broken", "Broken", "tests.test_cli:broken_command"),
                                        Contribution("cli_command", "gone", "Gone", "no.such.module:add"))))
    from desktop.cli import parser
    monkeypatch.setattr(parser, "load_registry", lambda: registry)
    code, out, _ = run(capsys, "hello")
    assert code == 0 and out == "hello from a plugin\n"
    code, out, _ = run(capsys, "sectors", "--demo")  # the built-in command is still there
    assert code == 0 and json.loads(out)["sectors"]
    assert not registry.failures  # (only the command run is loaded: a broken one troubles no other)
    code, _, err = run(capsys, "broken")
    assert code == 2 and "invalid choice: 'broken'" in err and "'sectors'" in err  # the usage lists the others
    assert {f.source for f in registry.failures} >= {"cli_command 'broken'", "cli_command 'gone'"}
    # An unexpected exception in a command: one line, exit 1, no traceback.
    code, _, err = run(capsys, "hello", "--fail")
    assert code == 1 and err == "deconflict: error: unexpected RuntimeError: kaboom (set DECONFLICT_DEBUG=1 to see where)\n"


def test_sectors_is_a_registered_plugin():
    registry = PluginRegistry()
    registry.load_entry_points()  # entry points only: what a third party's would go through
    assert "sectors" in [c.id for c in registry.contributions("cli_command")]
    assert not registry.failures


def test_python_m_desktop_subprocess(capsys):
    proc = subprocess.run([sys.executable, "-m", "desktop", "sectors", "--demo"], capture_output=True, text=True,
                          timeout=120, cwd=DATA)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == demo_json(capsys)
    proc = subprocess.run([sys.executable, "-m", "desktop", "sectors", "--ao", "missing.geojson", "--line", LINE],
                          capture_output=True, text=True, timeout=120, cwd=DATA)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr == "deconflict: error: missing.geojson: no such file\n"


# -- the report module behind the command ----------------------------------------------------
def awkward_document():
    from desktop.core.document import Document
    from desktop.core.units import UnitTable
    doc = demo_document()
    units = UnitTable.from_records([
        dict(id="Q-1", name='He said "stop" at 50% \\ 100%\nnext line', side="US-backed", lon=39.0, lat=35.5),
        dict(id=7, name=None, side="Russian-backed", lon=38.0, lat=36.5),   # built in code: int id
        dict(id="دير-1", name="دير الزور", side="", lon=10.0, lat=10.0),    # far outside the AO
    ])
    return Document(doc.ao, doc.line, units, doc.sides)


@pytest.mark.parametrize("make", [demo_document, awkward_document])
def test_streamed_reports_equal_the_plain_data(make):
    from desktop.core import report
    doc = make()
    data = report.report_dict(doc)
    assert json.loads(report.render(doc, "json")) == data
    fc = json.loads(report.render(doc, "geojson"))
    units = [f for f in fc["features"] if f["properties"]["kind"] == "unit"]
    assert [f["geometry"]["coordinates"] for f in units] == [[u["lon"], u["lat"]] for u in data["units"]]
    for f, u in zip(units, data["units"]):
        assert {k: f["properties"][k] for k in u if k not in ("lon", "lat")} == {k: v for k, v in u.items()
                                                                                 if k not in ("lon", "lat")}
    rows = list(csv.DictReader(io.StringIO(report.render(doc, "csv"))))
    assert [r["name"] for r in rows] == [u["name"] for u in data["units"]]
    assert [r["id"] for r in rows] == [u["id"] for u in data["units"]]


def test_awkward_values():
    from desktop.core import report
    data = json.loads(report.render(awkward_document(), "json"))
    assert [u["id"] for u in data["units"]] == ["Q-1", "7", "دير-1"]
    assert data["units"][1]["name"] == "" and data["units"][2]["sector"] is None
    assert data["units"][2]["distance_km"] > 1000
    with pytest.raises(ValueError, match="unknown report format"):
        report.render(awkward_document(), "xml")


def test_no_units(capsys):
    code, out, err = run(capsys, "sectors", "--ao", AO, "--line", LINE)
    assert code == 0 and err == ""
    report = json.loads(out)
    assert report["units"] == [] and [s["unit_count"] for s in report["sectors"]] == [0, 0]
    code, out, _ = run(capsys, "sectors", "--ao", AO, "--line", LINE, "--format", "csv")
    assert out == "id,name,side,affiliation,lon,lat,sector,sector_name,sector_owner,distance_km,near_line,wrong_side\n"


def test_top_level_help_is_for_users(capsys):
    """Plain text for the person at the terminal: no Markdown, no plugin-author notes."""
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "sectors" in out and "deconflict plan.gpkg" in out
    assert "`" not in out and "plugin" not in out.lower()
