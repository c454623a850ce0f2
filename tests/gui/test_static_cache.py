"""The basemap and graticule drawn from one pixmap while the map rests: the same pixels as
the live items, never stale after a pan or zoom, and vector (no pixmap) in exports."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtGui

from desktop.core.demo import demo_document
from desktop.core.selection import Selection
from desktop.gui.map_view import MapView
from desktop.gui.static_cache import STATIC_BELOW_Z


def pixels(widget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, :img.width() * 4].copy()


@pytest.fixture
def view(qtbot):
    pg.setConfigOption("mouseRateLimit", 0)
    v = MapView(demo_document(), Selection())
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.show()
    qtbot.waitExposed(v)
    return v


def static_items(view):
    return [it for it in view.plot_item.items if it.zValue() < STATIC_BELOW_Z]


def test_resting_map_paints_the_basemap_from_one_pixmap_with_the_same_pixels(view, qtbot):
    cache = view.static_cache
    qtbot.waitUntil(lambda: cache.active, timeout=5000)
    assert not any(it.isVisible() for it in static_items(view))  # the pixmap stands in for them
    cached = pixels(view)
    cache.invalidate()  # as a pan does: the live items again
    assert not cache.active and any(it.isVisible() for it in static_items(view))
    live = pixels(view)
    differ = np.count_nonzero(np.any(cached.reshape(-1, 4) != live.reshape(-1, 4), axis=1))
    assert differ < 0.001 * cached.size / 4, f"{differ} pixels differ"


def test_a_pan_shows_the_live_basemap_then_caches_the_new_view(view, qtbot):
    cache = view.static_cache
    qtbot.waitUntil(lambda: cache.active, timeout=5000)
    rect = view.view_box.viewRect()
    view.view_box.translateBy(x=rect.width() * 0.3)
    assert not cache.active  # never the old view's pixels
    qtbot.waitUntil(lambda: cache.active, timeout=5000)
    assert cache.pixmap_item.pixmap().size() == view.viewport().size() * view.viewport().devicePixelRatioF()


def test_exports_keep_the_basemap_vector(qapp):
    from desktop.gui.export.map_frame import offscreen_map
    from PySide6 import QtCore
    with offscreen_map(demo_document(), QtCore.QSize(400, 300), 1.0) as m:
        assert m.view.static_cache is None


def test_a_crs_change_drops_the_pixmap_at_once(view, qtbot):
    from desktop.core.geodesy import Projection
    cache = view.static_cache
    qtbot.waitUntil(lambda: cache.active, timeout=5000)
    view.set_projection(Projection.analysis_for(*view.document.ao.centre))
    assert not cache.active and any(it.isVisible() for it in static_items(view))
    qtbot.waitUntil(lambda: cache.active, timeout=5000)
