"""Basemap and graticule layers on a real pyqtgraph plot (offscreen)."""
import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui

from desktop.core import basemap as bm
from desktop.core.geodesy import Projection
from desktop.gui import basemap_layer as bl
from desktop.gui.basemap_layer import BasemapLayer
from desktop.gui.graticule import GraticuleLayer, choose_interval, format_coord

RAQQA = (39.009, 35.950)
DEMO_VIEW = ((37.7, 41.4), (34.1, 36.6))  # lon range, lat range: the demo AO and around


@pytest.fixture
def proj():
    return Projection.utm_for(39.2, 35.4)


@pytest.fixture
def plot(qtbot):
    widget = pg.PlotWidget()
    widget.setBackground("w")
    widget.setAspectLocked(True, ratio=1)
    widget.resize(1000, 800)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def set_view(widget, proj, lons, lats):
    x, y = proj.forward(list(lons), list(lats))
    widget.setRange(xRange=x, yRange=y, padding=0)


def pixel_of(widget, proj, lon, lat) -> QtCore.QPoint:
    x, y = proj.forward(lon, lat)
    scene = widget.getPlotItem().getViewBox().mapViewToScene(QtCore.QPointF(float(x), float(y)))
    return widget.mapFromScene(scene)


def path_polylines(item) -> list[np.ndarray]:
    return [np.array([(p.x(), p.y()) for p in poly]) for poly in item.path().toSubpathPolygons()]


def distance_to_polylines(px, py, polylines) -> float:
    best = np.inf
    for pts in polylines:
        a, b = pts[:-1], pts[1:]
        ab = b - a
        t = np.clip(((px - a[:, 0]) * ab[:, 0] + (py - a[:, 1]) * ab[:, 1])
                    / np.maximum((ab ** 2).sum(axis=1), 1e-12), 0, 1)
        d = np.hypot(a[:, 0] + t * ab[:, 0] - px, a[:, 1] + t * ab[:, 1] - py)
        best = min(best, d.min()) if len(d) else best
    return best


def close(c1: QtGui.QColor, c2: QtGui.QColor, tol=12) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1.getRgb()[:3], c2.getRgb()[:3]))


def test_demo_area_basemap(plot, proj, qtbot, tmp_path):
    layer = BasemapLayer(plot.getPlotItem(), proj)
    grat = GraticuleLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, *DEMO_VIEW)
    layer.refresh()
    grat.refresh()
    assert layer.error is None and layer.resolution == "i"
    assert {1, 2} <= set(layer.coast)  # land and lakes
    assert all(not layer.coast[k].path().isEmpty() for k in (1, 2))
    assert not layer.rivers.path().isEmpty() and not layer.borders.path().isEmpty()
    assert all(item.zValue() < 0 for item in layer.items + grat.items)

    # the Euphrates runs past Raqqa (on its north bank)
    rx, ry = proj.forward(*RAQQA)
    assert distance_to_polylines(float(rx), float(ry), path_polylines(layer.rivers)) < 5000.0
    # Lake Assad is filled as water
    lx, ly = proj.forward(38.25, 36.0)
    assert layer.coast[2].path().contains(QtCore.QPointF(float(lx), float(ly)))

    labels = {lab.toPlainText() for lab in layer.town_labels if lab.isVisible()}
    assert {"Raqqa", "Deir ez-Zor"} <= labels   # the gazetteer's English names, as in the demo
    png = tmp_path / "demo.png"
    assert plot.grab().save(str(png)) and png.stat().st_size > 10_000


def test_renders_lake_and_land_when_zoomed_away_from_the_origin(plot, proj, qtbot, tmp_path):
    """Pixels, not items: also guards against items culled by an empty bounding rect."""
    layer = BasemapLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, (38.0, 38.7), (35.75, 36.3))  # origin (39.2E) far off screen
    layer.refresh()
    image = plot.grab().toImage()
    lake = pixel_of(plot, proj, 38.35, 35.935)
    land = pixel_of(plot, proj, 38.45, 36.2)
    assert close(image.pixelColor(lake), bl.SEA), image.pixelColor(lake).name()
    assert close(image.pixelColor(land), bl.LAND), image.pixelColor(land).name()
    image.save(str(tmp_path / "lake.png"))


def test_town_labels_do_not_overlap(plot, proj):
    layer = BasemapLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, (25.0, 55.0), (25.0, 45.0))
    layer.refresh()
    rects = [lab.sceneBoundingRect() for lab in layer.town_labels if lab.isVisible()]
    assert len(rects) >= 10
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b)


def test_range_changes_are_debounced(plot, proj, qtbot, monkeypatch):
    layer = BasemapLayer(plot.getPlotItem(), proj, debounce_ms=50)
    set_view(plot, proj, *DEMO_VIEW)
    layer.refresh()
    builds = []
    original = layer._build
    monkeypatch.setattr(layer, "_build", lambda *a: (builds.append(a[1]), original(*a)))
    for k in range(10):  # a zoom out in ten steps, as a wheel would
        f = 1 + k
        set_view(plot, proj, (39.5 - f, 39.5 + f), (35.4 - 0.6 * f, 35.4 + 0.6 * f))
    qtbot.waitUntil(lambda: bool(builds), timeout=2000)
    qtbot.wait(150)
    assert len(builds) == 1 and layer.resolution == "l"


def test_small_pan_needs_no_rebuild(plot, proj, qtbot, monkeypatch):
    layer = BasemapLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, *DEMO_VIEW)
    layer.refresh()
    builds = []
    monkeypatch.setattr(layer, "_build", lambda *a: builds.append(a))
    set_view(plot, proj, (37.9, 41.6), (34.2, 36.7))
    layer.refresh()
    assert not builds


def test_set_projection_reprojects(plot, qtbot):
    first = Projection.utm_for(39.2, 35.4)
    layer = BasemapLayer(plot.getPlotItem(), first)
    grat = GraticuleLayer(plot.getPlotItem(), first)
    set_view(plot, first, *DEMO_VIEW)
    layer.refresh()
    other = Projection.for_crs("EPSG:3857", (38.0, 35.0))  # another CRS and origin
    set_view(plot, other, *DEMO_VIEW)
    layer.set_projection(other)
    grat.set_projection(other)
    rx, ry = other.forward(*RAQQA)
    assert distance_to_polylines(float(rx), float(ry), path_polylines(layer.rivers)) < 6000.0
    assert any(lab.isVisible() and lab.toPlainText() == "36°N" for lab in grat.labels)


def test_missing_data_shows_no_basemap(plot, proj, monkeypatch):
    def broken(*_args):
        raise bm.BasemapDataError("gshhs_i.dat missing")

    monkeypatch.setattr(bm, "load_layer", broken)
    monkeypatch.setattr(bm, "towns_in", broken)
    layer = BasemapLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, *DEMO_VIEW)
    layer.refresh()  # must not raise
    assert "missing" in layer.error
    assert not layer.sea.isVisible()
    assert layer.rivers.path().isEmpty() and not any(lab.isVisible() for lab in layer.town_labels)
    plot.grab()  # and painting still works


def test_remove_takes_items_off_the_plot(plot, proj):
    layer = BasemapLayer(plot.getPlotItem(), proj)
    grat = GraticuleLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, *DEMO_VIEW)
    layer.refresh()
    grat.refresh()
    items = layer.items + grat.items
    layer.remove()
    grat.remove()
    assert all(item.scene() is None for item in items)


def test_rebuild_for_demo_view_is_fast(plot, proj):
    layer = BasemapLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, *DEMO_VIEW)
    layer.refresh()  # first load
    times = []
    for _ in range(5):
        t = time.perf_counter()
        layer.set_projection(proj)  # full re-clip, re-project and path rebuild
        times.append(time.perf_counter() - t)
    assert np.median(times) < 0.15


# ------------------------------------------------------------------ graticule

def test_graticule_labels_on_the_edges(plot, proj):
    grat = GraticuleLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, *DEMO_VIEW)
    grat.refresh()
    assert grat.interval in (1.0, 0.5)
    assert not grat.lines.path().isEmpty()
    shown = [lab for lab in grat.labels if lab.isVisible()]
    texts = {lab.toPlainText() for lab in shown}
    assert "36°N" in texts and "39°E" in texts
    rect = plot.getPlotItem().getViewBox().viewRect()
    for lab in shown:
        if lab.toPlainText().endswith("E"):
            assert abs(lab.pos().y() - rect.top()) < 0.02 * rect.height()  # bottom edge (y up)
        else:
            assert abs(lab.pos().x() - rect.left()) < 0.02 * rect.width()


def test_graticule_interval_follows_zoom(plot, proj):
    grat = GraticuleLayer(plot.getPlotItem(), proj)
    set_view(plot, proj, (39.0, 39.2), (35.9, 36.0))
    grat.refresh()
    assert grat.interval <= 5 / 60
    assert any("'" in lab.toPlainText() for lab in grat.labels if lab.isVisible())
    set_view(plot, proj, (20.0, 60.0), (20.0, 50.0))
    grat.refresh()
    assert grat.interval >= 5.0


def test_choose_interval_and_format():
    assert choose_interval(3.5) == 0.5
    assert choose_interval(40) == 10.0
    assert choose_interval(0.05) == 1 / 60
    assert format_coord(36.0, 1.0, "lat") == "36°N"
    assert format_coord(38.5, 0.5, "lon") == "38°30'E"
    assert format_coord(38 + 5 / 60, 5 / 60, "lon") == "38°05'E"
    assert format_coord(-12.25, 0.25, "lat") == "12°15'S"
    assert format_coord(181.0, 1.0, "lon") == "179°W"
    assert format_coord(0.0, 1.0, "lat") == "0°"
