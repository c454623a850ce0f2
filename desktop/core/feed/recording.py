"""Live reports and alerts into the crash journal, in batches: a crash, a kill -9 or a power
cut loses at most the last RECORD_EVERY_S seconds of what the feed brought.

The edit journal (desktop.core.recovery) keeps the document's edits one line each. Live
reports come at thousands a second and are no edits, so a `LiveRecorder` appends one
"live" line per RECORD_EVERY_S with everything written into the document since the last
one: the reports (a few numpy columns, stored beside the line as .npy files), the units
they belong to, the alerts raised and the alerts acknowledged, dismissed or muted since.
Only reports already written into the document are recorded, so a snapshot of the
document (autosave, a save) holds exactly what was recorded before it plus what was
written since: after a snapshot the recorder starts from what the document holds.
Recovering replays the lines in order with the edits (`replay_live`).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from desktop.core.alert_log import AlertLog
from desktop.core.feed.live import lacking, merge_reports

RECORD_EVERY_S = 1.0


class LiveRecorder:
    """Records what `session` writes into its document in `journal` (an EditJournal)."""

    def __init__(self, session, journal) -> None:
        self.session, self.journal = session, journal
        self.log: AlertLog = session.doc.alerts
        self._reports = session.written    # reports recorded (or held by a snapshot)
        self._last_id = max((a.id for a in self.log), default=0)   # alerts up to this id are recorded
        self._states: dict[int, str] = {}
        self.log.changed.connect(self._on_alert)
        journal.snapshot_taken.connect(self._on_snapshot)

    def close(self) -> None:
        self.log.changed.disconnect(self._on_alert)
        self.journal.snapshot_taken.disconnect(self._on_snapshot)

    def _on_alert(self, alert) -> None:
        if alert.id <= self._last_id:   # a recorded alert changed state
            self._states[alert.id] = alert.state

    def _on_snapshot(self) -> None:
        """The document was written whole: it holds every report written and every alert."""
        self._reports = self.session.written
        self._last_id = max((a.id for a in self.log), default=0)
        self._states.clear()

    def record(self) -> int:
        """Append what was written since the last record (nothing: no line). Returns the
        number of reports recorded."""
        stop = self.session.written
        new = [a for a in self.log if a.id > self._last_id]
        if stop <= self._reports and not new and not self._states:
            return 0
        start, self._reports = self._reports, max(stop, self._reports)
        record = {"reports": self.session.report_record(start, stop) if stop > start else {},
                  "alerts": AlertLog(new).columns() if new else {},
                  "states": [[k, v] for k, v in self._states.items()]}
        self._last_id = max([self._last_id] + [a.id for a in new])
        self._states = {}
        self.journal.append_live(record, max(stop - start, 0))
        return max(stop - start, 0)


def replay_live(doc, record: dict) -> None:
    """Put a recorded batch back into `doc` as the live write did: unknown units appended,
    reports merged into the tracks (those already there skipped), each unit moved to its
    latest report unless it had a later one; then the alerts and their states."""
    reports = record.get("reports") or {}
    if reports and len(reports["time"]):
        _replay_reports(doc, reports)
    alerts = record.get("alerts") or {}
    if alerts and len(alerts["id"]):
        for alert in AlertLog.from_columns(alerts):
            if alert.id not in {a.id for a in doc.alerts}:
                doc.alerts.add(alert)
    for alert_id, state in record.get("states", []):
        doc.alerts.set_state(int(alert_id), str(state))


def _replay_reports(doc, rec: dict) -> None:
    table, tracks = doc.units, doc.tracks
    position = {uid: i for i, uid in enumerate(table.ids.tolist())}
    uids = rec["uid"].tolist()
    rows = np.array([position.get(u, -1) for u in uids], dtype=np.int64)
    missing = np.flatnonzero(rows < 0)
    if len(missing):
        rows[missing] = len(table) + np.arange(len(missing))
        table = table.extended(ids=rec["uid"][missing], names=rec["name"][missing], sides=rec["side"][missing],
                               affiliations=rec["affiliation"][missing], domains=rec["domain"][missing],
                               symbols=rec["symbol"][missing])
    unit_rows, time = rows[rec["unit"]], rec["time"]
    # Where each unit's track ended before these reports: a late report does not move it.
    last_before = np.full(len(table), np.iinfo(np.int64).min)
    if len(tracks):
        has = tracks.report_counts() > 0
        last_before[:tracks.n_units][has] = tracks.time[tracks.offsets[1:][has] - 1]
    fresh = lacking(tracks, unit_rows, time, rec["lon"], rec["lat"])
    tracks = merge_reports(tracks, unit_rows[fresh], time[fresh], rec["lon"][fresh], rec["lat"][fresh], len(table))
    latest = np.lexsort((time, unit_rows))   # by unit, then time: the last of each unit's run
    last = latest[np.r_[unit_rows[latest][1:] != unit_rows[latest][:-1], True]]
    moves = last[time[last] >= last_before[unit_rows[last]]]
    lon, lat = table.lon.copy(), table.lat.copy()
    lon[unit_rows[moves]], lat[unit_rows[moves]] = rec["lon"][moves], rec["lat"][moves]
    doc.update_live(dataclasses.replace(table, lon=lon, lat=lat), tracks, None, int(time.min()))
