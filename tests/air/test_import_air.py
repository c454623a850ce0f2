"""Track reports with alt_ft, course_deg and speed_kt come in through the importer road:
the tracks carry them, the aircraft state at T is theirs, and an import keeps the altitudes
the document already had."""
import numpy as np
import pytest

from desktop.core.air.state import state_at
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.importers.apply import import_command
from desktop.core.importers.csv_table import read_csv
from desktop.core.project import save_project
from desktop.core.importers.geopackage_import import read_geopackage
from desktop.core.tracks import parse_time

REPORTS = """id,name,side,domain,time,lat,lon,alt_ft,course_deg,speed_kt
JET-1,Coalition CAS 2,US-backed,air,2017-06-18T15:30:00Z,35.70,38.40,9500,90,400
JET-1,Coalition CAS 2,US-backed,air,2017-06-18T15:31:00Z,35.70,38.45,FL100,,
JET-1,Coalition CAS 2,US-backed,air,2017-06-18T15:32:00Z,35.70,38.50,10000,95,410
SU-1,Syrian Su-22,Russian-backed,air,2017-06-18T15:30:00Z,35.60,38.90,9000,270,400
"""


def _import(doc, path):
    stack = CommandStack(doc)
    stack.push(import_command(doc, read_csv(path)))
    return stack


def test_csv_track_reports_carry_the_aircraft_columns(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS)
    data = read_csv(path)
    assert data.tracks.air["alt_ft"].tolist() == [9500, 10000, 10000, 9000]  # FL100 read as 10,000 ft
    assert np.isnan(data.tracks.air["course_deg"][1]) and data.tracks.air["speed_kt"][2] == 410
    doc = demo_document()
    demo_alt = doc.tracks.alt_ft.copy()
    _import(doc, path)
    jet = doc.units.index_of("JET-1")
    reports = slice(doc.tracks.offsets[jet], doc.tracks.offsets[jet + 1])
    assert doc.tracks.alt_ft[reports].tolist() == [9500, 10000, 10000]
    # The demo's own altitudes are still there (the import merged, it did not drop them).
    su22 = doc.units.index_of("AIR-05")
    assert np.array_equal(doc.tracks.alt_ft[doc.tracks.offsets[su22]:doc.tracks.offsets[su22 + 1]],
                          demo_alt[demo_document().tracks.offsets[su22]:demo_document().tracks.offsets[su22 + 1]])
    state = state_at(doc.units, doc.tracks, parse_time("2017-06-18T15:32:00Z"))
    row = list(state.ids).index("JET-1")
    assert (state.alt_ft[row], state.course_deg[row], state.speed_kt[row]) == (10000, 95, 410)


def test_a_bad_aircraft_cell_skips_its_row_and_says_why(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS.replace("9000,270,400", "9000,270,-5"))
    data = read_csv(path)
    assert len(data.tracks) == 3
    assert any(":5:" in s and "speed_kt -5 is negative" in s for s in data.skipped)


def test_undo_of_the_import_restores_the_tracks_altitudes(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS)
    doc = demo_document()
    before = doc.tracks
    stack = _import(doc, path)
    stack.undo()
    assert doc.tracks is before


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_project_imported_into_another_brings_its_altitudes(tmp_path):
    path = tmp_path / "demo.gpkg"
    save_project(demo_document(), path)
    data = read_geopackage(path)
    assert set(data.tracks.air) == {"alt_ft"}  # the demo's reports give altitudes only
    blank = demo_document()
    assert np.array_equal(np.sort(data.tracks.air["alt_ft"][np.isfinite(data.tracks.air["alt_ft"])]),
                          np.sort(blank.tracks.alt_ft[np.isfinite(blank.tracks.alt_ft)]))


def test_the_crash_journal_replays_an_import_with_its_altitudes(tmp_path):
    import shutil

    from desktop.core.recovery import EditJournal, recoverable_sessions
    path = tmp_path / "reports.csv"
    path.write_text(REPORTS)
    doc = demo_document()
    stack = CommandStack(doc)
    journal = EditJournal.start(tmp_path / "sessions", doc, stack)
    stack.push(import_command(doc, read_csv(path)))
    copy = tmp_path / "copy"  # this process holds the live session's lock: recover a copy
    shutil.copytree(journal.folder, copy / journal.folder.name)
    (session,) = recoverable_sessions(copy)
    recovered, _, problems = session.recover()
    journal.close()
    assert problems == []
    for name in ("alt_ft", "course_deg", "speed_kt"):
        assert np.array_equal(getattr(recovered.tracks, name), getattr(doc.tracks, name), equal_nan=True)
