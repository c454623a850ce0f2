"""The air picture in the window, with real mouse events: an ACM drawn with the mouse makes
its conflict appear (undo removes it), the 18 June replay lists what `conflicts_at` finds,
a row selected centres the map on the conflict and highlights both parties, and the map
layers draw what the core predicts."""
import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from desktop.core.air.conflicts import conflicts_at
from desktop.core.air.demo import REPLAY_AT
from desktop.core.air.motion import predicted_paths
from desktop.core.geodesy import Projection
from tests.gui import mouse
from tests.gui.air_helpers import answer_acm_dialog, at_replay, deg_per_px, px, shown_rows, use

CORNERS = [(38.55, 36.15), (38.85, 36.15), (38.85, 36.35), (38.55, 36.35)]  # ahead of the F-22, northbound


@pytest.fixture
def win(demo_window):
    return at_replay(demo_window)


def keys(conflicts):
    return [conflicts.key(i) for i in range(len(conflicts))]


def test_a_roz_drawn_with_the_mouse_makes_its_conflict_appear_and_undo_removes_it(win):
    doc, panel, view = win.document, win.panels["conflicts"], win.map_view
    before = shown_rows(panel)
    assert not any("F-22" in row for row in before)
    use(win, "acm_polygon")
    seen = answer_acm_dialog({"side_combo": "Russian-backed", "name_edit": "Kobani", "floor_edit": "FL300",
                              "ceiling_edit": "FL360"}, win)
    for corner in CORNERS[:-1]:
        mouse.click(view, px(win, *corner))
    mouse.move(view, px(win, 38.8, 36.3))
    assert view.layer("air.acms").preview is not None  # the block so far, to the cursor
    mouse.double_click(view, px(win, *CORNERS[-1]))
    assert seen == ["New polygon", True]
    roz = doc.airspace.get("ROZ-1")
    assert (roz.kind, roz.side, roz.floor_ft, roz.ceiling_ft) == ("ROZ", "Russian-backed", 30000, 36000)
    np.testing.assert_allclose(roz.points, CORNERS, atol=deg_per_px(win))
    assert len(win.stack.commands) == 1 and win.undo_action.text() == "Undo Add ROZ Kobani"
    # Its conflict: the coalition F-22 (FL330, northbound) enters it; the panel says so, as the core does.
    found, _ = conflicts_at(doc, REPLAY_AT)
    assert ("airspace", "AIR-07", "ROZ-1") in keys(found)
    rows = shown_rows(panel)
    assert rows == [found.describe(i) for i in range(len(found))]
    assert any(r.startswith("Coalition F-22 enters ROZ Kobani in") for r in rows)
    win.undo_action.trigger()
    assert "ROZ-1" not in doc.airspace and shown_rows(panel) == before
    win.redo_action.trigger()
    assert any(r.startswith("Coalition F-22 enters ROZ Kobani") for r in shown_rows(panel))


@pytest.mark.parametrize("clock", ["15:30:00", "15:35:00", "15:38:30", "15:41:00", "15:47:00"])
def test_scrubbing_18_june_replays_the_conflicts_of_each_moment(win, clock):
    t = REPLAY_AT - 35 * 60 + sum(int(v) * k for v, k in zip(clock.split(":"), (3600, 60, 1))) - 15 * 3600
    at_replay(win, t)
    panel = win.panels["conflicts"]
    found, _ = conflicts_at(win.document, t)
    assert shown_rows(panel) == [found.describe(i) for i in range(len(found))]  # soonest first, as the core
    assert f"2017-06-18 {clock}Z: {len(found)} conflict" in panel.summary.text()


def test_the_replay_at_15_35_shows_the_predicted_conflicts_and_the_roz_entry(win):
    rows = shown_rows(win.panels["conflicts"])
    pairs = [r for r in rows if " NM at " in r]
    assert "Coalition ISR Orbit and RU Su-24 Patrol: 2.0 NM at 500 ft in 4 min" in pairs
    assert "Coalition CAS Orbit and Syrian Su-22: 2.6 NM at 500 ft in 5 min" in pairs
    assert "Coalition ISR Orbit enters ROZ Deir ez-Zor in 2 min" in rows
    assert any(r.startswith("RU Su-24 Patrol crosses the line") for r in rows)


def test_filters_keep_the_rows_that_match(win):
    panel = win.panels["conflicts"]
    QTest.mouseClick(panel.kind_toggles["line"], QtCore.Qt.MouseButton.LeftButton)
    rows = shown_rows(panel)
    assert rows and not any("line" in r for r in rows)
    QTest.keyClicks(panel.filter_edit, "su-22")
    assert shown_rows(panel) == [r for r in rows if "Su-22" in r] and len(shown_rows(panel)) == 2


def test_selecting_a_row_centres_the_map_and_highlights_both_aircraft(win):
    doc, panel, view = win.document, win.panels["conflicts"], win.map_view
    rows = shown_rows(panel)
    r = rows.index("Coalition CAS Orbit and Syrian Su-22: 2.6 NM at 500 ft in 5 min")
    table = panel.table
    cell = table.visualRect(table.model().index(r, 3)).center()
    QTest.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=cell)
    session = win.context.air_session
    assert session.selected_conflict == ("aircraft", "AIR-02", "AIR-05")
    assert set(win.selection.units.tolist()) == {doc.units.index_of("AIR-02"), doc.units.index_of("AIR-05")}
    found, _ = conflicts_at(doc, REPLAY_AT)
    i = keys(found).index(("aircraft", "AIR-02", "AIR-05"))
    x, y = view.to_display(np.array([found.lon[i], found.b_lon[i]]), np.array([found.lat[i], found.b_lat[i]]))
    x0, y0, x1, y1 = view.view_rect()
    assert ((x0 + x1) / 2, (y0 + y1) / 2) == pytest.approx((np.mean(x), np.mean(y)), abs=view.pixel_size())
    marks = view.layer("air.cpa").marks
    chosen = [m for m in marks if m[1]]
    assert len(chosen) == 1 and chosen[0][0] == "aircraft"
    assert chosen[0][2:6] == pytest.approx((x[0], y[0], x[1], y[1]))
    lit = win.panels["side_view"].canvas.highlight
    assert {str(found.state.ids[k]) for k in lit} == {"AIR-02", "AIR-05"}


def test_layers_draw_the_prediction_in_the_display_crs(win):
    doc, view = win.document, win.map_view
    found, _ = conflicts_at(doc, REPLAY_AT)
    for projection in (view.projection, Projection.for_crs("EPSG:3857", doc.ao.centre)):
        view.set_projection(projection)
        QtWidgets.QApplication.processEvents()
        roz = view.layer("air.acms").block("ROZ-DEZ")
        x, y = projection.forward(*doc.airspace.get("ROZ-DEZ").outline())
        np.testing.assert_allclose(np.column_stack([roz.x, roz.y]), np.column_stack([x, y]))
        assert roz.active  # 12:00-18:00Z on 18 June
        _, lon, lat = predicted_paths(found.state, 600, 30)
        ends = np.vstack([e for _, _, e in view.layer("air.paths").paths])
        want = np.column_stack(projection.forward(lon[:, -1], lat[:, -1]))
        assert all(np.min(np.hypot(*(want - e).T)) < 1e-6 for e in ends)
    labels = view.layer("air.aircraft")
    su22 = list(found.state.ids).index("AIR-05")
    assert labels.texts[su22] == "FL090 · 420 kt"
    assert view.layer("air.acms").block("CAP-TABQA").active == doc.airspace.get("CAP-TABQA").active_at(REPLAY_AT)


def test_an_inactive_block_is_dimmed_and_says_so(win):
    at_replay(win, REPLAY_AT - 5 * 3600)  # 10:35Z: before the ROZ's 12:00Z start
    block = win.map_view.layer("air.acms").block("ROZ-DEZ")
    assert not block.active
    assert win.map_view.layer("air.acms")._label_lines(block)[1] == "10,000 ft–FL250 · inactive"


def test_the_export_draws_the_blocks_the_marks_and_the_labels_of_the_moment(win, tmp_path):
    from tests.gui.test_layers_panel import export_svg_texts
    texts = export_svg_texts(win, tmp_path)
    assert "ROZ Deir ez-Zor" in texts and "10,000 ft–FL250" in texts  # active at 15:35Z: no "inactive"
    assert "10,000 ft–FL250 · inactive" not in texts
    assert "2.6 NM · 500 ft · in 5 min" in texts and "Deir ez-Zor in 2 min" in texts
    # The Su-22, in a conflict, is labelled in full with the alerts; the F-22, in none, gives
    # way to the unit names and keeps its flight level (desktop.gui.air.labels).
    assert "FL090 · 420 kt" in texts and "FL330" in texts


def test_a_window_opened_live_answers_for_now_once_it_has_painted(qtbot):
    from desktop.core.demo import demo_document
    from desktop.core.time_cursor import live_time
    from desktop.gui.main_window import MainWindow
    w = MainWindow(demo_document())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    found, _ = conflicts_at(w.document, live_time(w.document))
    qtbot.waitUntil(lambda: w.context.air_session.conflicts is not None)
    assert shown_rows(w.panels["conflicts"]) == [found.describe(i) for i in range(len(found))]
