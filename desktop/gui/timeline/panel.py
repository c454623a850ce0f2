"""The Hotline timeline dock (built-in panel plugin): calls on a time axis, the time cursor,
playback, filters, call editing, call CSV interchange and line revisions.

It observes the document (calls, revisions), the shared selection (units and the call) and
the time cursor, and changes the document only through undoable commands. See
desktop.gui.timeline.view for the mouse and keyboard conventions.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core import history_commands as hc
from desktop.core.calls import CATEGORIES, PRIORITIES, filter_mask, per_day
from desktop.core.events import Connections
from desktop.core.tracks import parse_time_in
from desktop.core.wording import plural
from desktop.gui.context import AppContext
from desktop.gui.timeline.alert_marks import AlertMarks
from desktop.gui.timeline.axis import HOUR, format_short, offset_label
from desktop.gui.timeline.call_csv import CallInterchange
from desktop.gui.timeline.call_dialog import CallDialog
from desktop.gui.timeline.details import CallDetails, UnitCalls
from desktop.gui.timeline.banner import PastBanner
from desktop.gui.timeline.playback import SPEEDS, Player
from desktop.gui.timeline.revisions import RevisionsPane
from desktop.gui.timeline.view import TimelineView

CATEGORY_COLOURS = {"airspace notification": "#3b7dd8", "ground line": "#9c6b1f", "incident": "#d62728",
                    "line negotiation": "#7b3fb5", "routine check": "#9a9a9a"}
OFFSETS = (0, 3 * HOUR, -5 * HOUR, 2 * HOUR, 1 * HOUR)        # UTC, the AOCs' +03:00, ...
ALERT_MARKS_MS = 200    # a burst of alerts is marked once


class TimelinePanel(QtWidgets.QWidget):
    """Dock content. `view` is the TimelineView, `cursor` the shared TimeCursor, `banner`
    the past-time banner over the map (None without a map); the map's time layers (ghosts,
    trails, the selected call) are found on the map by id. `shown` holds the log indices of
    the calls drawn (those passing the filter), in start order."""

    def __init__(self, context: AppContext, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("timelinePanel")
        self.context, self.doc, self.cursor = context, context.document, context.time_cursor
        self.offset_s = 0
        self.lane_mode = "category"
        self.categories = set(CATEGORIES)
        self.initiator: str | None = None
        self.min_priority = PRIORITIES[0]
        self.shown = np.empty(0, dtype=np.int64)
        self._search: np.ndarray | None = None
        self._pending_time: float | None = None
        self.view = TimelineView(self)
        self.view.tooltip_for = self._tooltip
        self.details = CallDetails(self)
        self.unit_calls = UnitCalls(self)
        self.revisions = RevisionsPane(context, self.cursor, lambda: self.offset_s, self)
        self.tabs = QtWidgets.QTabWidget(self, objectName="timelineTabs")
        self.tabs.addTab(self.details, "Call")
        self.tabs.addTab(self.unit_calls, "Unit calls")
        self.tabs.addTab(self.revisions, "Revisions")
        self.banner = PastBanner(context.map_view, self.doc, self.cursor) if context.map_view is not None else None
        self.player = Player(self.cursor, self)
        self.player.playing_changed.connect(self._on_playing_changed)
        self.csv = CallInterchange(context, lambda: self.shown, self)
        self._drag_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._drag_timer.timeout.connect(self._apply_pending_time)
        self._build_ui()
        self.alert_marks = AlertMarks()   # the project's alerts (desktop.core.alert_log), on the day strip
        self.view.strip.addItem(self.alert_marks)
        self._marks_timer = QtCore.QTimer(self, singleShot=True, interval=ALERT_MARKS_MS)
        self._marks_timer.timeout.connect(self._mark_alerts)

        v = self.view
        v.call_clicked.connect(self._on_call_clicked)
        v.call_double_clicked.connect(lambda pos: self.edit_call(self._call_id(pos)))
        v.cursor_dragged.connect(self._on_cursor_dragged)
        v.cursor_dropped.connect(self._on_cursor_dropped)
        v.time_clicked.connect(lambda t: self.cursor.set_time(int(round(t))))
        v.key_action.connect(self.run_action)
        self.details.link_clicked.connect(self._on_link)
        self.unit_calls.call_chosen.connect(self.select_call)
        self.links = Connections()
        ghosts = self._map_layer("time.ghosts")
        if ghosts is not None:
            self.links.connect(self.revisions.ghosts_changed, ghosts.set_ghosts)
            ghosts.set_ghosts(self.revisions.ghosts)
        for signal, slot in ((self.doc.calls_changed, self._on_calls_changed),
                             (self.doc.revisions_changed, self._on_revisions_changed),
                             (self.cursor.changed, self._on_cursor_changed),
                             (self.cursor.now_changed, self._on_cursor_changed),
                             (context.selection.changed, self._on_units_selected),
                             (context.selection.call_changed, self._on_call_selected),
                             (self.doc.alerts.changed, lambda _alert: self._marks_timer.start())):
            self.links.connect(signal, slot)
        self._on_calls_changed()
        self._on_revisions_changed()
        self._on_cursor_changed()
        self._mark_alerts()
        self.view.fit_all()

    # -- construction ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        bar = QtWidgets.QToolBar(self, objectName="timelineToolbar")
        bar.setIconSize(QtCore.QSize(16, 16))
        style = self.style()
        sp = QtWidgets.QStyle.StandardPixmap

        def action(name, text, tip, slot, icon=None, checkable=False):
            a = QtGui.QAction(text, self, objectName=f"timeline_{name}", checkable=checkable)
            a.setToolTip(tip)
            if icon is not None:
                a.setIcon(style.standardIcon(icon))
            a.triggered.connect(slot)
            bar.addAction(a)
            return a

        self.play_action = action("play", "Play", "Play / pause (Space)", lambda on: self.player.play(on),
                                  sp.SP_MediaPlay, True)
        self.speed = QtWidgets.QComboBox(objectName="timelineSpeed")
        self.speed.addItems([s for s, _ in SPEEDS])
        self.speed.setCurrentIndex(self.player.speed_index)
        self.speed.setToolTip("Playback speed: history per second")
        self.speed.currentIndexChanged.connect(lambda k: setattr(self.player, "speed_index", k))
        bar.addWidget(self.speed)
        action("previous", "◀ Call", "Previous call ([)", lambda: self.run_action("previous"), sp.SP_MediaSkipBackward)
        action("next", "Call ▶", "Next call (])", lambda: self.run_action("next"), sp.SP_MediaSkipForward)
        action("hour_back", "−1 h", "An hour back (Shift+Left)", lambda: self.run_action("hour-"))
        action("hour_forward", "+1 h", "An hour forward (Shift+Right)", lambda: self.run_action("hour+"))
        self.now_action = action("now", "Now", "Back to now: the live units and the editable line (End)",
                                 lambda: self.run_action("live"))
        self.goto = QtWidgets.QLineEdit(objectName="timelineGoto")
        self.goto.setPlaceholderText("Go to: 2017-06-18 14:00 or 181400Z JUN 17")
        self.goto.setToolTip("Type a date-time (in the shown offset unless it has its own) and press Enter (Ctrl+G)")
        self.goto.setMaximumWidth(230)
        self.goto.returnPressed.connect(self._on_goto)
        bar.addWidget(self.goto)
        bar.addSeparator()
        self.offset_box = QtWidgets.QComboBox(objectName="timelineOffset")
        self.offset_box.addItems([offset_label(o) for o in OFFSETS])
        self.offset_box.setToolTip("Time zone the axis, the cursor and typed times use (+03:00: the AOCs' local time)")
        self.offset_box.currentIndexChanged.connect(lambda k: self.set_offset(OFFSETS[k]))
        bar.addWidget(self.offset_box)
        self.lanes_box = QtWidgets.QComboBox(objectName="timelineLanes")
        self.lanes_box.addItems(["Lanes: category", "Lanes: initiator"])
        self.lanes_box.currentIndexChanged.connect(lambda k: self.set_lane_mode(("category", "initiator")[k]))
        bar.addWidget(self.lanes_box)
        self.category_button = QtWidgets.QToolButton(objectName="timelineCategories", text="Categories")
        self.category_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.category_button)
        self.category_actions = {}
        for c in CATEGORIES:
            a = menu.addAction(_swatch(CATEGORY_COLOURS[c]), c)
            a.setCheckable(True)
            a.setChecked(True)
            a.toggled.connect(self._on_category_toggled)
            self.category_actions[c] = a
        self.category_button.setMenu(menu)
        bar.addWidget(self.category_button)
        self.side_box = QtWidgets.QComboBox(objectName="timelineSide")
        self.side_box.setToolTip("Only calls placed by this side")
        self.side_box.currentIndexChanged.connect(self._on_side_changed)
        bar.addWidget(self.side_box)
        self.priority_box = QtWidgets.QComboBox(objectName="timelinePriority")
        self.priority_box.addItems(["any priority"] + [f"≥ {p}" for p in PRIORITIES[1:]])
        self.priority_box.currentIndexChanged.connect(lambda k: self.set_filter(min_priority=PRIORITIES[k]))
        bar.addWidget(self.priority_box)
        self.search = QtWidgets.QLineEdit(objectName="timelineSearch")
        self.search.setPlaceholderText("Filter text")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(160)
        self._search_timer = QtCore.QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(lambda: self.set_filter(text=self.search.text()))
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        bar.addWidget(self.search)
        bar.addSeparator()
        action("new", "+ Log call", "Log a new call at the time cursor (N)", lambda: self.run_action("new"))
        calls_menu = QtWidgets.QMenu(self)
        self.import_action = calls_menu.addAction("Import calls from CSV…", self.csv.ask_import)
        self.export_action = calls_menu.addAction("Export calls to CSV…", lambda: self.csv.ask_export(False))
        calls_menu.addAction("Export filtered calls to CSV…", lambda: self.csv.ask_export(True))
        calls_menu.addSeparator()
        self.interpolate_action = calls_menu.addAction("Interpolate positions between reports")
        self.interpolate_action.setCheckable(True)
        self.interpolate_action.toggled.connect(self.cursor.set_interpolate)
        trails_menu = calls_menu.addMenu("Trails")
        stale_menu = calls_menu.addMenu("Stale after")
        for menu_, values, current, slot in ((trails_menu, (0, 3, 6, 12, 24, 72), 12, self._set_trails),
                                             (stale_menu, (3, 6, 12, 24), self.cursor.stale_after_h,
                                              self.cursor.set_stale_after)):
            group = QtGui.QActionGroup(menu_)
            for h in values:
                a = menu_.addAction("off" if h == 0 else f"{h} h")
                a.setCheckable(True)
                a.setChecked(h == current)
                a.setActionGroup(group)
                a.triggered.connect(lambda _=False, h=h, slot=slot: slot(h))
        more = QtWidgets.QToolButton(objectName="timelineCallsMenu", text="Calls")
        more.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setMenu(calls_menu)
        more.setToolTip("Call log CSV import/export, positions and trails")
        bar.addWidget(more)
        self.count_label = QtWidgets.QLabel(objectName="timelineCount")
        self.count_label.setStyleSheet("color: #505050; padding-left: 6px;")
        bar.addWidget(self.count_label)

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, self, objectName="timelineSplit")
        split.addWidget(self.view)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([1000, 340])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(bar)
        layout.addWidget(split, 1)

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(1200, 240)

    # -- what is drawn -----------------------------------------------------------------------
    def set_offset(self, offset_s: int) -> None:
        self.offset_s = int(offset_s)
        self.view.set_offset(self.offset_s)
        self._rebuild()
        self._on_call_selected()
        self.revisions.refresh()

    def set_lane_mode(self, mode: str) -> None:
        self.lane_mode = mode
        self._rebuild()

    def set_filter(self, *, categories=None, initiator: str | None | bool = False, min_priority=None,
                   text: str | None = None) -> None:
        if categories is not None:
            self.categories = set(categories)
        if initiator is not False:
            self.initiator = initiator
        if min_priority is not None:
            self.min_priority = min_priority
        if text is not None and text != self.search.text():
            self.search.setText(text)
        self._rebuild()

    def filter_mask(self) -> np.ndarray:
        calls = self.doc.calls
        if self._search is None and self.search.text().strip():
            self._search = calls.search_text()
        return filter_mask(calls, categories=self.categories,
                           initiators=None if self.initiator is None else [self.initiator],
                           min_priority=self.min_priority, text=self.search.text(), search=self._search)

    def _rebuild(self) -> None:
        calls = self.doc.calls
        mask = self.filter_mask()
        self.shown = np.flatnonzero(mask)
        cat = _codes(calls.category[self.shown], list(CATEGORIES)).astype(np.int8)
        if self.lane_mode == "category":
            names, lane = list(CATEGORIES), cat
        else:
            names = _initiators(calls)
            lane = _codes(calls.initiator[self.shown], names)
            names = [n or "(unknown)" for n in names]
        palette = [QtGui.QColor(CATEGORY_COLOURS[c]) for c in CATEGORIES]
        start = calls.start[self.shown]
        self.view.bars.set_calls(start, start + calls.duration_s[self.shown], lane, cat, self.shown,
                                 calls.ids[self.shown], len(names), palette)
        self.view.set_lanes(names)
        days, counts = per_day(start, self.offset_s)
        self.view.set_day_counts(days.astype("datetime64[s]").astype(np.int64) - self.offset_s, counts)
        if self.cursor.start is not None:
            self.view.set_extent(self.cursor.start, self.cursor.now)
        else:  # no history yet: the day up to now, where a first call would be logged (not 1970)
            clock = time.time()
            self.view.set_extent(clock - 86_400, clock)
        self.count_label.setText(f"{len(self.shown):,} of {plural(len(calls), 'call')}" if len(self.shown) != len(calls)
                                 else plural(len(calls), "call"))
        self._on_units_selected()
        self._mark_selected_call()

    # -- document / selection / cursor -> panel ----------------------------------------------
    def _on_calls_changed(self, *_) -> None:
        self._search = None
        calls = self.doc.calls
        current = self.side_box.currentText()
        self.side_box.blockSignals(True)
        self.side_box.clear()
        self.side_box.addItems(["both sides"] + [n for n in _initiators(calls) if n])
        self.side_box.setCurrentText(current if current else "both sides")
        self.side_box.blockSignals(False)
        if self.context.selection.call is not None and self.context.selection.call not in calls.ids:
            self.context.selection.set_call(None, source=self)
        self._rebuild()
        self._on_call_selected()
        self._on_cursor_changed()  # without tracks, "now" follows the calls

    def _on_revisions_changed(self, *_) -> None:
        self.view.set_revisions([(r.id, r.effective, r.state) for r in self.doc.revisions])
        self._on_call_selected()  # the details name the revisions a call agreed

    def _on_cursor_changed(self, *_) -> None:
        if self.cursor.start is not None:   # live reports move "now" on: the axis reaches it
            self.view.set_extent(self.cursor.start, self.cursor.now)
        self.view.set_now(self.cursor.now)
        self.view.set_cursor(self.cursor.shown_time, self.cursor.is_live)
        self.now_action.setEnabled(not self.cursor.is_live)
        # Whatever moved it (Go to, Now, a revision's Go to, a link, a step, play), the cursor
        # stays in sight (a cursor being dragged is in sight already: nothing moves).
        self._follow_cursor()

    def _mark_alerts(self) -> None:
        cols = self.doc.alerts.columns()
        self.alert_marks.set_alerts(cols["time"], cols["kind"])

    def _on_playing_changed(self, on: bool) -> None:
        self.play_action.setChecked(on)
        self.play_action.setIcon(self.style().standardIcon(
            QtWidgets.QStyle.StandardPixmap.SP_MediaPause if on else QtWidgets.QStyle.StandardPixmap.SP_MediaPlay))

    def _on_units_selected(self, *_) -> None:
        units = self.context.selection.units
        found = self.unit_calls.show_units(self.doc, units, self.offset_s)
        self.view.bars.set_marked(np.flatnonzero(np.isin(self.shown, found)))
        if len(units) and self.context.selection.call is None:
            self.tabs.setCurrentWidget(self.unit_calls)

    def _on_call_selected(self, *_) -> None:
        i = self._selected_index()
        self.details.show_call(self.doc if i is not None else None, i, self.offset_s)
        self._mark_selected_call()
        if i is not None:
            self.tabs.setCurrentWidget(self.details)
            call = self._map_layer("time.call")
            if call is not None:  # the map pans to the call's place (else its units) when out of view
                self.context.map_view.ensure_visible(*call.where())

    def _map_layer(self, layer_id: str):
        view = self.context.map_view
        return view.layer(layer_id) if view is not None else None

    def close(self) -> bool:
        """Disconnect everything the panel and its parts connected."""
        for links in (self.links, self.revisions.links, self.player.links):
            links.disconnect_all()
        if self.banner is not None:
            self.banner.close()
        return super().close()

    def _selected_index(self) -> int | None:
        call_id = self.context.selection.call
        hits = np.flatnonzero(self.doc.calls.ids == call_id) if call_id is not None else ()
        return int(hits[0]) if len(hits) else None

    def _mark_selected_call(self) -> None:
        i = self._selected_index()
        pos = np.flatnonzero(self.shown == i) if i is not None else ()
        self.view.bars.set_selected(int(pos[0]) if len(pos) else None)

    # -- gestures ----------------------------------------------------------------------------
    def _call_id(self, position: int) -> str:
        return str(self.doc.calls.ids[self.shown[position]])

    def _tooltip(self, position: int) -> str:
        calls, i = self.doc.calls, int(self.shown[position])
        return (f"{calls.ids[i]} · {format_short(calls.start[i], self.offset_s)} · {calls.category[i]} "
                f"({calls.priority[i]})\n{calls.initiator[i]}: {calls.summary[i]}\n→ {calls.outcome[i]}")

    def _on_call_clicked(self, position) -> None:
        self.select_call(None if position is None else self._call_id(position))

    def select_call(self, call_id: str | None) -> None:
        self.context.selection.set_call(call_id, source=self)
        if call_id is not None:
            self.view.ensure_visible(float(self.doc.calls.start[self.doc.calls.index_of(call_id)]))

    def _on_cursor_dragged(self, t: float) -> None:
        # Apply once per event-loop pass: a burst of mouse moves costs one recomputation.
        self._pending_time = t
        self._drag_timer.start()

    def _on_cursor_dropped(self, t: float) -> None:
        self._pending_time = t
        self._apply_pending_time()

    def _apply_pending_time(self) -> None:
        self._drag_timer.stop()
        if self._pending_time is not None:
            t, self._pending_time = self._pending_time, None
            self.cursor.set_time(int(round(t)))

    def _on_link(self, kind: str, value: str) -> None:
        if kind == "unit" and value in self.doc.units.ids:
            self.context.selection.set_units([self.doc.units.index_of(value)], source=self)
            if self.context.map_view is not None:  # a link to a unit shows it
                self.context.map_view.center_on_units(self.context.selection.units)
        elif kind == "revision" and value in self.doc.revisions.ids:
            self.tabs.setCurrentWidget(self.revisions)
            self.revisions.select(value)
        elif kind == "goto":
            self.cursor.set_time(int(value))

    def run_action(self, name: str) -> None:
        """A timeline action by name (keys and buttons share these)."""
        cursor = self.cursor
        if name in ("next", "previous"):
            k = cursor.step_call(1 if name == "next" else -1, self.filter_mask())
            if k is not None:
                self.select_call(str(self.doc.calls.ids[k]))
        elif name in ("hour+", "hour-"):
            cursor.step(HOUR if name == "hour+" else -HOUR)
        elif name == "live":
            self.player.play(False)
            cursor.go_live()
        elif name == "play":
            self.player.play(not self.player.playing)
        elif name == "goto":
            self.goto.setFocus()
            self.goto.selectAll()
        elif name == "new":
            self.new_call()
        elif name == "edit" and self.context.selection.call is not None:
            self.edit_call(self.context.selection.call)
        elif name == "delete" and self.context.selection.call is not None:
            self.delete_call(self.context.selection.call)

    def _follow_cursor(self) -> None:
        if self.cursor.shown_time is not None:
            self.view.ensure_visible(float(self.cursor.shown_time))

    def _on_goto(self) -> None:
        try:
            t = parse_time_in(self.goto.text(), self.offset_s)
        except ValueError as exc:
            self.context.status(f"Go to: {exc}")
            return
        self.cursor.set_time(t)
        self.view.setFocus()

    # -- call edits (undoable commands) ----------------------------------------------------------
    def new_record(self, t: int) -> dict:
        """A call at t with the stations and operator of the last coalition call before it."""
        calls = self.doc.calls
        before = np.flatnonzero((calls.start <= t) & (calls.initiator == "Coalition"))
        like = calls.record(int(before[-1])) if len(before) else {}
        return {"id": hc.next_call_id(self.doc, t), "start": int(t), "duration_s": 300, "initiator": "Coalition",
                "from_station": like.get("from_station", ""), "to_station": like.get("to_station", ""),
                "operator": like.get("operator", ""), "category": "routine check", "priority": "routine",
                "units": self.doc.units.ids[self.context.selection.units].tolist()}

    def open_call_dialog(self, record: dict, title: str) -> CallDialog:
        self.call_dialog = CallDialog(self.doc, record, self.offset_s, title, self)
        return self.call_dialog

    def new_call(self) -> bool:
        # A scenario without any history yet has no "now" of its own: use the clock's.
        t = self.cursor.shown_time if self.cursor.shown_time is not None else int(time.time())
        dialog = self.open_call_dialog(self.new_record(t), "Log a hotline call")
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return False
        if self.context.push(hc.add_call(self.doc, dialog.record)):
            self.select_call(dialog.record["id"])
            return True
        return False

    def edit_call(self, call_id: str) -> bool:
        calls = self.doc.calls
        dialog = self.open_call_dialog(calls.record(calls.index_of(call_id)), f"Edit call {call_id}")
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return False
        if self.context.push(hc.edit_call(self.doc, call_id, dialog.record)):
            self.select_call(dialog.record["id"])
            return True
        return False

    def delete_call(self, call_id: str) -> bool:
        if self.context.push(hc.delete_calls(self.doc, [call_id])):
            self.context.status(f"Deleted call {call_id} (Ctrl+Z undoes)")
            return True
        return False

    # -- filters --------------------------------------------------------------------------------
    def _on_category_toggled(self, *_) -> None:
        self.set_filter(categories={c for c, a in self.category_actions.items() if a.isChecked()})

    def _on_side_changed(self, k: int) -> None:
        self.set_filter(initiator=None if k <= 0 else self.side_box.itemText(k))

    def _set_trails(self, hours: float) -> None:
        trails = self._map_layer("time.trails")
        if trails is not None:
            trails.set_hours(hours)


def _initiators(calls) -> list[str]:
    """Initiating sides, commonest first."""
    values, counts = np.unique(calls.initiator.astype(str), return_counts=True)
    return values[np.argsort(-counts, kind="stable")].tolist()


def _codes(values: np.ndarray, names: list[str]) -> np.ndarray:
    """Per value, its index in `names` (every value must be there)."""
    distinct, inverse = np.unique(values.astype(str), return_inverse=True)
    return np.array([names.index(v) for v in distinct.tolist()], dtype=np.int16)[inverse]


def _swatch(colour: str) -> QtGui.QIcon:
    pix = QtGui.QPixmap(12, 12)
    pix.fill(QtGui.QColor(colour))
    return QtGui.QIcon(pix)
