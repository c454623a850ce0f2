"""Text from files and feeds shown as plain text where Qt would guess rich text.

A QLabel takes `Qt.PlainText`; tooltips and QMessageBox have no plain mode (Qt renders a
text as HTML when it looks like markup): `tooltip` escapes the text and keeps its lines, so
a name holding HTML shows every character and never an image or a 40-point order.
"""
from __future__ import annotations

import html


def tooltip(text: str) -> str:
    """`text` as a tooltip that Qt shows character for character, line breaks kept."""
    return f"<p style='white-space:pre'>{html.escape(str(text))}</p>" if text else ""


def show_tooltip(widget, event, text: str) -> bool:
    """Answer the ToolTip `event` on `widget` with `text`, plain; with none, hide any shown.
    Returns True (the event is handled) for an `event()` override to return."""
    from PySide6 import QtWidgets
    if text:
        QtWidgets.QToolTip.showText(event.globalPos(), tooltip(text), widget)
    else:
        QtWidgets.QToolTip.hideText()
        event.ignore()
    return True


def message_box(icon, title: str, text: str, parent=None, informative: str = "", buttons=None):
    """A QMessageBox whose text and informative text are plain (they quote file names,
    titles and errors that quote file contents)."""
    from PySide6 import QtCore, QtWidgets
    box = QtWidgets.QMessageBox(icon, title, "", buttons or QtWidgets.QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    return box


def show_message(parent, icon, title: str, text: str) -> None:
    """A modal message in plain text, with an OK button."""
    from PySide6 import QtWidgets
    message_box(icon, title, text, parent, buttons=QtWidgets.QMessageBox.StandardButton.Ok).exec()
