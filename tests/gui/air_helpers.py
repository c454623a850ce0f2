"""Shared by the air GUI tests: the demo window at the 18 June replay, map positions, the
conflicts panel's rows as shown, and answering the ACM dialog."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from desktop.core.air.demo import REPLAY_AT
from tests.gui import mouse


def at_replay(win, t: int = REPLAY_AT):
    """The window's time cursor at t (the 18 June incident by default), its Conflicts panel
    in front (it shares a tab with the Sectors panel)."""
    win.docks["conflicts"].raise_()
    win.panels["timeline"].cursor.set_time(t)
    QtWidgets.QApplication.processEvents()
    return win


def px(win, lon, lat) -> QtCore.QPointF:
    x, y = win.map_view.to_display(lon, lat)
    return mouse.to_viewport(win.map_view, float(x), float(y))


def deg_per_px(win) -> float:
    """Degrees per screen pixel, generously (a click lands within about a pixel)."""
    return win.map_view.pixel_size() / 90e3 * 1.5


def use(win, tool_id: str):
    win.tool_actions[tool_id].setChecked(True)
    return win.tools[tool_id]


def shown_rows(panel) -> list[str]:
    """The conflicts panel's "Conflict" column, top to bottom, as the table shows it."""
    model = panel.table.model()
    return [model.data(model.index(r, 3)) for r in range(model.rowCount())]


def answer_acm_dialog(edits: dict, owner: QtCore.QObject) -> list:
    """Fill the next modal ACM dialog (widgets by attribute name: text, combo text or spin
    value) and press its OK button. Returns a list that receives the dialog's title."""
    seen = []
    timer = QtCore.QTimer(owner, interval=10)

    def fill():
        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None:
            return
        timer.stop()
        seen.append(dialog.windowTitle())
        for name, value in edits.items():
            widget = getattr(dialog, name)
            if isinstance(widget, QtWidgets.QComboBox):
                widget.setCurrentText(value)
            elif isinstance(widget, QtWidgets.QAbstractSpinBox):
                widget.setValue(value)
            else:
                widget.setText(value)
        ok = dialog.box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        seen.append(ok.isEnabled())
        ok.click()
    timer.timeout.connect(fill)
    timer.start()
    return seen
