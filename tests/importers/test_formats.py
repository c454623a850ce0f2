"""Every importer on files as other tools write them: what is found, what is skipped and why."""
import json
import zipfile

import numpy as np
import pytest
from pyproj import Transformer

from desktop.core.demo import demo_document
from desktop.core.exporters import export_layer_text
from desktop.core.importers import import_file
from desktop.core.importers.csv_table import read_csv
from desktop.core.importers.model import ColumnMapping, NeedsMapping
from desktop.core.inputs import InputError
from desktop.core.tracks import parse_time
from tests.importers.samples import GPX, KML

pyogrio = pytest.importorskip("pyogrio")


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


# -- CSV ----------------------------------------------------------------------------------------
def test_csv_units_in_decimal_dms_and_mgrs_columns(tmp_path, registry):
    p = write(tmp_path, "u.csv", "Unit ID;Name;Lat;Lon;MGRS\n"
                                 "A;Alpha;35.86;38.56;\n"
                                 "B;Bravo;35°37'12\"N;38°27'00\"E;\n"
                                 "C;Charlie;;;37S DV 60273 68509\n")
    data = import_file(p, registry)
    u = data.units
    assert u.ids.tolist() == ["A", "B", "C"] and not data.skipped
    assert u.lat[1] == pytest.approx(35.62) and u.lon[1] == pytest.approx(38.45)
    assert u.lon[2] == pytest.approx(38.56, abs=1e-3) and u.lat[2] == pytest.approx(35.86, abs=1e-3)


def test_csv_one_position_column(tmp_path, registry):
    p = write(tmp_path, "u.csv", "callsign,position\nA,\"35.836, 38.548\"\nB,355010N 0383253E\nC,nowhere\n")
    data = import_file(p, registry)
    assert data.units.ids.tolist() == ["A", "B"]
    assert data.skipped == [f"{p}:4: position: cannot read 'nowhere' as a position (unexpected 'N') (row skipped)"] \
        or (len(data.skipped) == 1 and data.skipped[0].startswith(f"{p}:4: position:"))


def test_csv_with_times_is_tracks_with_unit_attributes(tmp_path, registry):
    p = write(tmp_path, "t.csv", "id,name,side,time,lat,lon\n"
                                 "A,Alpha,US-backed,2017-06-18T14:00:00Z,35.8,38.6\n"
                                 "A,Alpha,US-backed,2017-06-18T15:00:00+01:00,35.9,38.7\n"
                                 "B,Bravo,Russian-backed,2017-06-18T14:30:00Z,35.5,38.9\n"
                                 "B,Bravo,Russian-backed,2017-06-18T14:30:00,35.5,38.9\n")
    data = import_file(p, registry)
    assert data.tracks.unit_ids.tolist() == ["A", "A", "B"]
    assert data.tracks.time.tolist() == [parse_time("2017-06-18T14:00:00Z")] * 2 + [parse_time("2017-06-18T14:30:00Z")]
    assert data.units.ids.tolist() == ["A", "B"] and data.units.sides.tolist() == ["US-backed", "Russian-backed"]
    assert len(data.skipped) == 1 and data.skipped[0].startswith(f"{p}:5: time:") and "no UTC offset" in data.skipped[0]


def test_csv_without_ids_needs_a_mapping_then_reads_a_line(tmp_path, registry):
    p = write(tmp_path, "v.csv", "seq,latitude,longitude\n2,35.8,38.9\n1,35.7,38.2\n3,35.7,39.6\n")
    with pytest.raises(NeedsMapping) as err:
        import_file(p, registry)
    assert "no 'id' column" in str(err.value) and err.value.header == ["seq", "latitude", "longitude"]
    data = import_file(p, registry, mapping=ColumnMapping("line", err.value.guess.columns))
    assert data.line.vertices.tolist() == [[38.2, 35.7], [38.9, 35.8], [39.6, 35.7]]  # sorted by seq
    ao = import_file(p, registry, mapping=ColumnMapping("ao", err.value.guess.columns)).ao
    assert len(ao.ring) == 3


def test_csv_utf16_from_a_spreadsheet(tmp_path, registry):
    p = write(tmp_path, "u.csv", "id\tname\tlat\tlon\r\nA\tÅlpha\t35.8\t38.6\r\n", encoding="utf-16")
    assert import_file(p, registry).units.names.tolist() == ["Ålpha"]


# -- GeoJSON ------------------------------------------------------------------------------------
def test_geojson_exports_import_back(tmp_path, registry):
    doc = demo_document()
    for layer in ("line", "units"):
        p = write(tmp_path, f"{layer}.geojson", export_layer_text(doc, layer, "geojson"))
        data = import_file(p, registry)
        if layer == "line":
            assert data.line == doc.line
        else:
            assert data.units.ids.tolist() == doc.units.ids.tolist()
            assert np.allclose(data.units.lon, doc.units.lon, atol=1e-7)
            assert data.units.sides.tolist() == doc.units.sides.tolist()


def test_geojson_ao_line_units_and_a_timed_track_in_one_file(tmp_path, registry):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "AO"}, "geometry": {"type": "Polygon", "coordinates": [
            [[38, 35], [40.5, 35], [40.5, 36.4], [38, 36.4], [38, 35]]]}},
        {"type": "Feature", "properties": {"name": "line"}, "geometry": {"type": "LineString",
                                                                      "coordinates": [[38.2, 35.7], [40.3, 35.3]]}},
        {"type": "Feature", "id": "U1", "properties": {}, "geometry": {"type": "Point", "coordinates": [39, 35.5]}},
        {"type": "Feature", "properties": {"id": "AIR-1", "times": ["2017-06-18T14:00:00Z", "2017-06-18T14:05:00Z"]},
         "geometry": {"type": "LineString", "coordinates": [[38.6, 35.8], [38.7, 35.85]]}},
    ]}
    data = import_file(write(tmp_path, "all.geojson", json.dumps(fc)), registry)
    assert data.ao.name == "AO" and len(data.line) == 2 and data.units.ids.tolist() == ["U1"]
    assert data.tracks.unit_ids.tolist() == ["AIR-1", "AIR-1"] and not data.skipped


def test_a_units_higher_formation_is_read_from_csv_and_geojson(tmp_path, registry):
    csv_file = write(tmp_path, "u.csv", "id,lat,lon,echelon,Higher Formation\n"
                                        "A,35.8,39.0,battalion,3 Bde\nB,35.9,39.1,company,\n")
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "A", "higher_formation": "3 Bde"},
         "geometry": {"type": "Point", "coordinates": [39.0, 35.8]}},
        {"type": "Feature", "properties": {"id": "B"}, "geometry": {"type": "Point", "coordinates": [39.1, 35.9]}}]}
    for path in (csv_file, write(tmp_path, "u.geojson", json.dumps(fc))):
        data = import_file(path, registry)
        assert data.units.higher_formations.tolist() == ["3 Bde", ""] and not data.skipped, path.name


# -- KML / KMZ ----------------------------------------------------------------------------------
def check_kml(data):
    assert data.units.ids.tolist() == ["SAA-01", "SAA-02"]
    assert data.units.sides.tolist() == ["Russian-backed"] * 2 and data.units.affiliations.tolist() == ["hostile", ""]  # not stated: a known unit keeps its own
    assert data.ao.name == "AO" and len(data.ao.ring) == 4
    assert data.line.vertices[0].tolist() == [38.2, 35.7]
    assert data.tracks.unit_ids.tolist() == ["AIR-09"] * 3
    assert data.tracks.time.tolist() == [parse_time(t) for t in ("2017-06-18T14:00:00Z", "2017-06-18T14:05:00Z",
                                                                  "2017-06-18T11:10:00Z")]
    assert not data.skipped


def test_kml_placemarks_folders_multigeometry_and_gx_track(tmp_path, registry):
    check_kml(import_file(write(tmp_path, "opfor.kml", KML), registry))


def test_kmz(tmp_path, registry):
    p = tmp_path / "opfor.kmz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", KML)
        z.writestr("files/icon.png", b"\x89PNG")
    check_kml(import_file(p, registry))


def test_kml_export_opens_back(tmp_path, registry):
    doc = demo_document()
    line = import_file(write(tmp_path, "line.kml", export_layer_text(doc, "line", "kml")), registry).line
    assert np.allclose(line.vertices, doc.line.vertices, atol=1e-7)
    units = import_file(write(tmp_path, "units.kml", export_layer_text(doc, "units", "kml")), registry).units
    assert units.ids.tolist() == doc.units.ids.tolist() and units.sides.tolist() == doc.units.sides.tolist()


# -- GPX ----------------------------------------------------------------------------------------
def test_gpx_tracks_become_unit_tracks_and_waypoints_units(tmp_path, registry):
    data = import_file(write(tmp_path, "walk.gpx", GPX), registry)
    assert data.tracks.unit_ids.tolist() == ["PATROL-7"] * 3 and data.tracks.names == {"PATROL-7": "PATROL-7"}
    assert data.tracks.lat.tolist() == [35.80, 35.81, 35.83]
    assert data.units.ids.tolist() == ["RAQQA-OP"]


# -- Shapefile and GeoPackage, written by GDAL ---------------------------------------------------
UTM37 = Transformer.from_crs(4326, 32637, always_xy=True)


def gdal_points(path, driver, crs="EPSG:4326"):
    lon, lat = np.array([38.56, 39.01]), np.array([35.86, 35.95])
    x, y = (lon, lat) if crs == "EPSG:4326" else UTM37.transform(lon, lat)
    geoms = np.array([bytes.fromhex("0101000000") + np.array([a, b]).tobytes() for a, b in zip(x, y)], dtype=object)
    pyogrio.raw.write(path, geometry=geoms, field_data=[np.array(["SDF-01", "SDF-02"], dtype=object),
                                                        np.array(["US-backed"] * 2, dtype=object)],
                      fields=["unit_id", "side"], geometry_type="Point", crs=crs, driver=driver, layer="units")
    return lon, lat


@pytest.mark.parametrize("ext, driver", [(".shp", "ESRI Shapefile"), (".gpkg", "GPKG")])
@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:32637"])
def test_gdal_written_points_read_back(tmp_path, registry, ext, driver, crs):
    path = tmp_path / f"units{ext}"
    lon, lat = gdal_points(path, driver, crs)
    data = import_file(path, registry)
    assert data.units.ids.tolist() == ["SDF-01", "SDF-02"] and data.units.sides.tolist() == ["US-backed"] * 2
    assert np.allclose(data.units.lon, lon, atol=1e-9) and np.allclose(data.units.lat, lat, atol=1e-9)


def test_shapefile_polygon_from_pyshp_is_the_ao(tmp_path, registry):
    import shapefile
    with shapefile.Writer(str(tmp_path / "ao"), shapeType=shapefile.POLYGON) as w:
        w.field("name", "C")
        w.poly([[[38, 35], [38, 36.4], [40.5, 36.4], [40.5, 35], [38, 35]]])
        w.record("Euphrates AO")
    data = import_file(tmp_path / "ao.shp", registry)
    assert data.ao.name == "Euphrates AO" and len(data.ao.ring) == 4
    assert data.skipped == [f"{tmp_path / 'ao.shp'}: no .prj file: coordinates taken as WGS84 longitude/latitude"]


def test_project_file_imports_its_scenario(tmp_path, registry):
    from desktop.core.project import save_project
    doc = demo_document()
    save_project(doc, tmp_path / "p.gpkg")
    data = import_file(tmp_path / "p.gpkg", registry)
    assert data.line == doc.line and data.units.ids.tolist() == doc.units.ids.tolist()
    assert len(data.tracks) == len(doc.tracks)


def test_unknown_extension(tmp_path, registry):
    with pytest.raises(InputError, match="no importer for this kind of file"):
        import_file(write(tmp_path, "x.docx", "x"), registry)


def test_read_csv_directly_reports_progress(tmp_path):
    p = write(tmp_path, "u.csv", "id,lat,lon\n" + "".join(f"U{i},35.{i % 10},38.{i % 7}\n" for i in range(1000)))
    seen = []
    read_csv(p, lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_csv_track_times_must_all_carry_their_offset(tmp_path, registry):
    rows = "".join(f"A,2017-06-18T14:{m:02d}:00Z,35.8,38.6\n" for m in range(10))
    p = write(tmp_path, "t.csv", "id,time,lat,lon\n" + rows + "A,2017-06-18 14:30:00X,35.8,38.6\n")
    data = import_file(p, registry)
    assert len(data.tracks) == 10 and data.skipped[0].startswith(f"{p}:12: time:")
