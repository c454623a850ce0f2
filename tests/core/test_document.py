"""The document's analysis: incremental drag previews equal fresh analyses; signals; caching."""
import numpy as np
import pytest

from desktop.core.demo import AO_RING, LINE_AUGUST, SIDES, demo_document
from desktop.core.document import Document
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations
from desktop.core.units import UnitTable
from tests.core.test_sectors import GEOD


def random_units(n, seed=0):
    rng = np.random.default_rng(seed)
    ring = np.array(AO_RING)
    lon = rng.uniform(ring[:, 0].min() - 0.2, ring[:, 0].max() + 0.2, n)
    lat = rng.uniform(ring[:, 1].min() - 0.2, ring[:, 1].max() + 0.2, n)
    ids = np.array([f"U{i}" for i in range(n)], dtype=object)
    sides = np.array(SIDES + ("neutral",), dtype=object)[rng.integers(0, 3, n)]
    blank = np.full(n, "", dtype=object)
    return UnitTable(ids, ids, sides, blank, blank, lon, lat)


def make_doc(line=LINE_AUGUST, units=None, **kw):
    return Document(AreaOfOperations(AO_RING), DeconflictionLine(line), units or random_units(5000), SIDES, **kw)


def assert_same_analysis(a, b):
    ca, cb = a.classification, b.classification
    assert [s.id for s in a.sectors.sectors] == [s.id for s in b.sectors.sectors]
    assert np.array_equal(ca.sector, cb.sector)
    assert np.array_equal(ca.near_line, cb.near_line)
    assert np.array_equal(ca.wrong_side, cb.wrong_side)
    assert np.nanmax(np.abs(ca.distance_km - cb.distance_km)) <= 1e-9
    assert np.array_equal(a.counts(), b.counts())


def test_demo_analysis():
    doc = demo_document()
    a = doc.analysis
    assert [(s.id, s.owner) for s in a.sectors.sectors] == [("S1", "US-backed"), ("S2", "Russian-backed")]
    assert a.counts().sum() == len(doc.units)
    # SDF-01 (Tabqa) is US-backed, north of the line, on its side; SAA-01 south on its own.
    i, j = doc.units.index_of("SDF-01"), doc.units.index_of("SAA-01")
    assert a.classification.sector[i] == 0 and a.classification.sector[j] == 1
    assert not a.classification.wrong_side[[i, j]].any()


def test_drag_previews_equal_fresh_analyses_and_commit_reuses_the_last():
    units = random_units(20_000, seed=1)
    doc = make_doc(units=units)
    rng = np.random.default_rng(2)
    announced = []
    doc.analysis_changed.connect(announced.append)
    line = doc.line
    for vertex in (0, 4, len(line) - 1):
        for _ in range(8):
            lon, lat = line.vertices[vertex]
            nlon, nlat, _ = GEOD.fwd(lon, lat, rng.uniform(0, 360), rng.uniform(1000, 5000))
            line = line.moved(vertex, nlon, nlat)
            doc.set_preview(line)
            assert doc.shown_line is line and doc.line is not line
            assert announced[-1] is doc.analysis and announced[-1].line is line
            if rng.random() < 0.5:
                assert_same_analysis(doc.analysis, make_doc(line=line.vertices, units=units).analysis)
        preview = doc.analysis
        doc.set_line(line.moved(0, *line.vertices[0]))  # an equal line, as the command builds it
        assert doc.analysis.classification is preview.classification
    assert_same_analysis(doc.analysis, make_doc(line=line.vertices, units=units).analysis)
    assert len(announced) == 3 * 9


def test_cancelled_drag_returns_to_the_committed_line():
    doc = make_doc()
    committed = doc.analysis
    doc.set_preview(doc.line.moved(3, 39.10, 35.95))
    seen = []
    doc.line_changed.connect(lambda line, preview: seen.append((line, preview)))
    doc.set_preview(None)
    assert seen == [(doc.line, False)]
    assert_same_analysis(doc.analysis, committed)


def test_analyse_leaves_the_document_alone():
    doc = make_doc()
    current = doc.analysis
    other = doc.analyse(doc.line.moved(5, 39.70, 35.70))
    assert doc.analysis is current and other.line is not doc.line
    assert_same_analysis(other, make_doc(line=other.line.vertices, units=doc.units).analysis)


def test_buffer_change_reuses_distances():
    doc = make_doc()
    before = doc.analysis.classification
    got = []
    doc.buffer_changed.connect(got.append)
    doc.set_buffer_km(10)
    after = doc.analysis.classification
    assert got == [10.0] and after.buffer_km == 10.0
    assert after.sector is before.sector
    assert np.array_equal(after.near_line, before.distance_km <= 10.0)
    with pytest.raises(ValueError):
        doc.set_buffer_km(0)
    doc.set_preview(doc.line.moved(2, 38.80, 35.85))  # drags go on with the new buffer
    assert_same_analysis(doc.analysis, make_doc(line=doc.shown_line.vertices, units=doc.units,
                                                buffer_km=10).analysis)


def test_set_units_reindexes():
    doc = make_doc()
    doc.analysis
    events = []
    doc.units_changed.connect(lambda: events.append("units"))
    doc.analysis_changed.connect(lambda a: events.append(len(a.classification.sector)))
    doc.set_units(random_units(300, seed=9))
    assert events == ["units", 300]
    assert len(doc.units_xy[0]) == 300
    assert_same_analysis(doc.analysis, make_doc(units=doc.units).analysis)


def test_distances_of_a_drag_are_computed_when_read():
    doc = make_doc(units=random_units(20_000, seed=4))
    for k in range(5):
        doc.set_preview(doc.line.moved(4, 39.35 + 0.01 * k, 35.85))
    c = doc.analysis.classification
    assert c._km is None  # not computed during the drag
    km = c.distance_km
    assert km is c.distance_km and not km.flags.writeable
    assert_same_analysis(doc.analysis, make_doc(line=doc.shown_line.vertices, units=doc.units).analysis)
