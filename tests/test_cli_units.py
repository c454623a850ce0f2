"""`--distance-unit`: the sectors reports keep distance_km and add the distance, areas and
buffer in the unit asked, checked against pyproj.Geod's metres."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from desktop import cli
from desktop.core.demo import demo_document


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("typed,field,metres", [("nm", "nmi", 1852.0), ("NM", "nmi", 1852.0),
                                                ("mi", "mi", 1609.344)])
def test_json_report_adds_the_unit_beside_km(capsys, typed, field, metres):
    plain = json.loads(run(capsys, "sectors", "--demo"))
    report = json.loads(run(capsys, "sectors", "--demo", "--distance-unit", typed))
    assert report[f"buffer_{field}"] == pytest.approx(5000.0 / metres, abs=1e-3)
    for before, after in zip(plain["units"], report["units"]):
        assert after == {**before, f"distance_{field}": after[f"distance_{field}"]}  # nothing else changed
        assert after[f"distance_{field}"] == pytest.approx(before["distance_km"] * 1000 / metres, abs=1e-3)
    for s in report["sectors"]:
        assert s[f"area_{field}2"] == pytest.approx(s["area_km2"] * 1e6 / metres ** 2, rel=1e-6)


def test_csv_and_geojson_reports(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys, "sectors", "--demo", "--distance-unit", "nm",
                                                 "--format", "csv"))))
    header = list(rows[0])
    assert header[header.index("distance_km") + 1] == "distance_nmi"
    km = np.array([float(r["distance_km"]) for r in rows])
    assert np.allclose([float(r["distance_nmi"]) for r in rows], km / 1.852, atol=1e-3)
    fc = json.loads(run(capsys, "sectors", "--demo", "--distance-unit", "mi", "--format", "geojson"))
    units = [f["properties"] for f in fc["features"] if f["properties"]["kind"] == "unit"]
    assert len(units) == len(demo_document().units)
    assert all(u["distance_mi"] == pytest.approx(u["distance_km"] / 1.609344, abs=1e-3) for u in units)


def test_km_or_no_unit_leaves_the_report_as_it_was(capsys):
    plain = run(capsys, "sectors", "--demo", "--format", "csv")
    assert run(capsys, "sectors", "--demo", "--format", "csv", "--distance-unit", "km") == plain
    assert "distance_" not in plain.splitlines()[0].replace("distance_km", "")


def test_a_unit_that_is_not_one_is_a_usage_error(capsys):
    assert cli.main(["sectors", "--demo", "--distance-unit", "furlongs"]) == 2
    assert "furlongs' is not a distance unit" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_diff_adds_the_unit_after_the_km_distances(capsys, fmt):
    plain = run(capsys, "diff", "--demo", "june", "august", "--format", fmt)
    given = run(capsys, "diff", "--demo", "june", "august", "--format", fmt, "--distance-unit", "nm")
    if fmt == "json":
        before, after = json.loads(plain)["units"], json.loads(given)["units"]
    else:
        before, after = list(csv.DictReader(io.StringIO(plain))), list(csv.DictReader(io.StringIO(given)))
        header = list(after[0])
        at = header.index("distance_b_km")
        assert header[at + 1:at + 3] == ["distance_a_nmi", "distance_b_nmi"]
    assert before and len(before) == len(after)
    for b, a in zip(before, after):
        assert {k: v for k, v in a.items() if not k.endswith("_nmi")} == b  # nothing else changed
        for which in "ab":
            km = float(b[f"distance_{which}_km"])
            assert float(a[f"distance_{which}_nmi"]) == pytest.approx(km * 1000 / 1852.0, abs=1e-3)
    assert run(capsys, "diff", "--demo", "june", "august", "--format", fmt, "--distance-unit", "km") == plain
