"""The hotline notification dialog: the draft of an ACM, a conflict or a set of aircraft
rendered in English and in Russian from the templates (desktop.core.air.notification),
editable, and logged with one click as a hotline call at the moment shown (category
"airspace notification", linked to the aircraft and the ACM): one undoable command, on the
timeline at once.

The stations and the initiator start from the call log's most frequent (the coalition's
air operations centre calling the Russian one in the demo); changing them redrafts a text
nobody has edited. Texts are plain text from end to end.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core.air.notification import (LANGUAGES, Draft, NotificationError, draft_from_acm, draft_from_aircraft,
                                           draft_from_conflict, log_notification, next_reference, render)
from desktop.gui.air.session import session_for

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


def _usual(values) -> list[str]:
    """Distinct non-empty values, the most frequent first."""
    return [v for v, _ in Counter(str(v) for v in values if str(v)).most_common()]


class NotificationDialog(QtWidgets.QDialog):
    logged = QtCore.Signal(str)   # the id of the call logged

    def __init__(self, context, draft: Draft, at: int, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("notificationDialog")
        self.setWindowTitle(f"Hotline notification {draft.reference}")
        self.context, self.draft, self.at = context, draft, int(at)
        calls = context.document.calls
        self.from_combo, self.to_combo, self.initiator_combo = (self._combo(_usual(getattr(calls, k)))
                                                                for k in ("from_station", "to_station", "initiator"))
        form = QtWidgets.QFormLayout()
        form.addRow("From", self.from_combo)
        form.addRow("To", self.to_combo)
        form.addRow("Initiator", self.initiator_combo)
        self.tabs = QtWidgets.QTabWidget()
        self.editors: dict[str, QtWidgets.QPlainTextEdit] = {}
        self._drafted: dict[str, str] = {}
        for lang in LANGUAGES:
            editor = QtWidgets.QPlainTextEdit(objectName=f"notification_{lang}")
            editor.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
            self.editors[lang] = editor
            self.tabs.addTab(editor, LANGUAGE_NAMES.get(lang, lang))
        self.message = QtWidgets.QLabel(objectName="notificationMessage")
        self.message.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox()
        self.log_button = buttons.addButton("Log as hotline call", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.log_button.setObjectName("logNotification")
        buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.log)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        for combo in (self.from_combo, self.to_combo):
            combo.currentTextChanged.connect(self.redraft)
        self.resize(640, 560)
        self.redraft()

    @staticmethod
    def _combo(items: list[str]) -> QtWidgets.QComboBox:
        combo = QtWidgets.QComboBox()
        combo.setEditable(True)
        combo.addItems(items)
        return combo

    def redraft(self, *_) -> None:
        """Render each language again; a text someone edited is kept."""
        for lang, editor in self.editors.items():
            if lang in self._drafted and editor.toPlainText() != self._drafted[lang]:
                continue
            try:
                text = render(self.draft, lang, sender=self.from_combo.currentText(),
                              addressee=self.to_combo.currentText(), issued=self.at)
            except NotificationError as exc:
                self.message.setText(str(exc))
                text = ""
            self._drafted[lang] = text
            editor.setPlainText(text)

    def texts(self) -> tuple[str, ...]:
        return tuple(self.editors[lang].toPlainText() for lang in LANGUAGES)

    def log(self) -> None:
        """One undoable command: the hotline call with the texts as they stand now."""
        if not all(t.strip() for t in self.texts()):
            self.message.setText("Every language needs its text before the call is logged")
            return
        command = log_notification(self.context.document, self.draft, self.at,
                                   initiator=self.initiator_combo.currentText(),
                                   from_station=self.from_combo.currentText(), to_station=self.to_combo.currentText(),
                                   texts=self.texts())
        if self.context.push(command):
            call_id = command.added[0]["id"]
            self.context.selection.set_call(call_id, source=self)
            self.context.status(f"Logged {self.draft.reference} as hotline call {call_id} — Ctrl+Z undoes it")
            self.logged.emit(call_id)
            self.accept()


def _open(context, draft: Draft, at: int, parent) -> NotificationDialog:
    dialog = NotificationDialog(context, draft, at, parent)
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def notify_acm(context, acm_id: str, parent=None) -> NotificationDialog:
    session = session_for(context)
    at = session.time
    draft = draft_from_acm(context.document.airspace.get(acm_id), at, next_reference(context.document.calls, at))
    return _open(context, draft, at, parent)


def notify_conflict(context, index: int, parent=None) -> NotificationDialog:
    session = session_for(context)
    at = session.time
    draft = draft_from_conflict(session.conflicts, index, next_reference(context.document.calls, at))
    return _open(context, draft, at, parent)


def notify_aircraft(context, units, parent=None) -> NotificationDialog | None:
    """The draft of the selected units that are aircraft with a state now (None if none is)."""
    session = session_for(context)
    state = None if session.conflicts is None else session.conflicts.state
    rows = [] if state is None else np.flatnonzero(np.isin(state.unit, np.asarray(units, dtype=np.int64)))
    if not len(rows):
        return None
    at = session.time
    return _open(context, draft_from_aircraft(state, rows, next_reference(context.document.calls, at)), at, parent)
