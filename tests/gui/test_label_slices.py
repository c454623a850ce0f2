"""The window lays its labels out in slices between other work (a crowd of flagged live units
takes seconds to name), with the same result as at once; live reports move the names with
their units until the next layout."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from desktop.core.demo import demo_document
from desktop.core.tracks import Tracks
from desktop.gui.map import scene as map_scene
from tests.core.test_live_update import moved_table
from tests.gui.test_unit_layer import make_view


def laid_out(names) -> tuple:
    return list(names.texts), names.boxes.round(6).tolist(), np.nan_to_num(names.leaders, nan=-1).round(6).tolist()


def test_names_laid_out_in_slices_are_those_laid_out_at_once(qtbot, monkeypatch):
    view = make_view(qtbot, demo_document())
    detail, scene = view.layer("units").detail, view.scene
    view.flush()
    at_once = laid_out(detail.names)
    assert len(at_once[0]) >= 15
    monkeypatch.setattr(map_scene, "LABEL_SLICE_MS", 0)   # one name a slice
    ticks = []
    beat = QtCore.QTimer(interval=1)
    beat.timeout.connect(lambda: ticks.append(scene.labels_pending))
    beat.start()
    scene.relayout_labels()
    qtbot.waitUntil(lambda: not scene.labels_pending, timeout=10_000)
    beat.stop()
    assert laid_out(detail.names) == at_once
    assert ticks.count(True) >= 5   # the event loop went on while the names were laid out


def test_live_reports_move_the_names_with_their_units(qtbot):
    doc = demo_document()
    view = make_view(qtbot, doc)
    units = view.layer("units")
    view.flush()
    before = units.detail.names
    named = before.units.copy()
    rows = named[:3]
    doc.update_live(moved_table(doc.units, rows, doc.units.lon[rows] + 0.02, doc.units.lat[rows] - 0.01),
                    Tracks.empty(len(doc.units)), rows)
    names = units.detail.names   # before any new layout: the same names, beside where their units are now
    assert view.scene.labels_pending
    assert names.texts == before.texts and (names.units == named).all()
    x, y = view.to_display(doc.units.lon[named], doc.units.lat[named])
    assert np.allclose(names.x, x) and np.allclose(names.y, y)
    assert not np.allclose(names.x[:3], before.x[:3])
