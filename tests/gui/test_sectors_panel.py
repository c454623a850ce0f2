"""The sectors panel, as a planner sees it: sector rows, unit rows, live updates, filters,
sorting, the buffer spin box, selection both ways and the CSV export."""
from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QDoubleSpinBox, QFrame, QLineEdit, QTreeView, QWidget

from desktop.core.demo import AO_RING, LINE_AUGUST, SIDES, demo_document
from desktop.core.document import Document
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations
from desktop.core.report import CSV_FIELDS
from desktop.core.table_export import write_units_csv
from desktop.core.units import UnitTable
from desktop.gui.sectors_model import (COL_COUNT, COL_MEASURE, COL_NAME, COL_NEAR, COL_SIDE, COL_WRONG,
                                       NEAR_BG, PAGE, UNIT_ROLE, WRONG_BG)
from desktop.gui.sectors_panel import SectorsPanel

D = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def panel(qtbot, demo_context):
    widget = SectorsPanel(demo_context)
    qtbot.addWidget(widget)
    widget.resize(700, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def top_rows(panel) -> list[list[str]]:
    m = panel.model
    return [[m.data(m.index(r, c), D) for c in range(m.columnCount())] for r in range(m.rowCount())]


def sector_row(panel, name: str) -> QModelIndex:
    m = panel.model
    hits = [m.index(r, 0) for r in range(m.rowCount()) if m.data(m.index(r, 0), D) == name]
    assert hits, f"no row named {name!r}"
    return hits[0]


def unit_rows(panel, parent: QModelIndex) -> list[int]:
    m = panel.model
    return [m.data(m.index(r, 0, parent), UNIT_ROLE) for r in range(m.rowCount(parent))]


def cell(panel, parent: QModelIndex, unit: int, column: int, role=D):
    m = panel.model
    row = unit_rows(panel, parent).index(unit)
    return m.data(m.index(row, column, parent), role)


def moved_line(doc: Document, vertex: int, lon: float, lat: float) -> DeconflictionLine:
    return doc.line.moved(vertex, lon, lat)


# -- what the demo shows -----------------------------------------------------------------
def test_widgets_are_findable_by_object_name(panel):
    assert panel.findChild(QTreeView, "sectorsTree") is panel.tree
    assert panel.findChild(QFrame, "sectorsSummary") is not None
    assert panel.findChild(QDoubleSpinBox, "bufferSpin") is panel.buffer_spin
    assert panel.findChild(QLineEdit, "sectorsFilter") is panel.filter_edit
    assert panel.tree.uniformRowHeights()


def test_panel_loads_through_its_plugin_contribution(qtbot, demo_context):
    [contribution] = [c for c in demo_context.registry.contributions("panel") if c.id == "sectors"]
    widget = contribution.load()(demo_context)
    qtbot.addWidget(widget)
    assert isinstance(widget, QWidget)


def test_demo_shows_two_sectors_with_counts_and_areas(panel, demo_context):
    a = demo_context.document.analysis
    sectors = a.sectors.sectors
    rows = top_rows(panel)
    assert [r[COL_NAME] for r in rows] == ["US-backed", "Russian-backed"]
    cls = a.classification
    counts = np.bincount(cls.sector[cls.sector >= 0], minlength=2)
    near = np.bincount(cls.sector[cls.near_line], minlength=2)
    wrong = np.bincount(cls.sector[cls.wrong_side], minlength=2)
    for i, row in enumerate(rows):
        assert row[COL_SIDE] == sectors[i].owner
        assert row[COL_COUNT] == str(counts[i])
        assert row[COL_MEASURE] == f"{sectors[i].area_km2:,.0f} km²"
        assert (row[COL_NEAR], row[COL_WRONG]) == (str(near[i]), str(wrong[i]))
    text = panel.counts_label.text()
    assert "47" in text and f"{int(cls.near_line.sum())}</b> near line" in text
    assert f"{int(cls.wrong_side.sum())}</b> wrong side" in text
    assert not panel.error_label.isVisible()


def test_units_outside_the_ao_get_their_own_row(panel, demo_context):
    doc = demo_context.document
    u = doc.units
    extra = dict(id="X-01", name="Lost Convoy", side=SIDES[0], affiliation="friend", lon=37.2, lat=34.2)
    records = [dict(id=u.ids[i], name=u.names[i], side=u.sides[i], affiliation=u.affiliations[i],
                    lon=u.lon[i], lat=u.lat[i]) for i in range(len(u))] + [extra]
    doc.set_units(UnitTable.from_records(records))
    rows = top_rows(panel)
    assert [r[COL_NAME] for r in rows] == ["US-backed", "Russian-backed", "Outside AO"]
    assert rows[2][COL_COUNT] == "1"
    outside = sector_row(panel, "Outside AO")
    panel.tree.expand(outside)
    assert unit_rows(panel, outside) == [len(u)]
    assert "48" in panel.counts_label.text()


def test_expanded_sector_lists_units_with_distances_and_flags(panel, demo_context):
    doc = demo_context.document
    cls = doc.analysis.classification
    saa14 = doc.units.index_of("SAA-14")
    assert cls.wrong_side[saa14]
    parent = sector_row(panel, doc.analysis.sectors.sectors[cls.sector[saa14]].name)
    panel.tree.expand(parent)
    listed = unit_rows(panel, parent)
    assert sorted(listed) == np.flatnonzero(cls.sector == cls.sector[saa14]).tolist()
    for u in listed:
        assert cell(panel, parent, u, COL_NAME) == doc.units.names[u]
        assert cell(panel, parent, u, COL_MEASURE) == f"{cls.distance_km[u]:.2f} km"
        assert cell(panel, parent, u, COL_NEAR) == ("near" if cls.near_line[u] else "")
        assert cell(panel, parent, u, COL_WRONG) == ("wrong" if cls.wrong_side[u] else "")
    assert cell(panel, parent, saa14, COL_NAME, Qt.ItemDataRole.BackgroundRole).color() == WRONG_BG
    near_only = next(u for u in listed if cls.near_line[u] and not cls.wrong_side[u])
    assert cell(panel, parent, near_only, COL_SIDE, Qt.ItemDataRole.BackgroundRole).color() == NEAR_BG
    assert "wrong side" in cell(panel, parent, saa14, COL_WRONG, Qt.ItemDataRole.ToolTipRole).lower()
    assert "buffer" in cell(panel, parent, near_only, COL_NEAR, Qt.ItemDataRole.ToolTipRole)


# -- live ------------------------------------------------------------------------------------
def test_preview_updates_counts_and_flags_immediately_and_comes_back(panel, demo_context, qtbot):
    doc = demo_context.document
    saa14 = doc.units.index_of("SAA-14")
    us = sector_row(panel, "US-backed")
    panel.tree.expand(us)
    before = top_rows(panel)
    assert cell(panel, us, saa14, COL_WRONG) == "wrong"

    doc.set_preview(moved_line(doc, 6, 39.80, 35.75))  # SAA-14 ends up south of the line
    a = doc.analysis.classification
    assert a.sector[saa14] == 1 and not a.wrong_side[saa14]
    rows = top_rows(panel)
    assert [r[COL_COUNT] for r in rows] == ["23", "24"]
    assert rows[0][COL_WRONG] == "0"
    assert saa14 not in unit_rows(panel, us)
    assert panel.tree.isExpanded(sector_row(panel, "US-backed"))
    assert "<b style=''>0</b> wrong side" in panel.counts_label.text()

    doc.set_preview(None)
    qtbot.wait(1)
    assert top_rows(panel) == before
    assert cell(panel, us, saa14, COL_WRONG) == "wrong"
    assert panel.tree.isExpanded(sector_row(panel, "US-backed"))


def test_selection_and_expansion_survive_a_membership_change(panel, demo_context):
    doc = demo_context.document
    saa14, sdf01 = doc.units.index_of("SAA-14"), doc.units.index_of("SDF-01")
    demo_context.selection.set_units([saa14, sdf01], source="map")
    doc.set_preview(moved_line(doc, 6, 39.80, 35.75))  # SAA-14 moves to the other sector
    assert set(panel.selected_units().tolist()) == {saa14, sdf01}
    ru = sector_row(panel, "Russian-backed")
    assert saa14 in unit_rows(panel, ru)
    assert panel.tree.selectionModel().isRowSelected(unit_rows(panel, ru).index(saa14), ru)
    assert set(demo_context.selection.units.tolist()) == {saa14, sdf01}


def test_line_error_is_shown(panel, demo_context):
    doc = demo_context.document
    panel.tree.expand(sector_row(panel, "Russian-backed"))
    doc.set_preview(DeconflictionLine([(45.0, 30.0), (45.5, 30.5)]))
    assert panel.error_label.isVisible()
    assert "cannot split the ao" in panel.error_label.text().lower()
    assert [r[COL_NAME] for r in top_rows(panel)] == ["In no sector"]
    doc.set_preview(None)
    assert not panel.error_label.isVisible()
    assert [r[COL_NAME] for r in top_rows(panel)] == ["US-backed", "Russian-backed"]
    # The sector the user had open is open again once the line splits the AO.
    assert panel.tree.isExpanded(sector_row(panel, "Russian-backed"))
    assert not panel.tree.isExpanded(sector_row(panel, "US-backed"))


# -- sort and filter -------------------------------------------------------------------------
def click_header(qtbot, panel, column: int) -> None:
    header = panel.tree.header()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_clicking_the_distance_header_sorts_units(panel, demo_context, qtbot):
    cls = demo_context.document.analysis.classification
    ru = sector_row(panel, "Russian-backed")
    panel.tree.expand(ru)
    click_header(qtbot, panel, COL_MEASURE)
    d = cls.distance_km[unit_rows(panel, sector_row(panel, "Russian-backed"))]
    assert np.all(np.diff(d) >= 0) and len(d) == 23
    # Sectors sort by the same column (area) too.
    areas = [s.area_km2 for s in demo_context.document.analysis.sectors.sectors]
    names = [r[COL_NAME] for r in top_rows(panel)]
    assert names == [demo_context.document.analysis.sectors.sectors[i].name for i in np.argsort(areas)]
    click_header(qtbot, panel, COL_MEASURE)
    d = cls.distance_km[unit_rows(panel, sector_row(panel, "Russian-backed"))]
    assert np.all(np.diff(d) <= 0)
    assert panel.tree.isExpanded(sector_row(panel, "Russian-backed"))


def test_sort_by_name_and_by_flag(panel, demo_context):
    units, cls = demo_context.document.units, demo_context.document.analysis.classification
    us = sector_row(panel, "US-backed")
    panel.tree.expand(us)
    panel.tree.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
    names = [units.names[u].lower() for u in unit_rows(panel, sector_row(panel, "US-backed"))]
    assert names == sorted(names)
    panel.tree.sortByColumn(COL_NEAR, Qt.SortOrder.DescendingOrder)  # flagged first, nearest first
    rows = unit_rows(panel, sector_row(panel, "US-backed"))
    n_near = int(cls.near_line[rows].sum())
    assert cls.near_line[rows[:n_near]].all() and not cls.near_line[rows[n_near:]].any()
    assert np.all(np.diff(cls.distance_km[rows[:n_near]]) >= 0)


def test_filtering_never_changes_the_selection(panel, demo_context):
    doc = demo_context.document
    picked = sorted([doc.units.index_of("SAA-14"), doc.units.index_of("SDF-01")])
    demo_context.selection.set_units(picked, source="map")
    seen = []
    demo_context.selection.changed.connect(seen.append)
    panel.filter_edit.setText("saa")
    panel.filter_edit.returnPressed.emit()
    assert panel.selected_units().tolist() == [doc.units.index_of("SAA-14")]
    panel.tree.sortByColumn(COL_NAME, Qt.SortOrder.DescendingOrder)
    panel.wrong_toggle.setChecked(True)
    panel.filter_edit.setText("")
    panel.filter_edit.returnPressed.emit()
    panel.wrong_toggle.setChecked(False)
    assert seen == []
    assert demo_context.selection.units.tolist() == picked
    assert panel.selected_units().tolist() == picked  # shown as selected again


def test_text_filter_and_toggles_reduce_the_rows(panel, demo_context, qtbot):
    doc = demo_context.document
    cls = doc.analysis.classification
    qtbot.keyClicks(panel.filter_edit, "saa")
    qtbot.waitUntil(lambda: top_rows(panel)[0][COL_COUNT] == "1")  # SAA-14 in the US sector
    assert [r[COL_COUNT] for r in top_rows(panel)] == ["1", "17"]
    assert "showing 18 of 47" in panel.shown_label.text()
    for r in range(2):
        parent = panel.model.index(r, 0)
        panel.tree.expand(parent)
        assert all("saa" in (doc.units.ids[u] + doc.units.names[u]).lower() for u in unit_rows(panel, parent))
    panel.filter_edit.clear()
    panel.filter_edit.setText("sdf-1")  # ids too, case-insensitively
    panel.filter_edit.returnPressed.emit()
    assert [r[COL_COUNT] for r in top_rows(panel)] == ["10", "0"]
    panel.filter_edit.setText("")
    panel.filter_edit.returnPressed.emit()

    qtbot.mouseClick(panel.near_toggle, Qt.MouseButton.LeftButton)
    assert sum(int(r[COL_COUNT]) for r in top_rows(panel)) == int(cls.near_line.sum())
    for r in range(2):
        assert cls.near_line[unit_rows(panel, panel.model.index(r, 0))].all()
    qtbot.mouseClick(panel.wrong_toggle, Qt.MouseButton.LeftButton)
    assert [r[COL_COUNT] for r in top_rows(panel)] == ["1", "0"]
    assert unit_rows(panel, sector_row(panel, "US-backed")) == [doc.units.index_of("SAA-14")]
    qtbot.mouseClick(panel.near_toggle, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.wrong_toggle, Qt.MouseButton.LeftButton)
    assert [r[COL_COUNT] for r in top_rows(panel)] == ["24", "23"]


# -- buffer --------------------------------------------------------------------------------
def test_buffer_spin_box_is_an_undoable_command(panel, demo_context):
    doc, stack = demo_context.document, demo_context.stack
    near_before = top_rows(panel)[0][COL_NEAR]
    panel.buffer_spin.setValue(20.0)
    assert doc.buffer_km == 20.0
    assert stack.undo_label == "Set buffer to 20 km"
    assert int(top_rows(panel)[0][COL_NEAR]) > int(near_before)
    stack.undo()
    assert doc.buffer_km == 5.0
    assert panel.buffer_spin.value() == 5.0
    assert top_rows(panel)[0][COL_NEAR] == near_before
    stack.redo()
    assert panel.buffer_spin.value() == 20.0


# -- selection -----------------------------------------------------------------------------
def test_selecting_rows_selects_units(panel, demo_context):
    doc = demo_context.document
    seen = []
    demo_context.selection.changed.connect(seen.append)
    us = sector_row(panel, "US-backed")
    panel.tree.expand(us)
    rows = unit_rows(panel, us)
    m = panel.model
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    panel.tree.selectionModel().select(m.index(rows.index(doc.units.index_of("SAA-14")), 0, us), flags)
    assert demo_context.selection.units.tolist() == [doc.units.index_of("SAA-14")]
    assert seen[-1] is panel
    assert "1 selected" in panel.shown_label.text()


def test_selection_from_the_map_selects_rows_without_echo(panel, demo_context):
    doc = demo_context.document
    picked = [doc.units.index_of("SAA-07"), doc.units.index_of("SAA-03")]
    seen = []
    demo_context.selection.changed.connect(seen.append)
    demo_context.selection.set_units(picked, source="map")
    assert seen == ["map"]  # the panel did not send it back
    ru = sector_row(panel, "Russian-backed")
    assert panel.tree.isExpanded(ru)
    assert sorted(panel.selected_units().tolist()) == sorted(picked)
    sm = panel.tree.selectionModel()
    for u in picked:
        assert sm.isRowSelected(unit_rows(panel, ru).index(u), ru)
    demo_context.selection.clear(source="map")
    assert not sm.hasSelection()


def test_double_click_centres_the_map(panel, demo_context, qtbot):
    class FakeMap:
        def __init__(self):
            self.calls = []

        def center_on_units(self, indices):
            self.calls.append(list(indices))

    demo_context.map_view = FakeMap()
    us = sector_row(panel, "US-backed")
    panel.tree.expand(us)
    saa14 = demo_context.document.units.index_of("SAA-14")
    index = panel.model.index(unit_rows(panel, us).index(saa14), 0, us)
    panel.tree.scrollTo(index)
    pos = panel.tree.visualRect(index).center()
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)  # a real double-click starts with one
    qtbot.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert demo_context.map_view.calls == [[saa14]]


# -- export --------------------------------------------------------------------------------
def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_write_units_csv_round_trips(tmp_path):
    doc = demo_document()
    a = doc.analysis
    n = write_units_csv(tmp_path / "units.csv", doc, a)
    rows = read_csv(tmp_path / "units.csv")
    assert n == len(rows) == len(doc.units)
    assert tuple(rows[0]) == CSV_FIELDS
    by_id = {r["id"]: r for r in rows}
    saa14 = doc.units.index_of("SAA-14")
    r = by_id["SAA-14"]
    sector = a.sectors.sectors[a.classification.sector[saa14]]
    assert (r["name"], r["side"], r["affiliation"]) == ("SAA River Recon Tm", SIDES[1], "hostile")
    assert (r["sector"], r["sector_name"], r["sector_owner"]) == (sector.id, sector.name, sector.owner)
    assert float(r["distance_km"]) == pytest.approx(a.classification.distance_km[saa14], abs=5e-4)
    assert (r["near_line"], r["wrong_side"]) == ("true", "true")
    assert sum(x["wrong_side"] == "true" for x in rows) == int(a.classification.wrong_side.sum())


def test_export_honours_the_filter_and_sort(panel, demo_context, tmp_path, monkeypatch):
    cls = demo_context.document.analysis.classification
    panel.near_toggle.setChecked(True)
    panel.tree.sortByColumn(COL_MEASURE, Qt.SortOrder.AscendingOrder)
    path = tmp_path / "near.csv"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(path), "CSV files (*.csv)"))
    panel.export_action.trigger()
    rows = read_csv(path)
    assert len(rows) == int(cls.near_line.sum())
    assert all(r["near_line"] == "true" for r in rows)
    for sector in ("US-backed", "Russian-backed"):
        d = [float(r["distance_km"]) for r in rows if r["sector_name"] == sector]
        assert d == sorted(d)
    assert any("Exported" in m for m in demo_context.messages)


# -- lifetime and scale --------------------------------------------------------------------
def test_closed_panel_stops_listening(qtbot, demo_context):
    doc = demo_context.document
    signals = (doc.analysis_changed, doc.units_changed, doc.buffer_changed, demo_context.selection.changed)
    before = [len(s) for s in signals]
    widget = SectorsPanel(demo_context)
    assert [len(s) for s in signals] != before
    widget.close()  # what the main window does to every panel when it closes
    widget.deleteLater()
    qtbot.wait(10)
    assert [len(s) for s in signals] == before  # everything it connected is gone, in one call
    doc.set_preview(moved_line(doc, 6, 39.80, 35.75))  # must not reach the deleted widget
    demo_context.selection.set_units([0], source="map")


def random_units_document(n: int, seed: int = 1) -> Document:
    """`n` units scattered over the demo AO's bounding box (some fall outside the AO)."""
    rng = np.random.default_rng(seed)
    ring = np.array(AO_RING)
    lon = rng.uniform(ring[:, 0].min(), ring[:, 0].max(), n)
    lat = rng.uniform(ring[:, 1].min(), ring[:, 1].max(), n)
    side = np.where(rng.random(n) < 0.5, SIDES[0], SIDES[1]).astype(object)
    ids = np.char.add("U", np.arange(n).astype(str)).astype(object)
    aff = np.where(side == SIDES[0], "friend", "hostile").astype(object)
    units = UnitTable(ids, ids.copy(), side, aff, np.full(n, "ground", dtype=object), lon, lat)
    return Document(AreaOfOperations(AO_RING), DeconflictionLine(LINE_AUGUST), units, SIDES)


def test_200k_units_update_live_with_pages(qtbot, demo_context):
    doc = random_units_document(200_000)
    demo_context.document = doc
    widget = SectorsPanel(demo_context)
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    m = widget.model
    assert [m.data(m.index(r, 0), D) for r in range(m.rowCount())] == ["US-backed", "Russian-backed", "Outside AO"]
    first = m.index(0, 0)
    widget.tree.expand(first)
    assert m.rowCount(first) == PAGE + 1  # a page of units and a "… more" row
    assert m.data(m.index(PAGE, 0, first), D).endswith("more")
    picked = int(m.listed(0)[3])
    demo_context.selection.set_units([picked], source="map")

    for lat in (35.80, 35.70, 35.60):  # a drag: one preview per mouse move
        doc.set_preview(moved_line(doc, 4, 39.35, lat))
        qtbot.wait(1)
        cls = doc.analysis.classification
        want = np.bincount(cls.sector + 1, minlength=3)
        assert [int(m.data(m.index(r, COL_COUNT), D).replace(",", "")) for r in range(3)] == \
            [want[1], want[2], want[0]]
        assert widget.tree.isExpanded(m.index(0, 0))
        assert picked in widget.selected_units()
    doc.set_preview(None)
    qtbot.wait(1)
    widget.tree.doubleClicked.emit(m.index(PAGE, 0, m.index(0, 0)))  # the "… more" row
    assert m.rowCount(m.index(0, 0)) == 2 * PAGE + 1
    assert m.listed(0).tolist() == np.flatnonzero(doc.analysis.classification.sector == 0)[:2 * PAGE].tolist()


def test_sorted_drag_keeps_selection_and_current_row_on_their_units(qtbot, demo_context):
    doc = random_units_document(50_000, seed=2)
    demo_context.document = doc
    widget = SectorsPanel(demo_context)
    qtbot.addWidget(widget)
    widget.show()
    m, tree = widget.model, widget.tree
    tree.sortByColumn(COL_MEASURE, Qt.SortOrder.AscendingOrder)
    for r in range(2):
        tree.expand(m.index(r, 0))
    picked = np.r_[m.listed(0)[[0, 5, 7, 300]], m.listed(1)[[2, 900]]]
    demo_context.selection.set_units(picked, source="map")
    current = int(m.listed(1)[10])
    tree.selectionModel().setCurrentIndex(m.index(10, 0, m.index(1, 0)), QItemSelectionModel.SelectionFlag.NoUpdate)

    for lat in (35.84, 35.80, 35.76, 35.72):
        doc.set_preview(moved_line(doc, 4, 39.35, lat))
        qtbot.wait(1)
        cls = doc.analysis.classification
        for key in (0, 1):
            members = np.flatnonzero(cls.sector == key)
            want = members[np.argsort(cls.distance_km[members], kind="stable")][:PAGE]
            assert m.listed(key).tolist() == want.tolist()
        listed = np.concatenate([m.listed(0), m.listed(1)])
        assert sorted(widget.selected_units().tolist()) == sorted(np.intersect1d(picked, listed).tolist())
        cur = tree.currentIndex()
        if current in listed:
            assert m.unit_index(cur) == current
        assert tree.isExpanded(m.index(0, 0)) and tree.isExpanded(m.index(1, 0))
    assert sorted(demo_context.selection.units.tolist()) == sorted(picked.tolist())


def test_scrubbing_a_big_history_keeps_counts_live_and_rows_catch_up(qtbot, demo_context):
    """Every time-cursor step moves every unit: with more than SCRUB_ROWS_UNITS the sector
    counts follow each step at once, the unit rows are relisted at most every
    ROWS_INTERVAL_MS and are exact once the cursor rests."""
    from desktop.core.time_cursor import view_at
    from desktop.gui.sectors_panel import ROWS_INTERVAL_MS, SCRUB_ROWS_UNITS
    from tests.gui.big_history import T0, random_history_document
    doc = random_history_document(2 * SCRUB_ROWS_UNITS, 10, 20)
    demo_context.document = doc
    widget = SectorsPanel(demo_context)
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    m = widget.model
    widget.tree.expand(m.index(0, 0))
    for day in (20, 21, 22):  # three quick cursor steps
        doc.set_time_view(view_at(doc, T0 + day * 86_400))
        want = np.bincount(doc.analysis.classification.sector + 1, minlength=3)
        assert [int(m.data(m.index(r, COL_COUNT), D).replace(",", "")) for r in range(2)] == [want[1], want[2]]
    assert m.rows_stale  # the rows wait: relisting is what costs
    qtbot.waitUntil(lambda: not m.rows_stale, timeout=10 * ROWS_INTERVAL_MS)
    sector = doc.analysis.classification.sector
    assert m.listed(0).tolist() == np.flatnonzero(sector == 0)[:PAGE].tolist()
