"""Live reports move a few units at a time: the unit layer redraws them alone, and what it
draws is what a redraw of every unit draws (symbols, markers, rings, density raster and
flag overlay), at every level of detail."""
from __future__ import annotations

import numpy as np
import pytest

from desktop.core.demo import demo_document
from desktop.core.tracks import Tracks
from desktop.gui.map.layers import units as unit_layer
from tests.core.test_live_update import moved_table
from tests.gui.big_units import random_document
from tests.gui.test_unit_layer import make_view, zoom_to


def drawn(layer) -> dict:
    """What the unit layer draws, as plain values."""
    symbols = layer.detail.symbols
    out = {"mode": layer.mode,
           "markers": [np.column_stack(item.data()).tolist() for item in layer.markers.values()],
           "rings": [np.column_stack(ring.data()).tolist() for ring in layer.rings.values()],
           "symbols": sorted(zip(symbols.x.tolist(), symbols.y.tolist(), [str(symbols.specs[k]) for k in symbols.cls]))}
    if layer.mode == "lod":
        out["density"] = layer.density.buffer.tolist()
        out["overlay"] = layer.flag_raster.buffer.tolist() if layer.flags_as_cells else None
    return out


def redrawn(layer) -> dict:
    """What the layer draws once every unit is drawn again from scratch."""
    layer._on_units_changed()
    layer.update_flags(layer.document.analysis)
    return drawn(layer)


def live_move(doc, rows, dlon, dlat) -> None:
    doc.update_live(moved_table(doc.units, rows, doc.units.lon[rows] + dlon, doc.units.lat[rows] + dlat),
                    Tracks.empty(len(doc.units)), rows)


def watch_rebuilds(layer, monkeypatch) -> list[str]:
    calls: list[str] = []
    for name in ("refresh_positions", "rebuild_view"):
        method = getattr(layer, name)
        monkeypatch.setattr(layer, name, lambda *a, _m=method, _n=name: calls.append(_n) or _m(*a))
    return calls


def test_moved_symbols_and_their_rings_follow(qtbot, monkeypatch):
    doc = demo_document()
    view = make_view(qtbot, doc)
    layer = view.layer("units")
    rows = np.array([2, 5, 11, 17])
    calls = watch_rebuilds(layer, monkeypatch)
    # Across the line and back into the buffer: the rings change with the positions.
    live_move(doc, rows, np.array([0.05, -0.02, 0.3, 0.0]), np.array([-0.25, 0.1, 0.0, 0.01]))
    assert calls == []
    moved = drawn(layer)
    x, y = view.to_display(doc.units.lon[rows], doc.units.lat[rows])
    assert set(zip(x.tolist(), y.tolist())) <= {(sx, sy) for sx, sy, _ in moved["symbols"]}
    assert moved == redrawn(layer)


@pytest.fixture(scope="module")
def many_units():
    return random_document(60_000).units   # more than MARKER_LIMIT in view when zoomed out


@pytest.mark.parametrize("flags_as", ["rings", "cells"])
def test_moves_patch_the_density_raster_and_its_flags(qtbot, monkeypatch, many_units, flags_as):
    monkeypatch.setattr(unit_layer, "RING_LIMIT", 10**9 if flags_as == "rings" else 0)
    doc = random_document(10)
    doc.set_units(many_units)
    view = make_view(qtbot, doc)
    layer = view.layer("units")
    assert layer.mode == "lod"
    rng = np.random.default_rng(3)
    rows = rng.choice(len(doc.units), 2000, replace=False)
    calls = watch_rebuilds(layer, monkeypatch)
    before = layer._cell_of[rows].copy()
    dlon = rng.normal(0, 0.2, len(rows))
    dlon[:50] += 5.0   # off the raster
    live_move(doc, rows, dlon, rng.normal(0, 0.2, len(rows)))
    assert calls == []
    assert (layer._cell_of[rows] != before).mean() > 0.9 and (layer._cell_of[rows] == 0).any()
    assert drawn(layer) == redrawn(layer)


def test_markers_move_within_the_view_and_a_unit_leaving_it_redraws(qtbot, monkeypatch, many_units):
    doc = random_document(10)
    doc.set_units(many_units)
    view = make_view(qtbot, doc)
    layer = view.layer("units")
    cx, cy = float(np.median(layer.x)), float(np.median(layer.y))
    zoom_to(view, cx, cy, 30e3, 20e3)
    layer.flush()
    assert layer.mode == "markers" and not layer.detail.active
    x0, y0, x1, y1 = view.view_rect()
    inner = np.flatnonzero((layer.x > x0 + 5e3) & (layer.x < x1 - 5e3) & (layer.y > y0 + 5e3) & (layer.y < y1 - 5e3))
    rows = inner[::7]
    calls = watch_rebuilds(layer, monkeypatch)
    live_move(doc, rows, 0.01, -0.01)   # about a kilometre: still in view
    assert calls == []
    assert drawn(layer) == redrawn(layer)
    live_move(doc, rows[:3], 2.0, 0.0)   # out of the drawn area: the markers are chosen again
    assert "rebuild_view" in calls
    assert drawn(layer) == redrawn(layer)
