"""Drafting the hotline notification in the window: select the ROZ (a click with the airspace
tool), a conflict (a row) or aircraft (units), the dialog renders English and Russian from
the templates, an edit is kept, and one click logs the call on the timeline, linked to the
ACM and the aircraft; undo takes it back."""
import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from desktop.core.air.conflicts import conflicts_at
from desktop.core.air.demo import REPLAY_AT
from desktop.core.air.notification import CATEGORY, draft_from_acm, draft_from_conflict, next_reference, render
from desktop.gui.air.notify_dialog import NotificationDialog
from tests.gui import mouse
from tests.gui.air_helpers import at_replay, px, shown_rows, use

FROM, TO = "CAOC Al Udeid", "Hmeimim AOC"


@pytest.fixture
def win(demo_window):
    return at_replay(demo_window)


def open_dialog(win) -> NotificationDialog:
    panel = win.panels["conflicts"]
    assert panel.notify_button.isEnabled()
    QTest.mouseClick(panel.notify_button, QtCore.Qt.MouseButton.LeftButton)
    dialogs = [d for d in win.findChildren(NotificationDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_the_roz_is_drafted_in_both_languages_and_logged_as_one_call(win):
    doc = win.document
    use(win, "acm_edit")
    mouse.click(win.map_view, px(win, 40.141, 35.336))  # Deir ez-Zor, in the ROZ
    assert win.context.air_session.selected_acm == "ROZ-DEZ"
    dialog = open_dialog(win)
    dialog.from_combo.setCurrentText(FROM)
    dialog.to_combo.setCurrentText(TO)
    reference = next_reference(doc.calls, REPLAY_AT)
    draft = draft_from_acm(doc.airspace.get("ROZ-DEZ"), REPLAY_AT, reference)
    english = render(draft, "en", sender=FROM, addressee=TO, issued=REPLAY_AT)
    russian = render(draft, "ru", sender=FROM, addressee=TO, issued=REPLAY_AT)
    assert dialog.editors["en"].toPlainText() == english
    assert dialog.editors["ru"].toPlainText() == russian
    assert "10,000 FT TO FL250 MSL" in english and "RESTRICTED OPERATIONS ZONE (ROZ) Deir ez-Zor" in english
    assert "действует зона ограничения полётов (ROZ) «Deir ez-Zor» российской стороны" in russian
    assert "от 10 000 фт до FL250 над уровнем моря" in russian
    # An edit is what is logged; the stations' change does not overwrite it.
    dialog.editors["en"].appendPlainText("REMARKS: TANKER TRACK WEST OF THE ROZ")
    dialog.to_combo.setCurrentText("Hmeimim AOC duty officer")
    assert dialog.editors["en"].toPlainText().endswith("REMARKS: TANKER TRACK WEST OF THE ROZ")
    n = len(doc.calls)
    QTest.mouseClick(dialog.log_button, QtCore.Qt.MouseButton.LeftButton)
    assert len(doc.calls) == n + 1 and not dialog.isVisible()
    i = doc.calls.index_of(win.selection.call)  # the dialog selects the call it logged
    call = doc.calls.record(i)
    assert call["category"] == CATEGORY
    assert call["start"] == "2017-06-18T15:35:00Z" and call["to_station"] == "Hmeimim AOC duty officer"
    assert "REMARKS: TANKER TRACK WEST OF THE ROZ" in call["summary"]
    rerendered = render(draft, "ru", sender=FROM, addressee="Hmeimim AOC duty officer", issued=REPLAY_AT)
    assert rerendered in call["summary"]  # the Russian text nobody edited follows the stations
    assert list(doc.calls.links(i)) == ["ROZ-DEZ"]
    # On the timeline: the call is drawn, selected, its text in the details.
    timeline = win.panels["timeline"]
    assert i in timeline.shown.tolist() and win.selection.call == call["id"]
    assert "TANKER TRACK" in timeline.details.toPlainText()
    assert win.undo_action.text() == f"Undo Log notification {reference}"
    win.undo_action.trigger()
    assert len(doc.calls) == n


def test_a_selected_conflict_is_drafted_with_both_aircraft_and_linked_to_them(win):
    doc, panel = win.document, win.panels["conflicts"]
    r = shown_rows(panel).index("Coalition ISR Orbit and RU Su-24 Patrol: 2.0 NM at 500 ft in 4 min")
    table = panel.table
    QTest.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(r, 0)).center())
    dialog = open_dialog(win)
    found, _ = conflicts_at(doc, REPLAY_AT)
    i = found.keys().index(("aircraft", "AIR-01", "AIR-03"))
    draft = draft_from_conflict(found, i, next_reference(doc.calls, REPLAY_AT))
    assert dialog.editors["en"].toPlainText() == render(draft, "en", sender=dialog.from_combo.currentText(),
                                                        addressee=dialog.to_combo.currentText(), issued=REPLAY_AT)
    assert "2.0 NM LATERAL, 500 FT VERTICAL, IN 4 MIN" in dialog.editors["en"].toPlainText()
    QTest.mouseClick(dialog.log_button, QtCore.Qt.MouseButton.LeftButton)
    i = doc.calls.index_of(win.selection.call)
    assert doc.calls.category[i] == CATEGORY and list(doc.calls.links(i)) == ["AIR-01", "AIR-03"]


def test_selected_aircraft_are_drafted_together(win):
    doc = win.document
    win.selection.set_units([doc.units.index_of("AIR-06"), doc.units.index_of("AIR-07")])
    QtWidgets.QApplication.processEvents()
    dialog = open_dialog(win)
    text = dialog.editors["en"].toPlainText()
    assert "AIRCRAFT OPERATING IN THE AREA" in text and "RU Su-35 Pair, Coalition F-22" in text
    assert "FL245 TO FL335 MSL" in text  # the block the two fly in, 500 ft either way
