"""The label registry's spatial index gives the answers of testing every placed box: the
counts and pairs of random boxes (touching, outside the view, huge, inside out, NaN) as a
brute-force test finds them, and the same map labels as a registry that tests every box."""
from __future__ import annotations

import numpy as np
import pytest

from desktop.core.demo import demo_document
from desktop.core.units import UnitTable
from desktop.gui.map.layers.label_index import BoxIndex
from desktop.gui.map.layers.labels import LabelRegistry, gaps, overlaps
from desktop.gui.map.layers.unit_names import _nearest
from tests.gui.conftest import make_map_view

W, H = 1400.0, 900.0


def random_boxes(rng, n: int) -> np.ndarray:
    """Boxes of every kind a map makes: small labels and points on whole and half pixels (so
    edges touch exactly), some beyond the view, a few huge, inside out or NaN."""
    x0 = rng.integers(-300, int(W) + 300, n) / rng.choice([1.0, 2.0], n)
    y0 = rng.integers(-300, int(H) + 300, n) / rng.choice([1.0, 2.0], n)
    w = rng.choice([1.0, 8.0, 32.0, 60.5, 64.0, 140.0], n)
    h = rng.choice([1.0, 13.0, 18.0, 32.0, 40.0], n)
    b = np.column_stack([x0, y0, x0 + w, y0 + h])
    kind = rng.random(n)
    b[kind < 0.02] = [-5e5, -10.0, 5e5, 30.0] + rng.random((int((kind < 0.02).sum()), 4)) * 50
    b[(kind >= 0.02) & (kind < 0.03)] = b[(kind >= 0.02) & (kind < 0.03)][:, [2, 3, 0, 1]]   # inside out
    b[(kind >= 0.03) & (kind < 0.04), 1] = np.nan
    b[(kind >= 0.04) & (kind < 0.05)] += 1e6   # far off
    return b


@pytest.mark.parametrize("seed", range(6))
def test_index_finds_what_testing_every_box_finds(seed):
    rng = np.random.default_rng(seed)
    index, placed = BoxIndex(W, H), np.empty((0, 4))
    registry = LabelRegistry()
    for _ in range(8):   # boxes come in batches, queries between them
        batch = random_boxes(rng, int(rng.integers(1, 900)))
        index.add(batch)
        placed = np.vstack([placed, batch])
        cands = random_boxes(rng, int(rng.integers(1, 400)))
        truth = overlaps(cands, placed)
        assert (index.hits(cands) == truth.sum(axis=1)).all()
        skip = rng.choice(len(placed), size=len(placed) // 3, replace=False)
        kept = np.ones(len(placed), dtype=bool)
        kept[skip] = False
        assert (index.hits(cands, skip) == truth[:, kept].sum(axis=1)).all()
        registry.index = index
        for box, hit in zip(cands[:20], truth[:20]):
            if not np.isnan(box).any():
                assert registry.overlapping(box).tolist() == np.flatnonzero(hit).tolist()
    assert (index.boxes[~np.isnan(placed)] == placed[~np.isnan(placed)]).all()


@pytest.mark.parametrize("seed", range(4))
def test_nearest_rival_is_the_nearest_of_all_within_reach(seed):
    """A name's spot is judged by its nearest other symbol where one is within reach; the
    rivals are looked at a tile of spots at a time."""
    rng = np.random.default_rng(seed)
    spots = random_boxes(rng, 300)
    spots = spots[~np.isnan(spots).any(axis=1) & (spots[:, 2] >= spots[:, 0]) & (spots[:, 3] >= spots[:, 1])]
    rivals = random_boxes(rng, 500)
    rivals = rivals[~np.isnan(rivals).any(axis=1)]
    for pad in (3.0, 40.0, 160.0):
        truth = gaps(spots, rivals).min(axis=1)
        found = _nearest(spots, rivals, pad)
        within = truth <= pad
        assert within.any() and (~within).any()
        assert (found[within] == truth[within]).all() and (found[~within] > pad).all()


class EveryBoxRegistry(LabelRegistry):
    """The registry without its index: each question tests every placed box."""

    def hits(self, cands, skip=None):
        keep = np.ones(len(self.boxes), dtype=bool)
        if skip is not None:
            keep[skip] = False
        return overlaps(cands, self.boxes[keep]).sum(axis=1)

    def overlapping(self, box):
        return np.flatnonzero(overlaps(box, self.boxes)[0])


def crowd_document(n: int = 160):
    """The demo with `n` more units packed along the line near Raqqa (both sides, so many are
    flagged wrong-side or near the line and must be named, most on leaders)."""
    doc = demo_document()
    u, k = doc.units, np.arange(n)
    ids = [f"C-{i:03d}" for i in k]
    cols = {name: [str(v) for v in getattr(u, name)] + extra for name, extra in (
        ("ids", ids), ("names", ids), ("sides", [doc.sides[i % 2] for i in k]), ("affiliations", ["friend"] * n),
        ("domains", ["ground"] * n), ("echelons", [""] * n), ("symbols", ["SFGPUCI----"] * n))}
    lat = 35.84 + 0.14 * np.sin(2 * np.pi * k / n)
    lon = 38.6 + 0.7 * k / (n - 1)
    doc.set_units(UnitTable(cols["ids"], cols["names"], cols["sides"], cols["affiliations"], cols["domains"],
                            np.concatenate([u.lon, lon]), np.concatenate([u.lat, lat]), cols["echelons"], cols["symbols"]))
    return doc


def laid_out(view) -> tuple:
    detail, scene = view.layer("units").detail, view.scene
    names = detail.names
    others = [getattr(layer, "labelled", None) for layer in scene.layers] + [view.layer("places").dots]
    return (list(names.texts), names.boxes.tolist(), np.nan_to_num(names.leaders, nan=-1).tolist(),
            [None if o is None else np.asarray(o).tolist() for o in others], scene.labels.boxes.tolist())


def test_map_labels_are_those_of_a_registry_testing_every_box(qtbot):
    view = make_map_view(qtbot, crowd_document())
    view.scene.layout_labels()
    indexed = laid_out(view)
    assert len(indexed[0]) >= 100 and sum(leader[0] != -1 for leader in indexed[2]) >= 50   # a crowd, on leaders
    view.scene.labels = EveryBoxRegistry()
    view.scene.layout_labels()
    assert laid_out(view) == indexed
