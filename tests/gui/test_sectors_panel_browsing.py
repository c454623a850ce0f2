"""Browsing the sectors panel as a planner does (issue 10.9): ids beside names, every column
in view at the window's default size, a click that selects without moving the map, a
double-click that centres it, the row of a unit picked on the map scrolled into view, and
distances in the preferred units of measure."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from desktop.core.demo import demo_document
from desktop.core.measure_units import MeasureUnits, format_area, format_distance
from desktop.gui.sectors_model import COL_ID, COL_MEASURE, COL_NAME, COL_SIDE, COLUMNS, PAGE, UNIT_ROLE
from desktop.gui.sectors_panel import SectorsPanel
from tests.gui import mouse
from tests.gui.test_sectors_panel import random_units_document

D = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def window(qtbot):
    """The main window at its default size, as it first opens."""
    from desktop.gui.main_window import MainWindow
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def unit_index(panel, unit: int) -> QModelIndex:
    m = panel.model
    for key in m.group_keys():
        rows = m.listed(key)
        hit = np.flatnonzero(rows == unit)
        if len(hit):
            return m.index(int(hit[0]), 0, m.group_index(key))
    return QModelIndex()


def row_in_view(panel, index: QModelIndex) -> bool:
    rect = panel.tree.visualRect(index)
    return rect.isValid() and panel.tree.viewport().rect().contains(rect)


def map_centre(view) -> tuple[float, float]:
    return view.settings().centre


def test_ids_are_listed_for_sectors_and_units(qtbot, demo_context):
    panel = SectorsPanel(demo_context)
    qtbot.addWidget(panel)
    doc, m = demo_context.document, panel.model
    assert m.headerData(COL_ID, Qt.Orientation.Horizontal) == "Id"
    for r, sector in enumerate(doc.analysis.sectors.sectors):
        group = m.index(r, 0)
        assert m.data(m.index(r, COL_ID), D) == sector.id
        panel.tree.expand(group)
        for row in range(m.rowCount(group)):
            u = m.data(m.index(row, 0, group), UNIT_ROLE)
            assert m.data(m.index(row, COL_ID, group), D) == doc.units.ids[u]


def test_ids_sort_like_text(qtbot, demo_context):
    panel = SectorsPanel(demo_context)
    qtbot.addWidget(panel)
    m = panel.model
    panel.tree.expand(m.index(0, 0))
    panel.tree.sortByColumn(COL_ID, Qt.SortOrder.DescendingOrder)
    group = m.index(0, 0)
    ids = [m.data(m.index(r, COL_ID, group), D) for r in range(m.rowCount(group))]
    assert ids == sorted(ids, key=str.lower, reverse=True)


def test_names_fit_and_every_column_is_in_view_at_the_default_size(window):
    panel = window.panels["sectors"]
    tree, m = panel.tree, panel.model
    for key in m.group_keys():
        tree.expand(m.group_index(key))
    QApplication.processEvents()
    header = tree.header()
    # The owner (and every other column) is in view without scrolling sideways.
    for column in range(len(COLUMNS)):
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= tree.viewport().width(), \
            COLUMNS[column]
    assert header.sectionViewportPosition(COL_SIDE) >= 0
    # Every unit's name is shown whole: its cell is wider than its text and the icon.
    fm = tree.fontMetrics()
    for key in m.group_keys():
        group = m.group_index(key)
        for row in range(m.rowCount(group)):
            index = m.index(row, COL_NAME, group)
            name = m.data(index, D)
            assert tree.visualRect(index).width() >= fm.horizontalAdvance(name) + 16, name


def test_a_click_selects_without_moving_the_map_and_a_double_click_centres_it(window, qtbot):
    panel, view, doc = window.panels["sectors"], window.map_view, window.document
    saa14 = doc.units.index_of("SAA-14")
    index = unit_index(panel, saa14)
    panel.tree.expand(index.parent())
    panel.tree.scrollTo(index)
    pos = panel.tree.visualRect(index).center()
    before = map_centre(view)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.selection.units.tolist() == [saa14]
    assert map_centre(view) == pytest.approx(before)  # browsing the list leaves the map alone
    qtbot.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    x, y = view.to_display(doc.units.lon[saa14], doc.units.lat[saa14])
    assert map_centre(view) == pytest.approx((float(x), float(y)), abs=view.pixel_size() * 2)


def test_a_unit_picked_on_the_map_has_its_row_scrolled_into_view(window):
    panel, view, doc = window.panels["sectors"], window.map_view, window.document
    # The last unit of the table: listed near the bottom of the last sector.
    m = panel.model
    for key in m.group_keys():
        panel.tree.expand(m.group_index(key))
    last_key = m.group_keys()[-1]
    unit = int(m.listed(last_key)[-1])
    panel.tree.scrollToTop()
    QApplication.processEvents()
    assert not row_in_view(panel, unit_index(panel, unit))
    x, y = view.to_display(doc.units.lon[unit], doc.units.lat[unit])
    mouse.click(view, mouse.to_viewport(view, float(x), float(y)))
    QApplication.processEvents()
    assert window.selection.units.tolist() == [unit]
    assert row_in_view(panel, unit_index(panel, unit))


def test_a_unit_beyond_the_listed_pages_gets_its_row(qtbot, demo_context):
    doc = random_units_document(8 * PAGE, seed=4)
    demo_context.document = doc
    panel = SectorsPanel(demo_context)
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    members = np.flatnonzero(doc.analysis.classification.sector == 0)
    deep = int(members[PAGE + 200])  # on the second page of its sector
    assert deep not in panel.model.listed(0)
    demo_context.selection.set_units([deep], source="map")
    index = unit_index(panel, deep)
    assert index.isValid() and panel.tree.selectionModel().isSelected(index)
    QApplication.processEvents()
    assert row_in_view(panel, index)
    assert len(panel.model.listed(0)) == 2 * PAGE  # listed up to its page, no further


def test_distances_areas_and_buffer_follow_the_units_of_measure(qtbot, demo_context):
    panel = SectorsPanel(demo_context)
    qtbot.addWidget(panel)
    doc, m = demo_context.document, panel.model
    nm = MeasureUnits(distance="nmi")
    demo_context.preferences.set_units(nm)
    assert m.headerData(COL_MEASURE, Qt.Orientation.Horizontal) == "NM² / NM"
    sector = doc.analysis.sectors.sectors[0]
    assert m.data(m.index(0, COL_MEASURE), D) == format_area(sector.area_km2, nm)
    group = m.index(0, 0)
    panel.tree.expand(group)
    u = m.data(m.index(0, 0, group), UNIT_ROLE)
    km = float(doc.analysis.classification.distance_km[u])
    assert m.data(m.index(0, COL_MEASURE, group), D) == format_distance(km, nm) == f"{km / 1.852:,.2f} NM"
    assert panel.buffer_spin.suffix() == " NM"
    assert panel.buffer_spin.value() == pytest.approx(doc.buffer_km / 1.852, abs=0.005)
    # Typing a buffer in NM is one edit, stored in km.
    panel.buffer_spin.lineEdit().selectAll()
    qtbot.keyClicks(panel.buffer_spin.lineEdit(), "3")
    qtbot.keyClick(panel.buffer_spin.lineEdit(), Qt.Key.Key_Return)
    assert doc.buffer_km == pytest.approx(3 * 1.852)
    assert demo_context.stack.can_undo()
    # Back to km: nothing was edited by the switch.
    demo_context.preferences.set_units(MeasureUnits())
    assert panel.buffer_spin.suffix() == " km" and panel.buffer_spin.value() == pytest.approx(5.6, abs=0.05)
    assert doc.buffer_km == pytest.approx(3 * 1.852)


def test_one_unit_is_counted_in_the_singular(qtbot, demo_context):
    from desktop.core.units import UnitTable
    doc = demo_context.document
    doc.set_units(UnitTable.from_records([dict(id="X-01", name="Lone", side=doc.sides[0], affiliation="friend",
                                               lon=38.9, lat=36.1)]))
    panel = SectorsPanel(demo_context)
    qtbot.addWidget(panel)
    assert "<b>1</b> unit " in panel.counts_label.text()
