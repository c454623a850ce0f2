"""The map widget with real events: keys (+/- zoom, arrows pan, Home shows the AO), the
on-map zoom buttons, the wheel, and the hover tooltip of a unit (plain text)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.demo import demo_document
from desktop.core.units import UnitTable
from desktop.gui.map import view as map_view
from tests.gui.conftest import make_map_view

K = QtCore.Qt.Key


@pytest.fixture
def view(qtbot):
    v = make_map_view(qtbot, demo_document(), (1000, 700))
    v.setFocus()
    return v


def centre(view) -> np.ndarray:
    x0, y0, x1, y1 = view.view_rect()
    return np.array([(x0 + x1) / 2, (y0 + y1) / 2])


def test_plus_and_minus_zoom_about_the_centre(view, qtbot):
    px, c = view.pixel_size(), centre(view)
    qtbot.keyClick(view, K.Key_Plus)
    assert view.pixel_size() == pytest.approx(px / map_view.KEY_ZOOM)
    qtbot.keyClick(view, K.Key_Minus)
    qtbot.keyClick(view, K.Key_Minus)
    assert view.pixel_size() == pytest.approx(px * map_view.KEY_ZOOM)
    np.testing.assert_allclose(centre(view), c)


def test_arrows_pan_an_eighth_of_the_view(view, qtbot):
    c, w = centre(view), view.width() * view.pixel_size()
    qtbot.keyClick(view, K.Key_Right)  # look further east: the map moves left
    np.testing.assert_allclose(centre(view), c + [w * map_view.KEY_PAN, 0])
    qtbot.keyClick(view, K.Key_Up)
    h = view.height() * view.pixel_size()
    np.testing.assert_allclose(centre(view), c + [w * map_view.KEY_PAN, h * map_view.KEY_PAN])
    qtbot.keyClick(view, K.Key_Left, QtCore.Qt.KeyboardModifier.ShiftModifier)  # Shift: four times as far
    np.testing.assert_allclose(centre(view), c + [-3 * w * map_view.KEY_PAN, h * map_view.KEY_PAN])


def test_home_shows_the_whole_ao(view, qtbot):
    ao = view.document.ao.ring
    x, y = view.to_display(ao[:, 0], ao[:, 1])
    qtbot.keyClick(view, K.Key_Plus)
    qtbot.keyClick(view, K.Key_Plus)
    qtbot.keyClick(view, K.Key_Right)
    qtbot.keyClick(view, K.Key_Home)
    x0, y0, x1, y1 = view.view_rect()
    assert x0 <= x.min() and x1 >= x.max() and y0 <= y.min() and y1 >= y.max()
    # ... and fits it: one side within the padding of the AO's extent
    assert min((x1 - x0) / np.ptp(x), (y1 - y0) / np.ptp(y)) == pytest.approx(1 + 2 * map_view.AO_PADDING)


def test_on_map_buttons_zoom_and_show_the_ao(view, qtbot):
    px = view.pixel_size()
    zoom_in = view.findChild(QtWidgets.QToolButton, "zoomInButton")
    zoom_out = view.findChild(QtWidgets.QToolButton, "zoomOutButton")
    home = view.findChild(QtWidgets.QToolButton, "zoomAoButton")
    assert zoom_in.isVisible() and zoom_in.geometry().right() < view.width()
    qtbot.mouseClick(zoom_in, QtCore.Qt.MouseButton.LeftButton)
    assert view.pixel_size() == pytest.approx(px / map_view.KEY_ZOOM)
    qtbot.mouseClick(zoom_out, QtCore.Qt.MouseButton.LeftButton)
    qtbot.mouseClick(zoom_out, QtCore.Qt.MouseButton.LeftButton)
    assert view.pixel_size() > px
    qtbot.mouseClick(home, QtCore.Qt.MouseButton.LeftButton)
    assert view.pixel_size() == pytest.approx(px)


def test_the_wheel_zooms_about_the_cursor(view):
    at = QtCore.QPointF(300, 200)
    before = view.widget_to_map(at)
    px = view.pixel_size()
    ev = QtGui.QWheelEvent(at, QtCore.QPointF(view.mapToGlobal(at.toPoint())), QtCore.QPoint(0, 0),
                           QtCore.QPoint(0, 120), QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
                           QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(view, ev)
    assert view.pixel_size() == pytest.approx(px / map_view.WHEEL_ZOOM)
    np.testing.assert_allclose(view.widget_to_map(at), before, atol=1e-6)  # the place under the cursor stays


def tooltip(view, x, y) -> str:
    pos = view.map_to_widget(float(x), float(y)).toPoint()
    QtWidgets.QApplication.sendEvent(view, QtGui.QHelpEvent(QtCore.QEvent.Type.ToolTip, pos, view.mapToGlobal(pos)))
    return QtWidgets.QToolTip.text() if QtWidgets.QToolTip.isVisible() else ""


def as_shown(html: str) -> str:
    doc = QtGui.QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


def test_hovering_a_unit_tells_what_it_is_and_where_it_stands(view, qtbot):
    from desktop.core.time_cursor import tracked
    doc = view.document
    i = doc.units.index_of("SDF-05")
    x, y = view.to_display(doc.units.lon[i], doc.units.lat[i])
    shown = as_shown(tooltip(view, x, y))
    cls = doc.analysis.classification
    sector = doc.analysis.sectors.sectors[int(cls.sector[i])]
    tracks = tracked(doc)
    last = tracks.time[tracks.last_report(tracks.extent[1])[i]]
    from desktop.core.tracks import format_time
    for expected in ("Id: SDF-05", f"Name: {doc.units.names[i]}", f"Side: {doc.units.sides[i]}",
                     f"Affiliation: {doc.units.affiliations[i]}", f"Echelon: {doc.units.echelons[i]}",
                     f"Sector: {sector.id} {sector.name}", f"Distance to the line: {cls.distance_km[i]:,.1f} km",
                     "Flags: ", f"Last report: {format_time(int(last))}"):
        assert expected in shown, (expected, shown)
    # Away from every unit, inside a sector: the sector says what it is.
    s2 = doc.analysis.sectors.sectors[1]
    point = np.array(s2.polygon.representative_point().coords)
    (sx, sy), = view.plane_to_display(point)
    QtWidgets.QToolTip.hideText()
    assert as_shown(tooltip(view, sx, sy)).startswith(f"{s2.id} {s2.name}: {s2.area_km2:,.0f} km²")


def test_a_unit_name_holding_html_is_shown_as_text(view, qtbot):
    doc = view.document
    names = np.array(doc.units.names, dtype=object)
    i = doc.units.index_of("SDF-05")
    names[i] = '<span style="font-size:40pt">ORDER: WITHDRAW NOW</span><img src="/abs/x.png">'
    u = doc.units
    doc.set_units(UnitTable(u.ids, names, u.sides, u.affiliations, u.domains, u.lon, u.lat, u.echelons, u.symbols))
    x, y = view.to_display(doc.units.lon[i], doc.units.lat[i])
    assert f"Name: {names[i]}" in as_shown(tooltip(view, x, y))  # every character, none of it markup
