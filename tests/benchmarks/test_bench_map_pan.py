"""Panning the whole map at 1:50 000 over an offline basemap, with the MGRS grid (issue 9
targets: a frame <= 16 ms with an MBTiles basemap; the grid <= 2 ms of it).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/benchmarks/test_bench_map_pan.py \
     --benchmark-enable --benchmark-only

Setup: the map widget (every built-in layer: land and water, rivers, borders, towns,
graticule, sectors, buffer, AO, the line, the demo's units and labels, places, markup) at
1400 x 900 on the demo, at 1:50 000 over Raqqa, with

- `plain`: no basemap file, no grid (the map as it was);
- `tiles`: an MBTiles file of levels 10-14 around Raqqa (256 px JPEG tiles, written by the
  test) added as the project's basemap;
- `grid`: the MGRS grid layer on (1 km lines, edge figures, square letters);
- `tiles+grid`: both.

The pan path is walked once first and the tile loads awaited (an area already seen). A
frame is one pan step (24 px right, 8 px down, alternating back and forth) and a
synchronous repaint of the widget: every visible layer painted live for the new extent
(nothing from the resting images).
"""
from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from desktop.core.demo import demo_document
from tests.core.tile_files import write_mbtiles, xyz_tiles_around
from tests.gui.conftest import builtin_context
from tests.gui.test_tile_painter import qt_encode

RAQQA = (39.009, 35.950)
SIZE = (1400, 900)
MPP_50K = 50_000 * 0.0254 / 96
STEPS = 24


def _map(tmp_path, tiles: bool, grid: bool):
    from desktop.gui.map.scene import scene_for
    from desktop.gui.map.view import MapView
    doc = demo_document()
    if tiles:
        keys = [t for z in range(10, 15) for t in xyz_tiles_around(*RAQQA, z, 3 if z < 13 else 12)]
        path = write_mbtiles(tmp_path / "pan.mbtiles", keys, encode=qt_encode("JPEG"), fmt="jpeg")
        doc.set_map_state(doc.map_state.with_basemap(path))
    context = builtin_context(doc)
    scene = scene_for(context, interactive=True)[0]
    view = MapView(scene, context.selection)
    context.map_view = view
    scene.set_visible("grid.mgrs", grid)
    view.resize(*SIZE)
    view.show()
    x, y = view.to_display(*RAQQA)
    hw, hh = SIZE[0] / 2 * MPP_50K, SIZE[1] / 2 * MPP_50K
    view.set_view_rect(float(x) - hw, float(y) - hh, float(x) + hw, float(y) + hh)
    return view


@pytest.mark.parametrize("case", ["plain", "tiles", "grid", "tiles+grid"])
def test_pan_the_map_at_50k(qapp, tmp_path, benchmark, case):
    view = _map(tmp_path, "tiles" in case, "grid" in case)
    app = QtWidgets.QApplication.instance()
    tile_layers = [layer for layer in view.scene.layers if layer.id.startswith("basemap.file:")]
    assert len(tile_layers) == ("tiles" in case)
    steps = [(24, 8)] * (STEPS - 1) + [(-24, -8)] * (STEPS - 1)
    for dx, dy in steps:  # the area has been seen: tiles cached, basemap cut, labels laid out
        view.pan_by(dx, dy)
        view.repaint()
        for layer in tile_layers:
            layer.wait_for_loads()
        app.processEvents()
    QtCore.QThread.msleep(200)
    app.processEvents()
    view.flush()
    state = {"i": 0}

    def frame():
        state["i"] += 1
        dx, dy = steps[state["i"] % len(steps)]
        view.pan_by(dx, dy)
        view.repaint()

    benchmark.pedantic(frame, rounds=60, iterations=1, warmup_rounds=3)
    benchmark.extra_info["case"] = case
    for layer in tile_layers:
        assert layer.tiles.cache and layer.status is None
    view.close()
    view.scene.close()
    view.deleteLater()
    app.processEvents()
