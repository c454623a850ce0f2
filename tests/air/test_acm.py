"""ACMs: validation with messages naming the ACM, geodesic outlines against pyproj.Geod,
undoable edits, and the table rows a GeoPackage layer will hold."""
import numpy as np
import pytest
import shapely

from desktop.core.air.acm import ACM, CIRCLE, CORRIDOR, POLYGON, AcmError, Airspace, parse_kind, parse_periods
from desktop.core.air.commands import add_acm, delete_acm, edit_acm, import_airspace
from desktop.core.air.measures import AltitudeError, format_altitude, parse_altitude_ft
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.geodesy import Projection
from desktop.core.recovery.records import command_from, record_of
from desktop.core.tracks import parse_time
from tests.air.reference import GEOD, NM

T12, T18 = parse_time("2017-06-18T12:00:00Z"), parse_time("2017-06-18T18:00:00Z")
DEIR = (40.141, 35.336)


def roz(**kw):
    args = dict(id="ROZ-1", name="Deir ez-Zor", kind="ROZ", side="Russian-backed", floor_ft=10000,
                ceiling_ft=25000, shape=CIRCLE, points=[DEIR], radius_nm=15, periods=((T12, T18),))
    return ACM(**{**args, **kw})


@pytest.mark.parametrize("text, ft", [("10000", 10000), ("10,000 ft", 10000), ("FL250", 25000), ("fl 095", 9500),
                                      ("SFC", 0), ("3048 m", 10000), (12500, 12500)])
def test_altitudes_as_planners_write_them(text, ft):
    assert parse_altitude_ft(text) == pytest.approx(ft)


def test_altitude_errors_and_labels():
    with pytest.raises(AltitudeError, match="'high' is not an altitude"):
        parse_altitude_ft("high")
    with pytest.raises(AltitudeError, match="outside"):
        parse_altitude_ft(250000)
    assert format_altitude(10000) == "10,000 ft" and format_altitude(25000) == "FL250"
    assert roz().block_label() == "10,000 ft–FL250"


@pytest.mark.parametrize("changes, message", [
    (dict(floor_ft=26000), "ACM 'ROZ-1' (Deir ez-Zor): the floor FL260 is above the ceiling FL250"),
    (dict(kind="SAM ring"), "ACM 'ROZ-1' (Deir ez-Zor): kind 'SAM ring' is not one of ROZ, HIDACZ, MEZ"),
    (dict(periods=((T18, T12),)), "ACM 'ROZ-1' (Deir ez-Zor): period 1 ends (2017-06-18T12:00:00Z) before it "
                                  "starts (2017-06-18T18:00:00Z)"),
    (dict(side=""), "no side"),
    (dict(radius_nm=0), "a circle needs a radius"),
    (dict(shape=POLYGON, points=[(40, 35), (41, 36), (40, 36), (41, 35)]), "the polygon is not simple"),
    (dict(shape=CORRIDOR, points=[(40, 35), (41, 35)], width_nm=0), "a corridor needs a width"),
])
def test_invalid_acms_say_why(changes, message):
    with pytest.raises(AcmError, match=message.replace("(", r"\(").replace(")", r"\)")):
        roz(**changes)


def test_kinds_and_periods_as_people_write_them():
    assert parse_kind("cap orbit") == "CAP/orbit" and parse_kind("Air corridor") == "corridor"
    assert parse_periods("2017-06-18T12:00:00Z/2017-06-18T18:00:00Z;2017-06-19T12:00:00+03:00/2017-06-19T13:00:00+03:00") \
        == ((T12, T18), (T12 + 86400 - 10800, T12 + 86400 - 7200))
    assert parse_periods([{"start": "2017-06-18T12:00:00Z", "end": "2017-06-18T18:00:00Z"}]) == ((T12, T18),)
    with pytest.raises(AcmError, match="period 1 '2017-06-18T12:00:00Z' is not 'start/end'"):
        parse_periods("2017-06-18T12:00:00Z")


def test_activity():
    a = roz()
    assert not a.active_at(T12 - 1) and a.active_at(T12) and not a.active_at(T18)
    assert roz(periods=()).active_at(0)  # no period: always active


def test_circle_outline_is_geodesic():
    a = roz(radius_nm=20)
    lon, lat = a.outline()
    d = GEOD.inv(np.full(lon.shape, DEIR[0]), np.full(lon.shape, DEIR[1]), lon, lat)[2]
    assert np.allclose(d, 20 * NM, atol=1e-6)
    # Between the points the chords cut in by no more than 10 m (the geometry rule).
    mlon, mlat = (lon[:-1] + lon[1:]) / 2, (lat[:-1] + lat[1:]) / 2
    dm = GEOD.inv(np.full(mlon.shape, DEIR[0]), np.full(mlat.shape, DEIR[1]), mlon, mlat)[2]
    assert (20 * NM - dm).max() < 10
    assert a.area_km2() == pytest.approx(np.pi * (20 * 1.852) ** 2, rel=2e-3)


def test_corridor_outline_is_half_the_width_from_the_centreline():
    line = [(38.6, 35.9), (39.6, 35.7), (40.1, 35.3)]
    a = roz(shape=CORRIDOR, points=line, width_nm=10, kind="corridor")
    lon, lat = a.outline()
    # Geodesic distance of each outline point from the centreline, on a fine geodesic.
    dense = np.vstack([np.asarray(GEOD.npts(*line[i], *line[i + 1], 400)) for i in range(2)] + [np.array(line)])
    d = np.array([GEOD.inv(np.full(len(dense), x), np.full(len(dense), y), dense[:, 0], dense[:, 1])[2].min()
                  for x, y in zip(lon, lat)])
    ends = np.array([min(GEOD.inv(x, y, *line[0])[2], GEOD.inv(x, y, *line[-1])[2]) for x, y in zip(lon, lat)])
    side = ends > 6 * NM  # off the flat ends, every point is 5 NM out
    assert np.abs(d[side] - 5 * NM).max() < 10


def test_polygon_edges_are_geodesics():
    ring = [(39.0, 35.0), (40.5, 35.0), (40.5, 36.0), (39.0, 36.0)]
    a = roz(shape=POLYGON, points=ring)
    lon, lat = a.outline()
    # The southern edge bows north of the 35th parallel, as a geodesic does.
    south = (lat < 35.2) & (lon > 39.1) & (lon < 40.4)
    assert lat[south].max() > 35.0 and a.points.shape == (4, 2)


def test_undoable_add_edit_delete_and_journal():
    doc = demo_document()
    stack = CommandStack(doc)
    seen = []
    doc.airspace_changed.connect(lambda a: seen.append(len(a)))
    before = len(doc.airspace)
    stack.push(add_acm(doc, roz(id="ROZ-X")))
    stack.push(edit_acm(doc, roz(id="ROZ-X", ceiling_ft=30000), what="Raise"))
    assert stack.undo_label == "Raise ROZ Deir ez-Zor" and doc.airspace.get("ROZ-X").ceiling_ft == 30000
    stack.push(delete_acm(doc, "ROZ-X"))
    assert "ROZ-X" not in doc.airspace
    stack.undo()
    assert doc.airspace.get("ROZ-X").ceiling_ft == 30000
    stack.undo()
    stack.undo()
    assert len(doc.airspace) == before and seen[-1] == before
    stack.redo()
    with pytest.raises(AcmError, match="two ACMs have the id 'ROZ-X'"):
        stack.push(add_acm(doc, roz(id="ROZ-X")))
    # The crash journal records the edit as table rows and rebuilds it.
    cmd = edit_acm(doc, roz(id="ROZ-Y", periods=((T12, T18), (T18 + 3600, T18 + 7200))), old_id="ROZ-X")
    back = command_from(record_of(cmd))
    assert back.after == cmd.after and back.before == cmd.before and back.label == cmd.label
    back.do(doc)
    assert doc.airspace.ids[-1] == "ROZ-Y"


def test_import_replaces_by_id_and_adds_the_rest():
    doc = demo_document()
    first = Airspace([roz(id="A"), roz(id="B")])
    doc.set_airspace(first)
    cmd = import_airspace(doc, Airspace([roz(id="B", ceiling_ft=30000), roz(id="C")]), "x.geojson")
    cmd.do(doc)
    assert doc.airspace.ids == ("A", "B", "C") and doc.airspace.get("B").ceiling_ft == 30000
    cmd.undo(doc)
    assert doc.airspace == first


def test_record_is_a_table_row_and_round_trips():
    a = roz(periods=((T12, T18), (T18 + 3600, T18 + 7200)))
    row = a.record()
    assert set(row) == {"id", "name", "kind", "shape", "side", "floor_ft", "ceiling_ft", "radius_nm", "width_nm",
                        "periods", "points"}
    assert row["periods"] == "2017-06-18T12:00:00Z/2017-06-18T18:00:00Z;2017-06-18T19:00:00Z/2017-06-18T20:00:00Z"
    assert ACM.from_record(row) == a
    assert ACM.from_record({**row, "ceiling_ft": "FL250", "kind": "roz"}) == a
    with pytest.raises(AcmError, match=r"ACM 'ROZ-1' \(Deir ez-Zor\): no floor_ft"):
        ACM.from_record({**row, "floor_ft": ""})


def test_outline_in_a_plane_is_a_valid_polygon():
    proj = Projection.analysis_for(39.5, 35.3)
    for a in (roz(), roz(shape=CORRIDOR, points=[(38.6, 35.9), (39.6, 35.7), (38.7, 35.8)], width_nm=8)):
        x, y = proj.forward(*a.outline())
        assert shapely.Polygon(np.column_stack([x, y])).is_valid


def test_rows_round_trip_through_a_geopackage_layer(tmp_path):
    """The layer the project will hold: the outline as the polygon QGIS draws, the columns of
    `record()` (points as JSON text); GDAL writes it, GDAL reads it, the ACMs come back."""
    import json

    import pyogrio
    air = Airspace([roz(periods=((T12, T18), (T18 + 3600, T18 + 7200))),
                    roz(id="COR", kind="corridor", shape=CORRIDOR, points=[(38.6, 35.9), (39.6, 35.7)], width_nm=6,
                        periods=())])
    rows = air.records()
    names = [k for k in rows[0] if k != "points"] + ["points"]
    values = [np.array([json.dumps(r[k]) if k == "points" else r[k] for r in rows],
                       dtype=object if isinstance(rows[0][k], (str, list)) else float) for k in names]
    wkb = np.array([shapely.to_wkb(shapely.Polygon(np.column_stack(a.outline()))) for a in air], dtype=object)
    path = tmp_path / "acm.gpkg"
    pyogrio.raw.write(path, geometry=wkb, field_data=values, fields=names, geometry_type="Polygon", crs="EPSG:4326",
                      driver="GPKG", layer="acms")
    meta, _, geometry, fields = pyogrio.raw.read(path, layer="acms")
    back = Airspace.from_records(dict(zip(meta["fields"], row)) for row in zip(*fields))
    assert back == air
    assert shapely.from_wkb(geometry[0]).area == pytest.approx(shapely.Polygon(np.column_stack(air[0].outline())).area)
