"""Live units and reports: by uid, in batches, into the document's table and tracks, and
their place beside the undo history."""
import time

import numpy as np
import pytest

from desktop.core.commands import CommandStack
from desktop.core.demo import demo_document
from desktop.core.feed.intake import Intake
from desktop.core.feed.live import LiveSession, SideRules, merge_reports
from desktop.core.importers.apply import import_command
from desktop.core.importers.model import ImportedData
from desktop.core.time_cursor import live_time
from desktop.core.tracks import Tracks
from desktop.core.units import UnitTable
from tests.feed.samples import event


@pytest.fixture
def now() -> float:
    """The time a test starts: its reports are fresh then (stale after 120 s)."""
    return time.time()


def batch(*events):
    intake = Intake()
    for e in events:
        intake.datagram(e)
    return intake.take()


def test_merge_reports_is_the_sorted_whole():
    rng = np.random.default_rng(3)
    n_units = 50
    old = Tracks.from_reports(rng.integers(0, 40, 5000), rng.integers(0, 10_000, 5000),
                              rng.uniform(38, 41, 5000), rng.uniform(34, 36, 5000), 40)
    unit, t = rng.integers(0, n_units, 700), rng.integers(5_000, 20_000, 700)
    lon, lat = rng.uniform(38, 41, 700), rng.uniform(34, 36, 700)
    merged = merge_reports(old, unit, t, lon, lat, n_units)
    whole = Tracks.from_reports(np.concatenate([old.unit, unit]), np.concatenate([old.time, t]),
                                np.concatenate([old.lon, lon]), np.concatenate([old.lat, lat]), n_units)
    assert merged.n_units == n_units
    for name in ("unit", "time"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name))
    # Same (unit, time) keys: ties may order differently, positions per key must agree.
    key = merged.unit.astype(np.int64) * 100_000 + merged.time
    assert sorted(zip(key.tolist(), merged.lon.tolist())) == sorted(
        zip((whole.unit.astype(np.int64) * 100_000 + whole.time).tolist(), whole.lon.tolist()))


def test_side_rules_learn_from_the_document():
    doc = demo_document()
    rules = SideRules.of(doc, {"neutral": "US-backed"})
    assert rules.side_of("SAA-05", "friend") == "Russian-backed"      # the table knows this id
    assert rules.side_of("NEW-1", "friend") == "US-backed"
    assert rules.side_of("NEW-2", "hostile") == "Russian-backed"
    assert rules.side_of("NEW-3", "neutral") == "US-backed"
    assert rules.side_of("NEW-4", "unknown") == ""


def test_batches_create_and_move_units_by_uid(now):
    doc = demo_document()
    session = LiveSession(doc)
    session.apply(batch(event("ANDROID-9", 35.95, 38.90, now - 20, callsign="Viper 1", cot_type="a-h-A-M-F-Q"),
                        event("ANDROID-7", 35.90, 39.20, now - 20, callsign="Tango")), now)
    assert len(session) == 2
    session.apply(batch(event("ANDROID-9", 35.96, 38.91, now - 10, callsign="Viper 1", cot_type="a-h-A-M-F-Q"),
                        event("ANDROID-9", 35.97, 38.92, now - 5, callsign="Viper 2", cot_type="a-h-A-M-F-Q"),
                        event("ANDROID-7", 35.90, 39.20, now - 20, callsign="Tango")), now)   # duplicate
    # Older than the unit's latest report: kept for its track, it does not move the unit.
    session.apply(batch(event("ANDROID-9", 35.90, 38.80, now - 15, cot_type="a-h-A-M-F-Q")), now)
    u = session.units
    row = session.index["ANDROID-9"]
    assert (u["lat"][row], u["lon"][row], u["name"][row]) == (35.97, 38.92, "Viper 2")
    assert (u["affiliation"][row], u["domain"][row], u["symbol"][row], u["side"][row]) == (
        "hostile", "air", "SHAPMFQ--------", "Russian-backed")
    assert session.late == 1 and session.duplicates == 1
    assert session.reports.n == 5      # the late one is kept for the track
    assert session.stale(now).tolist() == [False, False]
    assert session.stale(now + 200).tolist() == [True, True]
    table = session.unit_table()
    assert table.ids.tolist() == ["ANDROID-9", "ANDROID-7"] and table.sides.tolist() == ["Russian-backed",
                                                                                         "US-backed"]


def test_live_picture_written_into_the_document(now):
    doc = demo_document()
    n0, r0 = len(doc.units), len(doc.tracks)
    session = LiveSession(doc)
    heard = []
    doc.units_changed.connect(lambda: heard.append("units"))
    session.apply(batch(event("SDF-16", 35.80, 39.50, now - 30), event("NEW-1", 35.70, 39.00, now - 30,
                                                                          cot_type="a-h-G")), now)
    session.apply(batch(event("SDF-16", 35.81, 39.51, now - 10)), now)
    session.write_to_document()
    assert len(doc.units) == n0 + 1 and len(doc.tracks) == r0 + 3 and heard == ["units"]
    row = doc.units.index_of("SDF-16")
    assert row == 15 and (doc.units.lon[row], doc.units.lat[row]) == (39.51, 35.81)   # the planned unit moved
    new = doc.units.index_of("NEW-1")
    assert (doc.units.sides[new], doc.units.affiliations[new], doc.units.symbols[new]) == (
        "Russian-backed", "hostile", "SHGP-----------")
    assert live_time(doc) == int(now - 10)    # the time cursor now reaches the live period
    lon, lat = doc.tracks.positions_at(int(now - 10))
    assert (lon[row], lat[row], lon[new], lat[new]) == (39.51, 35.81, 39.00, 35.70)
    # Writing again adds only what is new.
    session.apply(batch(event("NEW-1", 35.71, 39.01, now - 5, cot_type="a-h-G")), now)
    session.write_to_document()
    assert len(doc.units) == n0 + 1 and len(doc.tracks) == r0 + 4


def test_live_rows_come_back_after_an_undo_replaced_the_table(now):
    doc = demo_document()
    stack = CommandStack(doc)
    session = LiveSession(doc)
    session.apply(batch(event("LIVE-1", 35.70, 39.00, now - 30)), now)
    session.write_to_document()
    extra = UnitTable.from_records([dict(id="IMP-1", name="Imported", side="US-backed", lon=39.9, lat=35.9)])
    stack.push(import_command(doc, ImportedData("more.csv", units=extra)))
    session.apply(batch(event("LIVE-2", 35.60, 39.10, now - 20)), now)
    session.write_to_document()
    assert {"LIVE-1", "LIVE-2", "IMP-1"} <= set(doc.units.ids.tolist())
    stack.undo()          # the import's "before" had LIVE-1 only: LIVE-2 is gone for now
    assert "IMP-1" not in doc.units.ids.tolist() and "LIVE-2" not in doc.units.ids.tolist()
    session.write_to_document()
    ids = doc.units.ids.tolist()
    assert "LIVE-1" in ids and "LIVE-2" in ids and stack.can_redo()
    live_rows = [ids.index("LIVE-1"), ids.index("LIVE-2")]
    counts = doc.tracks.report_counts()[live_rows]
    assert counts.tolist() == [1, 1]      # no report twice
    assert not any("live" in c.label.lower() for c in stack.commands)   # nothing on the undo stack


@pytest.mark.parametrize("n", [1, 500])
def test_apply_is_per_batch_not_per_event(n, now):
    doc = demo_document()
    session = LiveSession(doc)
    events = [event(f"U{i % 50}", 35.0 + (i % 97) * 0.01, 38.5 + (i % 89) * 0.02, now - 100 + i * 0.1)
              for i in range(n)]
    session.apply(batch(*events), now)
    assert session.reports.n == n and len(session) == min(n, 50)
