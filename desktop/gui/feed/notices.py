"""Non-blocking alert notices over the map: one line per alert, in the map's top-right
corner, gone after NOTICE_S seconds or a click on its ×. A click on the text chooses the
alert (the panel selects it and the unit). Nothing takes the keyboard focus or waits for an
answer; a burst shows the newest MAX_SHOWN and "+N more alerts".
"""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.alert_log import Alert
from desktop.gui.feed.alerts_model import kind_colour

NOTICE_S = 8.0
MAX_SHOWN = 4
WIDTH_PX = 360
MARGIN_PX = 10
STRIPE_PX = 5       # the kind's colour down the left edge
BUTTONS_PX = 40     # the map's zoom buttons in its top-right corner


class Notice(QtWidgets.QFrame):
    chosen = QtCore.Signal(int)     # alert id
    closed = QtCore.Signal(object)  # this notice

    def __init__(self, alert: Alert, parent=None) -> None:
        super().__init__(parent)
        self.alert_id = alert.id
        self.setObjectName("alertNotice")
        self.colour = kind_colour(alert.kind)   # painted here: a style sheet per notice costs a burst dear
        self.label = QtWidgets.QLabel(alert.text(), self, objectName="alertNoticeText")
        self.label.setTextFormat(QtCore.Qt.TextFormat.PlainText)   # the feed's text, never rich text
        self.label.setWordWrap(True)
        self.label.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        close = QtWidgets.QToolButton(self, text="×", objectName="alertNoticeClose", autoRaise=True)
        close.clicked.connect(lambda: self.closed.emit(self))
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.timer = QtCore.QTimer(self, singleShot=True, interval=int(NOTICE_S * 1000))
        self.timer.timeout.connect(lambda: self.closed.emit(self))
        self.timer.start()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QtGui.QPainter(self)
        rect = QtCore.QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.fillRect(rect, QtGui.QColor(255, 255, 255, 235))
        p.setPen(QtGui.QPen(self.colour, 1))
        p.drawRect(rect)
        p.fillRect(QtCore.QRectF(0, 0, STRIPE_PX, self.height()), self.colour)
        p.end()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            self.chosen.emit(self.alert_id)
            self.closed.emit(self)


class Notices(QtCore.QObject):
    """The notices shown over `host` (the map view)."""

    chosen = QtCore.Signal(int)

    def __init__(self, host: QtWidgets.QWidget) -> None:
        super().__init__(host)
        self.host = host
        self.shown: list[Notice] = []
        self.more = QtWidgets.QLabel(host, objectName="alertNoticeMore")
        self.more.setStyleSheet("background: rgba(255, 255, 255, 220); padding: 2px 6px; color: #404040;")
        self.more.hide()
        self.hidden = 0
        self.count = 0            # notices ever shown (one per alert)
        host.installEventFilter(self)

    def show_alerts(self, alerts: list[Alert]) -> None:
        """One notice per alert; of a burst, the newest MAX_SHOWN are shown, the rest counted."""
        self.count += len(alerts)
        self.hidden += max(0, len(alerts) - MAX_SHOWN)
        for alert in alerts[-MAX_SHOWN:]:
            notice = Notice(alert, self.host)
            notice.chosen.connect(self.chosen)
            notice.closed.connect(self._close)
            self.shown.insert(0, notice)
        while len(self.shown) > MAX_SHOWN:
            self._close(self.shown[-1], counted=True)
        self._place()

    def _close(self, notice: Notice, counted: bool = False) -> None:
        if notice in self.shown:
            self.shown.remove(notice)
            notice.timer.stop()
            notice.hide()
            notice.deleteLater()
            if counted:
                self.hidden += 1
        if not counted:
            self._place()

    def _place(self) -> None:
        right = self.host.width() - MARGIN_PX - BUTTONS_PX   # left of the map's zoom buttons
        x = max(MARGIN_PX, right - WIDTH_PX)
        y = MARGIN_PX
        for notice in self.shown:
            notice.setFixedWidth(min(WIDTH_PX, right - MARGIN_PX))
            notice.adjustSize()
            notice.move(x, y)
            notice.show()
            notice.raise_()
            y += notice.height() + 4
        if self.hidden and self.shown:
            self.more.setText(f"+{self.hidden} more alert{'s' * (self.hidden != 1)} in the Alerts panel")
            self.more.adjustSize()
            self.more.move(right - self.more.width(), y)
            self.more.show()
            self.more.raise_()
        else:
            self.hidden = 0
            self.more.hide()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.host and event.type() == QtCore.QEvent.Type.Resize:
            self._place()
        return False

    def close(self) -> None:
        self.host.removeEventFilter(self)
        for notice in list(self.shown):
            self._close(notice, counted=True)
        self.more.hide()
