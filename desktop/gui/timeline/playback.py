"""Playback of the time cursor: it advances at a chosen speed of history per second and
stops at now. Started from the live state it begins at the start of the history."""
from __future__ import annotations

from PySide6 import QtCore

from desktop.core.events import Connections
from desktop.core.time_cursor import TimeCursor

SPEEDS = (("1 min/s", 60), ("10 min/s", 600), ("1 h/s", 3600), ("6 h/s", 6 * 3600), ("1 day/s", 86_400))
TICK_MS = 40


class Player(QtCore.QObject):
    playing_changed = QtCore.Signal(bool)

    def __init__(self, cursor: TimeCursor, parent=None) -> None:
        super().__init__(parent)
        self.cursor = cursor
        self.speed_index = 2
        self.timer = QtCore.QTimer(self, interval=TICK_MS)
        self.timer.timeout.connect(self._on_tick)
        self.links = Connections()  # the timeline panel's close() undoes them
        self.links.connect(cursor.changed, self._on_cursor_changed)

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self, on: bool) -> None:
        if on and self.cursor.is_live:  # from now there is nothing to play: start at the beginning
            on = self.cursor.start is not None
            if on:
                self.cursor.set_time(self.cursor.start)
        if on != self.playing:
            (self.timer.start if on else self.timer.stop)()
            self.playing_changed.emit(on)

    def _on_tick(self) -> None:
        self.cursor.step(max(int(SPEEDS[self.speed_index][1] * TICK_MS / 1000), 1))

    def _on_cursor_changed(self, *_) -> None:
        if self.cursor.is_live and self.playing:
            self.play(False)
