"""Air deconfliction in the project file (schema 3): ACMs as a GeoPackage layer GDAL reads
with the issue's columns, the aircraft state of units and tracks, version-1 and -2 files opened
without them, bad rows named by layer and feature, and crash snapshots that keep ACMs."""
import json
import shutil
import sqlite3

import numpy as np
import pytest
import shapely

from desktop.core.air import commands as air_commands
from desktop.core.air.acm import ACM, CIRCLE, POLYGON, ROZ, format_periods
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.project import ProjectError, load_project, save_project
from desktop.core.recovery import EditJournal, recoverable_sessions
from desktop.core.tracks import parse_time
from tests.project.scenario import assert_same_document, full_scenario

pyogrio = pytest.importorskip("pyogrio")
pytestmark = pytest.mark.filterwarnings("ignore:Measured .M. geometry types")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    doc = full_scenario()
    path = tmp_path_factory.mktemp("air") / "air.gpkg"
    save_project(doc, path)
    return doc, path


def _gdal(path, layer):
    meta, _, geometry, columns = pyogrio.raw.read(path, layer=layer)
    return dict(zip(meta["fields"], columns)), geometry


def test_gdal_reads_the_acms_with_their_columns_and_outlines(saved):
    doc, path = saved
    cols, geometry = _gdal(path, "acms")
    acms = list(doc.airspace)
    assert cols["id"].tolist() == [a.id for a in acms]
    assert cols["kind"].tolist() == [a.kind for a in acms] and cols["side"].tolist() == [a.side for a in acms]
    assert cols["floor_ft"].tolist() == [a.floor_ft for a in acms]
    assert cols["ceiling_ft"].tolist() == [a.ceiling_ft for a in acms]
    assert cols["periods"].tolist() == [format_periods(a.periods) for a in acms]
    roz = acms[[a.id for a in acms].index("ROZ-DEZ")]
    assert (roz.floor_ft, roz.ceiling_ft) == (10000, 25000)
    assert cols["periods"][0].startswith("2017-06-18T12:00:00Z/2017-06-18T18:00:00Z;")
    for wkb, acm in zip(geometry, acms):  # GDAL's polygon is the ACM's outline, to the bit
        ring = shapely.get_coordinates(shapely.from_wkb(wkb).exterior)
        assert np.array_equal(ring, np.column_stack(acm.outline()))
    assert pyogrio.read_info(path, layer="acms")["crs"] == "EPSG:4326"


def test_gdal_reads_the_aircraft_state_of_units_and_tracks(saved):
    doc, path = saved
    units, _ = _gdal(path, "units")
    for name in ("alt_ft", "course_deg", "speed_kt"):
        assert np.array_equal(units[name].astype(float), getattr(doc.units, name), equal_nan=True)
    tracks, _ = _gdal(path, "tracks")
    ids = tracks["unit_id"].tolist()
    u = doc.units.index_of("AIR-05")  # the Su-22 of 18 June
    reports = slice(doc.tracks.offsets[u], doc.tracks.offsets[u + 1])
    alts = json.loads(tracks["alt_ft"][ids.index("AIR-05")])
    assert alts == doc.tracks.alt_ft[reports].tolist() and set(alts) == {9000.0}
    ground = doc.units.index_of(next(i for i, d in zip(doc.units.ids, doc.units.domains) if d == "ground"))
    assert tracks["alt_ft"][ids.index(doc.units.ids[ground])] is None  # no report of it says


def test_the_round_trip_keeps_acms_and_aircraft_state(saved):
    doc, path = saved
    again = load_project(path)
    assert_same_document(doc, again)  # airspace, units' and tracks' aircraft columns included
    assert again.airspace.get("ROZ-DEZ").block_label() == "10,000 ft–FL250"


def _rewrite(src, dst, *sql):
    dst.write_bytes(src.read_bytes())
    with sqlite3.connect(dst) as c:
        for statement in sql:
            c.execute(statement)
    return dst


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_file_opens_without_aircraft_state_or_acms(saved, tmp_path, version):
    """Version 1, and version 2 (units.last_report, before the aircraft columns and blocks)."""
    doc0, path = saved
    old = _rewrite(path, tmp_path / f"v{version}.gpkg",
                   f"UPDATE deconflict_meta SET value='{version}' WHERE key='schema_version'",
                   "DROP TABLE acms", "DELETE FROM gpkg_contents WHERE table_name='acms'",
                   "DELETE FROM gpkg_geometry_columns WHERE table_name='acms'",
                   *(f"ALTER TABLE {t} DROP COLUMN {c}" for t in ("units", "tracks")
                     for c in ("alt_ft", "course_deg", "speed_kt")))
    before = old.read_bytes()
    doc = load_project(old)
    assert len(doc.airspace) == 0 and len(doc.units) == 47
    assert np.isnan(doc.units.alt_ft).all() and doc.tracks.alt_ft is None
    if version == 2:   # every report, positions and times as saved
        for name in ("unit", "time", "lon", "lat"):
            assert np.array_equal(getattr(doc.tracks, name), getattr(doc0.tracks, name)), name
    assert old.read_bytes() == before


@pytest.mark.parametrize("sql, message", [
    ("UPDATE acms SET floor_ft=30000 WHERE id='ROZ-DEZ'", r"layer 'acms': feature 1: ACM 'ROZ-DEZ'.*floor FL300 is above"),
    ("UPDATE acms SET kind='ZOO' WHERE fid=2", r"layer 'acms': feature 2: .*kind 'ZOO'"),
    ("UPDATE acms SET points='[[38.5' WHERE fid=3", r"layer 'acms': feature 3: .*points"),
    ("UPDATE acms SET id='ROZ-DEZ' WHERE fid=2", r"layer 'acms': two ACMs have the id 'ROZ-DEZ'"),
    ("UPDATE acms SET periods='2017-06-18T18:00:00Z/2017-06-18T12:00:00Z' WHERE fid=1", r"feature 1: .*ends"),
    ("UPDATE tracks SET alt_ft='[1, 2]' WHERE unit_id='AIR-05'", r"layer 'tracks': feature \d+: alt_ft '\[1, 2\]'"),
    ("UPDATE units SET speed_kt='fast' WHERE fid=1", r"layer 'units': feature 1: speed_kt 'fast' is not a number"),
])
def test_bad_air_rows_are_named_by_file_layer_and_feature(saved, tmp_path, sql, message):
    _, path = saved
    bad = _rewrite(path, tmp_path / "bad.gpkg", sql)
    with pytest.raises(ProjectError, match=message) as caught:
        load_project(bad)
    assert str(bad) in str(caught.value)


def test_a_crash_snapshot_keeps_the_acms(tmp_path):
    """An ACM drawn and a project-wide snapshot taken (as autosave does): the recovered
    document has it, with the edits after the snapshot replayed on top."""
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path, doc, stack)
    noon = parse_time("2017-06-18T12:00:00Z")
    box = ACM("ROZ-1", "Ma'dan", ROZ, doc.sides[1], 10000, 25000, POLYGON,
              [(39.5, 35.6), (39.8, 35.6), (39.8, 35.9), (39.5, 35.9)], periods=((noon, noon + 6 * 3600),))
    stack.push(air_commands.add_acm(doc, box))
    journal.snapshot()
    ring = ACM("MEZ-1", "Raqqa", "MEZ", doc.sides[0], 0, 30000, CIRCLE, [(39.0, 35.95)], radius_nm=8)
    stack.push(air_commands.add_acm(doc, ring))
    stack.push(air_commands.edit_acm(doc, box.edited(ceiling_ft=27000.0), what="Edit"))
    copy = tmp_path / "copy"  # the live session's lock is this process's: recover a copy
    shutil.copytree(journal.folder, copy / journal.folder.name)
    snapshots = [json.loads(line) for line in (journal.folder / "journal.jsonl").read_text().splitlines()]
    assert snapshots[0]["op"] == "snapshot" and len(snapshots) == 3  # the snapshot, then two records
    (session,) = recoverable_sessions(copy)
    recovered, _, problems = session.recover()
    journal.close()
    assert problems == []
    assert recovered.airspace == doc.airspace
    assert recovered.airspace.get("ROZ-1").ceiling_ft == 27000 and "MEZ-1" in recovered.airspace


def test_a_single_report_with_aircraft_state_keeps_it(tmp_path):
    """A unit whose one report is at its point is stored as that point and last_report,
    unless the report says an altitude, course or speed: then its track keeps them."""
    from desktop.core.document import Document
    from desktop.core.tracks import Tracks
    from desktop.core.units import UnitTable
    demo = demo_document()
    units = UnitTable.from_records([
        dict(id="F1", name="Viper", side="US-backed", affiliation="friend", domain="air", lon=39.1, lat=36.2,
             alt_ft=20_000, course_deg=90, speed_kt=400),
        dict(id="G1", name="Bn", side="US-backed", affiliation="friend", domain="ground", lon=39.3, lat=36.1)])
    t = parse_time("2017-06-18T16:00:00Z")
    tracks = Tracks.from_reports([0, 1], [t, t], units.lon, units.lat, 2, alt_ft=[21_000.0, np.nan],
                                 course_deg=[95.0, np.nan], speed_kt=[410.0, np.nan])
    doc = Document(demo.ao, demo.line, units, demo.sides, tracks=tracks)
    path = tmp_path / "single.gpkg"
    save_project(doc, path)
    with sqlite3.connect(path) as c:
        assert [r[0] for r in c.execute("SELECT unit_id FROM tracks")] == ["F1"]   # G1: its point and last_report
    back = load_project(path)
    assert back.tracks.time.tolist() == [t, t]
    assert back.tracks.alt_ft[0] == 21_000.0 and back.tracks.speed_kt[0] == 410.0 and np.isnan(back.tracks.alt_ft[1])
    assert back.units.alt_ft[0] == 20_000.0
