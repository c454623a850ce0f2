"""The air picture at the time cursor's moment, shared by every air view of one window.

`AirSession` asks the core the one question the CLI asks (`conflicts_at`: the aircraft
where their tracks put them at the cursor's time, the document's ACMs, the line in force
then) whenever an answer could change: the cursor moved, the airspace, units, tracks,
revisions or line changed, or the parameters did. The conflicts panel lists the answer, the
map layers draw it, the side view plots it; scrubbing the cursor replays the conflicts of
each moment. It also holds what the air views select: one ACM and one conflict.

One session per AppContext (`session_for`), alive while something uses it: layers and
panels `acquire` it when they attach and `release` it when they close, and the last
release disconnects it from the document, so an export leaves no listener behind. The
first answer comes just after the window's first paint (off the way to it); an export asks
for it at once (`ensure`). While it lives in a window it also raises the predicted
conflicts of the live picture as alerts (desktop.gui.air.live_alerts), whichever air view
keeps it: they ask it for the answer at "now", which is the one it holds when the cursor
follows the feed (computed once, not once for the views and again for the alerts).
"""
from __future__ import annotations

import time as _time

from PySide6 import QtCore

from desktop.core.air.conflicts import ConflictParams, Conflicts, conflicts_at
from desktop.core.events import Connections, Signal


class AirSession:
    def __init__(self, context) -> None:
        self.context = context
        self.doc = context.document
        self.cursor = context.time_cursor
        self.params = ConflictParams()
        self.conflicts: Conflicts | None = None
        self.note = ""                         # why another line stands in for the one in force
        self.error = ""                        # why there are no conflicts at all (shown, not raised)
        self.selected_acm: str | None = None
        self.selected_conflict: tuple | None = None   # Conflicts.key
        self.changed = Signal()                # (): conflicts recomputed
        self.selection_changed = Signal()      # (): selected ACM or conflict
        self.links = Connections()
        self.live_alerts = None                # LiveConflictAlerts, while in a window
        self._users = 0
        self._key: tuple | None = None

    # -- life ----------------------------------------------------------------------------------
    def acquire(self) -> "AirSession":
        if not self._users:
            doc = self.doc
            for signal in (doc.airspace_changed, doc.units_changed, doc.tracks_changed, doc.positions_changed,
                           doc.revisions_changed, doc.ao_changed, self.cursor.changed):
                self.links.connect(signal, self._on_changed)
            self.links.connect(doc.line_changed, self._on_line_changed)
            QtCore.QTimer.singleShot(0, self.ensure)
            if self.context.preferences is not None:  # a window's context (an export's has none, and no feed)
                from desktop.gui.air.live_alerts import LiveConflictAlerts
                self.live_alerts = LiveConflictAlerts(self.context, self)
        self._users += 1
        return self

    def ensure(self) -> None:
        """An answer now, if there is none yet (an export before its first paint)."""
        if self._key is None and self._users:
            self.refresh()

    def release(self) -> None:
        self._users = max(0, self._users - 1)
        if not self._users:
            self.links.disconnect_all()
            self._key = None
            if self.live_alerts is not None:
                self.live_alerts.close()
                self.live_alerts = None

    # -- the question ----------------------------------------------------------------------------
    @property
    def time(self) -> int:
        """The moment answered: the cursor's, its "now" when live, else the wall clock (a
        table of aircraft with no history is their state now)."""
        t = self.cursor.shown_time
        return int(_time.time()) if t is None else int(t)

    def set_params(self, params: ConflictParams) -> None:
        if params != self.params:
            self.params = params
            self.refresh()

    def _on_changed(self, *_) -> None:
        self.refresh()

    def _on_line_changed(self, _line, preview: bool = False) -> None:
        if not preview:  # a drag step: the line's own views follow it, conflicts follow the release
            self.refresh()

    def _key_at(self, t: int) -> tuple:
        doc = self.doc
        return (int(t), self.params, id(doc.airspace), id(doc.units), id(doc.tracks), id(doc.revisions),
                id(doc.line), id(doc.ao), id(doc.shown_units))

    def answer_at(self, t: int) -> Conflicts | None:
        """The conflicts at `t` with the session's parameters: its own answer when `t` is its
        moment (the cursor follows the feed), else asked of the core (not kept); None when
        the line does not split the AO. Raises nothing."""
        if self._users and int(t) == self.time:  # the session's own moment: its answer (made now if need be)
            self.refresh()
            return None if self.error else self.conflicts
        try:
            return conflicts_at(self.doc, int(t), self.params)[0]
        except ValueError:  # a line that no longer splits the AO: the conflicts panel says why
            return None

    def refresh(self, force: bool = False) -> None:
        doc = self.doc
        key = self._key_at(self.time)
        if key == self._key and not force:
            return
        self._key = key
        try:
            self.conflicts, self.note = conflicts_at(doc, self.time, self.params)
            self.error = ""
        except ValueError as exc:  # e.g. a line that no longer splits the AO: said in the panel
            self.conflicts, self.note, self.error = None, "", str(exc)
        self.changed.emit()

    # -- selection ---------------------------------------------------------------------------------
    def select_acm(self, acm_id: str | None) -> None:
        if acm_id != self.selected_acm:
            self.selected_acm = acm_id
            self.selection_changed.emit()

    def select_conflict(self, key: tuple | None) -> None:
        if key != self.selected_conflict:
            self.selected_conflict = key
            self.selection_changed.emit()

    def selected_row(self) -> int | None:
        """Index of the selected conflict in the current conflicts, None if not there now."""
        if self.conflicts is None or self.selected_conflict is None:
            return None
        keys = self.conflicts.keys()
        return keys.index(self.selected_conflict) if self.selected_conflict in keys else None


def session_for(context) -> AirSession:
    """The window's one air session (made on first use)."""
    session = getattr(context, "air_session", None)
    if session is None:
        session = context.air_session = AirSession(context)
    return session
