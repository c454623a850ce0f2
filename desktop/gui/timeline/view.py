"""The timeline plot: call lanes over a calls-per-day strip, one time axis, the time cursor.

It only draws and reports gestures (a call clicked, the cursor dragged, a key); the panel
turns them into selections, cursor moves and commands. Conventions:

- wheel: zoom in time around the mouse (weeks down to minutes); drag the empty plot: pan;
- drag the cursor line (or click the day strip) to move the time cursor;
- click a call: select it; double-click: edit it; hover: its summary;
- keys (the plot focused): Left/Right pan, + / - zoom, F fit all calls; [ / ] previous/next
  call, Shift+Left/Right an hour back/forward, Space play/pause, End back to now, Ctrl+G
  go to a date-time, Enter edit, Delete delete, N or Insert log a new call at the cursor.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.gui import theme
from desktop.gui.plain import tooltip
from desktop.gui.timeline.axis import DAY, LaneAxis, TimeAxis, format_short
from desktop.gui.timeline.call_bars import MIN_PX, CallBars, DayCounts

MIN_RANGE_S = 10 * 60          # zoomed in to ten minutes at most
MARGIN_S = 14 * DAY            # how far past the first/last call the view may go
STRIP_PX = 44
LIVE_PEN = pg.mkPen(20, 150, 60, width=2)
PAST_PEN = pg.mkPen(230, 110, 0, width=2)
REVISION_PENS = {"agreed": pg.mkPen(0, 120, 0, width=1.5),
                 "superseded": pg.mkPen(120, 120, 120, width=1.5),
                 "proposed": pg.mkPen(200, 120, 0, width=1.5, style=QtCore.Qt.PenStyle.DashLine)}
_K = QtCore.Qt.Key
_SHIFT = QtCore.Qt.KeyboardModifier.ShiftModifier
_CTRL = QtCore.Qt.KeyboardModifier.ControlModifier
# key, needs Shift, needs Ctrl -> action name reported by `key_action`
KEYS = {(_K.Key_BracketRight, False, False): "next", (_K.Key_BracketLeft, False, False): "previous",
        (_K.Key_Right, True, False): "hour+", (_K.Key_Left, True, False): "hour-",
        (_K.Key_Space, False, False): "play", (_K.Key_End, False, False): "live",
        (_K.Key_G, False, True): "goto", (_K.Key_Return, False, False): "edit", (_K.Key_Enter, False, False): "edit",
        (_K.Key_Delete, False, False): "delete", (_K.Key_Backspace, False, False): "delete",
        (_K.Key_N, False, False): "new", (_K.Key_Insert, False, False): "new"}
VIEW_KEYS = {_K.Key_Left, _K.Key_Right, _K.Key_Plus, _K.Key_Equal, _K.Key_Minus, _K.Key_F}
# What each key does, for Help › Keyboard shortcuts (a key missing here shows its action's name).
KEY_WORDS = {"next": "next call", "previous": "previous call", "hour+": "cursor one hour later",
             "hour-": "cursor one hour earlier", "play": "play / pause", "live": "back to now (live)",
             "goto": "go to a time", "edit": "edit the selected call", "delete": "delete the selected call",
             "new": "log a call at the cursor"}
VIEW_KEY_WORDS = {_K.Key_Left: "pan earlier", _K.Key_Right: "pan later", _K.Key_Plus: "zoom in",
                  _K.Key_Equal: "zoom in", _K.Key_Minus: "zoom out", _K.Key_F: "fit the whole history"}


class TimelineView(pg.GraphicsLayoutWidget):
    call_clicked = QtCore.Signal(object)        # position among the shown calls, or None
    call_double_clicked = QtCore.Signal(int)
    cursor_dragged = QtCore.Signal(float)       # time under the cursor line during a drag
    cursor_dropped = QtCore.Signal(float)
    time_clicked = QtCore.Signal(float)         # a click on the day strip
    key_action = QtCore.Signal(str)

    def __init__(self, parent=None) -> None:
        pg.setConfigOptions(antialias=True)  # smooth cursor and revision lines
        super().__init__(parent)
        self.setObjectName("timelineView")
        self.setBackground("w")
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.ci.layout.setContentsMargins(2, 2, 8, 2)
        self.ci.layout.setVerticalSpacing(0)
        self.offset_s = 0
        self.lane_axis = LaneAxis()
        self.lanes = self.addPlot(row=0, col=0, axisItems={"left": self.lane_axis})
        self.lanes.hideAxis("bottom")
        self.time_axis = TimeAxis()
        strip_axis = pg.AxisItem("left")
        strip_axis.setWidth(140)
        strip_axis.setLabel("calls/day")
        self.strip = self.addPlot(row=1, col=0, axisItems={"bottom": self.time_axis, "left": strip_axis})
        self.strip.setMaximumHeight(STRIP_PX + 40)
        self.strip.setXLink(self.lanes)
        self.lanes_box, self.strip_box = self.lanes.getViewBox(), self.strip.getViewBox()
        self._axes = [plot.getAxis(side) for plot in (self.lanes, self.strip) for side in ("left", "bottom")]
        self._day_ink = [(axis.pen(), axis.textPen()) for axis in self._axes]
        for plot, box in ((self.lanes, self.lanes_box), (self.strip, self.strip_box)):
            plot.hideButtons()
            box.setMenuEnabled(False)
            box.setMouseEnabled(x=True, y=False)
            box.enableAutoRange(x=False, y=False)
            plot.showGrid(x=True, y=False, alpha=0.15)
        self.bars = CallBars()
        self.lanes.addItem(self.bars)
        self.days = DayCounts()
        self.strip.addItem(self.days)
        self.now_lines = [pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(20, 150, 60, width=1,
                                                                                style=QtCore.Qt.PenStyle.DotLine))
                          for _ in range(2)]
        self.cursor = pg.InfiniteLine(angle=90, movable=True, pen=LIVE_PEN, hoverPen=pg.mkPen(0, 0, 0, width=3),
                                      label="", labelOpts={"position": 0.93, "color": (40, 40, 40),
                                                           "fill": (255, 255, 255, 210), "movable": False})
        self.cursor.setZValue(50)
        self.strip_cursor = pg.InfiniteLine(angle=90, movable=False, pen=LIVE_PEN)
        self.lanes.addItem(self.now_lines[0])
        self.strip.addItem(self.now_lines[1])
        self.lanes.addItem(self.cursor)
        self.strip.addItem(self.strip_cursor)
        self._revision_items: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self.cursor.sigDragged.connect(lambda line: self.cursor_dragged.emit(float(line.value())))
        self.cursor.sigPositionChangeFinished.connect(lambda line: self.cursor_dropped.emit(float(line.value())))
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self.scene().sigMouseMoved.connect(self._on_hover)
        self.tooltip_for = lambda position: ""   # the panel supplies the hover text
        self._extent = (0.0, 1.0)
        if theme.is_night():
            self.set_night(True)

    # -- data --------------------------------------------------------------------------------
    def set_lanes(self, names) -> None:
        self.lane_axis.set_names(names)
        self.lanes_box.setYRange(0, max(len(names), 1), padding=0)

    def set_extent(self, t0: float, t1: float) -> None:
        """The span of the data: limits pan/zoom to it plus a margin."""
        self._extent = (float(t0), float(max(t1, t0 + MIN_RANGE_S)))
        lo, hi = self._extent[0] - MARGIN_S, self._extent[1] + MARGIN_S
        for box in (self.lanes_box, self.strip_box):
            box.setLimits(xMin=lo, xMax=hi, minXRange=MIN_RANGE_S, maxXRange=hi - lo)

    def set_day_counts(self, days, counts) -> None:
        self.days.set_counts(days, counts)
        self.strip_box.setYRange(0, max(int(np.max(counts)) if len(counts) else 1, 1) * 1.08, padding=0)

    def set_offset(self, offset_s: int) -> None:
        self.offset_s = int(offset_s)
        self.time_axis.set_offset(offset_s)
        self._label_cursor()

    def set_revisions(self, revisions) -> None:
        """Markers at the effective times of (id, effective, state) revisions."""
        for plot, item in self._revision_items:
            plot.removeItem(item)
        self._revision_items = []
        for rid, effective, state in revisions:
            for plot, label in ((self.lanes, True), (self.strip, False)):
                line = pg.InfiniteLine(float(effective), angle=90, movable=False, pen=REVISION_PENS[state],
                                       label=f"{rid} ({state})" if label else None,
                                       labelOpts={"position": 0.5, "color": REVISION_PENS[state].color(),
                                                  "rotateAxis": (1, 0),
                                                  "anchors": [(0.5, 0), (0.5, 0)], "movable": False})
                line.setToolTip(tooltip(f"Line revision {rid} ({state}), effective "
                                        f"{format_short(effective, self.offset_s)}"))
                line.setZValue(20)
                plot.addItem(line)
                self._revision_items.append((plot, line))

    def set_cursor(self, t: float | None, live: bool) -> None:
        if t is None:
            for line in (self.cursor, self.strip_cursor):
                line.hide()
            return
        self._live = live
        for line in (self.cursor, self.strip_cursor):
            line.show()
            line.blockSignals(True)
            line.setValue(float(t))
            line.blockSignals(False)
            line.setPen(LIVE_PEN if live else PAST_PEN)
        self._label_cursor()

    def set_now(self, t: float | None) -> None:
        for line in self.now_lines:
            line.setVisible(t is not None)
            if t is not None:
                line.setValue(float(t))

    def _label_cursor(self) -> None:
        if self.cursor.isVisible():
            when = format_short(self.cursor.value(), self.offset_s)
            self.cursor.label.setFormat(f"Now · {when}" if getattr(self, "_live", True) else when)

    # -- view --------------------------------------------------------------------------------
    def x_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.lanes_box.viewRange()
        return x0, x1

    def show_range(self, t0: float, t1: float) -> None:
        self.lanes_box.setXRange(float(t0), float(t1), padding=0)

    def fit_all(self) -> None:
        self.show_range(self._extent[0] - DAY / 2, self._extent[1] + DAY / 2)

    def zoom(self, factor: float, centre: float | None = None) -> None:
        x0, x1 = self.x_range()
        c = (x0 + x1) / 2 if centre is None else centre
        self.show_range(c - (c - x0) * factor, c + (x1 - c) * factor)

    def pan(self, fraction: float) -> None:
        x0, x1 = self.x_range()
        d = (x1 - x0) * fraction
        self.show_range(x0 + d, x1 + d)

    def ensure_visible(self, t: float) -> None:
        x0, x1 = self.x_range()
        if not x0 <= t <= x1:
            w = x1 - x0
            self.show_range(t - w / 2, t + w / 2)

    def seconds_per_pixel(self) -> float:
        x0, x1 = self.x_range()
        return (x1 - x0) / max(self.lanes_box.width(), 1.0)

    # -- mouse -------------------------------------------------------------------------------
    def _call_under(self, scene_pos) -> int | None:
        if not self.lanes_box.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.lanes_box.mapSceneToView(scene_pos)
        return self.bars.call_at(p.x(), p.y(), MIN_PX * self.seconds_per_pixel())

    def _on_clicked(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        self.setFocus()
        pos = ev.scenePos()
        if self.strip_box.sceneBoundingRect().contains(pos) and not ev.double():
            self.time_clicked.emit(float(self.strip_box.mapSceneToView(pos).x()))
            return
        if not self.lanes_box.sceneBoundingRect().contains(pos):
            return
        hit = self._call_under(pos)
        if ev.double():
            if hit is not None:
                self.call_double_clicked.emit(hit)
        else:
            self.call_clicked.emit(hit)

    def _on_hover(self, scene_pos) -> None:
        hit = self._call_under(scene_pos)
        text = self.tooltip_for(hit) if hit is not None else ""
        if text:
            QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), tooltip(text), self)  # call summaries: plain
        else:
            QtWidgets.QToolTip.hideText()

    def set_night(self, on: bool) -> None:
        """Night mode (desktop.gui.theme): a dark background and light axes."""
        self.setBackground("#1f1f1f" if on else "w")
        for axis, (pen, text_pen) in zip(self._axes, self._day_ink):
            axis.setPen(pg.mkPen("#9a9a9a") if on else pen)
            axis.setTextPen(pg.mkPen("#d0d0d0") if on else text_pen)

    def key_help(self) -> list[tuple[str, str]]:
        """(key, what it does) for every key the timeline handles (Help › Keyboard shortcuts)."""
        rows = []
        for (key, shift, ctrl), action in KEYS.items():
            combo = QtCore.QKeyCombination(QtCore.Qt.KeyboardModifier.ShiftModifier if shift else
                                           QtCore.Qt.KeyboardModifier.ControlModifier if ctrl else
                                           QtCore.Qt.KeyboardModifier.NoModifier, key)
            rows.append((QtGui.QKeySequence(combo).toString(QtGui.QKeySequence.SequenceFormat.NativeText),
                         KEY_WORDS.get(action, action)))
        rows += [(QtGui.QKeySequence(key).toString(QtGui.QKeySequence.SequenceFormat.NativeText),
                  VIEW_KEY_WORDS.get(key, "")) for key in sorted(VIEW_KEYS, key=int)]
        return rows

    # -- keys --------------------------------------------------------------------------------
    def _action_of(self, event: QtGui.QKeyEvent) -> str | None:
        mods = event.modifiers()
        return KEYS.get((event.key(), bool(mods & _SHIFT), bool(mods & _CTRL)))

    def event(self, event) -> bool:
        # Claim our keys before window shortcuts (the map's Home, Delete...) see them.
        if event.type() == QtCore.QEvent.Type.ShortcutOverride and (
                self._action_of(event) is not None or event.key() in VIEW_KEYS):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt API
        action = self._action_of(event)
        key = event.key()
        if action is not None:
            self.key_action.emit(action)
        elif key == _K.Key_Left:
            self.pan(-0.2)
        elif key == _K.Key_Right:
            self.pan(0.2)
        elif key in (_K.Key_Plus, _K.Key_Equal, _K.Key_Minus):
            x0, x1 = self.x_range()
            t = self.cursor.value()
            centre = t if self.cursor.isVisible() and x0 <= t <= x1 else None  # zoom about the cursor
            self.zoom(2.0 if key == _K.Key_Minus else 0.5, centre)
        elif key == _K.Key_F:
            self.fit_all()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
