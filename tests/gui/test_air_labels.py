"""The air layers' labels (block names and altitude bands, aircraft altitude and speed,
closest approaches) take part in the map's shared label registry: on the demo as README
shows it, no painted label covers another or a unit symbol; a label whose spot is taken
moves, shortens or yields; night mode and the export paint them where they were laid out."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from desktop.core.demo import demo_document
from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.label_spots import BELOW_FIRST, Line, around, place
from desktop.gui.main_window import MainWindow
from desktop.gui.map.layers.labels import LabelRegistry, overlaps
from desktop.gui.map.layers.painting import label_font, label_rect

AIR = ("air.acms", "air.cpa", "air.aircraft")


class TextRecorder(QtGui.QPainter):
    """A painter that notes the glyph box (device pixels) of every text drawn through it."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.texts: list[tuple[str, str, QtCore.QRectF]] = []   # (layer id, text, box)
        self.layer = ""

    def drawText(self, *args):  # noqa: N802 - Qt API
        fm = QtGui.QFontMetricsF(self.font())
        if isinstance(args[0], QtCore.QRectF):
            rect, _, text = args[:3]
            box = QtCore.QRectF(0, 0, fm.horizontalAdvance(text), fm.height())
            box.moveCenter(rect.center())
        else:
            (p, text), box = args[:2], None
            box = QtCore.QRectF(p.x(), p.y() - fm.ascent(), fm.horizontalAdvance(text), fm.height())
        self.texts.append((self.layer, text, self.transform().mapRect(box)))
        return super().drawText(*args)

    def drawStaticText(self, p, static):  # noqa: N802 - Qt API
        self.texts.append((self.layer, static.text(), self.transform().mapRect(QtCore.QRectF(p, static.size()))))
        return super().drawStaticText(p, static)


def painted_texts(scene, settings) -> list[tuple[str, str, QtCore.QRectF]]:
    image = QtGui.QImage(*settings.size, QtGui.QImage.Format.Format_ARGB32)
    painter = TextRecorder(image)
    for layer in scene.drawing_order():
        if layer.visible:
            painter.layer = layer.id
            painter.save()   # (as the scene does: a layer may leave its transform set)
            layer.paint(painter, settings)
            painter.restore()
    painter.end()
    return painter.texts


@pytest.fixture
def readme_window(qtbot):
    """The window as README's screenshot shows it (packaging/screenshots.py): the demo, 1600 x 1000."""
    win = MainWindow(demo_document())
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    qtbot.waitExposed(win)
    win.map_view.flush()
    return win


def test_no_air_label_covers_another_label_or_a_symbol_in_the_readme_view(readme_window):
    scene, settings = readme_window.scene, readme_window.map_view.settings()
    texts = painted_texts(scene, settings)
    drawn = {layer_id: [t for layer, t, _ in texts if layer == layer_id] for layer_id in AIR}
    assert len(drawn["air.aircraft"]) >= 3 and drawn["air.cpa"] == ["line in 6 min"]
    assert any(t.startswith("corridor Kobani-Tabqa transit") for t in drawn["air.acms"])  # the active block
    covered = [(a, b) for i, (la, a, ra) in enumerate(texts) if la in AIR
               for j, (lb, b, rb) in enumerate(texts) if j != i and (lb not in AIR or j > i) and ra.intersects(rb)]
    assert not covered
    r = settings.pixel_ratio
    air = np.array([[q.left(), q.top(), q.right(), q.bottom()] for la, _, q in texts if la in AIR])
    assert not overlaps(air, scene.labels.frames * r).any()   # nor a unit symbol


def test_what_is_painted_is_what_was_laid_out_by_day_at_night_and_in_the_export(readme_window):
    scene, day = readme_window.scene, readme_window.map_view.settings()
    for layer_id in AIR:
        layer = scene.layer(layer_id)
        rects = layer.label_rects(day)
        assert rects, layer_id
        night = painted_texts(scene, replace(day, night=True))
        glyphs = [q for la, _, q in night if la == layer_id]
        assert len(glyphs) == len(rects) and all(rect.contains(q) for rect, q in zip(rects, glyphs)), layer_id
    # An export at four times the pixels lays out again and paints the same labels, scaled.
    page = replace(day, size=(day.width * 4, day.height * 4), pixel_ratio=4.0)
    scene.prepare(page)
    for layer_id in AIR:
        big = scene.layer(layer_id).label_rects(page)
        scene.prepare(day)
        small = scene.layer(layer_id).label_rects(day)
        centres = np.array([[q.center().x(), q.center().y()] for q in big]) / 4
        assert len(big) == len(small)
        np.testing.assert_allclose(centres, [[q.center().x(), q.center().y()] for q in small], atol=2.0)
        scene.prepare(page)


def registry_of(width: int = 400, height: int = 300) -> LabelRegistry:
    registry = LabelRegistry()
    projection = Projection.for_crs("EPSG:32637", (38.5, 35.5))
    registry.begin(MapSettings(projection, (0.0, 0.0, float(width), float(height)), (width, height)))
    return registry


def box_of(font_pt: float, text: str, x: float, y: float, anchor) -> tuple:
    q = label_rect(label_font(font_pt, 1.0, True), text, x, y, anchor, 3.0)
    return q.left(), q.top(), q.right(), q.bottom()


def test_a_label_whose_spot_is_taken_moves_then_shortens_then_yields():
    marker = (195.0, 145.0, 205.0, 155.0)
    full, short = (Line("FL200 · 103 kt", 7.5, True),), (Line("FL200", 7.5, True),)
    free = registry_of()
    below = place(free, [full, short], around(marker, BELOW_FIRST), (200.0, 150.0))
    assert below.lines == full and (below.x, below.ax, below.ay) == (0.0, 0.5, 0.0) and below.leader is None
    # A unit's name placed before it, where it would go: it moves beside the marker.
    taken = registry_of()
    name = box_of(7.5, "SAA Airport Defence Bn", 200.0, 158.0, (0.5, 0.0))
    taken.reserve(name)
    moved = place(taken, [full, short], around(marker, BELOW_FIRST), (200.0, 150.0))
    assert moved.lines == full and (moved.x, moved.y) != (below.x, below.y)
    mine = taken.boxes[-1]
    assert not overlaps(mine, name)[0, 0] and not overlaps(mine, marker)[0, 0]
    # Room for the flight level alone: shortened; no room at all: left out, unless it must show.
    crowd = registry_of()
    crowd.reserve([(0, 0, 400, 150 - 60), (0, 150 + 60, 400, 300), (0, 0, 200 - 28, 300), (200 + 28, 0, 400, 300)])
    shortened = place(crowd, [full, short], around(marker, BELOW_FIRST, leaders=()), (200.0, 150.0))
    assert shortened is not None and shortened.lines == short
    crowd.reserve([(0, 0, 400, 300)])
    n = len(crowd.boxes)
    assert place(crowd, [full, short], around(marker, BELOW_FIRST), (200.0, 150.0)) is None and len(crowd.boxes) == n
    assert place(crowd, [full], around(marker, BELOW_FIRST), (200.0, 150.0), must=True).lines == full


def test_a_leader_crosses_no_label():
    marker = (195.0, 145.0, 205.0, 155.0)
    registry = registry_of()
    # Every spot beside the marker is taken; a wall to the right stands between it and the spots out that way.
    registry.reserve([(150, 100, 250, 145), (150, 155, 250, 200), (150, 145, 195, 155), (205, 145, 250, 155)])
    label = place(registry, [(Line("FL200 · 103 kt", 7.5, True),)], around(marker, BELOW_FIRST), (200.0, 150.0))
    assert label is None   # boxed in: no leader gets out without crossing a label
    # A wall right of the marker, the only side offered beside it: the spots beyond the wall
    # are free, but a leader to them would cross it; the label stands off another way.
    registry = registry_of()
    wall = (208.0, 100.0, 212.0, 200.0)
    registry.reserve([wall])
    label = place(registry, [(Line("FL200 · 103 kt", 7.5, True),)], around(marker, ((1, 0),)), (200.0, 150.0))
    x0, y0, x1, y1 = np.add(label.leader, (200.0, 150.0, 200.0, 150.0))
    assert max(x0, x1) < wall[0] and not overlaps(registry.boxes[1], wall)[0, 0]   # (the label; its leader's points follow)
