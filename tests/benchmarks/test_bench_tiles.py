"""Panning over an offline basemap at 1:50k (issue 9 target: <= 16 ms per frame).

Run: .venv/bin/python -m pytest tests/benchmarks/test_bench_tiles.py --benchmark-enable --benchmark-only

Setup: an MBTiles file of levels 10-14 around Raqqa (256 px JPEG or PNG tiles, written by
the test), a TilePainter in its normal asynchronous mode, a 1400 x 900 output in the demo's
display CRS (UTM 37N) at 1:50 000. The pan path is walked once first and the loads awaited,
as when a planner pans over an area already seen; a frame is then one `paint` of the tile
layer into a 1400 x 900 QImage with the extent moved by 24 px, alternating back and forth:
the tile plan, the mesh look-ups and drawing ~30 reprojected level-13 tiles.
"""
from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui

from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.core.tiles import open_tile_file
from desktop.gui.tile_painter import TilePainter
from tests.core.tile_files import write_mbtiles, xyz_tiles_around
from tests.gui.test_tile_painter import qt_encode

RAQQA = (39.009, 35.950)
SIZE = (1400, 900)
SCALE = 50_000
STEPS = 24


def _pan_path(proj: Projection):
    per_px = SCALE * 0.0254 / 96.0           # ground metres per pixel at 96 dpi; UTM scale ~1
    x, y = proj.forward(*RAQQA)
    w, h = SIZE
    frames = []
    for i in range(STEPS):
        dx = (i - STEPS / 2) * 24 * per_px
        cx, cy = float(x) + dx, float(y) + dx / 3
        frames.append(MapSettings(proj, (cx - w / 2 * per_px, cy - h / 2 * per_px,
                                         cx + w / 2 * per_px, cy + h / 2 * per_px), SIZE))
    return frames


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_pan_over_mbtiles_at_50k(qapp, tmp_path, benchmark, fmt):
    tiles = [t for z in range(10, 15) for t in xyz_tiles_around(*RAQQA, z, 3 if z < 13 else 12)]
    path = write_mbtiles(tmp_path / "pan.mbtiles", tiles, encode=qt_encode(fmt), fmt=fmt.lower())
    tp = TilePainter(open_tile_file(path))
    frames = _pan_path(Projection.utm_for(38.9, 35.6))
    target = QtGui.QImage(*SIZE, QtGui.QImage.Format.Format_ARGB32_Premultiplied)

    def paint(settings):
        target.fill(QtGui.QColor("white"))
        p = QtGui.QPainter(target)
        tp.paint(p, settings)
        p.end()

    for s in frames:  # the area has been seen: its tiles are in the cache
        paint(s)
        tp.wait_for_loads()
    QtCore.QCoreApplication.processEvents()
    assert not tp._pending and len(tp.cache) >= 30
    state = {"i": 0}

    def frame():
        state["i"] += 1
        k = state["i"] % (2 * STEPS - 2)
        paint(frames[k if k < STEPS else 2 * STEPS - 2 - k])

    benchmark.pedantic(frame, rounds=60, iterations=1, warmup_rounds=3)
    c = target.pixelColor(700, 450)
    assert (c.red(), c.green(), c.blue()) != (255, 255, 255)   # tiles were drawn
    tp.close()
