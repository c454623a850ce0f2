"""Map markup model: validation, geodesic measures against pyproj.Geod, undoable edits."""
import numpy as np
import pytest
from pyproj import Geod

from desktop.core.annotations import (ARROW, CIRCLE, FREEHAND, MEASURE, POLYGON, TEXT, Annotation,
                                      AnnotationError, Annotations)
from desktop.core.commands import CommandStack, add_annotation, change_annotation, delete_annotation
from desktop.core.demo import demo_document

GEOD = Geod(ellps="WGS84")
TABQA_DAM = (38.570, 35.870)
RAQQA = (39.009, 35.950)
MADAN = (39.650, 35.740)


def test_measure_matches_pyproj_geod():
    m = Annotation("m1", MEASURE, [TABQA_DAM, MADAN])
    az, _, d = GEOD.inv(*TABQA_DAM, *MADAN)
    assert m.distance_km() == pytest.approx(d / 1000, abs=1e-6)
    assert m.bearing_deg() == pytest.approx(az % 360, abs=1e-9)
    assert m.label() == f"{d / 1000:,.2f} km  {az % 360:05.1f}° T"


def test_range_ring_is_at_its_radius_everywhere_and_its_area_is_geodesic():
    ring = Annotation("r", CIRCLE, [TABQA_DAM], radius_km=20)
    lon, lat = ring.outline()
    _, _, d = GEOD.inv(np.full(lon.shape, TABQA_DAM[0]), np.full(lat.shape, TABQA_DAM[1]), lon, lat)
    assert np.allclose(d, 20_000, atol=0.01)
    # A geodesic circle of 20 km: pi r^2 within the small-circle curvature correction.
    assert ring.area_km2() == pytest.approx(np.pi * 20**2, rel=2e-3)
    assert ring.label() == "20 km" and ring.distance_km() == 20


def test_polygon_outline_follows_geodesic_edges_and_closes():
    pts = [(38.0, 35.0), (41.0, 35.0), (41.0, 36.0), (38.0, 36.0)]
    poly = Annotation("p", POLYGON, pts)
    lon, lat = poly.outline()
    assert (lon[0], lat[0]) == (lon[-1], lat[-1]) == pts[0]
    # The southern edge is a geodesic: it bulges ~1 km poleward of the 35° parallel, and
    # the outline passes through the geodesic's own midpoint.
    (mid_lon, mid_lat), = GEOD.npts(38.0, 35.0, 41.0, 35.0, 1)
    _, _, miss = GEOD.inv(np.full(lon.shape, mid_lon), np.full(lat.shape, mid_lat), lon, lat)
    assert mid_lat > 35.008 and miss.min() < 10.0
    area, perim = GEOD.polygon_area_perimeter([p[0] for p in pts], [p[1] for p in pts])
    assert poly.area_km2() == pytest.approx(abs(area) / 1e6, rel=1e-4)
    assert poly.distance_km() == pytest.approx(perim / 1000, rel=1e-9)


@pytest.mark.parametrize("kwargs, reason", [
    (dict(kind=TEXT, points=[TABQA_DAM], text="  "), "needs some text"),
    (dict(kind=ARROW, points=[TABQA_DAM]), "takes 2 point"),
    (dict(kind=POLYGON, points=[TABQA_DAM, RAQQA]), "at least 3"),
    (dict(kind=CIRCLE, points=[TABQA_DAM], radius_km=0), "radius"),
    (dict(kind=MEASURE, points=[TABQA_DAM, (39.0, 123.0)]), "outside"),
    (dict(kind=FREEHAND, points=[TABQA_DAM, (np.nan, 35.0)]), "no valid coordinates"),
    (dict(kind=ARROW, points=[TABQA_DAM, RAQQA], color="red"), "#rrggbb"),
    (dict(kind="blob", points=[TABQA_DAM]), "not one of"),
])
def test_impossible_annotations_are_refused_with_a_reason(kwargs, reason):
    with pytest.raises(AnnotationError, match=reason):
        Annotation("bad-1", **kwargs)


def test_collection_ids_and_edits():
    a = Annotation("arrow-1", ARROW, [TABQA_DAM, RAQQA])
    coll = Annotations([a])
    assert coll.new_id(ARROW) == "arrow-2" and coll.new_id(TEXT) == "text-1"
    with pytest.raises(AnnotationError, match="two annotations"):
        coll.added(a)
    moved = a.moved(0.5, -0.25)
    assert np.allclose(moved.points, np.array([TABQA_DAM, RAQQA]) + (0.5, -0.25))
    assert list(coll.replaced(moved)) == [moved]
    assert len(coll.removed("arrow-1")) == 0
    with pytest.raises(AnnotationError, match="no annotation"):
        coll.removed("nope")


def test_markup_edits_are_undoable_commands():
    doc = demo_document()
    stack = CommandStack(doc)
    seen = []
    doc.annotations_changed.connect(lambda anns: seen.append(len(anns)))
    label = Annotation("text-1", TEXT, [MADAN], text="Ma'dan crossing")
    stack.push(add_annotation(doc, label))
    assert stack.undo_label == "Add text" and doc.annotations.get("text-1") == label
    stack.push(change_annotation(doc, label.with_style(text="Disputed crossing", color="#1f77b4"), "Restyle"))
    assert doc.annotations.get("text-1").text == "Disputed crossing" and stack.undo_label == "Restyle text"
    stack.push(delete_annotation(doc, "text-1"))
    assert len(doc.annotations) == 0 and stack.undo_label == "Delete text"
    stack.undo()
    stack.undo()
    assert doc.annotations.get("text-1").text == "Ma'dan crossing"
    stack.undo()
    assert len(doc.annotations) == 0
    assert seen == [1, 1, 0, 1, 1, 0]
