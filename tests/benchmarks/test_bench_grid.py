"""Drawing the MGRS grid (issue 9 target: <= 2 ms per frame).

Run: .venv/bin/python -m pytest tests/benchmarks/test_bench_grid.py --benchmark-enable --benchmark-only

A frame is one `GridPainter.paint` into a 1400 x 900 QImage in the demo's display CRS
(UTM 37N) during a pan (24 px a frame), at 1:50 000 (1 km lines, ~60 edge labels), and at
1:500 000 across the 36°E zone boundary (10 km lines of two zones). The grid's lines are
built for a region half a view larger on every side and rebuilt when the pan leaves it, so
the rebuilds (~2-4 ms each) are in the figures, as often as a pan meets them.
"""
from __future__ import annotations

import pytest
from PySide6 import QtGui

from desktop.core.geodesy import Projection
from desktop.gui.grid_painter import GridPainter
from tests.core.tile_files import settings_at

SIZE = (1400, 900)


@pytest.mark.parametrize("scale,lon", [(50_000, 39.0), (500_000, 36.0)])
def test_grid_frame(qapp, benchmark, scale, lon):
    proj = Projection.utm_for(38.9, 35.6)
    per_px = scale * 0.0254 / 96
    frames = [settings_at(proj, lon + i * 24 * per_px / 90_000, 35.9, per_px, SIZE) for i in range(60)]
    gp = GridPainter()
    target = QtGui.QImage(*SIZE, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    state = {"i": 0}

    def frame():
        state["i"] += 1
        p = QtGui.QPainter(target)   # no fill: the grid's own cost only
        gp.paint(p, frames[state["i"] % len(frames)])
        p.end()

    benchmark.pedantic(frame, rounds=120, iterations=1, warmup_rounds=2)
    assert gp.frame(frames[0]).interval == (1000 if scale == 50_000 else 10_000)
