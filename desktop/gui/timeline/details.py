"""The timeline's side panes: the selected call's details, and the calls about the selected units.

Links in the details act on the rest of the window: a unit selects it (the map rings it),
a revision selects it in the revisions list, "move the time cursor here" does so.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core.coords import format_dd, format_mgrs
from desktop.core.document import Document
from desktop.gui.plain import tooltip
from desktop.gui.timeline.axis import format_short

LIST_LIMIT = 500       # calls listed for the selected units (the timeline marks them all)
PRIORITY_COLOURS = {"routine": "#404040", "priority": "#1f5fbf", "immediate": "#c06000", "flash": "#c00020"}


def call_html(doc: Document, i: int, offset_s: int) -> str:
    calls = doc.calls
    r = calls.record(i)
    esc = html.escape
    minutes = r["duration_s"] / 60
    units = ", ".join(f"<a href='unit:{esc(u)}'>{esc(u)}</a>" for u in r["units"]) or "—"
    place = "—"
    if r["lon"] is not None:
        place = f"{format_dd(r['lon'], r['lat'])} · MGRS {format_mgrs(r['lon'], r['lat'])}"
    revisions = [rev for rev in doc.revisions if rev.call_id == r["id"]]
    linked = {rev.id: f"{rev.state}; agreed/tabled by this call" for rev in revisions}
    if r["revision"] and r["revision"] not in linked:
        linked[r["revision"]] = "discussed"
    revision = ", ".join(f"<a href='revision:{esc(k)}'>{esc(k)}</a> ({esc(v)})" for k, v in linked.items()) or "—"
    colour = PRIORITY_COLOURS.get(r["priority"], "#404040")
    rows = (("When", f"{format_short(calls.start[i], offset_s)} · {minutes:.0f} min"),
            ("Stations", f"{esc(r['from_station'])} → {esc(r['to_station'])} (initiated by {esc(r['initiator'])})"),
            ("Operator", esc(r["operator"])), ("Summary", esc(r["summary"])), ("Outcome", esc(r["outcome"])),
            ("Units", units), ("Place", place), ("Line revision", revision))
    body = "".join(f"<tr><td style='color:#606060;padding-right:8px'>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return (f"<b>{esc(r['id'])}</b> · {esc(r['category'])} · <b style='color:{colour}'>{esc(r['priority'])}</b>"
            f"<table>{body}</table><a href='goto:{int(calls.start[i])}'>Move the time cursor to this call</a>")


class CallDetails(QtWidgets.QTextBrowser):
    link_clicked = QtCore.Signal(str, str)   # kind ("unit", "revision", "goto"), value

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("callDetails")
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.show_call(None, None, 0)

    def show_call(self, doc: Document | None, i: int | None, offset_s: int) -> None:
        if doc is None or i is None:
            self.setHtml("<span style='color:#707070'>Click a call on the timeline for its details; "
                         "N logs a new call at the time cursor.</span>")
        else:
            self.setHtml(call_html(doc, i, offset_s))

    def _on_anchor(self, url: QtCore.QUrl) -> None:
        kind, _, value = url.toString().partition(":")
        self.link_clicked.emit(kind, value)


class UnitCalls(QtWidgets.QWidget):
    """The calls about the selected units; clicking one selects it."""

    call_chosen = QtCore.Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("unitCalls")
        self.title = QtWidgets.QLabel("Select units on the map to list the calls about them.",
                                      textFormat=QtCore.Qt.TextFormat.PlainText,
                                      objectName="unitCallsTitle")
        self.title.setWordWrap(True)
        self.list = QtWidgets.QListWidget(self, objectName="unitCallsList")
        self.list.itemClicked.connect(lambda item: self.call_chosen.emit(item.data(QtCore.Qt.ItemDataRole.UserRole)))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)

    def show_units(self, doc: Document, units: np.ndarray, offset_s: int) -> np.ndarray:
        """List the calls about `units` (indices); returns their indices in the log."""
        self.list.clear()
        if not len(units):
            self.title.setText("Select units on the map to list the calls about them.")
            return np.empty(0, dtype=np.int64)
        ids = doc.units.ids[units]
        found = doc.calls.linked_to_any(ids)
        who = str(ids[0]) if len(ids) == 1 else f"{len(ids)} units"
        more = f" (first {LIST_LIMIT} listed)" if len(found) > LIST_LIMIT else ""
        self.title.setText(f"<b>{len(found)}</b> calls about {html.escape(who)}{more}")
        calls = doc.calls
        for i in found[:LIST_LIMIT].tolist():
            item = QtWidgets.QListWidgetItem(f"{format_short(calls.start[i], offset_s)} · {calls.category[i]} · "
                                             f"{calls.summary[i]}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, str(calls.ids[i]))
            item.setToolTip(tooltip(str(calls.ids[i])))
            self.list.addItem(item)
        return found
