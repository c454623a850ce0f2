"""Real mouse events: QMouseEvents sent to the map widget, or to a graphics view's viewport
(the timeline, a pyqtgraph view), as Qt delivers them."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

LEFT = QtCore.Qt.MouseButton.LeftButton
RIGHT = QtCore.Qt.MouseButton.RightButton
NONE = QtCore.Qt.MouseButton.NoButton


def to_viewport(view, x: float, y: float) -> QtCore.QPointF:
    """Map coordinates (display CRS) -> widget pixel position."""
    return view.map_to_widget(float(x), float(y))


def _send(view, kind, pos: QtCore.QPointF, button, buttons) -> None:
    target = view.viewport() if isinstance(view, QtWidgets.QAbstractScrollArea) else view
    ev = QtGui.QMouseEvent(kind, pos, QtCore.QPointF(target.mapToGlobal(pos)), button, buttons,
                           QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(target, ev)


def press(view, pos, button=LEFT) -> None:
    _send(view, QtCore.QEvent.Type.MouseButtonPress, pos, button, button)


def move(view, pos, buttons=NONE) -> None:
    _send(view, QtCore.QEvent.Type.MouseMove, pos, NONE, buttons)


def release(view, pos, button=LEFT) -> None:
    _send(view, QtCore.QEvent.Type.MouseButtonRelease, pos, button, NONE)


def click(view, pos, button=LEFT) -> None:
    press(view, pos, button)
    release(view, pos, button)


def double_click(view, pos) -> None:
    press(view, pos)
    release(view, pos)
    _send(view, QtCore.QEvent.Type.MouseButtonDblClick, pos, LEFT, LEFT)
    release(view, pos)


def drag(view, start: QtCore.QPointF, end: QtCore.QPointF, steps: int = 6, on_step=None,
         finish: bool = True) -> None:
    """Press at start, move in `steps` to end (calling on_step(i) after each), release."""
    press(view, start)
    for i in range(1, steps + 1):
        t = i / steps
        move(view, start + (end - start) * t, LEFT)
        QtWidgets.QApplication.processEvents()
        if on_step is not None:
            on_step(i)
    if finish:
        release(view, end)


def drop_files(widget, paths) -> bool:
    """Drag local files over `widget` and drop them, as a file manager would; returns
    whether the widget accepted the drag."""
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QtCore.QPointF(widget.rect().center())
    enter = QtGui.QDragEnterEvent(pos.toPoint(), QtCore.Qt.DropAction.CopyAction, mime, LEFT,
                                  QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QtGui.QDropEvent(pos, QtCore.Qt.DropAction.CopyAction, mime, LEFT, QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(widget, drop)
    return True
