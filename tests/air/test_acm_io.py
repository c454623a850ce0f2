"""ACMs from GeoJSON and KML, and to GeoJSON and KML (3D volumes), checked with GDAL."""
import io
import json

import numpy as np
import pyogrio
import pytest
import shapely

from desktop.core.air.acm import CIRCLE, CORRIDOR, POLYGON, ACM, Airspace
from desktop.core.air.acm_io import read_airspace, write_airspace_geojson, write_airspace_kml
from desktop.core.air.measures import FT_M
from desktop.core.inputs import InputError
from desktop.core.tracks import parse_time

T12, T18 = parse_time("2017-06-18T12:00:00Z"), parse_time("2017-06-18T18:00:00Z")


def _airspace():
    return Airspace([
        ACM("ROZ-DEZ", "Deir ez-Zor", "ROZ", "Russian-backed", 10000, 25000, POLYGON,
            [(40.0, 35.25), (40.3, 35.25), (40.3, 35.45), (40.0, 35.45)], periods=((T12, T18),)),
        ACM("CAP-1", "Raqqa CAP", "CAP/orbit", "US-backed", 30000, 35000, CIRCLE, [(39.0, 36.1)], radius_nm=12,
            periods=((T12, T18), (T18 + 3600, T18 + 7200))),
        ACM("COR-1", "Tabqa corridor", "corridor", "US-backed", 0, 12000, CORRIDOR, [(38.5, 36.0), (39.5, 36.2)],
            width_nm=6),
    ])


def _gdal(path, **kw) -> dict:
    """The layer as GDAL reads it: {column: values, "geometry": shapely geometries}."""
    meta, _, wkb, values = pyogrio.raw.read(path, **kw)
    return {**dict(zip(meta["fields"], values)), "geometry": shapely.from_wkb(wkb)}


def _feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _write(tmp_path, name, features):
    p = tmp_path / name
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return p


def test_geojson_with_the_issue_properties(tmp_path):
    p = _write(tmp_path, "acm.geojson", [
        _feature({"type": "Polygon", "coordinates": [[[40.0, 35.25], [40.3, 35.25], [40.3, 35.45], [40.0, 35.25]]]},
                 id="ROZ-1", name="Deir ez-Zor", kind="ROZ", side="Russian-backed", floor_ft=10000, ceiling_ft="FL250",
                 start="2017-06-18T12:00:00Z", end="2017-06-18T18:00:00Z"),
        _feature({"type": "Point", "coordinates": [39.0, 36.1]}, id="CAP-1", kind="CAP", side="US-backed",
                 floor_ft="FL300", ceiling_ft="FL350", radius_nm=12),
        _feature({"type": "LineString", "coordinates": [[38.5, 36.0], [39.5, 36.2]]}, id="COR-1", kind="corridor",
                 side="US-backed", floor_ft="SFC", ceiling_ft=12000, width_nm=6,
                 periods=["2017-06-18T12:00:00Z/2017-06-18T18:00:00Z"]),
    ])
    air = read_airspace(p)
    assert [a.shape for a in air] == [POLYGON, CIRCLE, CORRIDOR]
    roz = air.get("ROZ-1")
    assert (roz.floor_ft, roz.ceiling_ft, roz.periods) == (10000, 25000, ((T12, T18),)) and len(roz.points) == 3
    assert air.get("CAP-1").kind == "CAP/orbit" and air.get("CAP-1").periods == ()
    assert air.get("COR-1").floor_ft == 0 and air.get("COR-1").periods == ((T12, T18),)


@pytest.mark.parametrize("props, geometry, message", [
    (dict(floor_ft=26000, ceiling_ft=25000), None, "feature 0 'X': ACM 'X': the floor FL260 is above the ceiling FL250"),
    (dict(kind="SAM"), None, "feature 0 'X': ACM 'X': kind 'SAM' is not one of"),
    (dict(start="2017-06-18T18:00:00Z", end="2017-06-18T12:00:00Z"), None,
     "feature 0 'X': ACM 'X': period 1 ends (2017-06-18T12:00:00Z) before it starts (2017-06-18T18:00:00Z)"),
    (dict(ceiling_ft="high"), None, "feature 0 'X': ACM 'X': 'high' is not an altitude"),
    (dict(), {"type": "Point", "coordinates": [39, 35]}, "feature 0 'X': a circle (a Point) needs a radius_nm"),
    (dict(), {"type": "MultiPoint", "coordinates": [[39, 35]]}, "feature 0 'X': MultiPoint; an ACM is a Polygon"),
])
def test_bad_geojson_names_file_and_feature(tmp_path, props, geometry, message):
    base = dict(id="X", kind="ROZ", side="Russian-backed", floor_ft=10000, ceiling_ft=25000)
    geometry = geometry or {"type": "Polygon", "coordinates": [[[40, 35], [40.3, 35], [40.3, 35.4], [40, 35]]]}
    p = _write(tmp_path, "bad.geojson", [_feature(geometry, **{**base, **props})])
    with pytest.raises(InputError) as err:
        read_airspace(p)
    assert str(err.value).startswith(f"{p}: {message}")


def test_geojson_round_trip(tmp_path):
    buf = io.StringIO()
    write_airspace_geojson(_airspace(), buf)
    p = tmp_path / "out.geojson"
    p.write_text(buf.getvalue())
    assert read_airspace(p) == _airspace()
    # GDAL reads it: one layer with the table's columns.
    cols = _gdal(p)
    assert list(cols["id"]) == ["ROZ-DEZ", "CAP-1", "COR-1"] and list(cols["ceiling_ft"]) == [25000, 35000, 12000]


def test_kml_export_is_3d_volumes_gdal_reads(tmp_path):
    buf = io.StringIO()
    write_airspace_kml(_airspace(), buf, sides=("US-backed", "Russian-backed"))
    p = tmp_path / "acm.kml"
    p.write_text(buf.getvalue())
    cols = _gdal(p, driver="LIBKML")
    ids = list(cols["id"])
    roz = cols["geometry"][ids.index("ROZ-DEZ")]
    z = np.array([c[2] for g in roz.geoms for c in g.exterior.coords])
    assert z.min() == pytest.approx(10000 * FT_M) and z.max() == pytest.approx(25000 * FT_M)
    corridor = cols["geometry"][ids.index("COR-1")]  # from the surface: one extruded polygon
    assert {round(c[2], 2) for c in corridor.exterior.coords} == {round(12000 * FT_M, 2)}
    assert "<extrude>1</extrude>" in buf.getvalue()
    assert "<TimeSpan><begin>2017-06-18T12:00:00Z</begin><end>2017-06-18T18:00:00Z</end></TimeSpan>" in buf.getvalue()
    # Read back by this module: the same ACMs, exactly.
    assert read_airspace(p) == _airspace()


def test_kml_from_other_tools(tmp_path):
    """An extruded polygon at absolute altitude is surface-to-altitude; a block of polygons
    from its lowest to its highest altitude; the kind may lead the name; a TimeSpan is a period."""
    ring = "40.0,35.25,{z} 40.3,35.25,{z} 40.3,35.45,{z} 40.0,35.45,{z} 40.0,35.25,{z}"
    top, bottom = 25000 * FT_M, 10000 * FT_M
    kml = f"""<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>ACMs</name>
    <Placemark><name>ROZ Deir ez-Zor</name>
      <TimeSpan><begin>2017-06-18T12:00:00Z</begin><end>2017-06-18T18:00:00Z</end></TimeSpan>
      <ExtendedData><Data name="side"><value>Russian-backed</value></Data></ExtendedData>
      <MultiGeometry>
        <Polygon><altitudeMode>absolute</altitudeMode><outerBoundaryIs><LinearRing><coordinates>{ring.format(z=top)}
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
        <Polygon><altitudeMode>absolute</altitudeMode><outerBoundaryIs><LinearRing><coordinates>{ring.format(z=bottom)}
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
      </MultiGeometry></Placemark>
    <Placemark><name>Low MEZ</name><ExtendedData><Data name="kind"><value>MEZ</value></Data>
      <Data name="owner"><value>Russian-backed</value></Data></ExtendedData>
      <Polygon><extrude>1</extrude><altitudeMode>absolute</altitudeMode><outerBoundaryIs><LinearRing>
      <coordinates>{ring.format(z=3048)}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
    <Placemark><name>Flat</name><ExtendedData><Data name="kind"><value>ROZ</value></Data>
      <Data name="side"><value>X</value></Data></ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>{ring.format(z=0)}</coordinates></LinearRing>
      </outerBoundaryIs></Polygon></Placemark>
    </Folder></Document></kml>"""
    p = tmp_path / "other.kml"
    p.write_text(kml)
    with pytest.raises(InputError, match=r"other.kml: placemark 3 'Flat' in folder 'ACMs': no altitude block"):
        read_airspace(p)
    p.write_text(kml.replace('<Data name="side"><value>X</value></Data>', '<Data name="side"><value>X</value></Data>'
                             "<Data name='floor_ft'><value>0</value></Data>"
                             "<Data name='ceiling'><value>FL100</value></Data>", 1))
    roz, mez, flat = read_airspace(p)
    assert (roz.kind, roz.name, roz.side, roz.periods) == ("ROZ", "ROZ Deir ez-Zor", "Russian-backed", ((T12, T18),))
    assert (roz.floor_ft, roz.ceiling_ft) == (pytest.approx(10000), pytest.approx(25000))
    assert (mez.kind, mez.floor_ft, mez.ceiling_ft) == ("MEZ", 0.0, pytest.approx(10000))
    assert flat.ceiling_ft == 10000
