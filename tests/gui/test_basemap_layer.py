"""Basemap and graticule layers in a map scene, painted into an image (no widget)."""
import time

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from desktop.core import basemap as bm
from desktop.core.demo import demo_document
from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers import basemap as bl
from desktop.gui.map.layers.basemap import BasemapSource, basemap_layers
from desktop.gui.map.layers.graticule import GraticuleLayer, choose_interval, format_coord
from desktop.gui.map.layers.labels import ANCHORS
from desktop.gui.map.layers.painting import label_font, label_rect
from desktop.gui.map.scene import MapScene

RAQQA = (39.009, 35.950)
DEMO_VIEW = ((37.7, 41.4), (34.1, 36.6))  # lon range, lat range: the demo AO and around


@pytest.fixture
def proj():
    return Projection.utm_for(39.2, 35.4)


@pytest.fixture
def scene(qapp, proj):
    doc = demo_document()
    doc.places = ()  # towns alone: no scenario places to keep clear of
    s = MapScene(doc, proj)
    for layer in basemap_layers(None):
        s.add_layer(layer)
    s.add_layer(GraticuleLayer())
    yield s
    s.close()


def source(scene) -> BasemapSource:
    return scene.layer("basemap.land").source


def settings_for(proj, lons, lats, size=(1000, 800)) -> MapSettings:
    x, y = proj.forward(list(lons), list(lats))
    return MapSettings.fitted(proj, (min(x), min(y), max(x), max(y)), size)


def render(scene, settings) -> QtGui.QImage:
    image = QtGui.QImage(*settings.size, QtGui.QImage.Format.Format_RGB32)
    painter = QtGui.QPainter(image)
    scene.paint(painter, settings)
    painter.end()
    return image


def pixel_of(settings, lon, lat) -> QtCore.QPoint:
    x, y = settings.to_device(*settings.projection.forward(lon, lat))
    return QtCore.QPoint(int(x), int(y))


def path_polylines(path) -> list[np.ndarray]:
    return [np.array([(p.x(), p.y()) for p in poly]) for poly in path.toSubpathPolygons()]


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


def town_labels(scene) -> list[str]:
    towns = scene.layer("basemap.towns")
    return [str(towns.source.towns[2][i]) for i in towns.labelled]


def test_demo_area_basemap(scene, proj, tmp_path):
    settings = settings_for(proj, *DEMO_VIEW)
    scene.prepare(settings)
    src = source(scene)
    assert src.error is None and src.resolution == "i"
    assert {1, 2} <= set(src.coast)  # land and lakes
    assert all(not src.coast[k].isEmpty() for k in (1, 2))
    assert not src.rivers.isEmpty() and not src.borders.isEmpty()
    order = [layer.id for layer in scene.layers]
    assert order.index("basemap.land") < order.index("basemap.rivers") < order.index("graticule")
    # the Euphrates runs past Raqqa (on its north bank)
    rx, ry = proj.forward(*RAQQA)
    assert distance_to_polylines(float(rx), float(ry), path_polylines(src.rivers)) < 5000.0
    # Lake Assad is filled as water
    lx, ly = proj.forward(38.25, 36.0)
    assert src.coast[2].contains(QtCore.QPointF(float(lx), float(ly)))
    assert {"Raqqa", "Deir ez-Zor"} <= set(town_labels(scene))  # the gazetteer's English names, as in the demo
    png = tmp_path / "demo.png"
    assert render(scene, settings).save(str(png)) and png.stat().st_size > 10_000


def test_renders_lake_and_land_when_zoomed_away_from_the_origin(scene, proj, tmp_path):
    settings = settings_for(proj, (38.0, 38.7), (35.75, 36.3))  # origin (39.2E) far off the image
    scene.prepare(settings)
    image = render(scene, settings)
    lake = pixel_of(settings, 38.35, 35.935)
    land = pixel_of(settings, 38.45, 36.2)
    assert close(image.pixelColor(lake), bl.SEA), image.pixelColor(lake).name()
    assert close(image.pixelColor(land), bl.LAND), image.pixelColor(land).name()
    image.save(str(tmp_path / "lake.png"))


def test_town_labels_do_not_overlap(scene, proj):
    settings = settings_for(proj, (25.0, 55.0), (25.0, 45.0))
    scene.prepare(settings)
    towns = scene.layer("basemap.towns")
    x, y, names, _ = towns.source.towns
    dx, dy = settings.to_device(x, y)
    font = label_font(bl.TOWN_LABEL_PT, 1.0)
    rects = [label_rect(font, str(names[i]), dx[i], dy[i], ANCHORS[0], 3.0) for i in towns.labelled]
    assert len(rects) >= 10
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b)


def test_view_changes_are_debounced(qapp, proj, qtbot, monkeypatch):
    doc = demo_document()
    src = BasemapSource(debounce_ms=50)
    scene = MapScene(doc, proj)
    for layer in (bl.LandLayer(src), bl.RiversLayer(src)):
        scene.add_layer(layer)
    scene.prepare(settings_for(proj, *DEMO_VIEW))
    builds = []
    original = src._build
    monkeypatch.setattr(src, "_build", lambda *a: (builds.append(a[2]), original(*a)))
    for k in range(10):  # a zoom out in ten steps, as a wheel would
        f = 1 + k
        scene.set_view(settings_for(proj, (39.5 - f, 39.5 + f), (35.4 - 0.6 * f, 35.4 + 0.6 * f)))
    qtbot.waitUntil(lambda: bool(builds), timeout=2000)
    qtbot.wait(150)
    assert len(builds) == 1 and src.resolution == "l"
    scene.close()
    assert not src.layers and not src.rebuild_pending


def test_small_pan_needs_no_rebuild(scene, proj, monkeypatch):
    scene.prepare(settings_for(proj, *DEMO_VIEW))
    builds = []
    monkeypatch.setattr(source(scene), "_build", lambda *a: builds.append(a))
    scene.prepare(settings_for(proj, (37.9, 41.6), (34.2, 36.7)))
    assert not builds


def test_set_projection_reprojects(scene, proj):
    scene.prepare(settings_for(proj, *DEMO_VIEW))
    other = Projection.for_crs("EPSG:3857", (38.0, 35.0))  # another CRS and origin
    scene.set_projection(other)
    assert source(scene).rivers.isEmpty()  # nothing in the old CRS is drawn in the new one
    settings = settings_for(other, *DEMO_VIEW)
    scene.prepare(settings)
    rx, ry = other.forward(*RAQQA)
    assert distance_to_polylines(float(rx), float(ry), path_polylines(source(scene).rivers)) < 6000.0
    assert "36°N" in [text for text, *_ in scene.layer("graticule").labels(settings)]


def test_missing_data_shows_no_basemap(scene, proj, monkeypatch):
    def broken(*_args):
        raise bm.BasemapDataError("gshhs_i.dat missing")

    monkeypatch.setattr(bm, "load_layer", broken)
    monkeypatch.setattr(bm, "towns_in", broken)
    settings = settings_for(proj, *DEMO_VIEW)
    scene.prepare(settings)  # must not raise
    src = source(scene)
    assert "missing" in src.error
    assert src.sea is None and src.rivers.isEmpty() and not town_labels(scene)
    render(scene, settings)  # and painting still works


def test_close_disconnects_and_stops(scene, proj):
    doc = scene.document
    scene.set_view(settings_for(proj, *DEMO_VIEW))
    src = source(scene)
    assert src.rebuild_pending
    scene.close()
    assert not src.layers and not src.rebuild_pending
    assert not scene.layers
    assert all(len(s) == 0 for s in (doc.analysis_changed, doc.units_changed, doc.annotations_changed))


def test_rebuild_for_demo_view_is_fast(scene, proj):
    settings = settings_for(proj, *DEMO_VIEW)
    scene.prepare(settings)  # first load
    src = source(scene)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        src.projection_changed()
        src.prepare(settings)  # full re-clip, re-project and path rebuild
        times.append(time.perf_counter() - t)
    assert np.median(times) < 0.15


# ------------------------------------------------------------------ graticule

def test_graticule_labels_on_the_edges(scene, proj):
    settings = settings_for(proj, *DEMO_VIEW)
    scene.prepare(settings)
    grat = scene.layer("graticule")
    assert grat.interval in (1.0, 0.5)
    assert not grat.path.isEmpty()
    shown = grat.labels(settings)
    texts = {text for text, *_ in shown}
    assert "36°N" in texts and "39°E" in texts
    x0, y0, x1, y1 = settings.extent
    for text, x, y, _ in shown:
        if text.endswith("E"):
            assert abs(y - y0) < 0.02 * (y1 - y0)  # bottom edge (y up)
        else:
            assert abs(x - x0) < 0.02 * (x1 - x0)
    # reserved in the shared registry, so towns keep clear of them
    assert len(scene.labels.boxes) >= len(shown)


def test_graticule_interval_follows_zoom(scene, proj):
    grat = scene.layer("graticule")
    settings = settings_for(proj, (39.0, 39.2), (35.9, 36.0))
    grat.prepare(settings)
    assert grat.interval <= 5 / 60
    assert any("'" in text for text, *_ in grat.labels(settings))
    grat.prepare(settings_for(proj, (20.0, 60.0), (20.0, 50.0)))
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


def test_graticule_labels_keep_inside_the_mgrs_grids_edge_figures(qapp, proj):
    """With the MGRS grid shown, its easting/northing figures line the map's edges; the
    lat/lon labels move in past them (on the left and bottom edges) rather than print
    over them, and go back to the edge when the grid is hidden. Read from the pixels: the
    grid's figures are dark blue text, the graticule's dark grey."""
    from desktop.gui.map.layers.grids import MgrsGridLayer
    doc = demo_document()
    doc.places = ()
    scene = MapScene(doc, proj)
    grid = MgrsGridLayer()
    for layer in (GraticuleLayer(), grid):
        scene.add_layer(layer)
    settings = settings_for(proj, (38.6, 39.6), (35.4, 36.0))   # a 10 km grid, 10' graticule

    def text_pixels() -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of the grid's figures' and of the graticule labels' text."""
        scene.prepare(settings)
        image = render(scene, settings).convertToFormat(QtGui.QImage.Format.Format_RGB888)
        w, h = settings.size
        rgb = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())[:, :3 * w]
        rgb = rgb.reshape(h, w, 3).astype(int)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        figures = (b - r > 60) & (rgb.sum(axis=2) < 230)          # LABEL_COLOUR (10, 40, 120)
        grey = (np.abs(r - b) < 12) & (np.abs(r - g) < 12) & (r < 120)  # LABEL #505050
        return np.argwhere(figures), np.argwhere(grey)

    grid.visible = True
    figures, labels = text_pixels()
    w, h = settings.size
    left = lambda rc: rc[(rc[:, 1] < 90) & (rc[:, 0] > 30) & (rc[:, 0] < h - 40)]   # noqa: E731
    bottom = lambda rc: rc[(rc[:, 0] > h - 45) & (rc[:, 1] > 100) & (rc[:, 1] < w - 30)]  # noqa: E731
    assert len(left(figures)) > 50 and len(bottom(figures)) > 50
    assert len(left(labels)) > 50 and len(bottom(labels)) > 50          # "35°N", "39°E", ...
    assert left(labels)[:, 1].min() > left(figures)[:, 1].max()          # right of the northings
    assert bottom(labels)[:, 0].max() < bottom(figures)[:, 0].min()      # above the eastings
    grid.visible = False
    _, alone = text_pixels()
    assert left(alone)[:, 1].min() < left(figures)[:, 1].max()           # at the edge again
    assert bottom(alone)[:, 0].max() > bottom(figures)[:, 0].min()
    scene.close()
