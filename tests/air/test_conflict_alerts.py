"""Conflicts as live alerts, once each: the 18 June incident replayed report by report
through the latches fires each conflict when it first appears, never again while it is
predicted (nor when an orbiting aircraft's prediction flickers), and again only after it
was gone for the dwell."""
from desktop.core.air.alerts import ALERT_KINDS, ConflictLatches, latch_key
from desktop.core.air.conflicts import conflicts_at
from desktop.core.air.demo import REPLAY_AT
from desktop.core.demo import demo_document


def test_the_incident_fires_each_conflict_once():
    doc = demo_document()
    latches = ConflictLatches()
    before, _ = conflicts_at(doc, REPLAY_AT - 15 * 60)
    latches.baseline(before)  # 15:20Z: what held before anyone watched
    fired: list[tuple] = []
    seen: set[tuple] = set()
    for t in range(REPLAY_AT - 15 * 60 + 30, REPLAY_AT + 15 * 60, 30):  # every report, to 15:50Z
        found, _ = conflicts_at(doc, t)
        fired += [latch_key(found, i) for i in latches.update(found)]
        seen |= {latch_key(found, i) for i in range(len(found))}
    assert len(fired) == len(set(fired))  # nothing twice while it stays predicted
    assert ("AIR-02", ALERT_KINDS["aircraft"], "AIR-05") in fired   # the F/A-18E and the Su-22
    assert ("AIR-01", ALERT_KINDS["aircraft"], "AIR-03") in fired   # the ISR aircraft and the Su-24
    assert ("AIR-01", ALERT_KINDS["airspace"], "ROZ-DEZ") in fired  # the ISR aircraft into the ROZ
    assert set(fired) == seen - {latch_key(before, i) for i in range(len(before))}  # every new one, no old one
    assert ("AIR-07", ALERT_KINDS["line"], "S2") not in fired  # the F-22's orbit: in the baseline, never news


def test_a_conflict_back_after_the_dwell_fires_again_and_a_flicker_does_not():
    doc = demo_document()
    latches = ConflictLatches(dwell_s=60)
    first, _ = conflicts_at(doc, REPLAY_AT)
    keys = {latch_key(first, i) for i in range(len(first))}
    assert latches.update(first) == list(range(len(first)))
    assert latches.update(first) == []
    # Gone for 15 s (under the dwell), then back: quiet.
    latches.update(_nothing_at(first, REPLAY_AT + 30))
    back, _ = conflicts_at(doc, REPLAY_AT + 45)
    assert not {latch_key(back, i) for i in latches.update(back)} & keys
    # Gone for 70 s (over the dwell), then back: the same conflicts fire again.
    latches.update(_nothing_at(first, REPLAY_AT + 60))
    latches.update(_nothing_at(first, REPLAY_AT + 130))
    again, _ = conflicts_at(doc, REPLAY_AT + 150)
    fired = {latch_key(again, i) for i in latches.update(again)}
    assert fired == {latch_key(again, i) for i in range(len(again))} and fired & keys


def _nothing_at(conflicts, t):
    """No conflict predicted at t (no aircraft)."""
    from desktop.core.air.conflicts import find_conflicts
    from desktop.core.air.state import AircraftState
    state = AircraftState.from_columns(t, ids=[], lon=[], lat=[])
    return find_conflicts(state, conflicts.airspace, demo_document().analysis_projection)
