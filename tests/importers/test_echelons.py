"""Echelon columns (issue 10.12): a battery is drawn as the company-level echelon it is,
words and abbreviations planners write are understood, and a word that is not an echelon
is reported by row instead of silently dropped. The file is read as written (the word is
kept); what is drawn follows the standard."""
from __future__ import annotations

import json

from desktop.core.importers import import_file
from desktop.core.sidc import ECHELONS, echelon_of, unit_symbol

ROWS = [("A1", "battery"), ("A2", "Battery"), ("A3", "Bn"), ("A4", "Plt"), ("A5", "squadron"), ("A6", ""),
        ("A7", "army group"), ("A8", "squadron")]


def test_echelon_words_in_a_csv(tmp_path, registry):
    p = tmp_path / "units.csv"
    p.write_text("id,lat,lon,echelon\n" + "".join(f"{uid},35.8,38.5,{e}\n" for uid, e in ROWS))
    data = import_file(p, registry)
    u = data.units
    assert u.echelons.tolist() == [e for _, e in ROWS]  # kept as written
    drawn = [unit_symbol("", "friend", "ground", e).echelon for e in u.echelons]
    assert drawn == ["company", "company", "battalion", "platoon", "", "", "army group", ""]
    [warning] = [w for w in data.skipped if "echelon" in w]
    assert "units.csv:6: echelon 'squadron' is not one of" in warning and "(and 1 more rows)" in warning


def test_echelon_words_in_geojson(tmp_path, registry):
    features = [{"type": "Feature", "properties": {"id": uid, "echelon": e},
                 "geometry": {"type": "Point", "coordinates": [38.5, 35.8]}} for uid, e in ROWS[:3]]
    p = tmp_path / "units.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    data = import_file(p, registry)
    assert [echelon_of(e) for e in data.units.echelons] == ["company", "company", "battalion"]
    assert not [w for w in data.skipped if "echelon" in w]


def test_every_echelon_of_the_standard_reads_as_itself():
    assert [echelon_of(e.upper()) for e in ECHELONS] == list(ECHELONS)
    assert echelon_of(None) == echelon_of("") == echelon_of("furlong") == ""
