"""Drag, pan and zoom on the map with 100k / 1M units (issue target: a drag step <= 16 ms).

Run: .venv/bin/python -m pytest tests/benchmarks/test_bench_drag.py --benchmark-enable --benchmark-only

Setup: the map widget (basemap, graticule, sectors, line, units: the built-in layers) on
the demo AO and line with seeded random units uniformly in the AO's bounding box, shown
offscreen at 1400 x 900.

A drag step is what the line-edit tool does per mouse move, `document.set_preview(line)`
with vertex 4 moved by ~2 km (alternating), followed by `QApplication.processEvents()`,
which delivers the widget's UpdateRequest, i.e. the real repaint into the window's backing
store (each step asserts that a Paint event reached the map). `grab()` would render the
widget into a separate pixmap: not what the event loop does per mouse move.

Split: `core` = set_preview on the same document with no view attached (reclassification
only); `render` = the view's share, driven by re-emitting pre-computed analyses through
the document's signals (layer updates + paint, no reclassification).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from desktop.core.document import Document
from desktop.gui.map.scene import scene_for
from desktop.gui.map.view import MapView
from tests.gui.big_units import random_document
from tests.gui.conftest import builtin_context

SIZES = {"100k": 100_000, "1M": 1_000_000}
STEP_DEG = 0.018  # ~2 km at 35.9 N


class PaintCounter(QtCore.QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.Type.Paint:
            self.count += 1
        return False


class Scene:
    def __init__(self, n: int) -> None:
        self.doc: Document = random_document(n)
        self.doc.analysis
        context = builtin_context(self.doc)
        self.view = MapView(scene_for(context, interactive=True)[0], context.selection)
        self.view.resize(1400, 900)
        self.view.show()
        self.app = QtWidgets.QApplication.instance()
        self.settle()
        self.paints = PaintCounter()
        self.view.installEventFilter(self.paints)
        base = self.doc.line
        lon, lat = base.vertices[3]
        self.lines = [base.moved(3, lon + d, lat + d / 2) for d in (STEP_DEG, -STEP_DEG)]
        self.i = 0

    def settle(self) -> None:
        for _ in range(3):
            QtCore.QThread.msleep(120)  # let debounced layers (units, basemap) rebuild
            self.app.processEvents()
        self.view.flush()
        for _ in range(2):  # the view has rested: basemap from its image, as in use
            self.view.repaint()
        self.app.processEvents()

    def next_line(self):
        self.i += 1
        return self.lines[self.i % 2]

    def paint(self) -> None:
        before = self.paints.count
        self.app.processEvents()
        assert self.paints.count > before, "processEvents did not repaint the view"

    def close(self) -> None:
        self.doc.set_preview(None)
        self.view.close()
        self.view.scene.close()
        self.view.deleteLater()
        self.app.processEvents()


@pytest.fixture(scope="module", params=list(SIZES))
def scene(request, qapp):
    s = Scene(SIZES[request.param])
    yield s
    s.close()


def _pedantic(benchmark, fn, rounds=40):
    benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=4)


def test_drag_step(benchmark, scene):
    """One mouse move of a vertex drag: reclassify + redraw, what the user waits for."""
    def step():
        scene.doc.set_preview(scene.next_line())
        scene.paint()
    _pedantic(benchmark, step)
    benchmark.extra_info["mode"] = scene.view.layer("units").mode


def test_drag_core(benchmark, scene):
    """set_preview alone (no view observing the document): the classification's share."""
    doc = random_document(len(scene.doc.units))
    doc.analysis
    lines = scene.lines
    state = {"i": 0}

    def step():
        state["i"] += 1
        doc.set_preview(lines[state["i"] % 2])
    _pedantic(benchmark, step)


def test_drag_render(benchmark, scene):
    """The view's share of a drag step: layer updates + repaint for a ready analysis."""
    doc = scene.doc
    analyses = [doc.analyse(line) for line in scene.lines]
    state = {"i": 0}

    def step():
        state["i"] += 1
        a = analyses[state["i"] % 2]
        doc.line_changed.emit(a.line, True)
        doc.analysis_changed.emit(a)
        scene.paint()
    _pedantic(benchmark, step)
    doc.set_preview(None)
    scene.paint()
    benchmark.extra_info["mode"] = scene.view.layer("units").mode


def _zoom_to_about(scene, n_in_view: int) -> None:
    """Zoom in on the units' median until about `n_in_view` units are in the 1400 x 900 view."""
    layer = scene.view.layer("units")
    cx, cy = float(np.median(layer.x)), float(np.median(layer.y))
    per_km2 = len(layer.x) / ((layer.x.max() - layer.x.min()) * (layer.y.max() - layer.y.min()) / 1e6)
    half_h = math.sqrt(n_in_view / per_km2 / (1400 / 900)) * 1e3 / 2
    scene.view.set_view_rect(cx - half_h * 1400 / 900, cy - half_h, cx + half_h * 1400 / 900, cy + half_h)
    scene.settle()


def _circle_pan(scene, every_so_often=None):
    """A pan step of 2 % of the view width along a circle; `every_so_often()` runs when the
    mouse would rest (about every 25 steps)."""
    view = scene.view
    width = view.width()  # pixels
    state = {"angle": 0.0}
    da = 2 * 0.02 / 0.6  # 2 % of the width per step on a circle of radius 0.3 widths

    def step():
        a = state["angle"]
        state["angle"] = a + da
        view.pan_by(0.3 * width * (math.cos(a + da) - math.cos(a)), 0.3 * width * (math.sin(a + da) - math.sin(a)))
        if every_so_often is not None and state["angle"] % 1.0 < da:
            every_so_often()
        scene.paint()
    return step


def test_pan_step(benchmark, scene):
    """Pan by 2 % of the view width per mouse move, along a circle, so the view keeps
    leaving the rasterised margin: the throttled rebuilds are part of the figures (mean,
    max), the median is a plain repaint."""
    _pedantic(benchmark, _circle_pan(scene), rounds=60)
    scene.view.zoom_to_ao()
    scene.settle()


def test_pan_step_markers(benchmark, scene):
    """Pan zoomed in to ~20k units in view (the densest view still drawn as markers)."""
    view, layer = scene.view, scene.view.layer("units")
    _zoom_to_about(scene, 20_000)
    assert layer.mode == "markers" and not layer.detail.active
    _pedantic(benchmark, _circle_pan(scene), rounds=60)
    benchmark.extra_info["markers"] = int(sum(len(m) for m in layer.markers.values()))
    view.zoom_to_ao()
    scene.settle()


def test_pan_step_symbols(benchmark, scene):
    """Pan zoomed in to the full-symbol level: ~0.8 x FULL_SYMBOL_LIMIT units in view as
    2525 symbols with their names (laid out again whenever the mouse rests, as on screen)."""
    from desktop.gui.unit_symbols import FULL_SYMBOL_LIMIT
    view, layer = scene.view, scene.view.layer("units")
    _zoom_to_about(scene, int(0.8 * FULL_SYMBOL_LIMIT))
    assert layer.detail.active and len(layer.detail.names.texts) > 20
    _pedantic(benchmark, _circle_pan(scene, view.scene.layout_labels), rounds=60)
    benchmark.extra_info["symbols"] = len(layer.detail.symbols)
    benchmark.extra_info["names"] = len(layer.detail.names.texts)
    view.zoom_to_ao()
    scene.settle()


def test_zoom_step(benchmark, scene):
    """Mouse-wheel zoom in/out by 10 % about the centre (the raster is rebuilt only when
    zooming stops, see test_lod_rebuild)."""
    view = scene.view
    state = {"i": 0}

    def step():
        state["i"] += 1
        view.zoom_by(1.1 if state["i"] % 2 else 1 / 1.1)
        scene.paint()
    _pedantic(benchmark, step)
    scene.view.zoom_to_ao()
    scene.settle()


def test_lod_rebuild(benchmark, scene):
    """Re-rasterise the units for the view (after a zoom, or a pan past the margin)."""
    layer = scene.view.layer("units")
    _pedantic(benchmark, layer.rebuild_view, rounds=20)
    benchmark.extra_info["mode"] = layer.mode


def test_drag_step_zoomed_in_markers(benchmark, scene):
    """Zoomed in on a ~30 km box around the dragged vertex: real markers and rings."""
    view, doc = scene.view, scene.doc
    x, y = view.to_display(*doc.line.vertices[3])
    view.set_view_rect(float(x) - 15e3, float(y) - 10e3, float(x) + 15e3, float(y) + 10e3)
    scene.settle()
    assert view.layer("units").mode == "markers"

    def step():
        doc.set_preview(scene.next_line())
        scene.paint()
    _pedantic(benchmark, step)
    benchmark.extra_info["markers"] = int(sum(len(m) for m in view.layer("units").markers.values()))
    doc.set_preview(None)
    view.zoom_to_ao()
    scene.settle()
