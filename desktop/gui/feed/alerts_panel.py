"""The Alerts dock (the live feed plugin's panel): every alert of the project, newest first.

An alert appears once: a line here (from the document's alert log, which the project saves,
so the history is there for the incident review) and, unless its unit is muted, a
non-blocking notice over the map and a sound (the system beep: PySide6-Essentials has no
QtMultimedia; the Sound toggle turns it off). Below the list, the units whose course and
speed bring them to the line within the alert horizon, soonest first.

- Acknowledge (A) / Dismiss (Delete) the selected alerts; Open only hides the others;
- Mute unit (M): no notice and no sound for that unit's alerts (still logged, as muted);
- double-click an alert (or click its notice): select its unit and centre the map on it.
Generic over kinds: another finder's alerts (air conflicts) in the same log are listed too.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.events import Connections
from desktop.core.feed.alerts import reach_text
from desktop.gui.context import AppContext
from desktop.gui.feed.alerts_model import AlertsModel
from desktop.gui.feed.controller import live_feed
from desktop.gui.feed.notices import Notices

SOUND_KEY = "alerts/sound"
CHIME_GAP_S = 2.0   # a flood of alerts beeps now and then, not continuously
MAX_LISTED = 25   # approaching units listed, soonest first
_K = QtCore.Qt.Key
KEYS = {_K.Key_A: "ack_action", _K.Key_Delete: "dismiss_action", _K.Key_Backspace: "dismiss_action",
        _K.Key_M: "mute_action"}


class Chime:
    """The alert sound: one beep per burst of alerts, CHIME_GAP_S apart at least
    (QApplication.beep; counted)."""

    def __init__(self, on: bool = True) -> None:
        self.on = on
        self.count = 0
        self._last = -CHIME_GAP_S

    def ring(self) -> None:
        now = time.monotonic()
        if self.on and now - self._last >= CHIME_GAP_S:
            self._last = now
            self.count += 1
            QtWidgets.QApplication.beep()


class AlertsPanel(QtWidgets.QWidget):
    def __init__(self, context: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsPanel")
        self.context, self.doc = context, context.document
        self.feed = live_feed(context)
        self.settings = getattr(context.map_view.window(), "settings", None) if context.map_view else None
        sound = self.settings.value(SOUND_KEY, True) if self.settings is not None else True
        self.chime = Chime(sound if isinstance(sound, bool) else str(sound).lower() == "true")
        self.model = AlertsModel(self.doc.alerts, self)
        self.notices = Notices(context.map_view) if context.map_view is not None else None
        self._build_ui()
        self.links = Connections()
        self.links.connect(self.feed.alerts_raised, self._on_alerts_raised)
        self.links.connect(self.feed.updated, self._refresh_approaching)
        self.links.connect(self.feed.status_changed, self._refresh_approaching)
        self.links.connect(self.model.rowsInserted, self._update_counts)
        self.links.connect(self.model.rowsInserted, self._lay_out_now)
        self.links.connect(self.model.dataChanged, self._update_counts)
        self.links.connect(self.model.rowsRemoved, self._update_counts)
        self.links.connect(self.model.modelReset, self._update_counts)
        if self.notices is not None:
            self.links.connect(self.notices.chosen, self.select_alert)
        self._update_counts()
        self._refresh_approaching()

    # -- construction -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        bar = QtWidgets.QToolBar(self, objectName="alertsToolbar")
        bar.setIconSize(QtCore.QSize(16, 16))

        def action(name: str, text: str, tip: str, slot, checkable: bool = False):
            a = QtGui.QAction(text, self, objectName=f"alerts_{name}", checkable=checkable)
            a.setToolTip(tip)
            (a.toggled if checkable else a.triggered).connect(slot)
            bar.addAction(a)
            return a

        self.ack_action = action("acknowledge", "Acknowledge", "Acknowledge the selected alerts (A)",
                                 lambda: self.acknowledge())
        self.dismiss_action = action("dismiss", "Dismiss", "Dismiss the selected alerts (Delete)",
                                     lambda: self.dismiss())
        self.mute_action = action("mute", "Mute unit", "No notice or sound for the selected alert's unit (M)",
                                  self.set_muted, checkable=True)
        bar.addSeparator()
        self.open_action = action("open_only", "Open only", "Hide acknowledged, dismissed and muted alerts",
                                  self.model.set_open_only, checkable=True)
        self.sound_action = action("sound", "Sound", "Beep when an alert comes in", self._set_sound, checkable=True)
        self.sound_action.setChecked(self.chime.on)
        self.count_label = QtWidgets.QLabel(objectName="alertsCount")
        self.count_label.setStyleSheet("color: #505050; padding-left: 6px;")
        bar.addWidget(self.count_label)

        self.table = QtWidgets.QTableView(self, objectName="alertsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(lambda index: self.show_unit(index.row()))
        self.table.installEventFilter(self)   # A, Delete, M: the list's, not the map tools' (same keys)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        bold = QtGui.QFont(self.table.font())
        bold.setBold(True)   # (open alerts are listed in bold)
        fm = QtGui.QFontMetrics(bold)
        for column, sample in enumerate(("2026-12-07 10:41:27Z", "Crossed the line", "SDF Recon Tm", "S2 (Russian-backed)",
                                         "12.25 km", "12 min")):
            self.table.setColumnWidth(column, fm.horizontalAdvance(sample) + 16)

        self.approaching = QtWidgets.QListWidget(self, objectName="alertsApproaching")
        self.approaching.setMaximumHeight(110)
        self.approaching.setToolTip("Units whose course and speed bring them to the line within the alert horizon")
        self.approaching_label = QtWidgets.QLabel("Approaching the line", objectName="alertsApproachingLabel")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.approaching_label)
        layout.addWidget(self.approaching)

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(380, 400)   # no wider than the sectors panel it shares a dock with

    def close(self) -> bool:
        self.links.disconnect_all()
        self.model.close()
        if self.notices is not None:
            self.notices.close()
        return super().close()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if obj is self.table and kind in (QtCore.QEvent.Type.ShortcutOverride, QtCore.QEvent.Type.KeyPress):
            action = KEYS.get(event.key()) if not event.modifiers() else None
            if action is not None:
                event.accept()   # an override accepted: the window's shortcut for the key stays quiet
                if kind == QtCore.QEvent.Type.KeyPress:
                    getattr(self, action).trigger()
                return True
        return super().eventFilter(obj, event)

    # -- the feed -> panel ----------------------------------------------------------------------------
    def _on_alerts_raised(self, alerts: list) -> None:
        if self.notices is not None:
            self.notices.show_alerts(alerts)
        self.chime.ring()

    def _refresh_approaching(self, *_) -> None:
        session = self.feed.session
        self.approaching.clear()
        if session is None or not len(session):
            return
        ttl = self.feed.time_to_line()
        soon = np.flatnonzero(np.isfinite(ttl) & ~session.stale())
        soon = soon[np.argsort(ttl[soon], kind="stable")]
        names = session.units["name"]
        for k in soon[:MAX_LISTED].tolist():
            self.approaching.addItem(f"{names[k]} {reach_text(float(ttl[k]))}")   # QListWidget items are plain text
        if len(soon) > MAX_LISTED:
            self.approaching.addItem(f"… and {len(soon) - MAX_LISTED:,} more")

    def _lay_out_now(self, *_) -> None:
        """New lines are laid out at once, not by the view's zero timer (under a flood that
        waited behind the feed's and the map's timers): they are painted at the next pass."""
        self.table.doItemsLayout()

    def _update_counts(self, *_) -> None:
        open_ = len(self.doc.alerts.open())
        total = len(self.doc.alerts)
        self.count_label.setText(f"{open_:,} open of {total:,}" if total else "no alerts")

    # -- commands ----------------------------------------------------------------------------------------
    def selected_alerts(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.alert(r) for r in rows]

    def acknowledge(self, alerts=None) -> None:
        for alert in list(alerts if alerts is not None else self.selected_alerts()):
            self.doc.alerts.acknowledge(alert.id)

    def dismiss(self, alerts=None) -> None:
        for alert in list(alerts if alerts is not None else self.selected_alerts()):
            self.doc.alerts.dismiss(alert.id)

    def set_muted(self, on: bool) -> None:
        for unit in {a.unit for a in self.selected_alerts()}:
            self.feed.mute(unit, on)
        self.context.status(("Muted " if on else "Unmuted ") + ", ".join(sorted({a.name or a.unit for a in
                                                                                 self.selected_alerts()})))

    def _on_selection(self, *_) -> None:
        chosen = self.selected_alerts()
        self.mute_action.blockSignals(True)
        self.mute_action.setChecked(bool(chosen) and all(a.unit in self.feed.muted for a in chosen))
        self.mute_action.blockSignals(False)
        for a in (self.ack_action, self.dismiss_action, self.mute_action):
            a.setEnabled(bool(chosen))

    def _set_sound(self, on: bool) -> None:
        self.chime.on = bool(on)
        if self.settings is not None:
            self.settings.setValue(SOUND_KEY, bool(on))

    def select_alert(self, alert_id: int) -> None:
        row = self.model.row_of(alert_id)
        if row is None:
            return
        self.table.selectRow(row)
        self.show_unit(row)

    def show_unit(self, row: int) -> None:
        """Select the alert's unit (shared selection: the map rings it) and centre on it."""
        alert = self.model.alert(row)
        hits = np.flatnonzero(self.doc.units.ids == alert.unit)
        if not len(hits):
            return
        self.context.selection.set_units(hits, source=self)
        if self.context.map_view is not None:
            self.context.map_view.center_on_units(hits)
