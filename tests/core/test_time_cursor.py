"""The time cursor: the document at a past time, against the CLI's document_at and brute force;
exact boundaries; live/historical switching without losing edits; trails; stepping."""
import numpy as np
import pytest

from desktop.core import commands, demo
from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.history_commands import save_revision
from desktop.core.revision_diff import document_at
from desktop.core.revisions import AGREED
from desktop.core.time_cursor import TimeCursor, line_at, live_time, staleness, trails, view_at
from desktop.core.tracks import Tracks, parse_time

JUNE_18 = parse_time("2017-06-18T14:00:00Z")
JUNE_EFFECTIVE = demo.REVISION_EFFECTIVE["june"]
AUGUST_EFFECTIVE = demo.REVISION_EFFECTIVE["august"]


@pytest.fixture
def doc():
    return demo_document()


@pytest.fixture
def cursor(doc):
    return TimeCursor(doc)


def test_now_is_the_latest_report_and_the_table_holds_it(doc):
    assert live_time(doc) == demo.DEMO_NOW
    lon, lat = doc.tracks.positions_at(demo.DEMO_NOW)
    np.testing.assert_array_equal(lon, doc.units.lon)
    np.testing.assert_array_equal(lat, doc.units.lat)


def test_historical_view_matches_the_cli_snapshot(doc, cursor):
    cursor.set_time(JUNE_18)
    assert not cursor.is_live and doc.time_view.revision.id == "june" and doc.time_view.in_force
    snap = document_at(doc, JUNE_18)
    np.testing.assert_array_equal(doc.shown_units.lon, snap.units.lon)
    assert doc.shown_line is doc.revisions.get("june").line
    mine, ref = doc.analysis.classification, snap.analysis.classification
    np.testing.assert_array_equal(mine.sector, ref.sector)
    np.testing.assert_array_equal(mine.near_line, ref.near_line)
    np.testing.assert_array_equal(mine.wrong_side, ref.wrong_side)
    np.testing.assert_allclose(mine.distance_km, ref.distance_km)
    # The committed state is untouched: the table and the line are what saving sees.
    assert doc.line == demo_document().line
    np.testing.assert_array_equal(doc.units.lon, demo_document().units.lon)


def test_scrubbing_within_one_revision_gives_what_a_fresh_analysis_gives(doc, cursor):
    for t in range(JUNE_18, JUNE_18 + 10 * 3600, 3600):
        cursor.set_time(t)
        np.testing.assert_array_equal(doc.analysis.classification.sector,
                                      document_at(doc, t).analysis.classification.sector)


@pytest.mark.parametrize("t, shown, in_force", [
    (JUNE_EFFECTIVE - 1, "june", False),     # before the first agreed line: shown for reference
    (JUNE_EFFECTIVE, "june", True),          # at the effective time the revision is in force
    (AUGUST_EFFECTIVE - 1, "june", True),
    (AUGUST_EFFECTIVE, "august", True),
])
def test_revision_shown_at_exact_boundaries(doc, cursor, t, shown, in_force):
    cursor.set_time(t)
    assert doc.time_view.revision.id == shown
    assert doc.time_view.in_force is in_force
    assert bool(doc.time_view.note) is not in_force


def test_without_agreed_revisions_the_current_line_has_always_been_in_force(doc):
    doc.revisions = type(doc.revisions)()
    revision, line, note = line_at(doc, JUNE_18)
    assert revision is None and line is doc.line and "no line revision" in note


def test_positions_at_exact_report_times(doc, cursor):
    u = doc.units.index_of("SAA-01")
    times, lon, lat = doc.tracks.track(u)
    k = len(times) // 3
    cursor.set_time(int(times[k]))
    assert doc.shown_units.lon[u] == lon[k] and doc.shown_units.lat[u] == lat[k]
    cursor.set_time(int(times[k + 1]) - 1)
    assert doc.shown_units.lon[u] == lon[k]
    cursor.set_interpolate(True)
    assert lon[k] != doc.shown_units.lon[u] or lon[k] == lon[k + 1]


def test_at_or_after_now_the_cursor_is_live(doc, cursor):
    cursor.set_time(JUNE_18)
    cursor.set_time(demo.DEMO_NOW)
    assert cursor.is_live and doc.time_view is None and doc.shown_units is doc.units
    assert doc.shown_line is doc.line
    assert cursor.shown_time == demo.DEMO_NOW


def test_moving_the_cursor_is_no_edit_and_loses_none(doc, cursor):
    stack = CommandStack(doc)
    stack.push(commands.move_vertex(doc, 2, 38.80, 35.78))
    edited = doc.line
    cursor.set_time(JUNE_18)
    assert stack.index == 1 and doc.line is edited and doc.shown_line is not edited
    stack.undo()  # undo still works on the committed line while the past is shown
    assert doc.line != edited and doc.shown_line is doc.revisions.get("june").line
    stack.redo()
    cursor.go_live()
    assert doc.shown_line is edited and doc.analysis.line is edited


def test_a_new_agreed_revision_changes_the_line_shown(doc, cursor):
    cursor.set_time(JUNE_18)
    stack = CommandStack(doc)
    stack.push(save_revision(doc, "mid-june", JUNE_18 - 3600, state=AGREED))
    assert doc.time_view.revision.id == "mid-june"
    stack.undo()
    assert doc.time_view.revision.id == "june"


def test_replacing_the_units_keeps_the_cursor_consistent(doc, cursor):
    cursor.set_time(JUNE_18)
    doc.set_units(demo.demo_units())  # same units: the tracks still fit
    assert doc.time_view is not None and doc.time_view.time == JUNE_18
    assert len(doc.analysis.classification.sector) == len(doc.units)


def test_an_import_while_the_past_is_shown_keeps_the_cursor_on_the_new_scenario(doc, cursor):
    """set_scenario (an import) replaces the units and their tracks: the past is shown again
    from the new tracks, never from the old table's positions."""
    cursor.set_time(JUNE_18)
    lines, views = [], []
    doc.line_changed.connect(lambda line, preview: lines.append(line))
    doc.time_view_changed.connect(views.append)
    units = demo.demo_units()
    keep = np.arange(10)  # a smaller scenario: ten units and their tracks
    small = units.__class__(*(getattr(units, f)[keep] for f in ("ids", "names", "sides", "affiliations", "domains",
                                                               "lon", "lat", "echelons", "symbols")))
    t = doc.tracks
    mask = t.unit < 10
    tracks = Tracks(t.unit[mask], t.time[mask], t.lon[mask], t.lat[mask], 10)
    doc.set_scenario(doc.ao, doc.line, small, tracks)
    assert None in views  # the old view was dropped (and the cursor showed the new one)
    assert doc.time_view is not None and doc.time_view.time == JUNE_18
    assert len(doc.shown_units) == 10 and len(doc.analysis.classification.sector) == 10
    lon, lat = tracks.positions_at(JUNE_18)
    np.testing.assert_array_equal(doc.shown_units.lon, lon)
    assert doc.shown_line is doc.revisions.get("june").line and lines[-1] is doc.shown_line


def test_stale_units_are_those_without_a_recent_report():
    doc = demo_document()
    doc.tracks = Tracks.from_reports([0, 0, 1], [0, 10 * 3600, 0], [38.5, 38.6, 38.7], [35.5] * 3, len(doc.units))
    cursor = TimeCursor(doc, stale_after_h=6)
    cursor.set_time(11 * 3600 - 1)
    stale = cursor.stale()
    assert not stale[0] and stale[1] and not stale[2:].any()  # units without reports are never stale
    age = staleness(doc, 11 * 3600)
    assert age[0] == 3600 and age[1] == 11 * 3600 and np.isnan(age[2])


def test_trails_against_brute_force(doc):
    t, hours = JUNE_18, 12
    lon, lat = trails(doc, t, hours)
    pieces = np.split(np.column_stack([lon, lat]), np.flatnonzero(np.isnan(lon)) + 1)
    pieces = [p[~np.isnan(p[:, 0])] for p in pieces if len(p[~np.isnan(p[:, 0])])]
    expected = []
    at_lon, at_lat = doc.tracks.positions_at(t)
    for u in range(len(doc.units)):
        times, ulon, ulat = doc.tracks.track(u)
        before = np.flatnonzero(times <= t - hours * 3600)
        first = before[-1] if len(before) else 0
        keep = np.arange(len(times))[(np.arange(len(times)) >= first) & (times <= t)]
        pts = [(ulon[k], ulat[k]) for k in keep] + ([(at_lon[u], at_lat[u])] if len(keep) else [])
        if len(pts) >= 2:
            expected.append(np.array(pts))
    assert len(pieces) == len(expected)
    for got, want in zip(pieces, expected):
        np.testing.assert_array_equal(got, want)


def test_step_by_call_and_by_hour(doc, cursor):
    calls = doc.calls
    cursor.set_time(JUNE_18)
    k = cursor.step_call(+1)
    assert calls.start[k] > JUNE_18 and cursor.time == calls.start[k]
    assert calls.start[k - 1] <= JUNE_18
    back = cursor.step_call(-1)
    assert back == k - 1 and cursor.time == calls.start[k - 1]
    incidents = calls.category == "incident"
    k = cursor.step_call(+1, incidents)
    assert calls.category[k] == "incident"
    cursor.step(3600)
    assert cursor.time == calls.start[k] + 3600
    cursor.set_time(calls.start[0])
    assert cursor.step_call(-1) is None and cursor.time == calls.start[0]


def test_view_at_a_document_without_tracks_places_no_unit(doc):
    """Without reports, no unit has a position in the past: it is not shown where it is now."""
    doc.tracks = Tracks.empty(len(doc.units))
    view = view_at(doc, JUNE_18)
    assert np.isnan(view.units.lon).all() and np.isnan(view.units.lat).all() and view.revision.id == "june"
    assert view.units.ids.tolist() == doc.units.ids.tolist()
