"""Undo history (built-in panel plugin): every command, click one to go back to it."""
from __future__ import annotations

from PySide6 import QtWidgets

from desktop.core.events import Connections
from desktop.gui.context import AppContext


class HistoryPanel(QtWidgets.QListWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("historyList")
        self.stack = context.stack
        self.links = Connections()
        self.links.connect(self.stack.changed, self._on_stack_changed)
        self.itemClicked.connect(self._on_item_clicked)
        self._on_stack_changed()

    def close(self) -> bool:
        """Disconnect from the command stack (the window calls it on close)."""
        self.links.disconnect_all()
        return super().close()

    def _on_stack_changed(self) -> None:
        self.blockSignals(True)
        self.clear()
        self.addItem("<opened>")
        for command in self.stack.commands:
            self.addItem(command.label)
        for row in range(self.count()):
            # Undone commands are greyed, like Qt's QUndoView.
            self.item(row).setForeground(self.palette().text() if row <= self.stack.index
                                         else self.palette().placeholderText())
        self.setCurrentRow(self.stack.index)
        self.blockSignals(False)

    def _on_item_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        self.stack.set_index(self.row(item))
