"""Predicted conflicts as live alerts, each once: the fire-once latches of the feed's line
alerts (desktop.core.feed.latches), keyed (aircraft, kind, other party).

`ConflictLatches.update(conflicts)` is called with each new answer while the picture is
live; it returns the conflicts that are new since the last answers: a conflict fires when
it first appears, stays quiet while it is predicted again, and re-arms only once it has
been absent for `dwell_s` (by the answers' own times; default the prediction horizon), so
a pair hovering at the lateral limit, or an aircraft orbiting near the line whose straight
prediction crosses it every lap, alerts once. `baseline(conflicts)` sets the latches to what is predicted without
firing: what held before anyone watched (a feed just started, a block just drawn or the
parameters just changed) is not news. `log_conflicts` puts the fired ones into the alert
log the line alerts use (Document.alerts), so the Alerts dock lists them the same way.
"""
from __future__ import annotations

import math

from desktop.core.air.conflicts import AIRCRAFT, AIRSPACE, LINE, Conflicts
from desktop.core.air.motion import DEFAULT_HORIZON_S
from desktop.core.alert_log import MUTED, NEW, Alert, AlertLog
from desktop.core.feed.latches import Latches

ALERT_KINDS = {AIRCRAFT: "air_conflict", AIRSPACE: "airspace_entry", LINE: "line_crossing_ahead"}
DWELL_S = float(DEFAULT_HORIZON_S)  # gone for a whole horizon: back again is news


def latch_key(conflicts: Conflicts, i: int) -> tuple[str, str, str]:
    """(aircraft id, alert kind, other party's id): the aircraft, the ACM or the sector."""
    kind, a, b = conflicts.key(i)
    return a, ALERT_KINDS[kind], b


class ConflictLatches:
    def __init__(self, dwell_s: float = DWELL_S) -> None:
        self.dwell_s = float(dwell_s)
        self.latches = Latches()
        self._held: set[tuple] = set()   # keys set (Latches does not list them)

    def baseline(self, conflicts: Conflicts | None) -> None:
        self.latches.clear()
        self._held = set()
        for i in range(0 if conflicts is None else len(conflicts)):
            key = latch_key(conflicts, i)
            self.latches.latch(key)
            self._held.add(key)

    def update(self, conflicts: Conflicts) -> list[int]:
        """Indices of the conflicts that fire now (new, or back after the dwell)."""
        fired, present = [], set()
        for i in range(len(conflicts)):
            key = latch_key(conflicts, i)
            present.add(key)
            if self.latches.fire(key):
                fired.append(i)
            self._held.add(key)
        for key in self._held - present:  # gone: re-armed once gone for the dwell
            if self.latches.release(key, conflicts.at, self.dwell_s):
                self._held.discard(key)
        return fired


def log_conflicts(conflicts: Conflicts, fired: list[int], log: AlertLog, muted=frozenset()) -> list[Alert]:
    """Log the conflicts `fired` (ConflictLatches.update) as alerts of aircraft a: at the
    prediction's moment, where a is, the other party in `other` (the sector for a line
    crossing), the time to CPA, entry or line in `minutes`, a CPA's distance in km, the
    conflict's sentence as `detail`; muted when a or the other aircraft is in `muted`.
    Returns the alerts that are not muted (the ones to notice)."""
    out = []
    for i in fired:
        uid, _, other = latch_key(conflicts, i)
        kind, a = str(conflicts.kind[i]), int(conflicts.a[i])
        sector = other if kind == LINE else None
        km = float(conflicts.distance_nm[i]) * 1.852 if kind == AIRCRAFT else math.nan
        state = conflicts.state
        alert = Alert(log.next_id(), float(conflicts.at), uid, str(state.names[a] or uid), ALERT_KINDS[kind],
                      sector, None, km, float(conflicts.time_s[i]) / 60.0,
                      state=MUTED if uid in muted or (kind == AIRCRAFT and other in muted) else NEW,
                      lon=float(state.lon[a]), lat=float(state.lat[a]), other="" if kind == LINE else other,
                      detail=conflicts.describe(i))
        log.add(alert)
        if alert.state != MUTED:
            out.append(alert)
    return out
