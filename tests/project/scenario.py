"""The full scenario the project-file tests round-trip, and a model comparison."""
from __future__ import annotations

import dataclasses

import numpy as np

from desktop.core.alert_log import ACKNOWLEDGED, MUTED, NEW, Alert, AlertLog
from desktop.core.annotations import ARROW, CIRCLE, FREEHAND, MEASURE, POLYGON, TEXT, Annotation, Annotations
from desktop.core.demo import demo_document
from desktop.core.document import Document

TABQA_DAM, RAQQA, MADAN = (38.570, 35.870), (39.009, 35.950), (39.650, 35.740)


def demo_annotations() -> Annotations:
    return Annotations([
        Annotation("text-1", TEXT, [RAQQA], "Raqqa — keep 10 km clear", color="#1f77b4"),
        Annotation("arrow-1", ARROW, [TABQA_DAM, RAQQA], width=3.5),
        Annotation("freehand-1", FREEHAND, [(38.6, 35.7), (38.7, 35.75), (38.8, 35.72), (38.9, 35.8)]),
        Annotation("polygon-1", POLYGON, [(39.0, 35.2), (39.5, 35.2), (39.5, 35.5)], "NFA", "#2ca02c", 1.5),
        Annotation("circle-1", CIRCLE, [MADAN], "SAM ring", radius_km=37.5),
        Annotation("measure-1", MEASURE, [TABQA_DAM, MADAN]),
    ])


def demo_alerts() -> AlertLog:
    """Alerts of every shape: with and without a time to line, a position, a sector; text
    from a feed (quotes, non-ASCII, markup that must stay text)."""
    return AlertLog([
        Alert(1, 1_497_794_400, "ANDROID-5a1c", "SDF Recon Tm", "enter_buffer", None, None, 4.2, lon=38.9, lat=35.9,
              state=ACKNOWLEDGED, detail="SDF Recon Tm came within the 5 km buffer (4.2 km from the line)"),
        Alert(2, 1_497_794_460.7, "ANDROID-5a1c", "SDF Recon Tm", "cross_line", "S2", "Russian-backed", 0.25,
              lon=38.91, lat=35.87, detail="SDF Recon Tm crossed the line into S2 (Russian-backed), 0.25 km across"),
        Alert(3, 1_497_794_500, "UID-<b>x</b>", "Tm \"Ω\" <i>", "time_to_line", "S1", "US-backed", 3.0, 6.0,
              state=MUTED, lon=39.2, lat=35.6, detail="Tm \"Ω\" <i> reaches the line in 6 min"),
        Alert(4, 1_497_794_600, "SU-27 #2", "", "cpa", None, None, float("nan"), other="F-16 #1", state=NEW),
    ])


def full_scenario() -> Document:
    """The demo (units, tracks, calls, three revisions, places) with markup, alerts, a
    non-default buffer and an edited working line."""
    demo = demo_document()
    line = demo.line.moved(2, demo.line.vertices[2, 0] + 0.01, demo.line.vertices[2, 1] - 0.02)
    return Document(demo.ao, line, demo.units, demo.sides, buffer_km=7.25, title="Euphrates — saved",
                    places=demo.places, calls=demo.calls, tracks=demo.tracks, revisions=demo.revisions,
                    annotations=demo_annotations(), alerts=demo_alerts())


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return a.shape == b.shape and list(a.tolist()) == list(b.tolist())


def assert_same_document(a: Document, b: Document) -> None:
    """Every saved part of the model is identical (bit for bit for coordinates)."""
    assert (a.title, a.sides, a.buffer_km) == (b.title, b.sides, b.buffer_km)
    assert a.ao.name == b.ao.name and np.array_equal(a.ao.ring, b.ao.ring)
    assert a.line == b.line
    for f in dataclasses.fields(a.units):
        assert _same_array(getattr(a.units, f.name), getattr(b.units, f.name)), f.name
    for name in ("unit", "time", "lon", "lat", "offsets"):
        assert _same_array(getattr(a.tracks, name), getattr(b.tracks, name)), name
    assert a.tracks.n_units == b.tracks.n_units
    for f in dataclasses.fields(a.calls):
        assert _same_array(getattr(a.calls, f.name), getattr(b.calls, f.name)), f.name
    assert [(r.id, r.line, r.effective, r.state, r.note, r.call_id) for r in a.revisions] == \
        [(r.id, r.line, r.effective, r.state, r.note, r.call_id) for r in b.revisions]
    assert a.places == b.places
    assert a.annotations == b.annotations
    ca, cb = a.alerts.columns(), b.alerts.columns()
    assert set(ca) == set(cb)
    for name in ca:
        assert _same_array(ca[name], cb[name]), name
