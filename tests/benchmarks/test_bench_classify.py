"""Classification benchmarks on a demo-like scene (the demo AO and August line, units uniform
over the AO's bounding box, seeded). Skipped by default; run them with

    .venv/bin/python -m pytest tests/benchmarks --benchmark-enable --benchmark-only

Targets (2-core machine): full classification of 1M units <= 150 ms, beside the reference
"shapely contains_xy + distance on the same data"; one drag step (Document.set_preview with a
vertex moved 1-5 km -> sectors + classification of every unit) <= 5 ms of core time at 1M.
"""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from desktop.core.classify import Classifier, owner_codes
from desktop.core.demo import AO_RING, LINE_AUGUST, SIDES
from desktop.core.document import Document
from desktop.core.geodesy import GEOD, Projection
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations, compute_sectors
from desktop.core.units import UnitTable

AO = AreaOfOperations(AO_RING)
PROJ = Projection.analysis_for(*AO.centre)
LINE = DeconflictionLine(LINE_AUGUST)


def lonlat(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ring = np.array(AO_RING)
    return (rng.uniform(ring[:, 0].min(), ring[:, 0].max(), n),
            rng.uniform(ring[:, 1].min(), ring[:, 1].max(), n))


def unit_table(n: int) -> UnitTable:
    lon, lat = lonlat(n)
    ids = np.arange(n).astype(object)
    sides = np.array(SIDES, dtype=object)[np.random.default_rng(1).integers(0, 2, n)]
    blank = np.full(n, "", dtype=object)
    return UnitTable(ids, ids, sides, blank, blank, lon, lat)


@pytest.fixture(scope="module")
def scene_1m():
    x, y = PROJ.forward(*lonlat(1_000_000))
    sides = np.random.default_rng(1).integers(0, 2, len(x)).astype(np.int8)
    result = compute_sectors(AO, LINE, SIDES, PROJ)
    return x, y, sides, result, owner_codes(result, SIDES)


def test_full_classification_1m(benchmark, scene_1m):
    x, y, sides, result, owners = scene_1m
    clf = Classifier(x, y, sides, PROJ, AO.polygon(PROJ).bounds)
    c = benchmark.pedantic(clf.classify, (result, owners, 5.0), rounds=10, warmup_rounds=1)
    assert c.counts(2).sum() > 0.5 * len(x)


def test_full_classification_1m_shapely_reference(benchmark, scene_1m):
    """The reference: contains_xy per sector + distance to the effective line, same data
    (points built outside the timing; planar distance, no geodesic correction)."""
    x, y, sides, result, owners = scene_1m
    points = shapely.points(x, y)
    line = shapely.LineString(result.effective_xy)
    polygons = [s.polygon for s in result.sectors]
    for p in polygons:
        shapely.prepare(p)
    shapely.prepare(line)

    def reference():
        sector = np.full(len(x), -1, dtype=np.int16)
        for i, p in enumerate(polygons):
            sector[shapely.contains_xy(p, x, y)] = i
        distance = shapely.distance(line, points) / 1000.0
        return sector, distance

    sector, _ = benchmark.pedantic(reference, rounds=3, warmup_rounds=0)
    assert (sector >= 0).sum() > 0.5 * len(x)


def test_index_build_1m(benchmark, scene_1m):
    x, y, sides, _, _ = scene_1m
    benchmark.pedantic(Classifier, (x, y, sides, PROJ, AO.polygon(PROJ).bounds), rounds=5, warmup_rounds=1)


def test_compute_sectors_drag(benchmark):
    lines = drag_lines(4)
    it = iter(range(10 ** 9))
    benchmark.pedantic(lambda: compute_sectors(AO, lines[next(it) % len(lines)], SIDES, PROJ),
                       rounds=100, warmup_rounds=5)


def drag_lines(vertex: int, count: int = 40) -> list[DeconflictionLine]:
    """The vertex walked around a circle of 1-5 km radius: each step moves it ~0.5-1.5 km."""
    lon, lat = LINE.vertices[vertex]
    k = np.arange(count)
    radius = 1000.0 + 4000.0 * (k % 7) / 6
    plon, plat, _ = GEOD.fwd(np.full(count, lon), np.full(count, lat), k * 360.0 / count, radius)
    return [LINE.moved(vertex, a, b) for a, b in zip(plon, plat)]


@pytest.fixture(scope="module", params=[100_000, 1_000_000], ids=["100k", "1M"])
def document(request):
    doc = Document(AO, LINE, unit_table(request.param), SIDES)
    doc.analysis  # index built, first analysis done
    return doc


@pytest.mark.parametrize("vertex", [4, 8], ids=["inner_vertex", "end_vertex"])
def test_drag_step(benchmark, document, vertex):
    """One mouse move of a drag: Document.set_preview(line with one vertex moved) -> new
    sectors and the classification of every unit (distances are computed when read)."""
    lines = drag_lines(vertex)
    it = iter(range(10 ** 9))

    def step():
        document.set_preview(lines[next(it) % len(lines)])
        return document.analysis

    analysis = benchmark.pedantic(step, rounds=80, warmup_rounds=3)
    document.set_preview(None)
    assert len(analysis.sectors.sectors) == 2


def test_drag_step_reading_distances_1m(benchmark):
    """Same at 1M, but the view also reads every unit's distance after each step."""
    doc = Document(AO, LINE, unit_table(1_000_000), SIDES)
    doc.analysis
    lines = drag_lines(4)
    it = iter(range(10 ** 9))

    def step():
        doc.set_preview(lines[next(it) % len(lines)])
        return doc.analysis.classification.distance_km

    benchmark.pedantic(step, rounds=40, warmup_rounds=3)
