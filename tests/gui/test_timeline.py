"""The Hotline timeline driven with real mouse and key events, checked against what the map
and the sectors panel show and against the core (document_at, diff, tracks)."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.demo import demo_document
from desktop.core.geodesy import densify_geodesic
from desktop.core.revision_diff import diff, document_at
from desktop.core.revisions import AGREED
from desktop.core.tracks import parse_time
from desktop.gui.main_window import MainWindow
from tests.gui import mouse
from tests.gui.test_line_edit import panel_counts

K = QtCore.Qt.Key
JUNE_18 = parse_time("2017-06-18T14:00:00Z")


@pytest.fixture
def win(qtbot):
    pg.setConfigOption("mouseRateLimit", 0)
    w = MainWindow(demo_document())
    qtbot.addWidget(w)
    w.resize(1400, 1000)
    w.show()
    qtbot.waitExposed(w)
    w.panels["timeline"].view.scene().minDragTime = 0
    return w


def timeline(w):
    return w.panels["timeline"]


def lane_px(panel, t: float, lane: int) -> QtCore.QPointF:
    """Viewport position of time t in the middle of lane `lane` (0 = top)."""
    view = panel.view
    y = view.bars.n_lanes - 1 - lane + 0.5
    return QtCore.QPointF(view.mapFromScene(view.lanes_box.mapViewToScene(QtCore.QPointF(t, y))))


def call_px(panel, call_id: str) -> QtCore.QPointF:
    calls = panel.doc.calls
    i = calls.index_of(call_id)
    pos = int(np.flatnonzero(panel.shown == i)[0])
    mid = calls.start[i] + calls.duration_s[i] / 2
    return lane_px(panel, mid, int(panel.view.bars.lane[pos]))


def shoot_down(doc) -> str:
    return str(next(c for c, s in zip(doc.calls.ids, doc.calls.summary) if "shot down" in s))


def wheel(view, pos: QtCore.QPointF, steps: int) -> None:
    widget = view.viewport()
    ev = QtGui.QWheelEvent(pos, QtCore.QPointF(widget.mapToGlobal(pos)), QtCore.QPoint(0, 0),
                           QtCore.QPoint(0, 120 * steps), QtCore.Qt.MouseButton.NoButton,
                           QtCore.Qt.KeyboardModifier.NoModifier, QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(widget, ev)


def test_the_dock_is_a_bottom_panel_that_can_float(win):
    dock = win.docks["timeline"]
    assert win.dockWidgetArea(dock) == QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
    assert dock.features() & QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable
    assert dock.windowTitle() == "Hotline"
    panel = timeline(win)
    assert len(panel.shown) == len(win.document.calls) and panel.cursor.is_live
    # The tense day stands out in the per-day strip.
    days = panel.view.days
    busiest = days.days[np.argmax(days.counts)]
    assert busiest == parse_time("2017-06-18T00:00:00Z") and days.counts.max() >= days.busy_from


def test_click_a_call_shows_details_and_the_map_highlights_its_units_and_place(win, qtbot):
    panel, doc, view = timeline(win), win.document, win.map_view
    call_id = shoot_down(doc)
    i = doc.calls.index_of(call_id)
    panel.view.show_range(doc.calls.start[i] - 1800, doc.calls.start[i] + 1800)
    mouse.click(panel.view, call_px(panel, call_id))
    assert win.selection.call == call_id
    assert "shot down" in panel.details.toPlainText() and "AIR-02" in panel.details.toPlainText()
    layer = view.layer("time.call")
    linked = [doc.units.index_of(u) for u in doc.calls.links(i)]
    x, y = view.to_display(doc.units.lon[linked], doc.units.lat[linked])
    np.testing.assert_allclose(np.sort(layer.units.x), np.sort(x))
    px, py = layer.place.data()
    np.testing.assert_allclose([px[0], py[0]], view.to_display(doc.calls.lon[i], doc.calls.lat[i]))
    # Clicking empty lane space clears the call selection.
    mouse.click(panel.view, lane_px(panel, doc.calls.start[i] + 1500, 3))
    assert win.selection.call is None and not len(layer.units.x)


def test_drag_the_cursor_to_june_moves_units_draws_the_june_line_and_recomputes_sectors(win, qtbot):
    panel, doc, view = timeline(win), win.document, win.map_view
    panel.view.show_range(JUNE_18 - 20 * 86400, doc.tracks.extent[1] + 86400)
    start = lane_px(panel, panel.cursor.now, 2)
    target = lane_px(panel, JUNE_18, 2)
    mouse.drag(panel.view, start, target, steps=8)
    t = panel.cursor.time
    assert t is not None and abs(t - JUNE_18) <= 2 * panel.view.seconds_per_pixel()
    # Units where their tracks put them at t.
    lon, lat = doc.tracks.positions_at(t)
    x, y = view.to_display(lon, lat)
    units, line = view.layer("units"), view.layer("line")
    np.testing.assert_allclose(units.x, x)
    np.testing.assert_allclose(units.y, y)
    # The June line is drawn, read-only, the other revisions ghosted.
    june = doc.revisions.get("june").line
    assert doc.shown_line is june
    dlon, dlat = densify_geodesic(june.lon, june.lat)
    jx, jy = view.to_display(dlon, dlat)
    assert line.x[0] == pytest.approx(jx[0]) and line.x[-1] == pytest.approx(jx[-1]) and len(line.x) == len(jx)
    assert not line.handles_shown
    labels = ghost_labels(view)
    assert any(s.startswith("august") for s in labels) and any(s.startswith("september") for s in labels)
    assert panel.banner.isVisible() and "june" in panel.banner.text()
    # The banner is as tall as its lines: no blank band over the map's labels.
    banner = panel.banner
    lines = banner.title.heightForWidth(banner.title.width()) + banner.body.heightForWidth(banner.body.width())
    assert banner.height() <= lines + 16
    # The sectors panel shows what the CLI computes for that moment.
    snap = document_at(doc, t)
    counts = panel_counts(win)
    for sector, n in zip(snap.analysis.sectors.sectors, snap.analysis.counts()):
        assert counts[sector.name] == n
    # Moving the cursor is not an edit.
    assert not win.stack.can_undo()
    # End returns to now: the table's positions and the editable line.
    panel.view.setFocus()
    qtbot.keyClick(panel.view, K.Key_End)
    assert panel.cursor.is_live and doc.shown_line is doc.line
    np.testing.assert_allclose(units.x, view.to_display(doc.units.lon, doc.units.lat)[0])
    assert line.handles_shown and not panel.banner.isVisible()


def test_edits_are_kept_while_the_past_is_shown(win, qtbot):
    from desktop.core import commands
    doc, panel = win.document, timeline(win)
    win.stack.push(commands.move_vertex(doc, 2, 38.80, 35.78))
    edited = doc.line
    panel.cursor.set_time(JUNE_18)
    # The line being edited is ghosted (dotted) beside the June line; undo works on it.
    assert "line being edited" in ghost_labels(win.map_view)
    win.undo_action.trigger()
    assert doc.line != edited and doc.shown_line is doc.revisions.get("june").line
    win.redo_action.trigger()
    panel.now_action.trigger()
    assert doc.shown_line is edited and win.stack.index == 1


def test_wheel_zooms_around_the_mouse_and_drag_pans(win):
    panel = timeline(win)
    view = panel.view
    view.show_range(JUNE_18 - 10 * 86400, JUNE_18 + 10 * 86400)
    pos = lane_px(panel, JUNE_18, 1)
    before = view.x_range()
    wheel(view, pos, 3)
    after = view.x_range()
    assert after[1] - after[0] < 0.8 * (before[1] - before[0])
    assert view.lanes_box.mapSceneToView(view.mapToScene(pos.toPoint())).x() == pytest.approx(JUNE_18, abs=3600)
    for _ in range(12):  # down to minutes
        wheel(view, pos, 3)
    x0, x1 = view.x_range()
    assert 600 <= x1 - x0 <= 3600  # ten minutes at most
    w = x1 - x0
    mouse.drag(view, lane_px(panel, x0 + 0.7 * w, 4), lane_px(panel, x0 + 0.3 * w, 4))
    assert view.x_range()[0] == pytest.approx(x0 + 0.4 * w, rel=0, abs=0.05 * w)  # later times came into view
    assert panel.cursor.is_live      # panning is not moving the cursor


def test_keys_step_by_call_and_hour_and_log_a_call_in_a_few_keystrokes(win, qtbot):
    panel, doc = timeline(win), win.document
    panel.cursor.set_time(JUNE_18)
    panel.view.setFocus()
    qtbot.keyClick(panel.view, K.Key_BracketRight)
    k = int(np.searchsorted(doc.calls.start, JUNE_18, side="right"))
    assert panel.cursor.time == doc.calls.start[k] and win.selection.call == doc.calls.ids[k]
    qtbot.keyClick(panel.view, K.Key_BracketLeft)
    assert panel.cursor.time == doc.calls.start[k - 1]
    qtbot.keyClick(panel.view, K.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert panel.cursor.time == doc.calls.start[k - 1] + 3600
    t = panel.cursor.time
    n = len(doc.calls)

    def fill_in():
        dialog = QtWidgets.QApplication.activeModalWidget()
        qtbot.keyClicks(dialog.summary, "Comms check after the shoot-down")
        qtbot.keyClick(dialog.summary, K.Key_Return)

    QtCore.QTimer.singleShot(0, fill_in)
    qtbot.keyClick(panel.view, K.Key_N)
    assert len(doc.calls) == n + 1
    new = doc.calls.index_of(win.selection.call)
    assert doc.calls.start[new] == t and doc.calls.summary[new] == "Comms check after the shoot-down"
    assert win.stack.undo_label.startswith("Log call")
    # Delete the selected call with the Delete key; undo brings it back.
    panel.view.setFocus()
    qtbot.keyClick(panel.view, K.Key_Delete)
    assert len(doc.calls) == n
    win.undo_action.trigger()
    assert len(doc.calls) == n + 1


def test_double_click_edits_a_call_as_one_undoable_command(win, qtbot):
    panel, doc = timeline(win), win.document
    call_id = shoot_down(doc)
    i = doc.calls.index_of(call_id)
    panel.view.show_range(doc.calls.start[i] - 1800, doc.calls.start[i] + 1800)

    def change_outcome():
        dialog = QtWidgets.QApplication.activeModalWidget()
        dialog.outcome.setText("protest noted")
        dialog.priority.setCurrentText("immediate")
        dialog.accept()

    QtCore.QTimer.singleShot(0, change_outcome)
    mouse.double_click(panel.view, call_px(panel, call_id))
    i = doc.calls.index_of(call_id)
    assert doc.calls.outcome[i] == "protest noted" and doc.calls.priority[i] == "immediate"
    assert win.stack.undo_label == f"Edit call {call_id}"
    win.undo_action.trigger()
    assert doc.calls.priority[doc.calls.index_of(call_id)] == "flash"


def test_the_call_dialog_refuses_bad_fields_with_the_reason(win):
    from desktop.gui.timeline.call_dialog import CallDialog
    panel = timeline(win)
    dialog = CallDialog(win.document, panel.new_record(JUNE_18), 0, "Log")
    dialog.units.setText("SDF-06; NOPE-1")
    dialog.accept()
    assert dialog.record is None and "NOPE-1" in dialog.error.text()
    dialog.units.setText("SDF-06")
    dialog.start_edit.setText("2017-06-18T14:00")  # no offset: read in the dialog's offset (UTC)
    dialog.place.setText("95N 38E")
    dialog.accept()
    assert dialog.record is None and dialog.error.text().startswith("Place")
    dialog.place.setText("37SDV5479957444")
    dialog.accept()
    assert dialog.record["start"] == JUNE_18 and dialog.record["lat"] == pytest.approx(35.76, abs=1e-4)


def test_filters_and_next_call_follow_them(win, qtbot):
    panel, doc = timeline(win), win.document
    panel.category_actions["routine check"].setChecked(False)
    assert not np.isin(doc.calls.category[panel.shown], ["routine check"]).any()
    panel.priority_box.setCurrentIndex(3)  # flash only
    assert (doc.calls.priority[panel.shown] == "flash").all() and len(panel.shown)
    panel.side_box.setCurrentText("Russian")
    assert (doc.calls.initiator[panel.shown] == "Russian").all()
    panel.side_box.setCurrentIndex(0)
    panel.set_filter(text="su-22")
    assert len(panel.shown) and all("su-22" in s.lower() for s in doc.calls.summary[panel.shown])
    panel.set_filter(text="")
    panel.cursor.set_time(JUNE_18)
    panel.run_action("next")
    assert doc.calls.priority[doc.calls.index_of(win.selection.call)] == "flash"
    assert panel.count_label.text().endswith(f"of {len(doc.calls):,} calls")


def test_selecting_a_unit_lists_its_calls_and_marks_them_on_the_timeline(win):
    panel, doc = timeline(win), win.document
    u = doc.units.index_of("SDF-06")
    win.selection.set_units([u])
    expected = doc.calls.linked_to("SDF-06")
    assert panel.unit_calls.list.count() == len(expected) > 0
    marked = panel.shown[panel.view.bars.marked]
    np.testing.assert_array_equal(np.sort(marked), expected)
    # Clicking a listed call selects it (and the map rings its units).
    item = panel.unit_calls.list.item(0)
    panel.unit_calls.list.itemClicked.emit(item)
    assert win.selection.call == doc.calls.ids[expected[0]]
    # A unit link in the details selects that unit.
    panel.details.link_clicked.emit("unit", "SAA-01")
    assert list(win.selection.units) == [doc.units.index_of("SAA-01")]


def test_call_csv_import_keeps_good_rows_reports_bad_ones_and_undoes(win, tmp_path):
    panel, doc = timeline(win), win.document
    out = tmp_path / "calls.csv"
    assert panel.csv.export_csv(str(out)) == len(doc.calls)
    assert out.read_text().startswith("id,start,")
    n = len(doc.calls)
    bad = tmp_path / "new.csv"
    bad.write_text("id,start,category,summary,units\n"
                   "N-1,2017-06-18T14:10:00Z,incident,new one,SDF-06\n"
                   "N-2,2017-06-18T14:20:00,incident,no offset,\n"
                   "N-3,2017-06-18T17:20:00+03:00,gossip,bad category,\n"
                   "N-4,2017-06-18T17:30:00+03:00,ground line,fine,SAA-01;SDF-06\n")
    imported, warnings = panel.csv.import_csv(str(bad))
    assert imported == 2 and len(doc.calls) == n + 2
    assert any("new.csv:3:" in w for w in warnings) and any("new.csv:4:" in w for w in warnings)
    assert "new.csv:3:" in panel.csv.report.text()
    assert doc.calls.start[doc.calls.index_of("N-4")] == parse_time("2017-06-18T14:30:00Z")
    win.undo_action.trigger()
    assert len(doc.calls) == n
    # The filtered export writes only the calls shown.
    panel.category_actions["routine check"].setChecked(False)
    assert panel.csv.export_csv(str(out), filtered=True) == len(panel.shown) < n


def test_save_the_line_as_a_revision_tied_to_a_call_and_diff_revisions(win, qtbot):
    panel, doc = timeline(win), win.document
    call_id = shoot_down(doc)
    win.selection.set_call(call_id)
    pane = panel.revisions

    def accept_as_agreed():
        dialog = QtWidgets.QApplication.activeModalWidget()
        dialog.id_edit.setText("ja-din")
        dialog.state.setCurrentText(AGREED)
        dialog.accept()

    QtCore.QTimer.singleShot(0, accept_as_agreed)
    assert pane.buttons["save"].click() is None and "ja-din" in doc.revisions.ids
    rev = doc.revisions.get("ja-din")
    assert rev.call_id == call_id and rev.effective == doc.calls.start[doc.calls.index_of(call_id)]
    assert rev.line == doc.line and rev.state == "superseded"  # agreed, but august came later
    assert win.stack.undo_label == "Save line as revision ja-din"
    # The call's details name the revision it agreed.
    panel.select_call(call_id)
    assert "ja-din" in panel.details.toPlainText()
    # In force from the call on: the cursor at that moment shows it.
    panel.cursor.set_time(rev.effective)
    assert doc.time_view.revision.id == "ja-din"
    pane.select("september")
    pane.mark(AGREED)
    assert doc.revisions.get("september").state == AGREED
    win.undo_action.trigger()
    assert doc.revisions.get("september").state == "proposed"
    panel.cursor.go_live()
    pane.select("june")
    dialog = pane.show_diff()
    assert (dialog.a.currentText(), dialog.b.currentText()) == ("june", "ja-din")
    dialog.b.setCurrentText("september")
    ref = diff(doc, "june", "september")
    assert dialog.table.rowCount() == len(ref) > 0
    listed = {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert listed == set(ref.ids.tolist())
    dialog.findChild(QtWidgets.QPushButton, "diffSelect").click()
    np.testing.assert_array_equal(win.selection.units, np.sort(ref.rows))


def ghost_labels(view) -> list[str]:
    return [text for text, *_ in view.layer("time.ghosts").drawn]


def test_ghost_toggles_follow_the_revisions_list(win):
    pane = timeline(win).revisions
    assert any(s.startswith("june") for s in ghost_labels(win.map_view))
    row = [pane.table.item(r, 1).text() for r in range(pane.table.rowCount())].index("june")
    pane.table.item(row, 0).setCheckState(QtCore.Qt.CheckState.Unchecked)
    assert not any(s.startswith("june") for s in ghost_labels(win.map_view))


def test_play_moves_the_cursor_forward_until_now(win, qtbot):
    panel = timeline(win)
    panel.cursor.set_time(panel.cursor.now - 3 * 3600)
    panel.speed.setCurrentIndex(4)  # a day per second
    panel.view.setFocus()
    qtbot.keyClick(panel.view, K.Key_Space)
    assert panel.player.playing
    qtbot.waitUntil(lambda: panel.cursor.is_live, timeout=3000)
    assert not panel.player.playing and not panel.play_action.isChecked()


def test_go_to_a_typed_time_in_the_chosen_offset(win, qtbot):
    panel = timeline(win)
    panel.offset_box.setCurrentText("UTC+03:00")
    panel.goto.setText("2017-06-18 17:00")
    qtbot.keyClick(panel.goto, K.Key_Return)
    assert panel.cursor.time == JUNE_18
    assert "17:00" in panel.view.cursor.label.format
    panel.goto.setText("not a time")
    qtbot.keyClick(panel.goto, K.Key_Return)
    assert panel.cursor.time == JUNE_18 and "Go to" in win.statusBar().currentMessage()


def test_lanes_by_initiator(win):
    panel, doc = timeline(win), win.document
    panel.lanes_box.setCurrentIndex(1)
    assert panel.view.lane_axis.names[:2] == ("Coalition", "Russian")
    lanes = panel.view.bars.lane
    assert set(doc.calls.initiator[panel.shown[lanes == 0]]) == {"Coalition"}


def test_render_history_to_png(win, tmp_path):
    """Look at it: tmp_path/history.png (the map in June with the timeline below)."""
    panel = timeline(win)
    panel.cursor.set_time(JUNE_18)
    panel.select_call(shoot_down(win.document))
    QtWidgets.QApplication.processEvents()
    image = win.grab().toImage()
    assert image.save(str(tmp_path / "history.png"))
    # The orange past-time cursor is drawn in the timeline where the cursor says.
    view = panel.view
    p = view.mapTo(win, lane_px(panel, JUNE_18, 0).toPoint())
    ratio = image.devicePixelRatio()
    colours = [QtGui.QColor(image.pixel(int((p.x() + dx) * ratio), int(p.y() * ratio))) for dx in (-1, 0, 1)]
    assert any(c.red() > 200 and 80 < c.green() < 150 and c.blue() < 60 for c in colours)


def test_100k_calls_draw_as_a_few_items_aggregated_when_zoomed_out(qtbot):
    from desktop.core.commands import CommandStack
    from desktop.core.plugins import PluginRegistry
    from desktop.core.selection import Selection
    from desktop.gui.context import AppContext
    from desktop.gui.timeline.panel import TimelinePanel
    from tests.gui.big_history import random_history_document

    doc = random_history_document(1000, 100_000, 10)
    panel = TimelinePanel(AppContext(doc, CommandStack(doc), Selection(), PluginRegistry()))
    qtbot.addWidget(panel)
    panel.resize(1400, 260)
    panel.show()
    qtbot.waitExposed(panel)
    items = len(panel.view.scene().items())
    assert items < 100  # never one graphics item per call
    panel.view.grab()
    assert panel.view.bars.last_mode == "aggregate"
    i = 50_000
    t = float(doc.calls.start[i])
    panel.view.show_range(t - 1800, t + 1800)
    image = panel.view.grab().toImage()
    assert panel.view.bars.last_mode == "detail"
    # What is drawn under a call's bar is its category's colour, and a click there picks it.
    pos = call_px(panel, str(doc.calls.ids[i]))
    colour = QtGui.QColor(image.pixel(int(pos.x() * image.devicePixelRatio()), int(pos.y() * image.devicePixelRatio())))
    from desktop.gui.timeline.panel import CATEGORY_COLOURS
    lane_colours = {QtGui.QColor(c).name() for c in CATEGORY_COLOURS.values()}
    assert colour.name() in lane_colours
    mouse.click(panel.view, pos)
    picked = panel.context.selection.call
    j = doc.calls.index_of(picked)
    assert doc.calls.category[j] == doc.calls.category[i]
    assert doc.calls.start[j] <= t + doc.calls.duration_s[i] and doc.calls.start[j] + doc.calls.duration_s[j] >= t


def test_a_scenario_without_history_gets_an_empty_timeline_and_can_log_its_first_call(qtbot):
    from desktop.core.commands import CommandStack
    from desktop.core.plugins import PluginRegistry
    from desktop.core.selection import Selection
    from desktop.gui.context import AppContext
    from desktop.gui.timeline.panel import TimelinePanel
    from tests.gui.big_units import random_document

    doc = random_document(50)
    context = AppContext(doc, CommandStack(doc), Selection(), PluginRegistry())
    panel = TimelinePanel(context)
    qtbot.addWidget(panel)
    panel.show()
    panel.view.grab()
    assert panel.cursor.now is None and not len(panel.shown) and not panel.view.cursor.isVisible()
    panel.run_action("next")
    panel.run_action("play")
    assert not panel.player.playing

    def log_it():
        dialog = QtWidgets.QApplication.activeModalWidget()
        qtbot.keyClicks(dialog.summary, "first call")
        qtbot.keyClick(dialog.summary, K.Key_Return)

    QtCore.QTimer.singleShot(0, log_it)
    assert panel.new_call()
    assert len(doc.calls) == 1 and panel.cursor.now is not None and panel.view.cursor.isVisible()


def test_hover_shows_the_call_summary(win, qtbot):
    panel, doc = timeline(win), win.document
    call_id = shoot_down(doc)
    i = doc.calls.index_of(call_id)
    panel.view.show_range(doc.calls.start[i] - 1800, doc.calls.start[i] + 1800)
    mouse.move(panel.view, call_px(panel, call_id))
    qtbot.waitUntil(lambda: QtWidgets.QToolTip.isVisible(), timeout=1000)
    assert call_id in QtWidgets.QToolTip.text() and "shot down" in QtWidgets.QToolTip.text()


def test_selecting_a_call_off_the_map_brings_its_place_into_view(win):
    panel, doc, view = timeline(win), win.document, win.map_view
    x, y = view.to_display(40.9, 34.5)  # zoomed in on Abu Kamal, far from Ja'Din
    span = 20_000
    view.set_view_rect(x - span, y - span, x + span, y + span)
    call_id = shoot_down(doc)
    panel.select_call(call_id)
    i = doc.calls.index_of(call_id)
    px, py = view.to_display(doc.calls.lon[i], doc.calls.lat[i])
    x0, y0, x1, y1 = view.view_rect()
    assert x0 <= px <= x1 and y0 <= py <= y1


def test_stale_units_are_greyed_and_trails_follow_the_tracks(win):
    from desktop.core.time_cursor import staleness, trails
    panel, doc, view = timeline(win), win.document, win.map_view
    panel.cursor.set_time(JUNE_18)
    panel.cursor.set_stale_after(1)  # ground units report every ~3 h: many are stale after an hour
    stale = np.flatnonzero(np.nan_to_num(staleness(doc, JUNE_18), nan=-1) > 3600)
    assert 0 < len(stale) < len(doc.units)
    np.testing.assert_allclose(np.sort(view.layer("time.stale").cover.x), np.sort(view.layer("units").x[stale]))
    assert "stale" in panel.banner.text()
    # Trails: the last 12 hours of every ground unit (aircraft: their last half hour).
    layer = view.layer("time.trails")
    us = np.flatnonzero((doc.unit_side_codes == 0) & (doc.units.domains != "air"))
    lon, lat = trails(doc, JUNE_18, layer.hours, us)
    mine = np.isin(layer.unit, us)
    np.testing.assert_allclose(layer.x[mine], view.to_display(lon, lat)[0][np.isfinite(lon)])
    assert layer.paths
    panel._set_trails(0)  # Calls › Trails › 0 h
    assert not layer.paths


def test_aircraft_trails_fade_point_their_way_and_carry_a_callsign(win):
    """Not range rings: an aircraft's trail is its last half hour (an orbit takes about an
    hour), fading towards its tail, with chevrons pointing the way it flew, and its callsign
    at its head when no unit label names it."""
    from desktop.core.map_settings import MapSettings
    from desktop.core.time_cursor import HOUR_S
    from desktop.gui.timeline import map_layer as ml
    doc, view = win.document, win.map_view
    timeline(win).cursor.set_time(JUNE_18)
    layer = view.layer("time.trails")
    air = np.flatnonzero(doc.units.domains == "air")
    mine = np.isin(layer.unit, air)
    assert mine.any()
    assert np.nanmax(layer.age[mine]) <= ml.AIR_TRAIL_MINUTES * 60  # not hours of laps
    ground = np.isin(layer.unit, np.flatnonzero(doc.units.domains != "air"))
    assert np.nanmax(layer.age[ground]) > 6 * HOUR_S
    alphas = [p.color().alpha() for p, _ in layer.paths]
    assert set(alphas) <= set(ml.TRAIL_ALPHA) and len(set(alphas)) >= 3  # fading in steps
    # Drawn alone, zoomed on one aircraft: the newest part is stronger than the oldest, and a
    # chevron stands out of the track at the middle of its segments.
    u = int(air[0])
    pts = np.flatnonzero(layer.unit == u)
    x, y, age = layer.x[pts], layer.y[pts], layer.age[pts]
    settings = MapSettings.fitted(view.projection, (x.min() - 3e3, y.min() - 3e3, x.max() + 3e3, y.max() + 3e3),
                                  (900, 900))
    image = QtGui.QImage(900, 900, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QtGui.QPainter(image)
    layer.paint(painter, settings)
    painter.end()
    dx, dy = settings.to_device(x, y)

    def alpha_near(px, py, r=2):
        return max(image.pixelColor(int(px) + a, int(py) + b).alpha() for a in range(-r, r + 1) for b in range(-r, r + 1))

    newest, oldest = int(np.argmin(age)), int(np.argmax(age))
    head = (dx[newest - 1] + dx[newest]) / 2, (dy[newest - 1] + dy[newest]) / 2
    tail = (dx[oldest] + dx[oldest + 1]) / 2, (dy[oldest] + dy[oldest + 1]) / 2
    assert alpha_near(*head) > alpha_near(*tail) > 0
    seg = int(np.argmax(np.hypot(np.diff(dx), np.diff(dy))))  # a long segment carries a tick
    ux, uy = dx[seg + 1] - dx[seg], dy[seg + 1] - dy[seg]
    n = np.hypot(ux, uy)
    assert n >= ml.TICK_EVERY_PX
    ux, uy = ux / n * ml.TICK_PX, uy / n * ml.TICK_PX
    mx, my = (dx[seg] + dx[seg + 1]) / 2, (dy[seg] + dy[seg + 1]) / 2
    assert alpha_near(mx - ux - uy, my - uy + ux, 1) > 0  # an arm of the chevron, off the track
    # Callsigns: never for an aircraft a unit label names already; hide those (and the
    # closest-approach marks' labels, which take the spots beside the aircraft at the
    # incident) and every one that fits gets its callsign.
    view.flush()
    called = {int(layer.unit[layer.heads[k]]) for k in layer.labelled}
    assert not called & win.scene.labels.named_units
    win.scene.set_visible("units.labels", False)
    win.scene.set_visible("air.cpa", False)
    view.flush()
    named = {layer.callsigns[k] for k in layer.labelled}
    assert len(named) > len(called) and named <= {str(doc.units.names[i]) for i in air}
