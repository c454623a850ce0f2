"""The window's live feed: one per window, shared by the Feed menu, the status bar, the
live map layer and the alerts panel (`live_feed(context)`).

Off until `start`. While on, the feed plugin (desktop.transport.runner.FeedRunner through
the registry, as `deconflict listen` finds it) reads the network on threads of its own;
here, on the GUI thread:

- every POLL_MS the reports that arrived are taken as one batch into the `LiveSession`
  (a bounded batch: a backlog is taken over several passes of the event loop, paints between)
  (units, reports, alerts: numpy over the batch); new alerts go into the document's alert
  log at once (the alerts panel lists them from there) and out as `alerts_raised`;
- at most every WRITE_MS the live picture is written into the document through its light
  path (`Document.update_live`): the map, the sectors panel, the tracks and the time
  cursor's "now" follow;
- every STATUS_MS: the feed's status (state per endpoint, event rate, reconnections)
  goes to the status bar, live reports reach the crash journal in one batched record
  (desktop.core.feed.recording), and the alert geometry follows the line in force (a
  changed line, revision or buffer re-baselines without alerts).

`send_line` publishes the agreed line (and the sectors) through the running feed: on every
connected TAK server stream and on the mesh.
"""
from __future__ import annotations

import gc
import logging
import time

from PySide6 import QtCore

from desktop.core.events import Connections
from desktop.core.revisions import RevisionError
from desktop.gui.feed.settings import FeedSettings

# The live session, alert engine, publishing and journaling are imported when the feed is
# first turned on or the line sent: nothing of them is on the way to the window's first paint.

log = logging.getLogger(__name__)
POLL_MS = 10      # reports are taken from the feed this often: an alert line ~20 ms after its packet (median)
WRITE_MS = 1000   # into the document at most this often (what a planning map needs; ATAK moves
                  # its own markers about as often); alerts do not wait for it
STATUS_MS = 1000  # status, crash journal record, line in force
START_WAIT_S = 0.5  # at most this long for the sockets at start (a TAK server may take longer: shown later)
SERVICE = "live_feed"


class FeedError(Exception):
    """The feed cannot do what was asked; the message says why."""


def live_feed(context) -> "LiveFeed":
    """The context's live feed, made on first use (the window's plugins share it)."""
    feed = context.services.get(SERVICE)
    if feed is None:
        feed = context.services[SERVICE] = LiveFeed(context)
    return feed


class LiveFeed(QtCore.QObject):
    state_changed = QtCore.Signal()          # turned on or off
    status_changed = QtCore.Signal(object)   # FeedStatus (desktop.transport.runner)
    alerts_raised = QtCore.Signal(list)      # new alerts that are not muted
    updated = QtCore.Signal()                # the live picture was written into the document

    def __init__(self, context) -> None:
        super().__init__()
        self.context, self.doc = context, context.document
        self.settings = FeedSettings()
        self.password: str | None = None     # the certificate's, in memory only
        self.journal = lambda: None          # the window's crash journal, if any (an EditJournal)
        self.runner = None
        self.session = None    # desktop.core.feed.live.LiveSession, once turned on
        self.recorder = None   # desktop.core.feed.recording.LiveRecorder, with a crash journal
        self.muted: set[str] = set()
        self.reconnects: dict[str, int] = {}
        self.status = None                   # the last FeedStatus
        self.line_note = ""                  # why alerts are measured against another line, if so
        self.sent_revision: str | None = None
        self._states: dict[str, str] = {}
        self._dirty = False
        self._last_write = 0.0
        self._ttl: tuple[int, object] | None = None   # (reports when computed, seconds per live unit)
        self._measured: tuple | None = None            # what the alert geometry was made of
        self._poll = QtCore.QTimer(self, interval=POLL_MS, timerType=QtCore.Qt.TimerType.PreciseTimer)
        self._poll.timeout.connect(self.poll)
        self._catch_up = QtCore.QTimer(self, singleShot=True, interval=1)   # a backlog: again after what waits
        self._catch_up.timeout.connect(self.poll)
        self._write_soon = QtCore.QTimer(self, singleShot=True, interval=1)   # the write in a pass of its own
        self._write_soon.timeout.connect(self._write)
        self._tick = QtCore.QTimer(self, interval=STATUS_MS)
        self._tick.timeout.connect(self.tick)
        self.links = Connections()   # to the document, while on: an idle feed holds nothing

    @property
    def running(self) -> bool:
        return self.runner is not None

    # -- on and off ---------------------------------------------------------------------------
    def start(self, settings: FeedSettings | None = None, password: str | None = None) -> None:
        """Turn the feed on (EndpointError, FeedError: why it cannot)."""
        from desktop.core.feed.live import LiveSession, SideRules
        from desktop.core.feed.recording import LiveRecorder
        if self.running:
            self.stop()
        settings = settings or self.settings
        password = password if password is not None else self.password
        config = settings.config(password)
        feeds = self.context.registry.contributions("feed")
        if not feeds:
            raise FeedError("no feed plugin is installed")
        runner = feeds[0].load()(config)
        session = LiveSession(self.doc, settings.alert_config(), SideRules.of(self.doc), self._geometry())
        for uid in self.muted:
            session.engine.mute(uid)
        # What the window holds so far lives on: out of the collector's way (a full collection
        # walking it paused the feed's alerts 0.1-0.3 s at 5,000 events/s), as `listen` does.
        gc.freeze()
        runner.start()
        runner.wait_ready(START_WAIT_S)   # sockets bound: the first status says where
        self.runner, self.session, self.settings, self.password = runner, session, settings, password
        self.reconnects, self._states = {}, {}
        for signal in (self.doc.revisions_changed, self.doc.buffer_changed):
            self.links.connect(signal, self._on_line_source_changed)
        self.links.connect(self.doc.line_changed, lambda _line, preview: preview or self._on_line_source_changed())
        journal = self.journal()
        if journal is not None and journal.failed is None:
            self.recorder = LiveRecorder(session, journal)
        self._poll.start()
        self._tick.start()
        self.state_changed.emit()
        self.tick()

    def stop(self) -> None:
        """Turn the feed off: every socket closed; what arrived is kept in the document."""
        if not self.running:
            return
        self.poll()
        runner, self.runner = self.runner, None
        self._poll.stop()
        self._catch_up.stop()
        self._write_soon.stop()
        self._tick.stop()
        self.links.disconnect_all()
        runner.stop()
        self.status = runner.status()
        self._write()
        if self.recorder is not None:
            self.recorder.record()
            self.recorder.close()
            self.recorder = None
        self.state_changed.emit()
        self.status_changed.emit(self.status)

    def close(self) -> None:
        """The window closes."""
        self.stop()

    # -- while on -------------------------------------------------------------------------------
    def poll(self) -> None:
        """Take the reports that arrived; write them into the document when it is time."""
        if not self.running:
            return
        batch = self.runner.drain(0.0)
        alerts = self.session.apply(batch)
        if len(batch):
            self._dirty = True
        if alerts:
            self.alerts_raised.emit(alerts)
        # A pass that raised alerts ends without the write: their lines are painted first. The
        # write (~20 ms: the map, panels and tracks follow) comes in a pass of its own.
        elif self._dirty and time.monotonic() - self._last_write >= WRITE_MS / 1000.0:
            self._write_soon.start()
        if getattr(self.runner, "backlog", 0):   # a drain takes a bounded part: the rest after paints and other work
            self._catch_up.start()

    def _write(self) -> None:
        if self.session is None or not self._dirty:
            return
        self.session.write_to_document()
        self._dirty = False
        self._last_write = time.monotonic()
        self.updated.emit()

    def tick(self) -> None:
        """Once a second: the status, a crash-journal record, the line in force."""
        if not self.running:
            return
        status = self.runner.status()
        for e in status.endpoints:
            if e.state == "reconnecting" and self._states.get(e.name) != "reconnecting":
                self.reconnects[e.name] = self.reconnects.get(e.name, 0) + 1
            self._states[e.name] = e.state
        self.status = status
        if self.recorder is not None:
            try:
                self.recorder.record()
            except OSError as exc:   # the journal stops itself; the feed goes on
                log.warning("live reports not journaled: %s", exc)
        self._on_line_source_changed()
        if self.settings.auto_send and self.sent_revision is not None:
            self._send_if_new_revision()
        self.status_changed.emit(status)

    # -- alerts -----------------------------------------------------------------------------------
    def mute(self, uid: str, on: bool = True) -> None:
        """No notice (and no sound) for `uid`'s alerts; they are still logged, as muted."""
        (self.muted.add if on else self.muted.discard)(uid)
        if self.session is not None:
            (self.session.engine.mute if on else self.session.engine.unmute)(uid)

    def _line(self):
        """Alerts are measured against the line in force now (the latest agreed revision in
        force; the working line when the project records none, or none is in force yet)."""
        from desktop.core.feed.publish import line_in_force
        try:
            line, _ = line_in_force(self.doc)
            self.line_note = ""
        except RevisionError as exc:
            line, self.line_note = self.doc.line, f"{exc}: alerts use the working line"
        return line

    def _geometry(self):
        from desktop.core.feed.geometry import AlertGeometry
        line = self._line()
        self._measured = (line, self.doc.buffer_km, self.doc.ao, self.doc.sides)
        return AlertGeometry.of(self.doc, line)

    def _on_line_source_changed(self, *_) -> None:
        if self.session is None:
            return
        made_of = (self._line(), self.doc.buffer_km, self.doc.ao, self.doc.sides)
        if self._measured is None or any(a is not b and a != b for a, b in zip(made_of, self._measured)):
            self.session.set_geometry(self._geometry())   # re-baselined: no burst of alerts

    def time_to_line(self):
        """Per live unit, seconds to the line at its course and speed (NaN: not within the
        horizon), worked out once per batch of reports for the map and the panel."""
        if self.session is None:
            return None
        n = self.session.reports.n
        if self._ttl is None or self._ttl[0] != n or len(self._ttl[1]) != len(self.session):
            self._ttl = (n, self.session.time_to_line_s())
        return self._ttl[1]

    # -- the line out -------------------------------------------------------------------------------
    def send_line(self, sectors: bool | None = None) -> str:
        """Publish the line in force (and the sectors) on every connected TAK server and on
        the mesh; returns what was sent where. FeedError: nothing could take it."""
        from desktop.core.feed.publish import publication
        from desktop.transport.send import SendError, send_udp
        if not self.running:
            raise FeedError("turn the feed on first (Feed › Start)")
        sectors = self.settings.send_sectors if sectors is None else sectors
        try:
            pub = publication(self.doc, sectors=sectors)
        except RevisionError as exc:
            raise FeedError(str(exc)) from None
        events = pub.events()
        where = []
        servers = [e.name for e in self.runner.status().endpoints
                   if e.name.startswith(("tcp", "tls")) and e.state == "connected"]
        if servers:
            for event in events:
                self.runner.send(event)
            where += servers
        for endpoint in self.runner.config.udp:
            if endpoint.multicast:
                try:
                    send_udp(endpoint.host, endpoint.port, events, interface=endpoint.interface, ttl=1)
                except SendError as exc:
                    raise FeedError(str(exc)) from None
                where.append(f"the mesh {endpoint.host}:{endpoint.port}")
        if not where:
            raise FeedError("no TAK server is connected and the mesh is not on: nothing could take the line")
        self.sent_revision = pub.revision or "current"
        return f"Sent {pub.summary()} to {', '.join(where)}"

    def _send_if_new_revision(self) -> None:
        from desktop.core.feed.publish import line_in_force
        try:
            _, revision = line_in_force(self.doc)
        except RevisionError:
            return
        if (revision or "current") != self.sent_revision:
            try:
                self.context.status(self.send_line())
            except FeedError as exc:
                self.context.status(f"Send to TAK: {exc}")

    def describe(self) -> str:
        """The feed's state in one line for the status bar (plain text)."""
        if not self.running:
            return "Feed off"
        st = self.status
        if st is None:
            return "Feed starting"
        parts = []
        for e in st.endpoints:
            again = self.reconnects.get(e.name, 0)
            parts.append(f"{e.name} {e.state}" + (f" ({again} reconnection{'s' * (again != 1)})" if again else ""))
        return f"Feed: {'; '.join(parts)} · {st.rate:,.0f} events/s"

