"""Bad files for every importer: a clear error (or a skipped feature) naming the file and
the line or feature; never a crash, a hang or a file read into memory whole when huge."""
import json
import time
import zipfile

import pytest

from desktop.core.importers import import_file
from desktop.core.inputs import InputError
from tests.importers.samples import BOMB, EXTERNAL, GPX, KML

EXTENSIONS = (".csv", ".geojson", ".kml", ".kmz", ".gpx", ".shp", ".gpkg")


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_empty_file(tmp_path, registry, ext):
    with pytest.raises(InputError, match=rf"x{ext}: empty file"):
        import_file(write(tmp_path, f"x{ext}", b""), registry)


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_a_2_gb_file_is_refused_without_reading_it(tmp_path, registry, ext):
    p = tmp_path / f"huge{ext}"
    with open(p, "wb") as f:  # sparse: takes no disk space
        f.truncate(2 << 30)
    start = time.perf_counter()
    with pytest.raises(InputError, match=rf"huge{ext}: "):
        import_file(p, registry)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_garbage(tmp_path, registry, ext):
    with pytest.raises(InputError, match=rf"junk{ext}"):
        import_file(write(tmp_path, f"junk{ext}", bytes(range(256)) * 8), registry)


@pytest.mark.parametrize("name, text", [("bomb.kml", BOMB), ("external.kml", EXTERNAL),
                                        ("bomb.gpx", BOMB.replace("kml", "gpx"))])
def test_xml_bombs_and_external_entities_are_refused_at_once(tmp_path, registry, name, text):
    start = time.perf_counter()
    with pytest.raises(InputError, match=rf"{name}: refused: the file declares a DTD"):
        import_file(write(tmp_path, name, text), registry)
    assert time.perf_counter() - start < 1.0


def test_kmz_bomb_is_not_inflated(tmp_path, registry):
    p = tmp_path / "bomb.kmz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", b"<" + b" " * (600 << 20))  # 600 MB of spaces, a few hundred kB zipped
    with pytest.raises(InputError, match="bomb.kmz: doc.kml would unpack to 600 MB"):
        import_file(p, registry)


@pytest.mark.parametrize("name, text, message", [
    ("cut.kml", KML[: len(KML) // 2], r"cut.kml:\d+: not well-formed XML"),
    ("cut.gpx", GPX[: len(GPX) // 2], r"cut.gpx:\d+: not well-formed XML"),
    ("cut.geojson", '{"type": "FeatureCollection", "features": [{"type": "Fea', r"cut.geojson:1: not JSON"),
    ("latin1.csv", "id,name,lat,lon\nA,Bj\xf6rn,35,38\n".encode("latin-1"), r"latin1.csv:2: not UTF-8 text"),
    ("latin1.kml", KML.replace("SAA-01", "Bj\xf6rn").encode("latin-1"), r"latin1.kml:\d+: not well-formed XML"),
    ("notkml.kml", "<html><body/></html>", r"notkml.kml: not KML"),
    ("encoding.kml", KML.replace('encoding="UTF-8"', 'encoding="U-TF-8"'), r"encoding.kml: not usable XML .*U-TF-8"),
    ("encoding.gpx", GPX.replace('encoding="UTF-8"', 'encoding="nonsense"'), r"encoding.gpx: not usable XML"),
    ("header.csv", "id,lat,lon\n", r"header.csv: no rows after the header"),
])
def test_truncated_and_wrongly_encoded(tmp_path, registry, name, text, message):
    with pytest.raises(InputError, match=message):
        import_file(write(tmp_path, name, text), registry)


def geojson(geometry, props=None):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props or {"name": "X"}, "geometry": geometry}]})


@pytest.mark.parametrize("geometry, reason", [
    ({"type": "Point", "coordinates": [38, 95]}, "latitude 95.0 is outside -90..90"),
    ({"type": "Point", "coordinates": [38, "NaN"]}, "vertex 0: a coordinate is not a finite number"),
    ({"type": "Polygon", "coordinates": [[[38, 35], [40, 35], [40, 36], [38, 36]]]}, "ring is not closed"),
    ({"type": "Polygon", "coordinates": [[[38, 35], [40, 36], [40, 35], [38, 36], [38, 35]]]},
     "not a simple polygon (Self-intersection"),
    ({"type": "LineString", "coordinates": [[38, 35], [38, 35]]}, "coincide"),
])
def test_bad_geometries_name_the_feature(tmp_path, registry, geometry, reason):
    p = write(tmp_path, "f.geojson", geojson(geometry))
    with pytest.raises(InputError, match="f.geojson: nothing to import: feature 0 'X': ") as err:
        import_file(p, registry)
    assert reason in str(err.value)


def test_kml_bad_placemarks_are_skipped_with_their_folder(tmp_path, registry):
    bad = KML.replace("38.9,35.3", "38.9,95.3").replace("<coordinates>39,35.5", "<coordinates>x,y")
    data = import_file(write(tmp_path, "b.kml", bad), registry)
    assert data.units.ids.tolist() == ["SAA-01"]
    assert any("placemark 2 'SAA-02' in folder 'OPFOR/Units/Armour': vertex 0: latitude 95.3" in s
               for s in data.skipped), data.skipped


def test_csv_nan_and_out_of_range_rows_are_skipped_by_line(tmp_path, registry):
    data = import_file(write(tmp_path, "u.csv", "id,lat,lon\nA,35,38\nB,nan,38\nC,91,38\nD,35,inf\n"), registry)
    assert data.units.ids.tolist() == ["A"]
    assert [s.split(": ")[0].rsplit(":", 1)[1] for s in data.skipped] == ["3", "4", "5"]


@pytest.mark.parametrize("records, said", [
    (3, "units.shp: the .dbf has 3 records for 5 shapes: shapes 4 to 5 have no attributes and were not imported"),
    (7, "units.shp: the .dbf has 7 records for 5 shapes: records 6 to 7 have no shape and were not imported"),
])
def test_a_shapefile_whose_dbf_and_shp_disagree_says_so(tmp_path, registry, records, said):
    """Issue 14.11: a .dbf shorter than the .shp dropped the extra shapes without a word."""
    import struct

    import shapefile
    with shapefile.Writer(str(tmp_path / "units"), shapeType=shapefile.POINT) as w:
        w.field("id", "C")
        for i in range(5):
            w.point(38.5 + i * 0.01, 35.5)
            w.record(f"U{i}")
    dbf = tmp_path / "units.dbf"
    data = dbf.read_bytes()
    head, size = struct.unpack("<H", data[8:10])[0], struct.unpack("<H", data[10:12])[0]
    body = data[head:head + 5 * size]
    body = (body + body)[:records * size]  # the .dbf cut short, or with records to spare
    dbf.write_bytes(data[:4] + struct.pack("<I", records) + data[8:head] + body + b"\x1a")
    got = import_file(tmp_path / "units.shp", registry)
    assert any(m.endswith(said) for m in got.skipped) and len(got.units) == min(records, 5)


@pytest.mark.parametrize("case", ["header over 64 KiB", "quoted field over 128 KiB", "CR line ends",
                                  "quoted line ends"])
def test_valid_csv_that_python_and_gdal_read_is_read(tmp_path, registry, case):
    """Issue 14.11: these were refused ('not CSV', or no rows)."""
    import csv as csv_module
    pyogrio = pytest.importorskip("pyogrio")
    rows = [["id", "name", "lat", "lon"], ["U1", "Alpha", "35.9", "38.9"], ["U2", "Bravo", "35.8", "38.8"]]
    if case == "header over 64 KiB":
        rows = [([f"extra_{k}" for k in range(8000)] if i == 0 else ["x"] * 8000) + r for i, r in enumerate(rows)]
    elif case == "quoted field over 128 KiB":
        rows[1][-3] = "A, long \"name\"\n" * 20_000
    elif case == "quoted line ends":
        rows[2][-3] = "two\r\nlines"
    p = tmp_path / "units.csv"
    with open(p, "w", newline="") as f:
        csv_module.writer(f, lineterminator="\r" if case == "CR line ends" else "\r\n").writerows(rows)
    assert len(pyogrio.raw.read(p, read_geometry=False)[3][0]) == 2  # GDAL reads it
    got = import_file(p, registry)
    assert got.units.ids.tolist() == ["U1", "U2"] and got.units.names.tolist() == [rows[1][-3].strip(), rows[2][-3]]
    assert got.units.lat.tolist() == [35.9, 35.8] and not got.skipped
