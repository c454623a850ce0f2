"""Project files: save -> open gives the identical model; GDAL reads every layer; the file is
never touched by opening; bad files fail with a message naming file, layer and feature."""
import math
import os
import sqlite3
import struct
import warnings

import numpy as np
import pytest

from desktop.core.project import ProjectError, gpkg, is_project, load_project, save_project, sqlite_columns
from desktop.core.project import reader as project_reader
from desktop.core.project.schema import LAYERS
from tests.project.scenario import assert_same_document, full_scenario

pyogrio = pytest.importorskip("pyogrio")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    doc = full_scenario()
    path = tmp_path_factory.mktemp("project") / "euphrates.gpkg"
    save_project(doc, path)
    return doc, path


def test_round_trip_gives_the_identical_model(saved):
    doc, path = saved
    again = load_project(path)
    assert_same_document(doc, again)
    # The derived analysis is recomputed and agrees.
    assert np.array_equal(again.analysis.classification.sector, doc.analysis.classification.sector)


def test_a_second_save_of_the_opened_model_is_the_same_data(saved, tmp_path):
    doc, path = saved
    second = tmp_path / "second.gpkg"
    save_project(load_project(path), second)
    assert_same_document(doc, load_project(second))


EXPECTED = {  # layer: (GDAL geometry type, CRS)
    "ao": ("Polygon", "EPSG:4326"), "line": ("LineString", "EPSG:4326"),
    "line_revisions": ("LineString", "EPSG:4326"), "sectors": ("Polygon", "EPSG:4326"),
    "units": ("Point", "EPSG:4326"), "tracks": ("LineString", "EPSG:4326"), "places": ("Point", "EPSG:4326"),
    "annotations": ("Unknown", "EPSG:4326"), "calls": (None, None), "deconflict_meta": (None, None),
    "acms": ("Polygon", "EPSG:4326"), "alerts": ("Point", "EPSG:4326"),
    "basemaps": (None, None), "map_layers": (None, None),
}


def test_gdal_opens_every_layer_with_its_type_crs_and_count(saved):
    doc, path = saved
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layers = dict(pyogrio.list_layers(path).tolist())
        counts = {"ao": 1, "line": 1, "line_revisions": len(doc.revisions), "sectors": 2,
                  "units": len(doc.units), "tracks": int(np.count_nonzero(doc.tracks.report_counts())),
                  "places": len(doc.places), "annotations": len(doc.annotations), "calls": len(doc.calls),
                  "deconflict_meta": 7, "acms": len(doc.airspace), "alerts": len(doc.alerts),
                  "basemaps": len(doc.map_state.basemaps),
                  "map_layers": len(doc.map_state.layers)}
        assert set(layers) == set(EXPECTED) == set(LAYERS)
        for name, (gtype, crs) in EXPECTED.items():
            info = pyogrio.read_info(path, layer=name)
            assert (info["geometry_type"], info["crs"], info["features"]) == (gtype, crs, counts[name]), name
    # pyogrio itself does not return M values, but GDAL recognises them:
    assert any("Measured LineString" in str(w.message) for w in caught)
    assert not [w for w in caught if "Measured" not in str(w.message)]


def test_gdal_reads_the_values(saved):
    doc, path = saved
    meta, fields = pyogrio.raw.read(path, layer="units")[0], pyogrio.raw.read(path, layer="units")
    _, _, geometry, columns = fields
    by = dict(zip(meta["fields"], columns))
    assert by["unit_id"].tolist() == doc.units.ids.tolist()
    xy = np.array([np.frombuffer(g[5:21], "<f8") for g in geometry])  # WKB points (pyogrio strips the GP header)
    assert np.array_equal(xy[:, 0], doc.units.lon) and np.array_equal(xy[:, 1], doc.units.lat)
    calls = pyogrio.raw.read(path, layer="calls", datetime_as_string=True)
    by = dict(zip(calls[0]["fields"], calls[3]))
    assert by["call_id"].tolist() == doc.calls.ids.tolist()
    assert [s[:19] for s in by["start"]] == [s[:19] for s in np.datetime_as_string(doc.calls.start.astype("datetime64[s]"))]
    revs = pyogrio.raw.read(path, layer="line_revisions", datetime_as_string=True)
    assert dict(zip(revs[0]["fields"], revs[3]))["state"].tolist() == [r.state for r in doc.revisions]


def test_gdal_reads_the_alert_history(saved):
    doc, path = saved
    meta, _, geometry, columns = pyogrio.raw.read(path, layer="alerts", datetime_as_string=True)
    by = dict(zip(meta["fields"], columns))
    alerts = list(doc.alerts)
    assert by["alert_id"].tolist() == [a.id for a in alerts]
    assert by["kind"].tolist() == [a.kind for a in alerts] and by["detail"].tolist() == [a.detail for a in alerts]
    assert by["state"].tolist() == [a.state for a in alerts] and by["other"].tolist() == [a.other for a in alerts]
    assert [s[:19] for s in by["time"]] == [
        str(np.datetime64(int(a.time), "s")) for a in alerts]  # whole seconds, UTC
    xy = [np.frombuffer(g[5:21], "<f8") if g is not None else None for g in geometry]
    assert np.allclose(xy[1], [38.91, 35.87]) and np.isnan(xy[3]).all()   # the last one has no position


def test_a_project_saved_before_alerts_were_stored_opens_with_none(saved, tmp_path):
    _, path = saved
    old = tmp_path / "old.gpkg"
    old.write_bytes(path.read_bytes())
    with sqlite3.connect(old) as db:
        db.execute("DROP TABLE alerts")
        for table in ("gpkg_contents", "gpkg_geometry_columns"):
            db.execute(f"DELETE FROM {table} WHERE table_name = 'alerts'")
    opened = load_project(old)
    assert len(opened.alerts) == 0 and len(opened.units) == len(saved[0].units)


def test_the_higher_formation_is_a_column_gdal_reads_and_older_projects_open_without_it(saved, tmp_path):
    doc, path = saved
    meta, _, _, columns = pyogrio.raw.read(path, layer="units")
    assert dict(zip(meta["fields"], columns))["higher_formation"].tolist() == doc.units.higher_formations.tolist()
    assert "Tabqa Bde" in doc.units.higher_formations.tolist()
    old = tmp_path / "old.gpkg"
    old.write_bytes(path.read_bytes())
    with sqlite3.connect(old) as db:
        db.execute("ALTER TABLE units DROP COLUMN higher_formation")
    opened = load_project(old)
    assert opened.units.ids.tolist() == doc.units.ids.tolist()
    assert opened.units.higher_formations.tolist() == [""] * len(doc.units)


def test_opening_never_changes_the_file_even_in_a_read_only_folder(saved, tmp_path):
    _, path = saved
    folder = tmp_path / "ro"
    folder.mkdir()
    copy = folder / "p.gpkg"
    copy.write_bytes(path.read_bytes())
    before = (copy.read_bytes(), os.stat(copy).st_mtime_ns)
    folder.chmod(0o555)
    try:
        load_project(copy)
        assert is_project(copy)
    finally:
        folder.chmod(0o755)
    assert (copy.read_bytes(), os.stat(copy).st_mtime_ns) == before
    assert sorted(p.name for p in folder.iterdir()) == ["p.gpkg"]


def _rewrite(src, dst, sql, *args):
    dst.write_bytes(src.read_bytes())
    with sqlite3.connect(dst) as c:
        c.execute(sql, args)
    return dst


@pytest.mark.parametrize("sql, args, message", [
    ("UPDATE deconflict_meta SET value='99' WHERE key='schema_version'", (), "newer Deconflict"),
    ("UPDATE deconflict_meta SET value='-3' WHERE key='buffer_km'", (), "buffer_km"),
    ("DROP TABLE units", (), "layer 'units' is missing"),
    ("UPDATE units SET unit_id='SDF-01' WHERE fid=3", (), "layer 'units': feature 3: duplicate unit_id 'SDF-01'"),
    ("UPDATE units SET geom=X'47500001E6100000010100000000000000000000000000000000005940' WHERE fid=2", (),
     "layer 'units': feature 2: position outside"),
    ("UPDATE line SET geom=X'4750' WHERE fid=1", (), "layer 'line': feature 1: not a GeoPackage geometry"),
    ("UPDATE tracks SET unit_id='NOPE' WHERE fid=1", (), "unit_id 'NOPE' is not in the units layer"),
    ("UPDATE calls SET units='[1,2' WHERE fid=4", (), "layer 'calls': feature 4: units"),
    ("UPDATE calls SET category='chat' WHERE fid=1", (), "category 'chat'"),
    ("UPDATE annotations SET color='red' WHERE fid=1", (), "layer 'annotations'"),
    ("UPDATE alerts SET state='seen' WHERE fid=2", (), "layer 'alerts': feature 2: state 'seen'"),
    ("UPDATE alerts SET alert_id=1 WHERE fid=3", (), "layer 'alerts': two alerts with one alert_id"),
    ("UPDATE alerts SET time='yesterday' WHERE fid=1", (), "layer 'alerts': time: feature 1"),
    ("UPDATE units SET last_report='yesterday' WHERE fid=33", (), "layer 'units': last_report: feature 33"),
    ("UPDATE units SET unit_id='' WHERE fid=40", (), "layer 'units': feature 40: no unit_id"),
])
@pytest.mark.parametrize("chunk", [100_000, 10])
def test_damaged_projects_fail_with_a_message_naming_the_layer(saved, tmp_path, monkeypatch, sql, args, message,
                                                               chunk):
    """... whether the units are read in one chunk or in several (sqlite_columns)."""
    monkeypatch.setattr(gpkg, "CHUNK", chunk)
    monkeypatch.setattr(sqlite_columns, "_PROBE", min(chunk, 1000))
    _, path = saved
    bad = _rewrite(path, tmp_path / "bad.gpkg", sql, *args)
    with pytest.raises(ProjectError, match="bad.gpkg") as err:
        load_project(bad)
    assert message in str(err.value)


def test_self_crossing_ao_is_refused(saved, tmp_path):
    import shapely
    from desktop.core.project.gpkg import geometry_blobs
    _, path = saved
    bow = shapely.Polygon([(38, 35), (40, 36), (40, 35), (38, 36)])
    bad = _rewrite(path, tmp_path / "bow.gpkg", "UPDATE ao SET geom=? WHERE fid=1", geometry_blobs([bow])[0])
    with pytest.raises(ProjectError, match="layer 'ao': feature 1: the boundary is not a simple polygon"):
        load_project(bad)


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"), (b"hello, world\n", "not a GeoPackage"),
])
def test_not_a_project(tmp_path, content, message):
    p = tmp_path / "x.gpkg"
    p.write_bytes(content)
    with pytest.raises(ProjectError, match=message):
        load_project(p)
    assert not is_project(p)


def test_truncated_project(saved, tmp_path):
    _, path = saved
    data = path.read_bytes()
    for cut in (100, len(data) // 3, len(data) - 4096):
        p = tmp_path / f"cut{cut}.gpkg"
        p.write_bytes(data[:cut])
        with pytest.raises(ProjectError, match=f"cut{cut}.gpkg"):
            load_project(p)


def test_text_that_is_not_utf8_is_damage_not_a_crash(saved, tmp_path):
    """A table name that is not UTF-8 (found by `make fuzz`): sqlite hands back bytes Python
    cannot decode; the loader says the file is damaged instead of crashing."""
    import shutil
    _, path = saved
    bad = tmp_path / "flipped.gpkg"
    shutil.copy(path, bad)
    with sqlite3.connect(bad) as conn:
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute("UPDATE sqlite_master SET name = CAST(X'616e6e80' AS TEXT) WHERE name = 'annotations'")
    with pytest.raises(ProjectError, match=r"flipped.gpkg: damaged or truncated database"):
        load_project(bad)


def test_plain_geopackage_is_not_a_project(tmp_path):
    p = tmp_path / "plain.gpkg"
    pyogrio.raw.write(p, geometry=np.array([bytes.fromhex("0101000000000000000000f03f0000000000000040")],
                                           dtype=object),
                      field_data=[np.array(["a"], dtype=object)], fields=["name"], geometry_type="Point",
                      crs="EPSG:4326", driver="GPKG", layer="points")
    with pytest.raises(ProjectError, match="not a Deconflict project.*Import"):
        load_project(p)


def test_older_schema_is_migrated_in_memory(saved, tmp_path, monkeypatch):
    """A version-0 file (here: one whose AO layer was called 'area') opens through the
    migration chain; the file itself is not changed."""
    _, path = saved
    old = _rewrite(path, tmp_path / "old.gpkg", "UPDATE deconflict_meta SET value='0' WHERE key='schema_version'")
    with sqlite3.connect(old) as c:
        c.execute("ALTER TABLE ao RENAME TO area")
    before = old.read_bytes()

    def rename_area(raw):
        raw.layers["ao"] = raw.layers.pop("area")

    monkeypatch.setattr(project_reader, "MIGRATIONS", {**project_reader.MIGRATIONS, 0: rename_area})
    monkeypatch.setattr(project_reader, "MIGRATION_READS", {0: {"area": ["geom", "name"]}})
    doc = load_project(old)
    assert doc.ao.name == "Euphrates AO" and len(doc.units) == 47
    assert old.read_bytes() == before
    monkeypatch.setattr(project_reader, "MIGRATIONS", {})
    with pytest.raises(ProjectError, match="unknown project schema version 0"):
        load_project(old)


def _copy_with_gdal(src, dst, skip=()):
    """Rewrite every layer of `src` through GDAL (pyogrio): GDAL's own blobs, its own
    DATETIME text, its own metadata tables."""
    for layer, _ in pyogrio.list_layers(src).tolist():
        if layer in skip:
            continue
        meta, _, geometry, columns = pyogrio.raw.read(src, layer=layer, datetime_as_string=True)
        kind = meta["geometry_type"]
        pyogrio.raw.write(dst, geometry=geometry if kind else None, field_data=columns, fields=meta["fields"],
                          geometry_type=kind if kind != "Unknown" else "Unknown", crs=meta["crs"], driver="GPKG",
                          layer=layer, append=os.path.exists(dst))


def test_a_project_rewritten_by_gdal_reads_back_identically(tmp_path):
    """GDAL writes blobs with envelopes, ISO times with milliseconds and its own layout;
    every layer but the tracks (pyogrio cannot write M values) comes back identical."""
    from desktop.core.tracks import Tracks
    doc = full_scenario()
    doc = type(doc)(doc.ao, doc.line, doc.units, doc.sides, buffer_km=doc.buffer_km, title=doc.title,
                    places=doc.places, calls=doc.calls, tracks=Tracks.empty(len(doc.units)),
                    revisions=doc.revisions, annotations=doc.annotations)
    ours, theirs = tmp_path / "ours.gpkg", tmp_path / "gdal.gpkg"
    save_project(doc, ours)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _copy_with_gdal(ours, theirs)
    assert ours.read_bytes() != theirs.read_bytes()
    assert_same_document(doc, load_project(theirs))


def test_tracks_without_time_values_are_refused(saved, tmp_path):
    _, path = saved
    theirs = tmp_path / "gdal.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _copy_with_gdal(path, theirs)
    with pytest.raises(ProjectError, match="layer 'tracks': feature 1: the track has no M"):
        load_project(theirs)


def test_a_2_gb_file_is_refused_at_once(tmp_path):
    import time
    p = tmp_path / "huge.gpkg"
    with open(p, "wb") as f:
        f.truncate(2 << 30)  # sparse
    start = time.perf_counter()
    with pytest.raises(ProjectError, match="huge.gpkg: not a GeoPackage"):
        load_project(p)
    assert time.perf_counter() - start < 1.0


def _polygon_blob(coords):
    c = np.array(coords, dtype=float)
    return bytes.fromhex("47500001E6100000") + struct.pack("<BIII", 1, 3, 1, len(c)) + c.tobytes()


@pytest.mark.parametrize("coords, message", [
    ([(38, 35), (40, 35), (40, 36), (38, 36)], "feature 1: unreadable geometry (Points of LinearRing do not form a "
                                                "closed linestring)"),
    ([(38, 35), (40, 35), (40, 100), (38, 35)], "feature 1: a vertex lies outside"),
    ([(38, 35), (40, 35), (np.inf, 36), (38, 35)], "feature 1: a coordinate is not a finite number"),
])
def test_unclosed_or_impossible_ao_ring_is_refused(saved, tmp_path, coords, message):
    _, path = saved
    bad = _rewrite(path, tmp_path / "ring.gpkg", "UPDATE ao SET geom=? WHERE fid=1", _polygon_blob(coords))
    with pytest.raises(ProjectError) as err:
        load_project(bad)
    assert str(err.value).startswith(f"{bad}: layer 'ao': {message}")


def test_a_save_during_a_drag_saves_the_committed_line(tmp_path):
    from desktop.core.demo import demo_document
    doc = demo_document()
    committed = doc.line
    doc.set_preview(doc.line.moved(2, doc.line.vertices[2, 0], doc.line.vertices[2, 1] - 0.3))
    save_project(doc, tmp_path / "p.gpkg")
    doc.set_preview(None)
    again = load_project(tmp_path / "p.gpkg")
    assert again.line == committed
    meta, _, _, columns = pyogrio.raw.read(tmp_path / "p.gpkg", layer="units")
    sector = dict(zip(meta["fields"], columns))["sector"].tolist()
    ids = doc.analysis.classification.sector
    assert sector == [doc.analysis.sectors.sectors[k].id if k >= 0 else None for k in ids]


def _with_present_reports() -> "Document":
    """The full scenario with units imported without time (one report each, at the unit's
    point) and one unit whose only report is elsewhere than its point."""
    from desktop.core.commands import CommandStack
    from desktop.core.importers.apply import import_command
    from desktop.core.importers.model import ImportedData
    from desktop.core.tracks import Tracks
    from desktop.core.units import UnitTable
    doc = full_scenario()
    n = 5
    units = UnitTable([f"NEW-{i}" for i in range(n)], [f"Imported {i}" for i in range(n)], [doc.sides[0]] * n,
                      None, None, np.linspace(38.6, 39.4, n), np.full(n, 35.8))
    CommandStack(doc).push(import_command(doc, ImportedData("units.csv", units=units), reported_at=1_500_000_000))
    tr, last = doc.tracks, len(doc.units) - 1
    keep = tr.unit != last
    tracks = Tracks.from_reports(np.r_[tr.unit[keep], last], np.r_[tr.time[keep], 1_500_000_100],
                                 np.r_[tr.lon[keep], 39.5], np.r_[tr.lat[keep], 35.85], len(doc.units))
    return type(doc)(doc.ao, doc.line, doc.units, doc.sides, buffer_km=doc.buffer_km, title=doc.title,
                     places=doc.places, calls=doc.calls, tracks=tracks, revisions=doc.revisions,
                     annotations=doc.annotations, alerts=doc.alerts)


def test_a_unit_whose_one_report_is_its_point_is_no_track_feature(tmp_path):
    """Units imported without time keep their one report through save/open, stored as the
    unit's point and last_report (GDAL reads it); one report elsewhere stays a track."""
    doc = _with_present_reports()
    counts = doc.tracks.report_counts()
    assert (counts[-5:] == 1).all()
    path = tmp_path / "present.gpkg"
    save_project(doc, path)
    assert_same_document(doc, load_project(path))
    meta, _, _, columns = pyogrio.raw.read(path, layer="units", datetime_as_string=True)
    last = dict(zip(meta["fields"], columns))["last_report"]
    assert [s[:19] for s in last[-5:-1]] == ["2017-07-14T02:40:00"] * 4 and last[-1][:19] == "2017-07-14T02:41:40"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracks = pyogrio.raw.read(path, layer="tracks")[3][0].tolist()
    assert tracks == [u for u, n in zip(doc.units.ids.tolist(), counts.tolist()) if n > 1] + [doc.units.ids[-1]]


def test_a_version_1_file_with_one_point_tracks_opens_the_same(tmp_path):
    """Version 1 wrote every unit with reports to tracks, one-report ones as a line of the
    report twice, and had no units.last_report."""
    from desktop.core.project.track_blobs import linestring_m_blobs
    doc = _with_present_reports()
    path = tmp_path / "v2.gpkg"
    save_project(doc, path)
    tr, ids = doc.tracks, doc.units.ids
    new = [k for k in range(len(ids) - 5, len(ids) - 1)]
    with sqlite3.connect(path) as c:
        c.execute("UPDATE deconflict_meta SET value='1' WHERE key='schema_version'")
        c.execute("ALTER TABLE units DROP COLUMN last_report")
        for k in new:
            a = int(tr.offsets[k])
            blob = linestring_m_blobs(tr.lon[a:a + 1], tr.lat[a:a + 1], tr.time[a:a + 1].astype(float), [0, 1])[0]
            c.execute("INSERT INTO tracks (geom, unit_id, reports, first_report, last_report) VALUES (?,?,1,?,?)",
                      (blob, ids[k], "2017-07-14T02:40:00Z", "2017-07-14T02:40:00Z"))
    assert_same_document(doc, load_project(path))


def test_a_last_report_without_a_position_is_refused(tmp_path):
    doc = _with_present_reports()
    path = tmp_path / "p.gpkg"
    save_project(doc, path)
    k = len(doc.units) - 2
    with sqlite3.connect(path) as c:
        empty_point = bytes.fromhex("47500011E6100000") + struct.pack("<BIdd", 1, 1, math.nan, math.nan)
        c.execute("UPDATE units SET geom=? WHERE fid=?", (empty_point, k + 1))
    with pytest.raises(ProjectError, match=f"layer 'units': feature {k + 1}: a last_report but no position"):
        load_project(path)


def test_thousands_of_imported_units_come_back_identical_in_many_chunks(tmp_path, monkeypatch):
    """Imported units share most values (one time, blank echelons) but not all; read a chunk
    of 500 at a time (after a probe of 100), only the rows that differ from the usual
    value, their columns come back identical; GDAL reads the same values."""
    from desktop.core.commands import CommandStack
    from desktop.core.importers.apply import import_command
    from desktop.core.importers.model import ImportedData
    from desktop.core.units import UnitTable
    monkeypatch.setattr(gpkg, "CHUNK", 500)
    monkeypatch.setattr(sqlite_columns, "_PROBE", 100)
    doc, n = full_scenario(), 3000
    rng = np.random.default_rng(5)
    echelons = np.where(rng.random(n) < 0.01, "battalion", "")
    units = UnitTable([f"NEW-{i}" for i in range(n)], [f"Imported {i}" for i in range(n)],
                      np.array(doc.sides)[rng.integers(0, 2, n)], np.where(np.arange(n) == 2999, "hostile", "unknown"),
                      None, rng.uniform(38.6, 39.4, n), rng.uniform(35.6, 36.0, n), echelons)
    CommandStack(doc).push(import_command(doc, ImportedData("units.csv", units=units), reported_at=1_500_000_000))
    path = tmp_path / "many.gpkg"
    save_project(doc, path)
    assert_same_document(doc, load_project(path))
    meta, _, _, columns = pyogrio.raw.read(path, layer="units")
    got = dict(zip(meta["fields"], columns))
    assert got["unit_id"].tolist() == doc.units.ids.tolist() and got["echelon"].tolist() == doc.units.echelons.tolist()
    assert got["side"].tolist() == doc.units.sides.tolist()
