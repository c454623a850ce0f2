"""An import is one undoable command: units merge by id, tracks join their units, and undo
gives back the document exactly."""
import numpy as np
import pytest

from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.importers import import_file
from desktop.core.importers.apply import import_command
from desktop.core.inputs import InputError
from tests.importers.samples import GPX, KML


def snapshot(doc):
    return (doc.ao.ring.copy(), doc.line.vertices.copy(), doc.units.ids.copy(), doc.units.lon.copy(),
            doc.units.sides.copy(), doc.tracks.unit.copy(), doc.tracks.time.copy())


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_units_merge_by_id_and_new_ones_are_appended(tmp_path, registry):
    doc = demo_document()
    stack = CommandStack(doc)
    p = tmp_path / "u.csv"
    p.write_text("id,name,lat,lon\nSDF-01,,35.9,38.7\nNEW-1,Newcomer,35.5,39.0\n")
    before = snapshot(doc)
    tracks_of_sdf01 = doc.tracks.report_counts()[doc.units.index_of("SDF-01")]
    stack.push(import_command(doc, import_file(p, registry)))
    assert stack.undo_label == "Import u.csv: 2 units"
    i = doc.units.index_of("SDF-01")
    assert (doc.units.lon[i], doc.units.lat[i]) == (38.7, 35.9)
    assert doc.units.names[i] == "SDF Tabqa Bde"  # an empty cell keeps the old value
    assert doc.units.ids[-1] == "NEW-1" and len(doc.units) == 48
    # a position without a time is a present report: one more for SDF-01, one for NEW-1
    assert doc.tracks.report_counts()[i] == tracks_of_sdf01 + 1 and doc.tracks.n_units == 48
    assert doc.analysis.classification.sector.shape == (48,)
    stack.undo()
    assert same(snapshot(doc), before)
    stack.redo()
    assert len(doc.units) == 48


def test_kml_brings_ao_line_units_and_a_track_in_one_command(tmp_path, registry):
    doc = demo_document()
    stack = CommandStack(doc)
    p = tmp_path / "opfor.kml"
    p.write_text(KML)
    before = snapshot(doc)
    seen = []
    doc.ao_changed.connect(seen.append)
    stack.push(import_command(doc, import_file(p, registry)))
    assert len(stack.commands) == 1 and len(seen) == 1
    assert doc.ao.name == "AO" and len(doc.line) == 4
    air = doc.units.index_of("AIR-09")
    t, lon, lat = doc.tracks.track(air)
    assert len(t) == 3 and (doc.units.lon[air], doc.units.lat[air]) == (lon[-1], lat[-1])
    assert len(doc.analysis.sectors.sectors) == 2
    stack.undo()
    assert same(snapshot(doc), before) and doc.ao.name == "Euphrates AO"


def test_gpx_track_for_a_new_unit(tmp_path, registry):
    doc = demo_document()
    p = tmp_path / "walk.gpx"
    p.write_text(GPX)
    CommandStack(doc).push(import_command(doc, import_file(p, registry)))
    k = doc.units.index_of("PATROL-7")
    assert doc.units.names[k] == "PATROL-7" and doc.tracks.report_counts()[k] == 3
    assert doc.units.lat[k] == 35.83  # at its latest report


def test_an_invalid_line_for_the_ao_is_refused_and_nothing_changes(tmp_path, registry):
    import json
    doc = demo_document()
    stack = CommandStack(doc)
    p = tmp_path / "cross.geojson"
    p.write_text(json.dumps({"type": "LineString", "coordinates": [[38, 35], [39, 36], [39, 35], [38, 36]]}))
    with pytest.raises(InputError, match=r"cross.geojson: nothing to import: geometry: the line would cross itself"):
        import_file(p, registry)
    assert len(stack.commands) == 0 and len(doc.line) == 11


def test_a_file_without_affiliations_keeps_the_known_ones_and_defaults_new_units(tmp_path, registry):
    doc = demo_document()
    p = tmp_path / "opfor.kml"
    p.write_text(KML)  # SAA-02 (hostile in the demo) has no affiliation in the file; AIR-09 is new
    CommandStack(doc).push(import_command(doc, import_file(p, registry)))
    u = doc.units
    assert u.affiliations[u.index_of("SAA-02")] == "hostile" and u.affiliations[u.index_of("SAA-01")] == "hostile"
    assert (u.affiliations[u.index_of("AIR-09")], u.domains[u.index_of("AIR-09")]) == ("unknown", "ground")


def test_importing_the_same_tracks_twice_adds_them_once(tmp_path, registry):
    """Issue 14.5: the second import doubled every report."""
    doc = demo_document()
    stack = CommandStack(doc)
    p = tmp_path / "t.csv"
    p.write_text("id,time,lat,lon\nPATROL-7,2017-06-18T10:00:00Z,35.80,38.60\n"
                 "PATROL-7,2017-06-18T11:00:00Z,35.81,38.61\nPATROL-7,2017-06-18T11:00:00Z,35.81,38.61\n")
    first = import_command(doc, import_file(p, registry))
    stack.push(first)
    assert len(doc.tracks) == 111_689 + 2 and first.already_present == 1  # the file's own repeat
    p.write_text(p.read_text() + "PATROL-7,2017-06-18T11:00:00Z,35.82,38.62\n")  # same time, moved: a report
    second = import_command(doc, import_file(p, registry))
    stack.push(second)
    assert len(doc.tracks) == 111_689 + 3 and second.already_present == 3
    assert second.notes() == ["3 track reports skipped: already present (same unit, time and position)"]
    i = doc.units.index_of("PATROL-7")
    assert (doc.units.lat[i], doc.units.lon[i]) == (35.82, 38.62)  # the latest report, the later of two at 11:00


def test_importing_a_project_into_itself_changes_no_track(tmp_path, registry):
    from desktop.core.project import load_project, save_project
    p = tmp_path / "P.gpkg"
    save_project(demo_document(), p)
    doc = load_project(p)
    before = snapshot(doc)
    command = import_command(doc, import_file(p, registry))
    CommandStack(doc).push(command)
    assert command.already_present == 111_689 and same(snapshot(doc), before)


def test_the_readers_id_keys_serve_the_merge_only_for_the_units_they_were_made_for(tmp_path, registry):
    """A CSV's id hashes are made once (for its duplicate check) and reused by the merge; a
    table put in their place afterwards is matched by its own ids."""
    from desktop.core.text_columns import keys
    p = tmp_path / "u.csv"
    p.write_text("id,name,lat,lon\nSDF-01,,35.9,38.7\nNEW-1,Newcomer,35.5,39.0\n")
    data = import_file(p, registry)
    assert np.array_equal(data.id_keys(), keys(data.units.ids))
    doc = demo_document()
    CommandStack(doc).push(import_command(doc, data))
    assert doc.units.lon[doc.units.index_of("SDF-01")] == 38.7 and len(doc.units) == 48

    swapped = tmp_path / "swapped.csv"
    swapped.write_text("id,name,lat,lon\nNEW-1,Newcomer,35.5,39.0\nSDF-01,,35.9,38.7\n")
    other = import_file(p, registry)
    other.units = import_file(swapped, registry).units  # (another table in its place: NEW-1 first)
    assert other.id_keys() is None
    doc = demo_document()
    CommandStack(doc).push(import_command(doc, other))
    assert doc.units.lon[doc.units.index_of("SDF-01")] == 38.7 and doc.units.ids[-1] == "NEW-1"
