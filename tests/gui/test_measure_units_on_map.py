"""The units of measure on the map (issue 10.7): the measure tool and range rings say their
figures in the preferred units (nautical miles, magnetic bearings, mils), checked against
pyproj.Geod and the World Magnetic Model; a measurement is drawn teal and dashed, never
like the black deconfliction line; and a change of display CRS keeps what was in view
(issue 10.8)."""
from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod
from PySide6 import QtGui

from desktop.core.annotations import MEASURE_COLOR
from desktop.core.geodesy import Projection
from desktop.core.magnetic import declination
from desktop.core.measure_units import MeasureUnits
from desktop.core.time_cursor import live_time
from tests.gui import mouse
from tests.gui.test_markup_tools import px, use, window  # noqa: F401 - the fixture

GEOD = Geod(ellps="WGS84")
TABQA_DAM, MADAN = (38.570, 35.870), (39.650, 35.740)
NM_MAG_MILS = MeasureUnits("nmi", "magnetic", "mil")


def test_a_measurement_in_nautical_miles_magnetic_and_mils(window):
    window.preferences.set_units(NM_MAG_MILS)
    use(window, "measure")
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    mouse.drag(window.map_view, px(window, *TABQA_DAM), px(window, *MADAN), steps=5)
    [m] = list(window.document.annotations)
    az, _, metres = GEOD.inv(*m.points[0], *m.points[1])
    variation = declination(*m.points[0], live_time(window.document))  # 15 Aug 2017, the demo's now
    assert variation.model == "WMM-2015v2" and 4 < variation.degrees < 6.5
    mils = round(((az - variation.degrees) % 360) * 6400 / 360) % 6400
    [shape] = window.map_view.layer("markup").shapes
    assert shape.label == f"{metres / 1852:,.2f} NM  {mils:04d} mil M"
    assert any("magnetic (variation" in text and "WMM-2015v2" in text and "NM" in text for text in messages)
    # Back to km and true: the same measurement says so at once, and nothing was edited.
    commands = len(window.stack.commands)
    window.preferences.set_units(MeasureUnits())
    [shape] = window.map_view.layer("markup").shapes
    assert shape.label == f"{metres / 1000:,.2f} km  {az % 360:05.1f}° T"
    assert len(window.stack.commands) == commands


def test_a_range_ring_rounds_in_the_unit_it_is_dragged_in(window):
    window.preferences.set_units(MeasureUnits(distance="nmi"))
    use(window, "circle")
    east = GEOD.fwd(*TABQA_DAM, 90.0, 10.8 * 1852)[:2]
    mouse.drag(window.map_view, px(window, *TABQA_DAM), px(window, *east), steps=6)
    [ring] = list(window.document.annotations)
    assert ring.radius_km == pytest.approx(11 * 1.852)  # 11 NM, not a round number of km
    assert window.map_view.layer("markup").shapes[0].label == "11 NM"


def test_a_measurement_never_looks_like_the_line(window):
    use(window, "measure")
    view = window.map_view
    start, end = (37.95, 36.22), (38.75, 36.22)  # north of the line, clear of units and places
    mouse.drag(view, px(window, *start), px(window, *end), steps=5)
    [m] = list(window.document.annotations)
    assert m.color == MEASURE_COLOR != "#000000"
    view.layer("markup").select(None)  # no selection halo over it
    window.repaint()
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    # Samples away from the ticks, and from unit symbols and places (their frames are black).
    doc = window.document
    lon = np.linspace(start[0], end[0], 400)[20:-20]
    others = view.to_display(np.r_[doc.units.lon, [p.lon for p in doc.places]],
                             np.r_[doc.units.lat, [p.lat for p in doc.places]])
    x, y = view.to_display(lon, np.full(lon.shape, start[1]))
    clear = np.min(np.hypot(x[:, None] - others[0][None, :], y[:, None] - others[1][None, :]), axis=1)
    lon = lon[clear > 22 * view.pixel_size()]
    assert len(lon) > 40
    teal = black = 0
    for x in lon:
        p = px(window, x, start[1])
        c = QtGui.QColor(image.pixel(int(p.x() * ratio), int(p.y() * ratio)))
        teal += abs(c.red() - 0) < 70 and abs(c.green() - 131) < 50 and abs(c.blue() - 143) < 50
        black += c.lightness() < 60
    assert black == 0  # nothing of it is black like the line
    assert 0.3 * len(lon) < teal < 0.9 * len(lon)  # teal, and dashed: gaps along it


def ao_in_view(view) -> bool:
    ring = view.document.ao.ring
    x, y = view.to_display(ring[:, 0], ring[:, 1])
    x0, y0, x1, y1 = view.view_rect()
    tol = 2 * view.pixel_size()
    return bool(np.all((x >= x0 - tol) & (x <= x1 + tol) & (y >= y0 - tol) & (y <= y1 + tol)))


@pytest.mark.parametrize("crs", [3857, 4326])
def test_a_new_display_crs_keeps_the_ao_in_view(window, crs):
    view = window.map_view
    view.zoom_to_ao()
    assert ao_in_view(view)
    view.set_projection(Projection.for_crs(crs, window.document.ao.centre))
    assert view.projection.label == f"EPSG:{crs}"
    assert ao_in_view(view)
