"""The Feed menu, the feed's part of the status bar, and File › Export Data › TAK data
package: the window's controls of its live feed (desktop.gui.feed.controller).

Feed › Start turns the feed on with the remembered settings (Settings… first when nothing
was ever set, or a PKCS#12 certificate's password is not known yet); Stop turns it off.
Send line to TAK publishes the agreed line in force (the sectors too, when ticked) through
the running feed; with "Send again when another revision comes into force" a new agreed
revision replaces the old drawing on every screen without a click. The status bar shows
the feed's state per endpoint, its event rate and reconnections, in colour.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.atomic import SaveError, atomic_write
from desktop.core.feed.endpoints import PASSWORD_ENV, EndpointError
from desktop.core.revisions import RevisionError
from desktop.gui.feed.controller import FeedError, live_feed
from desktop.gui.feed.settings import FeedSettings
from desktop.gui.plain import show_message

STATE_COLOURS = {"off": "#707070", "ok": "#1b7f3b", "busy": "#a06000", "failed": "#b00020"}


def choose_package_path(parent, suggested: str) -> str:
    return QtWidgets.QFileDialog.getSaveFileName(parent, "Export TAK data package", suggested,
                                                 "TAK data package (*.zip)")[0]


def show_warning(parent, title: str, message: str) -> None:
    """(plain text: messages may quote what a server or a file said)"""
    show_message(parent, QtWidgets.QMessageBox.Icon.Warning, title, message)


class FeedIndicator(QtWidgets.QLabel):
    """The feed's state in the status bar (plain text; the full status as its tooltip)."""

    def __init__(self, feed) -> None:
        super().__init__(objectName="statusFeed")
        self.feed = feed
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        feed.status_changed.connect(self.refresh)
        feed.state_changed.connect(self.refresh)
        self.refresh()

    def state(self) -> str:
        if not self.feed.running:
            return "off"
        st = self.feed.status
        states = {e.state for e in st.endpoints} if st is not None else {"starting"}
        if states <= {"failed"}:
            return "failed"
        if states & {"reconnecting", "connecting", "starting", "failed"}:
            return "busy"
        return "ok"

    def refresh(self, *_) -> None:
        self.setText(self.feed.describe())
        self.setStyleSheet(f"color: {STATE_COLOURS[self.state()]}; padding: 0 6px;")
        st = self.feed.status
        tip = st.text() if st is not None and self.feed.running else "The TAK feed is off (Feed › Start)"
        self.setToolTip(tip + (f"\n{self.feed.line_note}" if self.feed.line_note else ""))


class FeedMenu(QtCore.QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.feed = feed = live_feed(window.context)
        feed.settings = FeedSettings.load(window.settings)
        feed.journal = lambda: window.files.journal
        bar = window.menuBar()
        self.menu = QtWidgets.QMenu("Fee&d", bar, objectName="feedMenu")
        bar.insertMenu(bar.actions()[-1], self.menu)   # before Help
        add = self._action
        self.start_action = add("start", "&Start", lambda: self.start(),
                                "Listen to the TAK network (mesh, TAK server) as set up")
        self.stop_action = add("stop", "S&top", lambda: feed.stop(),
                               "Close every socket; what arrived stays in the project")
        self.settings_action = add("settings", "Se&ttings…", lambda: self.edit_settings(),
                                   "Where the feed listens and connects; alerts")
        self.menu.addSeparator()
        self.send_action = add("send", "Send &line to TAK", lambda: self.send_line(),
                               "Publish the agreed line on every ATAK screen", QtGui.QKeySequence("Ctrl+Shift+T"))
        self.sectors_action = add("sectors", "Send the se&ctors too", self._toggle("send_sectors"),
                                  "Each sector as a shape filled in its owner's colour", checkable=True)
        self.auto_action = add("auto_send", "Send again when another revision comes into &force",
                               self._toggle("auto_send"), "The new agreed line replaces the old one on every screen",
                               checkable=True)
        self.menu.addSeparator()
        self.follow_action = add("follow_now", "Keep the time cursor at &now", self._follow_now,
                                 "Return to the live picture as reports come in", checkable=True)
        self.sectors_action.setChecked(feed.settings.send_sectors)
        self.auto_action.setChecked(feed.settings.auto_send)
        self.indicator = FeedIndicator(feed)
        window.status.insertPermanentWidget(0, self.indicator)
        window.files.export_data_menu.addSeparator()
        self.package_action = window.files.export_data_menu.addAction("TAK data package…", self.export_package)
        feed.state_changed.connect(self._on_state_changed)
        feed.updated.connect(self._on_updated)
        self._on_state_changed()

    def _action(self, name: str, text: str, slot, tip: str, shortcut=None, checkable: bool = False) -> QtGui.QAction:
        action = self.menu.addAction(text)
        action.setObjectName(f"feed_{name}")
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        if shortcut is not None:
            action.setShortcut(shortcut)
        (action.toggled if checkable else action.triggered).connect(slot)
        return action

    # -- on and off -------------------------------------------------------------------------------
    def start(self) -> bool:
        feed = self.feed
        never_set = self.window.settings is not None and self.window.settings.value("feed/mesh") is None
        unknown_password = (feed.settings.needs_password() and feed.password is None
                            and not os.environ.get(PASSWORD_ENV))
        if (never_set or unknown_password) and not self.edit_settings(start=False):
            return False
        try:
            feed.start()
        except (EndpointError, FeedError, OSError) as exc:
            show_warning(self.window, "The feed cannot start", str(exc))
            return False
        endpoints = feed.status.endpoints if feed.status is not None else ()
        if endpoints and all(e.state == "failed" for e in endpoints):   # e.g. a port already taken
            feed.stop()
            show_warning(self.window, "The feed cannot start", "\n".join(e.text() for e in endpoints))
            return False
        self.window.status.showMessage(f"Feed on: {feed.runner.config.describe()}", 6000)
        return True

    def edit_settings(self, start: bool | None = None) -> bool:
        """The settings dialog; with the feed on (or `start`), it restarts with the new ones."""
        from desktop.gui.feed.dialog import FeedDialog
        dialog = FeedDialog(self.feed.settings, self.feed.password, self.window)
        self.dialog = dialog
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return False
        settings = dialog.result_settings()
        settings.save(self.window.settings)
        self.feed.settings, self.feed.password = settings, dialog.password()
        if start or (start is None and self.feed.running):
            return self.start()
        return True

    def _on_state_changed(self) -> None:
        on = self.feed.running
        self.start_action.setEnabled(not on)
        self.stop_action.setEnabled(on)
        self.send_action.setEnabled(on)
        self.send_action.setToolTip("Publish the agreed line on every ATAK screen" if on
                                    else "Turn the feed on first (Feed › Start)")

    def _toggle(self, name: str):
        def set_(on: bool) -> None:
            self.feed.settings = dataclasses.replace(self.feed.settings, **{name: bool(on)})
            self.feed.settings.save(self.window.settings)
        return set_

    def _follow_now(self, on: bool) -> None:
        if on:
            self.window.context.time_cursor.go_live()

    def _on_updated(self) -> None:
        files = self.window.files
        if not files.forced_dirty:   # live reports are unsaved work, like an edit
            files.forced_dirty = True
            self.window.setWindowTitle(files.window_title())
        cursor = self.window.context.time_cursor
        if self.follow_action.isChecked() and not cursor.is_live:
            cursor.go_live()

    # -- the line out -------------------------------------------------------------------------------
    def send_line(self) -> str:
        try:
            message = self.feed.send_line()
        except FeedError as exc:
            show_warning(self.window, "Send to TAK", str(exc))
            return ""
        self.window.status.showMessage(message, 10000)
        return message

    def export_package(self, path: str | None = None) -> bool:
        """File › Export Data › TAK data package: the line in force (and the sectors, as the
        Feed menu says) for devices offline, in a zip ATAK imports."""
        from desktop.core.feed.publish import data_package, publication
        doc = self.window.document
        if path is None:
            path = choose_package_path(self.window, f"{doc.title}.zip")
            if not path:
                return False
        try:
            package = data_package(publication(doc, sectors=self.feed.settings.send_sectors))
            atomic_write(Path(path), lambda tmp: tmp.write_bytes(package))
        except (RevisionError, SaveError) as exc:
            show_warning(self.window, "Export failed", str(exc))
            return False
        self.window.status.showMessage(f"Exported the TAK data package {path}", 6000)
        return True
