"""Predicted conflicts as live alerts (issue 12 Build 5): while the feed runs, each write of
the live picture into the document (the feed's `updated`, at most once a second) asks the
window's air session (which owns this) for the conflicts at the document's "now" (its
latest report) and logs the ones that are new in
the document's alert log, with the fire-once latches of desktop.core.air.alerts. Their
notices and sound go out through the feed's `alerts_raised`, as the line alerts' do, so the
Alerts dock lists, notices, acknowledges and mutes them the same way (a muted aircraft's
conflicts are logged as muted). What is predicted when the feed starts, the airspace changes
or the conflict parameters change is the baseline: not news.
"""
from __future__ import annotations

from desktop.core.air.alerts import ConflictLatches, log_conflicts
from desktop.core.air.conflicts import Conflicts
from desktop.core.events import Connections
from desktop.core.time_cursor import live_time
from desktop.gui.feed.controller import live_feed


class LiveConflictAlerts:
    def __init__(self, context, air) -> None:
        self.doc, self.air = context.document, air   # air: the window's AirSession (its parameters)
        self.feed = live_feed(context)
        self.latches = ConflictLatches()
        self._params = None   # the parameters of the baseline
        self.links = Connections()
        self.links.connect(self.feed.state_changed, self._rebaseline)
        self.links.connect(self.feed.updated, self.update)
        self.links.connect(self.doc.airspace_changed, self._rebaseline)
        self._rebaseline()

    def close(self) -> None:
        self.links.disconnect_all()

    def _conflicts(self) -> Conflicts | None:
        t = live_time(self.doc)
        return None if t is None else self.air.answer_at(t)

    def _rebaseline(self, *_) -> None:
        if self.feed.running:
            self._params = self.air.params
            self.latches.baseline(self._conflicts())

    def update(self) -> None:
        if not self.feed.running:
            return
        if self.air.params != self._params:
            self._rebaseline()
            return
        conflicts = self._conflicts()
        if conflicts is None:
            return
        alerts = log_conflicts(conflicts, self.latches.update(conflicts), self.doc.alerts, self.feed.muted)
        if alerts:
            self.feed.alerts_raised.emit(alerts)
