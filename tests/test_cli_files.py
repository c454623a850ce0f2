"""The files commands read (--ao, --line, --units), through the importer registry: wrappers,
aliases, and a clear message for every bad input."""
import json
from pathlib import Path

import numpy as np
import pytest

from desktop.cli.parser import load_registry
from desktop.core import demo
from desktop.core.inputs import InputError
from desktop.core.text_columns import STRING
from desktop.core.units import UnitTable
from tests.file_arguments import read_ao, read_line, read_units

DATA = Path(__file__).resolve().parent / "data"
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
    (read_ao, "not json at all", "ao.geojson:1: not JSON (column 1"),
    (read_ao, "", "ao.geojson: empty file"),
    (read_ao, [1, 2], "ao.geojson: not GeoJSON"),
    (read_ao, {"type": "Topology"}, "ao.geojson: not GeoJSON (type 'Topology')"),
    (read_ao, LSTR, "ao.geojson: no AO polygon in it; it holds line of 11 vertices"),
    (read_ao, fc(feature(LSTR, name="Line")), "no AO polygon in it; it holds line of 11 vertices"),
    (read_ao, fc(feature(POLY), feature(POLY, name="B")), "2 possible AOs (feature 0, feature 1 'B'): cannot tell which is the AO"),
    (read_ao, {"type": "MultiPolygon", "coordinates": [[RING], [RING]]}, "a MultiPolygon of 2 parts"),
    (read_ao, {"type": "Polygon", "coordinates": [RING, RING[:4]]}, "has 1 hole(s)"),
    (read_ao, {"type": "Polygon", "coordinates": [[[38, 35], [39, 35], [38, 35]]]}, "at least 3 distinct vertices"),
    (read_ao, {"type": "Polygon", "coordinates": [[[38, 35], [39, 36], [39, 35], [38, 36], [38, 35]]]},
     "not a simple polygon"),
    (read_ao, feature({"type": "Polygon", "coordinates": [[[38, 35], [39, 123], [40, 35], [38, 35]]]}, name="AO"),
     "ao.geojson: nothing to import: feature 'AO': vertex 1: latitude 123.0 is outside -90..90"),
    (read_ao, {"type": "Polygon", "coordinates": [[[38, 35], ["x", 35], [40, 36], [38, 35]]]},
     "coordinates are not a list of rings of [longitude, latitude] positions"),
    (read_ao, fc({"type": "Point"}), "feature 0 is not a GeoJSON Feature"),
    (read_line, POLY, "line.geojson: no line in it; it holds AO 'AO' (11 vertices)"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35]]}, "at least two vertices"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35], [38, 35], [39, 35]]}, "vertices 1 and 2 coincide"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35], [39, 36], [39, 35], [38, 36]]}, "cross itself"),
    (read_line, {"type": "LineString", "coordinates": [[38, 35], [200, 36]]}, "vertex 1: longitude 200.0 is outside"),
    (read_line, {"type": "LineString", "coordinates": "38,35"}, "coordinates are not a list of [longitude, latitude] positions"),
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
    assert table.lon.dtype == float and table.ids.dtype == STRING  # compact text, not Python objects
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
                 feature(LSTR, id="C"),                       # a line: not a unit
                 feature(point(38.5, 35.6), name="named"),    # the name stands in for the id
                 feature(point(38.5, 35.6)),
                 {"type": "Feature", "id": 7, "properties": None, "geometry": point(38, 35)},
                 feature(None, id="E"))
    table, warnings = read_units(write(tmp_path, "u.geojson", content))
    assert table.ids.tolist() == ["A", "named", "7"]
    assert warnings == [
        f"{tmp_path / 'u.geojson'}: feature 1 'B': vertex 0: latitude 123.0 is outside -90..90",
        f"{tmp_path / 'u.geojson'}: feature 6 'E': no geometry",
        f"{tmp_path / 'u.geojson'}: feature 4: no id (row skipped)",
    ]


@pytest.mark.parametrize("text, message", [
    ("", "u.csv: empty file"),
    ("\n\n", "u.csv: empty file"),
    ("id,lat,lon\n", "u.csv: no rows after the header"),
    ("name,lat,lon\nA,35,38\n", "u.csv:1: cannot tell what the rows are: no 'id' column (header: name, lat, lon)"),
    ("id,name\nA,x\n", "u.csv:1: cannot tell what the rows are: no position columns"),
    ("id,lat,lon,latitude\nA,1,2,3\n", "u.csv:1: columns 'lat' and 'latitude' both give the lat"),
    ("id,lat,lon\nA,123,38\nB,x,38\n", "u.csv: no usable unit rows (2 skipped; first: "),
    ("Hello there, this is prose\nnot a table\n", "u.csv:1: cannot tell what the rows are"),
    ('id,lat,lon\n"A,35,38\n', "no usable unit rows"),
])
def test_units_file_errors(tmp_path, text, message):
    with pytest.raises(InputError) as exc:
        read_units(write(tmp_path, "u.csv", text))
    assert message in str(exc.value)


def test_units_json_errors(tmp_path):
    with pytest.raises(InputError, match="u.geojson:1: not JSON"):
        read_units(write(tmp_path, "u.geojson", "{oops"))
    with pytest.raises(InputError, match="u.geojson: nothing to import"):
        read_units(write(tmp_path, "u.geojson", fc()))


def test_units_large_csv_is_columnar(tmp_path):
    n = 20000
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(34, 36, n), rng.uniform(38, 41, n)
    rows = "\n".join(f"U{i},{a!r},{o!r},US-backed" for i, (a, o) in enumerate(zip(lat.tolist(), lon.tolist())))
    table, warnings = read_units(write(tmp_path, "u.csv", "id,lat,lon,side\n" + rows + "\n"))
    assert warnings == [] and len(table) == n
    assert np.array_equal(table.lat, lat) and np.array_equal(table.lon, lon)


# -- every command, every format: files written by GDAL itself ------------------------------------
pyogrio = pytest.importorskip("pyogrio")
# GDAL cuts a Shapefile's field names to 10 characters ('affiliatio'), as it does for users.
laundered = pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".kml": "KML"}


def run(capsys, *argv):
    from desktop import cli
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def gdal_write(path: Path, geometries, fields: dict, geometry_type: str) -> Path:
    import shapely
    pyogrio.raw.write(str(path), geometry=np.array(shapely.to_wkb(geometries), dtype=object),
                      field_data=[np.asarray(v, dtype=object) for v in fields.values()], fields=list(fields),
                      geometry_type=geometry_type, crs="EPSG:4326", driver=DRIVERS[path.suffix], layer=path.stem)
    return path


def demo_as(tmp_path: Path, ext: str) -> dict[str, Path]:
    """The demo's AO, line and units as files GDAL writes in the format of `ext`."""
    import shapely
    doc, folder = demo.demo_document(), tmp_path / ext.lstrip(".")
    folder.mkdir()
    u = doc.units
    return {"ao": gdal_write(folder / f"ao{ext}", [shapely.Polygon(doc.ao.ring)], {"name": ["Euphrates AO"]},
                             "Polygon"),
            "line": gdal_write(folder / f"line{ext}", [shapely.LineString(doc.line.vertices)], {"name": ["line"]},
                               "LineString"),
            "units": gdal_write(folder / f"units{ext}", shapely.points(u.lon, u.lat),
                                {"id": u.ids, "name": u.names, "side": u.sides, "affiliation": u.affiliations,
                                 "domain": u.domains}, "Point")}


def same_report(got: dict, want: dict) -> None:
    assert [(s["id"], s["owner"], s["unit_count"]) for s in got["sectors"]] == \
        [(s["id"], s["owner"], s["unit_count"]) for s in want["sectors"]]
    assert [s["area_km2"] for s in got["sectors"]] == pytest.approx([s["area_km2"] for s in want["sectors"]], rel=1e-6)
    keys = ("id", "name", "side", "sector", "near_line", "wrong_side")
    assert [tuple(u[k] for k in keys) for u in got["units"]] == [tuple(u[k] for k in keys) for u in want["units"]]
    assert [u["distance_km"] for u in got["units"]] == pytest.approx([u["distance_km"] for u in want["units"]],
                                                                     abs=2e-3)


@laundered
@pytest.mark.parametrize("ext", list(DRIVERS))
def test_sectors_reads_ao_line_and_units_in_every_gdal_format(capsys, tmp_path, ext):
    files = demo_as(tmp_path, ext)
    code, out, err = run(capsys, "sectors", "--ao", files["ao"], "--line", files["line"], "--units", files["units"])
    assert code == 0, err
    _, want, _ = run(capsys, "sectors", "--demo")
    same_report(json.loads(out), json.loads(want))


@laundered
def test_new_from_a_shapefile_a_kml_and_a_geopackage(capsys, tmp_path):
    """The repro of the issue: `new plan.gpkg --ao ao.shp --line line.kml --units units.gpkg`."""
    shp, kml, gpkg = (demo_as(tmp_path, ext) for ext in (".shp", ".kml", ".gpkg"))
    plan = tmp_path / "plan.gpkg"
    code, out, err = run(capsys, "new", plan, "--ao", shp["ao"], "--line", kml["line"], "--units", gpkg["units"])
    assert code == 0 and f"{len(demo.demo_document().units)} units" in out, err
    _, got, _ = run(capsys, "sectors", plan)
    _, want, _ = run(capsys, "sectors", "--demo")
    same_report(json.loads(got), json.loads(want))


@pytest.mark.parametrize("ext", [".gpkg", ".kml"])
def test_diff_and_export_read_units_in_gdal_formats(capsys, tmp_path, ext):
    files = demo_as(tmp_path, ext)
    code, out, err = run(capsys, "diff", "--demo", "june", "august", "--units", files["units"])
    assert code == 0, err
    assert [u["id"] for u in json.loads(out)["units"]] == ["SDF-11", "SDF-13", "SDF-17", "SDF-19"]
    png = tmp_path / "map.png"
    code, out, err = run(capsys, "export", "--ao", files["ao"], "--line", files["line"], "--units", files["units"],
                         png, "--width", 300, "--height", 200)
    assert code == 0 and png.read_bytes().startswith(b"\x89PNG"), err


def read_positions(path, progress=None):
    """A third party's importer: one unit per line, 'id lon lat'."""
    from desktop.core.importers.model import ImportedData
    rows = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    units = UnitTable(np.array([r[0] for r in rows], dtype=object), np.array([r[0] for r in rows], dtype=object),
                      np.full(len(rows), "US-backed", dtype=object), np.full(len(rows), "friend", dtype=object),
                      np.full(len(rows), "ground", dtype=object), np.array([float(r[1]) for r in rows]),
                      np.array([float(r[2]) for r in rows]), np.full(len(rows), "", dtype=object),
                      np.full(len(rows), "", dtype=object))
    return ImportedData(str(path), units=units)


def test_a_third_party_importer_works_for_every_file_argument(capsys, tmp_path, monkeypatch):
    from desktop.cli import parser
    from desktop.core.plugins import Contribution, Plugin
    registry = load_registry()
    registry.register(Plugin("positions", (Contribution("importer", "pos", "Positions", "tests.test_cli_files:read_positions",
                                                        {"extensions": [".pos"]}),)))
    monkeypatch.setattr(parser, "load_registry", lambda: registry)
    pos = tmp_path / "units.pos"
    pos.write_text("P1 39.0 36.0\nP2 38.7 35.5\n")
    code, out, err = run(capsys, "sectors", "--demo", "--units", pos)
    assert code == 0, err
    units = json.loads(out)["units"]
    assert [(u["id"], u["sector"]) for u in units] == [("P1", "S1"), ("P2", "S2")]
    code, out, err = run(capsys, "new", tmp_path / "p.gpkg", "--demo", "--units", pos)
    assert code == 0 and "2 units" in out, err


# -- reads are bounded: the importers' caps, regular files only -----------------------------------
@pytest.mark.parametrize("option, name, limit_mb", [("--units", "big.csv", 1024), ("--ao", "big.geojson", 512),
                                                   ("--line", "big.kml", 512), ("--calls", "big.csv", 1024)])
def test_a_huge_file_is_refused_unread(capsys, tmp_path, option, name, limit_mb):
    """A 2 GB sparse file: refused at once by its size, before a byte is read (it used to take
    2.1 GB and 7 s before 'not a text file')."""
    import time
    import tracemalloc
    big = tmp_path / name
    with open(big, "wb") as f:
        f.truncate(2 << 30)
    command = ["calls"] if option == "--calls" else ["sectors", "--demo"]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        code, out, err = run(capsys, *command, option, big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2 and out == ""
    assert f"{big}: 2,048 MB is more than this format's limit of {limit_mb:,} MB" in err
    assert peak < 64 << 20 and time.perf_counter() - started < 5


@pytest.mark.parametrize("argv", [["sectors", "--demo", "--units", "{fifo}"], ["calls", "--calls", "{fifo}"],
                                  ["new", "{out}", "--demo", "--line", "{fifo}"], ["import", "{out}", "{fifo}"]])
def test_a_fifo_never_blocks(tmp_path, argv):
    import os
    import subprocess
    import sys
    fifo = tmp_path / "units.csv"
    os.mkfifo(fifo)
    out = tmp_path / "p.gpkg"
    if argv[0] == "import":
        from desktop.core.project import save_project
        save_project(demo.demo_document(), out)
    args = [a.format(fifo=fifo, out=out) for a in argv]
    proc = subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr == f"deconflict: error: {fifo}: a FIFO, not a file to read\n"
