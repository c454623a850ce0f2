"""`deconflict conflicts` and `deconflict airspace` as the README documents them."""
import csv
import io
import json

import pyogrio
import pytest

from desktop import cli
from desktop.core.air.acm_io import read_airspace
from desktop.core.air.conflicts import find_conflicts
from desktop.core.air.demo import REPLAY_AT
from desktop.core.air.state import state_at
from desktop.core.demo import demo_document
from desktop.core.revision_diff import document_at
from desktop.core.tracks import format_time
from tests.test_cli import DATA

AT = format_time(REPLAY_AT)
AIRCRAFT_CSV = """id,name,side,domain,lat,lon,alt_ft,course_deg,speed_kt
CAS2,Coalition CAS 2,US-backed,air,35.70,38.40,9500,90,400
SU22,Syrian Su-22,Russian-backed,air,35.70,38.80,FL090,270,400
ISR1,Coalition ISR 1,US-backed,air,35.62,39.93,20000,150,300
SDF,SDF Bn,US-backed,ground,35.9,38.9,,,
"""
ROZ = {"type": "Feature", "properties": {"id": "ROZ-DEZ", "name": "Deir ez-Zor", "kind": "ROZ",
                                         "side": "Russian-backed", "floor_ft": 10000, "ceiling_ft": "FL250",
                                         "start": "2017-06-18T12:00:00Z", "end": "2017-06-18T18:00:00Z"},
       "geometry": {"type": "Point", "coordinates": [40.141, 35.336]}}


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _files(tmp_path, acm=ROZ, rows=AIRCRAFT_CSV):
    units, airspace = tmp_path / "aircraft.csv", tmp_path / "acm.geojson"
    units.write_text(rows)
    roz = json.loads(json.dumps(acm))
    roz["properties"]["radius_nm"] = 20
    airspace.write_text(json.dumps({"type": "FeatureCollection", "features": [roz]}))
    return units, airspace


def test_demo_replay_answers_like_the_core(capsys):
    code, out, err = run(capsys, "conflicts", "--demo", "--at", AT)
    assert code == 0 and err == ""
    got = json.loads(out)
    doc = demo_document()
    snap = document_at(doc, REPLAY_AT)
    want = find_conflicts(state_at(doc.units, doc.tracks, REPLAY_AT), doc.airspace, snap.analysis_projection,
                          snap.analysis.sectors)
    assert {k: got[k] for k in ("at", "horizon_min", "lateral_nm", "vertical_ft")} == \
        {"at": "2017-06-18T15:35:00Z", "horizon_min": 10, "lateral_nm": 5, "vertical_ft": 1000}
    assert got["conflicts"] == want.records()
    kinds = [c["kind"] for c in got["conflicts"]]
    assert kinds.count("aircraft") >= 2 and "airspace" in kinds and "line" in kinds
    pair = next(c for c in got["conflicts"] if c["kind"] == "aircraft")
    assert {"a", "b", "time_to_cpa_s", "cpa_nm", "vertical_ft"} <= set(pair)


def test_demo_with_its_own_sides_or_line_given_answers_the_same(capsys, tmp_path):
    code, plain, _ = run(capsys, "conflicts", "--demo", "--at", AT)
    code, sided, err = run(capsys, "conflicts", "--demo", "--at", AT, "--sides", "US-backed,Russian-backed")
    assert code == 0 and sided == plain, err
    # The June line as a file: the same line as the revision in force then.
    june = document_at(demo_document(), REPLAY_AT).line
    line = tmp_path / "june.geojson"
    line.write_text(json.dumps({"type": "LineString", "coordinates": june.vertices.tolist()}))
    code, with_line, err = run(capsys, "conflicts", "--demo", "--at", AT, "--line", line)
    assert code == 0 and json.loads(with_line)["conflicts"] == json.loads(plain)["conflicts"], err


def test_units_file_and_airspace_file(capsys, tmp_path):
    units, airspace = _files(tmp_path)
    code, out, err = run(capsys, "conflicts", "--units", units, "--airspace", airspace, "--at", AT, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    by_kind = {(r["kind"], r["a"], r["b"]): r for r in rows}
    pair = by_kind[("aircraft", "CAS2", "SU22")]
    assert pair["vertical_ft"] == "500" and float(pair["cpa_nm"]) < 0.1 and 80 < int(pair["time_to_cpa_s"]) < 95
    assert by_kind[("airspace", "ISR1", "ROZ-DEZ")]["time_to_entry_s"] != ""
    assert "line" not in {r["kind"] for r in rows}  # no AO and line given: no line conflicts
    # Tighter limits leave the pair out; a longer horizon keeps it.
    code, out, _ = run(capsys, "conflicts", "--units", units, "--at", AT, "--vertical-ft", "500")
    assert json.loads(out)["conflicts"] == [] and json.loads(out)["vertical_ft"] == 500


def test_units_with_ao_line_and_sides(capsys, tmp_path):
    units, _ = _files(tmp_path)
    code, out, err = run(capsys, "conflicts", "--units", units, "--ao", DATA / "demo_ao.geojson", "--line",
                         DATA / "demo_line.geojson", "--sides", "US-backed,Russian-backed", "--at", AT)
    assert code == 0, err
    lines = [c for c in json.loads(out)["conflicts"] if c["kind"] == "line"]
    assert lines and all({"time_to_line_s", "sector"} <= set(c) for c in lines)


@pytest.mark.parametrize("change, message", [
    (dict(floor_ft=26000), "acm.geojson: feature 0 'Deir ez-Zor': ACM 'ROZ-DEZ' (Deir ez-Zor): the floor FL260 is above the "
                           "ceiling FL250"),
    (dict(kind="SAM"), "acm.geojson: feature 0 'Deir ez-Zor': ACM 'ROZ-DEZ' (Deir ez-Zor): kind 'SAM' is not one of"),
    (dict(end="2017-06-18T11:00:00Z"), "acm.geojson: feature 0 'Deir ez-Zor': ACM 'ROZ-DEZ' (Deir ez-Zor): period 1 ends "
                                       "(2017-06-18T11:00:00Z) before it starts (2017-06-18T12:00:00Z)"),
])
def test_bad_airspace_is_an_error_naming_file_and_feature(capsys, tmp_path, change, message):
    bad = json.loads(json.dumps(ROZ))
    bad["properties"].update(change)
    units, airspace = _files(tmp_path, acm=bad)
    code, out, err = run(capsys, "conflicts", "--units", units, "--airspace", airspace, "--at", AT)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_negative_speed_is_an_error_naming_file_and_row(capsys, tmp_path):
    units, airspace = _files(tmp_path, rows=AIRCRAFT_CSV.replace("270,400", "270,-400"))
    code, out, err = run(capsys, "conflicts", "--units", units, "--airspace", airspace, "--at", AT)
    assert code == 2 and out == ""
    assert f"warning: {units}:3: speed_kt -400 is negative (row skipped)" in err
    assert f"error: {units}: 1 row(s) could not be read" in err


def test_usage_errors(capsys, tmp_path):
    code, _, err = run(capsys, "conflicts")
    assert code == 2 and "give --demo, a project or --units" in err
    code, _, err = run(capsys, "conflicts", "--demo", "--at", "2017-06-18 15:35")
    assert code == 2 and "--at: '2017-06-18 15:35' has no UTC offset" in err
    code, _, err = run(capsys, "conflicts", "--demo", "--horizon-min", "0")
    assert code == 2 and "expected a positive number of minutes" in err
    units, _ = _files(tmp_path)
    code, _, err = run(capsys, "conflicts", "--units", units, "--ao", tmp_path / "x.geojson")
    assert code == 2 and "give --ao and --line together" in err


def test_airspace_geojson_and_kml(capsys, tmp_path):
    out = tmp_path / "acm.geojson"
    code, _, err = run(capsys, "airspace", "--demo", "-o", out)
    assert code == 0, err
    assert read_airspace(out) == demo_document().airspace
    kml = tmp_path / "acm.kml"
    code, _, err = run(capsys, "airspace", "--demo", "--format", "kml", "-o", kml)
    assert code == 0, err
    meta, _, _, fields = pyogrio.raw.read(kml, driver="LIBKML")
    assert list(fields[list(meta["fields"]).index("id")]) == list(demo_document().airspace.ids)
    assert read_airspace(kml) == demo_document().airspace


def test_airspace_of_a_project_without_acms(capsys, tmp_path):
    """Projects do not store ACMs yet: a project's airspace is empty, and said to be."""
    project = tmp_path / "plan.gpkg"
    code, _, err = run(capsys, "new", project, "--ao", DATA / "demo_ao.geojson", "--line", DATA / "demo_line.geojson")
    assert code == 0, err
    code, out, err = run(capsys, "airspace", project)
    assert code == 0 and json.loads(out)["features"] == [] and "the scenario has no ACMs" in err
