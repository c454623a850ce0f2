"""The reference for start-up: a bare PySide6 main window whose central widget paints,
printing `{"painted": true}` at its first paint as the app does (then it quits)."""
import json
import sys

from PySide6 import QtCore, QtGui, QtWidgets


class Painted(QtWidgets.QWidget):
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor("white"))
        painter.drawLine(0, 0, self.width(), self.height())
        painter.end()
        if not getattr(self, "done", False):
            self.done = True
            print(json.dumps({"painted": True}), flush=True)
            QtCore.QTimer.singleShot(0, QtWidgets.QApplication.quit)


if __name__ == "__main__":
    app = QtWidgets.QApplication(sys.argv[:1])
    window = QtWidgets.QMainWindow()
    window.setCentralWidget(Painted())
    window.resize(1400, 900)
    window.show()
    app.exec()
