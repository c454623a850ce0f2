"""The time-aware commands: `calls`, `sectors --at`, `diff`, run in-process through main()."""
import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from desktop import cli
from desktop.core import demo
from desktop.core.calls_csv import calls_csv_text, parse_calls_csv
from desktop.core.report import report_dict
from desktop.core.revision_diff import diff, document_at
from desktop.core.tracks import parse_time
from tests.core.test_calls import BAD

DATA = Path(__file__).resolve().parent / "data"


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def one_line_error(capsys, *argv, code=2):
    got, out, err = run(capsys, *argv)
    assert got == code, err
    assert out == "" and len(err.strip().splitlines()) == 1 and err.startswith("deconflict: error: ")
    return err.strip()


# -- calls ------------------------------------------------------------------------------------
def test_calls_demo_json_lists_every_call(capsys):
    code, out, err = run(capsys, "calls", "--demo")
    assert code == 0 and err == ""
    calls = demo.demo_history()[0]
    got = json.loads(out)["calls"]
    assert [c["id"] for c in got] == calls.ids.tolist()
    assert got[5] == calls.record(5)
    assert len(out.splitlines()) == len(calls) + 2  # one call per line


def test_calls_window_is_half_open_and_offsets_count(capsys):
    calls = demo.demo_history()[0]
    t = int(calls.start[100])
    start = calls.record(100)["start"]
    _, out, _ = run(capsys, "calls", "--demo", "--from", start, "--to", start.replace("Z", "+00:00"))
    assert json.loads(out)["calls"] == []                 # [T, T) is empty
    code, out, _ = run(capsys, "calls", "--demo", "--from", start)
    assert code == 0 and json.loads(out)["calls"][0]["id"] == calls.ids[100]
    # the incident day in local time (+03:00) is 2017-06-17T21:00Z .. 2017-06-18T21:00Z
    _, out, _ = run(capsys, "calls", "--demo", "--from", "2017-06-18T00:00:00+03:00",
                    "--to", "2017-06-19T00:00:00+03:00")
    got = json.loads(out)["calls"]
    want = calls.between(parse_time("2017-06-17T21:00:00Z"), parse_time("2017-06-18T21:00:00Z"))
    assert [c["id"] for c in got] == calls.ids[want].tolist() and len(got) >= 25
    assert t == parse_time(start)


def test_calls_for_a_unit_as_csv_round_trip(capsys, tmp_path):
    calls = demo.demo_history()[0]
    out_file = tmp_path / "sdf06.csv"
    code, out, err = run(capsys, "calls", "--demo", "--unit", "SDF-06", "-o", str(out_file))
    assert code == 0 and out == "" and err == ""
    assert out_file.read_text(encoding="utf-8") == calls_csv_text(calls.take(calls.linked_to("SDF-06")))
    back, warnings = parse_calls_csv(out_file.read_text(encoding="utf-8"))
    assert warnings == [] and all("SDF-06" in back.links(i) for i in range(len(back))) and len(back) > 5
    code, out, _ = run(capsys, "calls", "--demo", "--format", "csv", "--to", "2017-06-02T00:00:00Z")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == calls.ids[calls.between(None, parse_time("2017-06-02T00:00:00Z"))].tolist()
    assert rows[0]["start"].endswith("Z")


def test_calls_from_a_file_warns_about_bad_rows(capsys, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = run(capsys, "calls", "--calls", str(path))
    assert code == 0
    assert [c["id"] for c in json.loads(out)["calls"]] == ["c9", "c1"]
    lines = err.strip().splitlines()
    assert len(lines) == 8 and all(line.startswith(f"deconflict: warning: {path}:") for line in lines)
    assert f"{path}:3: start: " in err


def test_calls_errors_are_one_line(capsys, tmp_path):
    err = one_line_error(capsys, "calls", "--demo", "--from", "2017-06-18T14:00:00")
    assert err.startswith("deconflict: error: --from: '2017-06-18T14:00:00' has no UTC offset")
    err = one_line_error(capsys, "calls", "--demo", "--to", "tomorrow")
    assert err.startswith("deconflict: error: --to: 'tomorrow' is not an ISO 8601 time")
    err = one_line_error(capsys, "calls", "--demo", "--from", "2017-06-19T00:00:00Z", "--to", "2017-06-18T00:00:00Z")
    assert "--to 2017-06-18T00:00:00Z is before --from" in err
    err = one_line_error(capsys, "calls", "--calls", str(tmp_path / "none.csv"))
    assert err.endswith("none.csv: no such file")
    code, _, err = run(capsys, "calls")
    assert code == 2 and "give --demo or --calls CSV" in err


# -- sectors --at -------------------------------------------------------------------------------
def test_sectors_at_a_time_classifies_track_positions_with_the_revision_in_force(capsys):
    t = "2017-06-18T18:43:00+03:00"
    code, out, err = run(capsys, "sectors", "--demo", "--at", t)
    assert code == 0 and err == ""
    report = json.loads(out)
    doc = demo.demo_document()
    snap = document_at(doc, parse_time(t))
    assert snap.line == doc.revisions.get("june").line
    want = report_dict(snap)
    assert report["sectors"] == want["sectors"]
    assert report["units"] == want["units"]
    lon, lat = doc.tracks.positions_at(parse_time(t))
    assert [u["lon"] for u in report["units"]] == pytest.approx(lon.tolist(), abs=1e-7)
    assert [u["lat"] for u in report["units"]] == pytest.approx(lat.tolist(), abs=1e-7)
    # at the demo's "now" the answer is the plain demo report
    _, now, _ = run(capsys, "sectors", "--demo", "--at", "2017-08-15T12:00:00Z")
    _, plain, _ = run(capsys, "sectors", "--demo")
    assert now == plain


def test_sectors_at_the_exact_effective_time_uses_the_new_revision(capsys):
    doc = demo.demo_document()
    for t, rev in (("2017-08-04T23:59:59Z", "june"), ("2017-08-05T00:00:00Z", "august")):
        _, out, _ = run(capsys, "sectors", "--demo", "--at", t)
        assert json.loads(out)["sectors"] == report_dict(document_at(doc, parse_time(t)))["sectors"]
        assert document_at(doc, parse_time(t)).line == doc.revisions.get(rev).line


def test_sectors_at_with_a_line_file_and_csv(capsys):
    code, out, _ = run(capsys, "sectors", "--demo", "--at", "2017-06-10T00:00:00Z", "--line",
                       str(DATA / "demo_line.geojson"), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    lon, _ = demo.demo_history()[1].positions_at(parse_time("2017-06-10T00:00:00Z"))
    got = np.array([float(r["lon"] or "nan") for r in rows])  # blank: no report yet (the 18 June aircraft)
    np.testing.assert_allclose(got, lon, atol=1e-7)


def test_sectors_at_errors(capsys):
    err = one_line_error(capsys, "sectors", "--demo", "--at", "2017-06-18")
    assert err.startswith("deconflict: error: --at: '2017-06-18' has no UTC offset")
    err = one_line_error(capsys, "sectors", "--demo", "--at", "2017-06-01T11:59:59Z")
    assert "no line revision is in force at 2017-06-01T11:59:59Z" in err
    err = one_line_error(capsys, "sectors", "--demo", "--units", str(DATA / "demo_units.csv"), "--at",
                         "2017-07-01T00:00:00Z")
    assert "--at needs unit tracks" in err
    code, out, err = run(capsys, "sectors", "--demo", "--at", "2017-05-01T00:00:00Z", "--line",
                         str(DATA / "demo_line.geojson"))
    assert code == 0 and "47 units have no position report" in err
    assert all(u["sector"] is None for u in json.loads(out)["units"])


# -- diff ---------------------------------------------------------------------------------------
def test_diff_json_matches_the_core(capsys):
    code, out, err = run(capsys, "diff", "--demo", "june", "august")
    assert code == 0 and err == ""
    got = json.loads(out)
    changes = diff(demo.demo_document(), "june", "august")
    assert got["a"] == {"id": "june", "state": "superseded", "effective": "2017-06-01T12:00:00Z",
                        "call": changes.a.call_id, "note": changes.a.note}
    assert got["b"]["id"] == "august" and got["at"] is None
    assert [u["id"] for u in got["units"]] == ["SDF-11", "SDF-13", "SDF-17", "SDF-19"]
    u = got["units"][0]
    assert (u["sector_a"], u["owner_a"], u["sector_b"], u["owner_b"]) == ("S2", "Russian-backed", "S1", "US-backed")
    assert u["distance_a_km"] == pytest.approx(changes.distance_a_km[0], abs=6e-4)


def test_diff_csv_at_a_time_and_with_units(capsys):
    t = "2017-07-01T00:00:00Z"
    code, out, _ = run(capsys, "diff", "--demo", "august", "september", "--at", t, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    changes = diff(demo.demo_document(), "august", "september", at=t)
    assert [r["id"] for r in rows] == changes.ids.tolist()
    assert all(r["wrong_side_a"] in ("true", "false") for r in rows)
    code, out, _ = run(capsys, "diff", "--demo", "june", "august", "--units", str(DATA / "demo_units.csv"))
    assert code == 0 and [u["id"] for u in json.loads(out)["units"]] == ["SDF-11", "SDF-13", "SDF-17", "SDF-19"]


def test_diff_errors(capsys):
    err = one_line_error(capsys, "diff", "--demo", "june", "aug")
    assert err == "deconflict: error: REV_B: no line revision 'aug' (revisions: june, august, september)"
    err = one_line_error(capsys, "diff", "--demo", "june", "august", "--at", "noon")
    assert err.startswith("deconflict: error: --at: 'noon'")
    code, _, err = run(capsys, "diff", "june", "august")
    assert code == 2 and "give --demo" in err


def test_the_new_commands_are_plugins():
    registry = cli.load_registry()
    ids = {c.id for c in registry.contributions("cli_command")}
    assert {"sectors", "calls", "diff"} <= ids
    assert not [f for f in registry.failures if "calls" in f.source or "diff" in f.source]
    from importlib.metadata import entry_points
    names = {ep.name for ep in entry_points(group="deconflict.plugins")}
    assert "cli_commands" in names


# -- the truth about time: no report at or before T, no position at T (issue 10.1) -------------
NEW_UNITS = "id,name,side,lat,lon\nNEW-1,Newcomer,US-backed,35.95,39.05\nSDF-01,,,35.90,38.70\n"


@pytest.fixture
def project_with_untimed_units(tmp_path, capsys):
    """The demo project after `import` of a CSV without a time column (a new unit and a
    known one moved)."""
    project, units = tmp_path / "plan.gpkg", tmp_path / "units.csv"
    units.write_text(NEW_UNITS)
    assert run(capsys, "new", str(project), "--demo")[0] == 0
    code, _, err = run(capsys, "import", str(project), str(units))
    assert code == 0, err
    return project


def test_a_unit_imported_without_time_has_no_position_in_the_past(capsys, project_with_untimed_units):
    project = str(project_with_untimed_units)
    code, out, err = run(capsys, "sectors", project, "--at", "2017-06-18T14:00:00Z")
    # NEW-1 and the demo's units first reported later (the 18 June incident aircraft)
    late = int(np.isnan(document_at(demo.demo_document(), parse_time("2017-06-18T14:00:00Z")).shown_units.lon).sum())
    assert code == 0 and f"{1 + late} units have no position report at or before 2017-06-18T14:00:00Z" in err
    units = {u["id"]: u for u in json.loads(out)["units"]}
    new = units["NEW-1"]
    assert (new["sector"], new["lon"], new["lat"], new["near_line"], new["wrong_side"]) == (None, None, None, False,
                                                                                          False)
    assert new["distance_km"] is None
    # SDF-01 was where its track put it then, not where the file moved it today.
    lon, lat = demo.demo_history()[1].positions_at(parse_time("2017-06-18T14:00:00Z"))
    assert (units["SDF-01"]["lon"], units["SDF-01"]["lat"]) == pytest.approx((lon[0], lat[0]))
    code, out, _ = run(capsys, "sectors", project, "--at", "2017-06-18T14:00:00Z", "--format", "csv")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["id"] == "NEW-1")
    assert [row[k] for k in ("lon", "lat", "sector", "sector_name", "sector_owner", "distance_km")] == [""] * 6
    assert (row["near_line"], row["wrong_side"]) == ("false", "false")
    code, out, _ = run(capsys, "sectors", project, "--at", "2017-06-18T14:00:00Z", "--format", "geojson")
    feature = next(f for f in json.loads(out)["features"] if f["properties"].get("id") == "NEW-1")
    assert feature["geometry"] is None
    # Now (no --at) it is where the file put it, and classified.
    _, out, _ = run(capsys, "sectors", project)
    now = {u["id"]: u for u in json.loads(out)["units"]}
    assert (now["NEW-1"]["lon"], now["NEW-1"]["lat"], now["NEW-1"]["sector"]) == (39.05, 35.95, "S1")
    assert (now["SDF-01"]["lon"], now["SDF-01"]["lat"]) == (38.70, 35.90)


def test_the_import_is_the_report_time_unless_the_user_gives_one(capsys, tmp_path):
    import time
    from desktop.core.project import load_project
    project, units = tmp_path / "plan.gpkg", tmp_path / "units.csv"
    units.write_text(NEW_UNITS)
    assert run(capsys, "new", str(project), "--demo")[0] == 0
    before = int(time.time())
    assert run(capsys, "import", str(project), str(units))[0] == 0
    doc = load_project(project)
    t, lon, lat = doc.tracks.track(doc.units.index_of("NEW-1"))
    assert len(t) == 1 and before <= t[0] <= time.time() and (lon[0], lat[0]) == (39.05, 35.95)
    assert run(capsys, "import", str(project), str(units), "--time", "2017-06-18T12:00:00Z")[0] == 0
    doc = load_project(project)
    t, _, _ = doc.tracks.track(doc.units.index_of("NEW-1"))
    assert t.tolist()[0] == parse_time("2017-06-18T12:00:00Z")
    for at, placed in (("2017-06-18T11:59:59Z", False), ("2017-06-18T12:00:00Z", True)):
        _, out, _ = run(capsys, "sectors", str(project), "--at", at)
        new = next(u for u in json.loads(out)["units"] if u["id"] == "NEW-1")
        assert (new["lon"] is not None) == placed and (new["sector"] == "S1") == placed
    err = one_line_error(capsys, "import", str(project), str(units), "--time", "yesterday")
    assert err.startswith("deconflict: error: --time: 'yesterday' is not an ISO 8601 time")


def test_a_project_from_files_without_times_has_no_past(capsys, tmp_path):
    project = tmp_path / "plan.gpkg"
    files = ["--ao", DATA / "demo_ao.geojson", "--line", DATA / "demo_line.geojson", "--units", DATA / "demo_units.csv"]
    code, _, err = run(capsys, "new", str(project), *map(str, files), "--time", "2017-08-15T12:00:00Z")
    assert code == 0, err
    code, out, err = run(capsys, "sectors", str(project), "--at", "2017-08-15T11:00:00Z", "--line",
                         str(DATA / "demo_line.geojson"))
    assert code == 0 and "44 units have no position report" in err
    assert all(u["lon"] is None and u["sector"] is None for u in json.loads(out)["units"])
    _, at_time, _ = run(capsys, "sectors", str(project), "--at", "2017-08-15T12:00:00Z", "--line",
                        str(DATA / "demo_line.geojson"))
    _, now, _ = run(capsys, "sectors", str(project))
    assert json.loads(at_time)["units"] == json.loads(now)["units"]
