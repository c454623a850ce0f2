"""Ending the application when the system asks: SIGTERM (kill, logout, shutdown), SIGINT
(Ctrl+C in the terminal) and SIGHUP (the terminal or the session went away).

The end is a clean one, as Quit's: every window whose work is saved closes, and its
crash-recovery journal goes with it, so the next start offers nothing. No question can be
asked at such a moment, so a window with unsaved edits keeps its journal (every edit is on
disk already) and the next start offers exactly those edits.

Python runs a signal handler only when the interpreter gets control, which Qt's event loop
does not give it: the signal's number is written to a socket (signal.set_wakeup_fd) that a
QSocketNotifier watches, so the shutdown runs in the event loop at once.
"""
from __future__ import annotations

import signal
import socket

from PySide6 import QtCore

SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGINT", "SIGHUP")) if s is not None)
_ended: list[bool] = []


def requested() -> bool:
    """True once a signal asked the application to end (it may come before the event loop runs)."""
    return bool(_ended)


def end_session() -> None:
    """Close the windows whose work is saved; leave those with unsaved edits to recovery; quit."""
    from desktop.gui import windows
    _ended.append(True)
    for window in windows.windows():
        if not window.files.is_dirty():
            window.files.ask_before_closing = False
            window.close()
    # exit, not quit: Qt 6's quit() asks every window to close first, and a window with unsaved
    # edits would ask to save them, which no one can answer now.
    QtCore.QCoreApplication.exit(0)


def install(app: QtCore.QCoreApplication) -> None:
    """Route SIGNALS to `end_session`, run inside `app`'s event loop (POSIX; a no-op elsewhere)."""
    if not hasattr(socket, "socketpair") or not SIGNALS:
        return
    receive, send = socket.socketpair()
    for s in (receive, send):
        s.setblocking(False)
    signal.set_wakeup_fd(send.fileno())
    for signum in SIGNALS:
        signal.signal(signum, lambda *_: None)  # the wakeup byte does the work
    notifier = QtCore.QSocketNotifier(receive.fileno(), QtCore.QSocketNotifier.Type.Read, app)

    def on_signal() -> None:
        try:
            receive.recv(64)
        except OSError:
            return
        end_session()

    notifier.activated.connect(on_signal)
    app._shutdown_sockets = (receive, send, notifier)  # kept alive with the application
