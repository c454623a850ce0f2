"""Scenario file readers: wrappers, aliases, and a clear message for every bad input."""
import json
from pathlib import Path

import numpy as np
import pytest

from desktop.core import demo
from desktop.core.inputs import InputError, read_ao, read_line, read_units

DATA = Path(__file__).resolve().parents[1] / "data"
RING = [list(p) for p in demo.AO_RING] + [list(demo.AO_RING[0])]
LINE = [list(p) for p in demo.LINE_AUGUST]


def write(tmp_path, name, content) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


POLY = {"type": "Polygon", "coordinates": [RING]}
LSTR = {"type": "LineString", "coordinates": LINE}


# -- AO and line ------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [POLY, feature(POLY, name="Euphrates AO"), fc(feature(POLY)),
                                     fc(feature(LSTR), feature(POLY)),  # one file for both
                                     {"type": "MultiPolygon", "coordinates": [[RING]]}])
def test_read_ao_wrappers(tmp_path, content):
    ao = read_ao(write(tmp_path, "ao.geojson", content))
    assert np.allclose(ao.ring, np.array(demo.AO_RING))


def test_read_ao_name_and_fixture():
    assert read_ao(DATA / "demo_ao.geojson").name == "Euphrates AO"


@pytest.mark.parametrize("content", [LSTR, feature(LSTR), fc(feature(LSTR)), fc(feature(POLY), feature(LSTR)),
                                     {"type": "MultiLineString", "coordinates": [LINE]}])
def test_read_line_wrappers(tmp_path, content):
    line = read_line(write(tmp_path, "line.geojson", content))
    assert np.array_equal(line.vertices, np.array(demo.LINE_AUGUST))


def test_altitude_is_ignored(tmp_path):
    line = read_line(write(tmp_path, "l.geojson", {"type": "LineString", "coordinates": [[38, 35, 100], [39, 35.5, 0]]}))
    assert line.vertices.shape == (2, 2)


@pytest.mark.parametrize("reader, content, message", [
    (read_ao, "not json at all", "ao.geojson: not JSON (line 1 column 1"),
    (read_ao, "", "ao.geojson: empty file"),
    (read_ao, [1, 2], "ao.geojson: not GeoJSON"),
    (read_ao, {"type": "Topology"}, "ao.geojson: not GeoJSON (type 'Topology')"),
    (read_ao, LSTR, "ao.geojson: no Polygon geometry (found LineString in geometry)"),
    (read_ao, fc(feature(LSTR, name="Line")), "found LineString in feature 0 'Line'"),
    (read_ao, fc(feature(POLY), feature(POLY, name="B")), "2 Polygons (feature 0, feature 1 'B'); expected exactly one"),
    (read_ao, {"type": "MultiPolygon", "coordinates": [[RING], [RING]]}, "a MultiPolygon of 2 parts"),
    (read_ao, {"type": "Polygon", "coordinates": [RING, RING[:4]]}, "has 1 hole(s)"),
    (read_ao, {"type": "Polygon", "coordinates": [[[38, 35], [39, 35], [38, 35]]]}, "at least 3 distinct vertices"),
    (read_ao, {"type": "Polygon", "coordinates": [[[38, 35], [39, 36], [39, 35], [38, 36], [38, 35]]]},
     "not a simple polygon"),
    (read_ao, feature({"type": "Polygon", "coordinates": [[[38, 35], [39, 123], [40, 35], [38, 35]]]}, name="AO"),
     "ao.geojson: feature 'AO': boundary: vertex 1: latitude 123.0 is outside -90..90"),
    (read_ao, {"type": "Polygon", "coordinates": [[[38, 35], ["x", 35], [40, 36], [38, 35]]]},
     "vertex 1 is not a [longitude, latitude] pair"),
    (read_ao, fc({"type": "Point"}), "feature 0 is not a GeoJSON Feature"),
    (read_line, POLY, "line.geojson: no LineString geometry (found Polygon"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35]]}, "at least two vertices"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35], [38, 35], [39, 35]]}, "vertices 1 and 2 coincide"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35], [39, 36], [39, 35], [38, 36]]}, "cross itself"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35], [200, 36]]}, "vertex 1: longitude 200.0 is outside"),
    (read_line, {"type": "LineString", "coordinates": "38,35"}, "coordinates are not a list"),
])
def test_geojson_rejections(tmp_path, reader, content, message):
    name = "ao.geojson" if reader is read_ao else "line.geojson"
    with pytest.raises(InputError) as exc:
        reader(write(tmp_path, name, content))
    assert str(tmp_path / name) in str(exc.value)
    assert message in str(exc.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="nope.geojson: no such file"):
        read_ao(tmp_path / "nope.geojson")
    with pytest.raises(InputError, match="is a directory"):
        read_line(tmp_path)
    with pytest.raises(InputError, match="not a text file"):
        read_units(write(tmp_path, "u.csv", b"\x89PNG\r\n\x1a\n\0\0\0"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_units(write(tmp_path, "u.csv", "id,name,lat,lon\nA,Deir ez-Zôr,35,38\n".encode("latin-1")))


# -- units ------------------------------------------------------------------------------------
def test_units_csv_fixture():
    table, warnings = read_units(DATA / "demo_units.csv")  # CRLF line ends, all columns
    assert warnings == [] and len(table) == 44
    assert table.lon.dtype == float and table.ids.dtype == object
    i = table.index_of("SAA-10")
    assert (table.names[i], table.sides[i], table.affiliations[i], table.domains[i], table.echelons[i],
            table.symbols[i], table.lon[i], table.lat[i]) == \
        ("SAA Deir ez-Zor Garrison", "Russian-backed", "hostile", "ground", "brigade", "SHGPUCI----H---", 40.13, 35.31)
    assert table.domains[table.index_of("AIR-01")] == "air"


def test_units_geojson_fixture_matches_csv():
    table, warnings = read_units(DATA / "demo_units.geojson")
    want, _ = read_units(DATA / "demo_units.csv")
    assert warnings == []
    for col in ("ids", "names", "sides", "affiliations"):
        assert getattr(table, col).tolist() == getattr(want, col).tolist(), col
    assert np.array_equal(table.lat, want.lat) and np.array_equal(table.lon, want.lon)


def test_units_mgrs_column_within_a_metre():
    table, warnings = read_units(DATA / "demo_units_mgrs.csv")  # header "Unit ID,Name,Side,MGRS"
    want, _ = read_units(DATA / "demo_units.csv")
    assert warnings == [] and table.ids.tolist() == want.ids.tolist()
    assert np.abs(table.lat - want.lat).max() < 2e-5 and np.abs(table.lon - want.lon).max() < 2e-5


def test_units_header_aliases_delimiters_and_forms(tmp_path):
    text = ("\ufeffUnit_ID;Latitude;Longitude;Affiliation;DOMAIN;SIDC\r\n"
            "A;35.5;38.5;Friendly;Land;SFG\r\n"
            "B;35°30'N;38°30'30\"E;h;air;\r\n"
            "\r\n"
            "C;-10.25;-70.5;;;\r\n")
    path = write(tmp_path, "u.csv", text)
    table, warnings = read_units(path)
    assert warnings == [f"{path}:2: symbol 'SFG': not a MIL-STD-2525 / APP-6 symbol code"]  # kept, said once
    assert table.ids.tolist() == ["A", "B", "C"]
    assert table.lat.tolist() == [35.5, 35.5, -10.25]
    assert table.lon[1] == pytest.approx(38 + 30 / 60 + 30 / 3600)
    assert table.affiliations.tolist() == ["friend", "hostile", "unknown"]
    assert table.domains.tolist() == ["ground", "air", "ground"]
    assert table.symbols.tolist() == ["SFG", "", ""]
    assert table.sides.tolist() == ["", "", ""] and table.names.tolist() == ["", "", ""]


def test_units_mgrs_fills_rows_without_lat_lon(tmp_path):
    text = "id,lat,lon,mgrs\nA,35.8,38.5,\nB,,,37SDV 59178 65852\nC,,,\n"
    table, warnings = read_units(write(tmp_path, "u.csv", text))
    assert table.ids.tolist() == ["A", "B"]
    assert table.lat[1] == pytest.approx(35.836, abs=2e-5)
    assert warnings == [f"{tmp_path / 'u.csv'}:4: no MGRS reference (row skipped)"]


def test_units_bad_rows_are_skipped_with_file_and_row():
    path = DATA / "units_bad.csv"
    table, warnings = read_units(path)
    assert table.ids.tolist() == ["U1", "U7"]
    assert table.affiliations.tolist() == ["friend", "unknown"]
    text = "\n".join(warnings)
    for expected in (f"{path}:3: latitude 123.0 is outside -90..90", f"{path}:4: latitude 'nan' is not a finite number",
                     f"{path}:5: no id", f"{path}:6: cannot read 'abc' as a longitude",
                     f"{path}:7: duplicate id 'U1' (first on line 2)", f"{path}:9: no latitude",
                     f"{path}:10: 7 fields, the header has 6", f"{path}:8: affiliation 'blue' is not one of"):
        assert expected in text
    assert sum("row skipped" in w for w in warnings) == 7


def test_units_bad_mgrs_rows():
    path = DATA / "units_bad_mgrs.csv"
    table, warnings = read_units(path)
    assert table.ids.tolist() == ["M1"]
    assert [w.split(": ", 1)[0] for w in warnings] == [f"{path}:{n}" for n in (3, 4, 5, 6)]
    assert "same number of digits" in warnings[0] and "not an MGRS reference" in warnings[1]
    assert "no MGRS reference" in warnings[2] and "latitude band X" in warnings[3]


def test_units_geojson_bad_features(tmp_path):
    point = lambda lon, lat: {"type": "Point", "coordinates": [lon, lat]}  # noqa: E731
    content = fc(feature(point(38.5, 35.5), id="A", side="US-backed", affiliation="friend"),
                 feature(point(38.5, 123), id="B"),
                 feature(LSTR, id="C"),
                 feature(point(38.5, 35.6), name="no id"),
                 {"type": "Feature", "id": 7, "properties": None, "geometry": point(38, 35)},
                 feature(None, id="E"))
    table, warnings = read_units(write(tmp_path, "u.geojson", content))
    assert table.ids.tolist() == ["A", "7"]
    assert warnings == [
        f"{tmp_path / 'u.geojson'}: feature 1: latitude 123.0 is outside -90..90 (row skipped)",
        f"{tmp_path / 'u.geojson'}: feature 2: LineString is not a Point (row skipped)",
        f"{tmp_path / 'u.geojson'}: feature 3: no id (row skipped)",
        f"{tmp_path / 'u.geojson'}: feature 5: no geometry is not a Point (row skipped)",
    ]


@pytest.mark.parametrize("text, message", [
    ("", "u.csv: empty file"),
    ("\n\n", "u.csv: empty file"),
    ("id,lat,lon\n", "u.csv: no unit rows after the header"),
    ("name,lat,lon\nA,35,38\n", "u.csv:1: no 'id' column in the header (name, lat, lon)"),
    ("id,name\nA,x\n", "u.csv:1: no position columns"),
    ("id,lat,lon,latitude\nA,1,2,3\n", "u.csv:1: columns 'lat' and 'latitude' both give the lat"),
    ("id,lat,lon\nA,123,38\nB,x,38\n", "u.csv: no usable unit rows (2 skipped; first: "),
    ("Hello there, this is prose\nnot a table\n", "u.csv:1: no 'id' column"),
    ('id,lat,lon\n"A,35,38\n', "no usable unit rows"),
])
def test_units_file_errors(tmp_path, text, message):
    with pytest.raises(InputError) as exc:
        read_units(write(tmp_path, "u.csv", text))
    assert message in str(exc.value)


def test_units_json_errors(tmp_path):
    with pytest.raises(InputError, match="u.geojson: not JSON"):
        read_units(write(tmp_path, "u.geojson", "{oops"))
    with pytest.raises(InputError, match="u.geojson: no features"):
        read_units(write(tmp_path, "u.geojson", fc()))


def test_units_large_csv_is_columnar(tmp_path):
    n = 20000
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(34, 36, n), rng.uniform(38, 41, n)
    rows = "\n".join(f"U{i},{a!r},{o!r},US-backed" for i, (a, o) in enumerate(zip(lat.tolist(), lon.tolist())))
    table, warnings = read_units(write(tmp_path, "u.csv", "id,lat,lon,side\n" + rows + "\n"))
    assert warnings == [] and len(table) == n
    assert np.array_equal(table.lat, lat) and np.array_equal(table.lon, lon)
