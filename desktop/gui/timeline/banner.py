"""The banner over the map while it shows the past: what moment, which line and that the
line cannot be edited there. Plain text only: revision ids and notes come from the project
(a revision id holding HTML once put a fake order on the map)."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core.events import Connections
from desktop.core.wording import plural
from desktop.gui.timeline.axis import format_short

STYLE = ("QFrame#historyBanner { background: rgba(255, 236, 200, 235); border: 1px solid #d08000;"
         " border-radius: 4px; } QLabel { color: #402000; }")
MAX_WIDTH = 620


class PastBanner(QtWidgets.QFrame):
    """Shown over `view` (the map widget) while the document shows a time view."""

    def __init__(self, view: QtWidgets.QWidget, document, cursor) -> None:
        super().__init__(view, objectName="historyBanner")
        self.view, self.doc, self.cursor = view, document, cursor
        self.setStyleSheet(STYLE)
        self.title = self._label(bold=True)
        self.body = self._label()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        self.hide()
        self.links = Connections()
        self.links.connect(cursor.changed, self.refresh)
        self.links.connect(document.time_view_changed, self.refresh)
        view.installEventFilter(self)
        self.refresh()

    def _label(self, bold: bool = False) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(self)
        label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        return label

    def text(self) -> str:
        return f"{self.title.text()}\n{self.body.text()}"

    def refresh(self, *_) -> None:
        view = self.doc.time_view
        if view is None:
            self.hide()
            return
        if view.in_force:
            rev = view.revision
            what = f"line in force: {rev.id} ({rev.state}, from {format_short(rev.effective)})"
        else:
            what = view.note
        stale = int(np.count_nonzero(self.cursor.stale()))
        unplaced = int(np.count_nonzero(np.isnan(view.units.lon)))
        extra = "".join(f" · {plural(n, 'unit')} {why}" for n, why in ((stale, f"stale (> {self.cursor.stale_after_h:g} h)"),
                                                             (unplaced, "not yet reported")) if n)
        self.title.setText(f"Showing {format_short(view.time)} — {what}{extra}")
        self.body.setText("The line cannot be edited in the past: press End in the timeline or click Now to "
                          "return to the live line.")
        width = min(max(self.view.width() - 24, 200), MAX_WIDTH)
        self.setFixedWidth(width)
        # The height its wrapped lines take at that width (adjustSize sized them for a narrower
        # one: the banner stood 40 px taller than its text, over the map's labels).
        height = self.heightForWidth(width)
        self.setFixedHeight(height if height > 0 else self.sizeHint().height())
        self.move(12, 10)
        self.show()
        self.raise_()

    def eventFilter(self, obj, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is self.view and event.type() == QtCore.QEvent.Type.Resize and self.isVisible():
            self.refresh()
        return False

    def close(self) -> bool:
        self.links.disconnect_all()
        self.view.removeEventFilter(self)
        return super().close()


