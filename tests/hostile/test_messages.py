"""Issue 14.9: inputs that raised RecursionError, OverflowError or "year out of range"
instead of a message. Each gives exit 2 and one line naming the file and the row, layer
or feature."""
import json
import sqlite3

import pytest

from tests.hostile.build import run_cli

DEEP = 100_000


def one_line(done) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    return line


def edit(project, sql: str, *args) -> None:
    with sqlite3.connect(project) as c:
        c.execute(sql, args)
    sqlite3.connect(project).close()


@pytest.mark.parametrize("value, reason", [
    ("[" * DEEP + "]" * DEEP, "units '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' is not a JSON list of unit ids"),
])
def test_deeply_nested_json_in_the_calls_table(project, value, reason):
    edit(project, "UPDATE calls SET units = ? WHERE fid = 1", value)
    for command in ("sectors", "calls"):
        line = one_line(run_cli(command, "--project", project))
        assert "P.gpkg: layer 'calls': feature 1: " + reason in line


@pytest.mark.parametrize("option", ["--ao", "--line", "--units"])
def test_deeply_nested_json_in_a_scenario_file(tmp_path, option):
    f = tmp_path / "deep.geojson"
    f.write_text("[" * DEEP + "]" * DEEP)
    line = one_line(run_cli("sectors", "--demo", option, f))
    assert "deep.geojson: not usable JSON (nested too deeply)" in line


def test_an_infinite_duration_in_the_calls_table(project):
    edit(project, "UPDATE calls SET duration_s = 9e999 WHERE fid = 3")
    line = one_line(run_cli("calls", "--project", project))
    assert "P.gpkg: layer 'calls': feature 3: duration_s inf is not a whole number of seconds" in line


def test_huge_durations_and_times_in_files_are_rows_skipped(tmp_path, project):
    calls = tmp_path / "calls.csv"
    calls.write_text("id,start,duration_s\nC1,2017-06-18T14:00:00Z,99999999999999999999999\n"
                     "C2,2017-06-18T15:00:00Z,60\n")
    done = run_cli("calls", "--calls", calls, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "calls.csv:2: duration_s '99999999999999999999' is more than a year" in done.stderr
    tracks = tmp_path / "t.csv"
    tracks.write_text(f"id,time,lat,lon\nA,{'9' * 30},35.9,38.9\nA,2017-06-18T14:00:00Z,35.9,38.9\n")
    done = run_cli("import", project, tracks)
    assert done.returncode == 0, done.stderr
    assert f"t.csv:2: time: '{'9' * 30}' is out of range (years 0001-9999 UTC) (row skipped)" in done.stderr
    track = tmp_path / "t.geojson"
    track.write_text(json.dumps({"type": "Feature", "properties": {"id": "A", "times": [1e308 * 10, 0]},
                                 "geometry": {"type": "LineString", "coordinates": [[38.9, 35.9], [38.8, 35.9]]}}))
    done = run_cli("import", project, track)  # times that are no times: a line, not a track
    assert done.returncode == 0 and "line of 2 vertices" in done.stdout, done.stderr


@pytest.mark.parametrize("element, reason", [
    ("Folder", "nest.kml: folders nested more than 64 deep"),
    ("MultiGeometry", "nest.kml: nothing to import: placemark 1: MultiGeometry nested more than 64 deep"),
])
def test_deeply_nested_kml(tmp_path, project, element, reason):
    kml = tmp_path / "nest.kml"
    inner = "<Placemark><MultiGeometry>" + "<MultiGeometry>" * DEEP + "<Point><coordinates>38.9,35.9" \
        "</coordinates></Point>" + "</MultiGeometry>" * DEEP + "</MultiGeometry></Placemark>" \
        if element == "MultiGeometry" else "<Folder>" * DEEP + "<Placemark><Point><coordinates>38.9,35.9" \
        "</coordinates></Point></Placemark>" + "</Folder>" * DEEP
    kml.write_text(f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{inner}</Document></kml>')
    line = one_line(run_cli("import", project, kml))
    assert reason in line


@pytest.mark.parametrize("argv", [["sectors", "--demo"], ["diff", "--demo", "june", "august"],
                                  ["export", "--demo", "{out}"], ["calls", "--demo", "--from"]])
@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_times_beyond_the_calendar(tmp_path, argv, when):
    args = [a.format(out=tmp_path / "m.png") for a in argv]
    line = one_line(run_cli(*args, *(["--at"] if args[-1] != "--from" else []), when))
    assert f"'{when}' is out of range (years 0001-9999 UTC)" in line
