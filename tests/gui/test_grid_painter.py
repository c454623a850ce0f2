"""The MGRS grid painted: lines where pyproj puts whole kilometres, labels at the edges."""
from __future__ import annotations

import numpy as np
from pyproj import Transformer
from PySide6 import QtGui

from desktop.core.geodesy import Projection
from desktop.gui.grid_painter import GridPainter
from tests.gui.paint_devices import paint_svg_and_pdf
from tests.core.tile_files import settings_at

DEMO = Projection.utm_for(38.9, 35.6)
SCALE_50K = 50_000 * 0.0254 / 96


def render(gp, settings):
    image = QtGui.QImage(settings.width, settings.height, QtGui.QImage.Format.Format_ARGB32)
    image.fill(QtGui.QColor("white"))
    p = QtGui.QPainter(image)
    gp.paint(p, settings)
    p.end()
    return image


def bluish(c: QtGui.QColor) -> bool:
    return c.blue() > c.red() + 25 and c.blue() > c.green() + 15


def test_grid_lines_are_drawn_on_whole_kilometres(qapp):
    settings = settings_at(DEMO, 39.0, 35.95, SCALE_50K, size=(1000, 700))
    image = render(GridPainter(), settings)
    to_ll = Transformer.from_crs(32637, 4326, always_xy=True)
    lon, lat = settings.projection.inverse(*settings.centre)
    e, n = Transformer.from_crs(4326, 32637, always_xy=True).transform(lon, lat)
    hits = misses = 0
    for k in range(-3, 4):
        # a whole-kilometre easting line, away from the labels and the square letters
        ee = (np.floor(e / 1000) + k) * 1000
        for nn in np.linspace(n - 3000, n + 3000, 7):
            px, py = settings.to_device(*settings.projection.forward(*to_ll.transform(ee, nn)))
            if not (30 < px < 970 and 30 < py < 670):
                continue
            on = any(bluish(image.pixelColor(int(px) + d, int(py))) for d in (-1, 0, 1))
            off = bluish(image.pixelColor(int(px) + 20, int(py)))   # between two lines (37 px apart)
            hits += on
            misses += off
    assert hits >= 20 and misses <= 2


def test_edge_labels_sit_inside_the_edges(qapp):
    gp = GridPainter()
    settings = settings_at(DEMO, 39.0, 35.95, SCALE_50K, size=(1000, 700))
    image = render(gp, settings)
    labels = gp.frame(settings).edge_labels
    assert labels
    for text, side, x, y in labels:
        if side == "top" and 20 < x < 980:
            col = [image.pixelColor(int(x) + dx, yy) for dx in range(-8, 9) for yy in range(2, 14)]
            assert any(c.blue() > 60 and c.red() < 100 for c in col), text   # dark blue figures


def test_grid_paints_into_svg_and_pdf(qapp, tmp_path):
    settings = settings_at(DEMO, 39.0, 35.95, SCALE_50K, size=(600, 400))
    svg, pdf = paint_svg_and_pdf(tmp_path, "g", GridPainter(), settings)
    assert svg.count("<path") >= 1 and "<image" not in svg        # the lines, as vectors
    assert svg.count("<text") >= 20 and ">EV<" in svg.replace("\n", "")   # labels as text
    assert len(pdf) > 1000


def test_edge_labels_that_overlap_keep_the_first_as_qt_would():
    """The array overlap test drops the same labels as QRectF.intersects, pair by pair."""
    import numpy as np
    from PySide6 import QtCore

    from desktop.gui.grid_painter import _first_of_overlapping
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        left, top = rng.uniform(0, 300, n).round(), rng.uniform(0, 60, n).round()
        width, height = rng.uniform(5, 40, n).round(), rng.uniform(5, 14, n).round()
        boxes = [QtCore.QRectF(*b) for b in zip(left, top, width, height)]
        kept: list[int] = []
        for i, box in enumerate(boxes):
            if not any(box.intersects(boxes[j]) for j in kept):
                kept.append(i)
        assert _first_of_overlapping(left, top, width, height) == kept
