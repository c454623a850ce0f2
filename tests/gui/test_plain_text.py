"""Every string that comes from a project, an import or a feed is shown as plain text: a
document whose names, ids, notes and summaries hold HTML is opened, the window is walked
through (a unit and a call selected, the past shown, tooltips raised, dialogs opened), and
every label, text view, tooltip and list item that shows one of those strings must show
its markup literally, never render it (issue 14, item 10)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.annotations import Annotation, Annotations
from desktop.core.demo import demo_document
from desktop.core.revisions import LineRevision, RevisionLog
from desktop.core.sectors import AreaOfOperations
from desktop.core.units import UnitTable
from desktop.gui.main_window import MainWindow
from tests.gui import mouse

MARK = "INJECTED"
PAYLOAD = f'<b style="font-size:40pt">{MARK}</b><img src="/abs/x.png">'


def hostile_document():
    """The demo with markup in every string a file could bring."""
    doc = demo_document()
    u = doc.units
    n = len(u)
    names = np.array([f"{name}{PAYLOAD}" for name in u.names], dtype=object)
    doc.set_units(UnitTable(u.ids, names, u.sides, u.affiliations, u.domains, u.lon, u.lat, u.echelons, u.symbols))
    calls = doc.calls
    doc.set_calls(dataclasses.replace(calls, **{k: np.array([f"{v}{PAYLOAD}" for v in getattr(calls, k)], dtype=object)
                                                for k in ("summary", "operator", "from_station", "to_station",
                                                          "outcome")}))
    doc.set_revisions(RevisionLog([dataclasses.replace(r, id=f"{r.id}{PAYLOAD}", note=f"{r.note}{PAYLOAD}")
                                   for r in doc.revisions]))
    doc.ao = AreaOfOperations(doc.ao.ring, name=f"AO{PAYLOAD}")
    doc.title = f"Demo{PAYLOAD}"
    doc.places = tuple(dataclasses.replace(p, name=f"{p.name}{PAYLOAD}") for p in doc.places)
    doc.set_annotations(Annotations([Annotation("text-1", "text", [(39.0, 35.5)], text=f"Note{PAYLOAD}")]))
    assert n == len(doc.units)
    return doc


def rendered(text: str, fmt=QtCore.Qt.TextFormat.AutoText) -> str:
    """What Qt shows for `text` in format `fmt` (AutoText: rich when it looks like markup)."""
    rich = fmt == QtCore.Qt.TextFormat.RichText or (fmt == QtCore.Qt.TextFormat.AutoText
                                                    and QtGui.Qt.mightBeRichText(text))
    if not rich:
        return text
    doc = QtGui.QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def violations(texts) -> list[str]:
    """(where, shown text) pairs that show a document string with its markup rendered."""
    return [f"{where}: {shown!r}" for where, shown in texts if MARK in shown and "<b" not in shown]


def shown_texts(*roots) -> list[tuple[str, str]]:
    """What the widgets under `roots` (and the roots) show."""
    out = []
    for w in [w for root in roots for w in (root, *root.findChildren(QtWidgets.QWidget))]:
        name = f"{type(w).__name__} {w.objectName()!r}"
        if isinstance(w, QtWidgets.QLabel):
            out.append((name, rendered(w.text(), w.textFormat())))
        elif isinstance(w, QtWidgets.QTextEdit):
            out.append((name, w.toPlainText()))
        elif isinstance(w, (QtWidgets.QAbstractButton, QtWidgets.QLineEdit)):
            out.append((name, w.text()))
        if w.toolTip():
            out.append((f"{name} tooltip", rendered(w.toolTip())))
        if isinstance(w, QtWidgets.QAbstractItemView) and w.model() is not None:
            out += list(_model_texts(name, w.model()))
        if isinstance(w, QtWidgets.QGraphicsView) and w.scene() is not None:
            out += [(f"{name} item tooltip", rendered(it.toolTip())) for it in w.scene().items() if it.toolTip()]
        if isinstance(w, QtWidgets.QMessageBox):
            out.append((f"{name} message", rendered(w.text(), w.textFormat())))
    return out


def _model_texts(name, model, parent=QtCore.QModelIndex(), depth=0):
    columns = 1 if isinstance(model, QtCore.QAbstractListModel) else model.columnCount(parent)
    for row in range(min(model.rowCount(parent), 200)):
        for col in range(columns):
            index = model.index(row, col, parent)
            tip = model.data(index, QtCore.Qt.ItemDataRole.ToolTipRole)
            if tip:
                yield f"{name} item tooltip", rendered(str(tip))
        first = model.index(row, 0, parent)
        if depth < 2 and not isinstance(model, QtCore.QAbstractListModel) and model.rowCount(first):
            yield from _model_texts(name, model, first, depth + 1)


@pytest.fixture
def win(qtbot, tmp_path):
    from tests.core.tile_files import write_mbtiles, xyz_tiles_around
    doc = hostile_document()   # and a basemap file whose own title holds markup
    tiles = write_mbtiles(tmp_path / "topo.mbtiles", xyz_tiles_around(39.0, 35.9, 8, 1),
                          metadata={"name": f"Topo{PAYLOAD}"})
    doc.set_map_state(doc.map_state.with_basemap(tiles))
    w = MainWindow(doc)
    qtbot.addWidget(w)
    w.resize(1400, 1000)
    w.show()
    qtbot.waitExposed(w)
    w.map_view.flush()
    return w


def test_no_document_string_is_rendered_as_rich_text(win, qtbot):
    doc, view = win.document, win.map_view
    found = []
    # A unit selected (the sectors panel, the unit-calls list), a call selected (its details).
    win.selection.set_units([doc.units.index_of("SDF-05")], source="test")
    win.selection.set_call(str(doc.calls.ids[0]), source="test")
    panel = win.panels["timeline"]
    panel.tabs.setCurrentWidget(panel.details)
    found += shown_texts(win)
    # The past: the banner names the revision in force.
    panel.cursor.set_time(int(doc.calls.start[len(doc.calls) // 2]))
    assert panel.banner.isVisible() and MARK in panel.banner.text()
    found += shown_texts(win)
    # Hovering a unit on the map.
    i = doc.units.index_of("SDF-05")
    x, y = view.to_display(doc.units.lon[i], doc.units.lat[i])
    pos = view.map_to_widget(float(x), float(y)).toPoint()
    QtWidgets.QApplication.sendEvent(view, QtGui.QHelpEvent(QtCore.QEvent.Type.ToolTip, pos, view.mapToGlobal(pos)))
    assert QtWidgets.QToolTip.isVisible() and MARK in rendered(QtWidgets.QToolTip.text())
    found.append(("map tooltip", rendered(QtWidgets.QToolTip.text())))
    # Hovering a call on the timeline.
    from tests.gui.test_timeline import call_px
    call_id = str(doc.calls.ids[len(doc.calls) // 2])
    panel.view.show_range(doc.calls.start[len(doc.calls) // 2] - 1800, doc.calls.start[len(doc.calls) // 2] + 1800)
    mouse.move(panel.view, call_px(panel, call_id))
    qtbot.waitUntil(QtWidgets.QToolTip.isVisible, timeout=1000)
    found.append(("timeline tooltip", rendered(QtWidgets.QToolTip.text())))
    # The revisions list and the export dialog (the document's title as its placeholder).
    panel.tabs.setCurrentWidget(panel.revisions)
    dialog = win.show_export_dialog()
    found += shown_texts(win, dialog)
    found.append(("export title placeholder", dialog.title_edit.placeholderText()))
    dialog.close()
    assert any(MARK in shown for _, shown in found), "the payload was never shown: the test saw nothing"
    assert any(MARK in shown and "tooltip" in where and "layersList" in where for where, shown in found)
    assert not violations(found), "\n".join(violations(found))


def test_message_boxes_quote_file_strings_as_text(qtbot):
    """Errors and questions quote file names, titles and file contents: plain, both lines."""
    from desktop.gui.plain import message_box
    box = message_box(QtWidgets.QMessageBox.Icon.Warning, "t", f"Save “{PAYLOAD}”?", informative=f"in {PAYLOAD}")
    qtbot.addWidget(box)
    box.show()
    texts = [(f"label {label.objectName()!r}", rendered(label.text(), label.textFormat()))
             for label in box.findChildren(QtWidgets.QLabel) if label.text()]
    assert sum(MARK in shown for _, shown in texts) == 2
    assert not violations(texts), violations(texts)
