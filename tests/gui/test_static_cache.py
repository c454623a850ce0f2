"""Layers painted from images while the map rests (the basemap and graticule, and whatever
did not change lately): the same pixels as painting them, never stale after a pan, zoom or
change, never in exports."""
import numpy as np
import pytest
from PySide6 import QtGui

from desktop.core.demo import demo_document
from desktop.core.tracks import Tracks
from tests.core.test_live_update import moved_table
from tests.gui.conftest import make_map_view


def pixels(widget) -> np.ndarray:
    img = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, :img.width() * 4].copy()


@pytest.fixture
def view(qtbot):
    return make_map_view(qtbot, demo_document(), (900, 600))


def bottom_image(scene) -> QtGui.QImage:
    """The image the bottom run of cacheable layers (the land; rivers, borders and grid lie
    over the sectors) is drawn from."""
    order = scene.drawing_order()
    n = next((k for k, layer in enumerate(order) if not layer.cacheable), len(order))
    return scene._images.images[tuple(id(layer) for layer in order[:n])][1]


def rest(view) -> None:
    """Two paints of an unmoved view: the second draws the bottom layers from the image."""
    view.flush()
    view.grab()
    view.grab()


def test_resting_map_paints_the_basemap_from_one_image_with_the_same_pixels(view):
    scene = view.scene
    rest(view)
    assert scene.cached
    cached = pixels(view)
    scene.cache_images = False  # every layer painted again
    live = pixels(view)
    assert_same(cached, live)


def assert_same(cached: np.ndarray, live: np.ndarray) -> None:
    """Layers over the basemap come from a transparent image: composited in a different
    order, a channel may round off by up to 3 (of 255), and by more on no pixel."""
    diff = np.abs(cached.reshape(-1, 4).astype(int) - live.reshape(-1, 4))
    assert diff.max() <= 3
    differ = np.count_nonzero(np.any(diff > 2, axis=1))
    assert differ < 0.001 * cached.size / 4, f"{differ} pixels differ"


def test_a_pan_paints_the_live_basemap_then_caches_the_new_view(view):
    scene = view.scene
    rest(view)
    before = bottom_image(scene)
    view.pan_by(0.3 * view.width(), 0)
    view.grab()
    assert not scene.cached  # never the old view's pixels
    view.grab()
    assert scene.cached and bottom_image(scene) is not before
    assert bottom_image(scene).size() == view.size() * view.devicePixelRatioF()


def test_a_layer_change_draws_it_again(view):
    scene = view.scene
    rest(view)
    image = bottom_image(scene)
    scene.set_opacity("basemap.land", 0.5)
    view.grab()
    assert bottom_image(scene) is not image


def test_layers_that_do_not_change_during_a_drag_come_from_an_image(view):
    """The AO outline, places and markup are not painted again on every drag step."""
    scene, doc = view.scene, view.document
    rest(view)
    line = doc.line
    lines = [line.moved(3, *(line.vertices[3] + d)) for d in ((0.02, 0.01), (-0.02, -0.01))]
    painted = []
    ao = scene.layer("ao")
    original = ao.paint
    ao.paint = lambda *args: (painted.append(1), original(*args))
    for k in range(6):  # drag steps
        doc.set_preview(lines[k % 2])
        before = len(painted)
        image = view.grab().toImage()
        assert image.size() == view.size() * view.devicePixelRatioF()
    assert len(painted) == before  # the last steps drew the AO from its image
    doc.set_preview(None)
    view.grab()
    scene.cache_images = False
    live = pixels(view)
    scene.cache_images = True
    view.grab()
    cached = pixels(view)
    assert_same(cached, live)


def test_exports_keep_the_basemap_vector(qapp):
    from desktop.gui.export.map_frame import map_frame
    with map_frame(demo_document(), (400, 300), 1.0) as m:
        assert m.settings.force_vector and not m.scene.cache_images


def test_a_crs_change_drops_the_image_at_once(view):
    from desktop.core.geodesy import Projection
    scene = view.scene
    rest(view)
    view.set_projection(Projection.analysis_for(*view.document.ao.centre))
    view.grab()
    assert not scene.cached
    rest(view)
    assert scene.cached


def test_a_layer_changing_now_and_then_leaves_the_others_in_their_images(view):
    """A live feed moves units every second: the layers under them (sector fills, rivers, the
    AO outline...) are not painted again each time; the picture is the one painted without
    images."""
    scene, doc = view.scene, view.document
    rest(view)
    painted = []
    for layer_id in ("sectors", "ao"):
        layer = scene.layer(layer_id)
        layer.paint = lambda *args, _paint=layer.paint, _id=layer_id: (painted.append(_id), _paint(*args))
    units = scene.layer("units")
    rows = np.array([3, 9])
    for k in range(4):   # a unit moves, the map repaints a few times
        lon = doc.units.lon.copy()
        lon[rows] += 0.01 * (1 if k % 2 else -1)
        doc.update_live(moved_table(doc.units, rows, lon[rows], doc.units.lat[rows]),
                        Tracks.empty(len(doc.units)), rows)
        before, version = len(painted), units.version
        for _ in range(4):
            view.grab()
        assert units.version == version and units.version > 0
    assert len(painted) == before   # the last moves drew the others from their images
    cached = pixels(view)
    scene.cache_images = False
    live = pixels(view)
    assert_same(cached, live)
