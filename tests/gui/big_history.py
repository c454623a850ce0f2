"""Large synthetic histories for timeline tests and benchmarks: 100k calls, 1M track points
for 10k units (seeded, vectorised), on the demo AO with the demo's line revisions."""
from __future__ import annotations

import numpy as np

from desktop.core import demo
from desktop.core.calls import CATEGORIES, PRIORITIES, CallLog
from desktop.core.document import Document
from desktop.core.tracks import Tracks
from tests.gui.big_units import random_document

T0 = demo.HISTORY_START
SPAN = demo.DEMO_NOW - demo.HISTORY_START


def random_calls(n: int, units: np.ndarray, seed: int = 3) -> CallLog:
    """`n` calls spread over the demo's history, each linked to one random unit."""
    rng = np.random.default_rng(seed)
    start = T0 + rng.integers(0, SPAN, n)
    return CallLog.from_columns(
        ids=np.char.add("K", np.arange(n).astype(str)).astype(object), start=start,
        duration_s=rng.integers(60, 1800, n), initiator=np.where(rng.random(n) < 0.55, "Coalition", "Russian"),
        category=np.array(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES), n)],
        priority=np.array(PRIORITIES, dtype=object)[rng.integers(0, len(PRIORITIES), n)],
        summary=np.full(n, "synthetic call", dtype=object), units=[[u] for u in units[rng.integers(0, len(units), n)]])


def random_tracks(lon: np.ndarray, lat: np.ndarray, per_unit: int, seed: int = 4) -> Tracks:
    """`per_unit` reports per unit at random times, wandering a few km round (lon, lat);
    each unit's last report (at DEMO_NOW) is its table position."""
    rng = np.random.default_rng(seed)
    n = len(lon)
    unit = np.repeat(np.arange(n, dtype=np.int32), per_unit)
    time = np.sort(T0 + rng.integers(0, SPAN, (n, per_unit)), axis=1)
    time[:, -1] = demo.DEMO_NOW
    walk = np.cumsum(rng.normal(0, 0.01, (2, n, per_unit)), axis=2)
    walk -= walk[:, :, -1:]
    return Tracks(unit, time.ravel(), (lon[:, None] + walk[0]).ravel(), (lat[:, None] + walk[1]).ravel(), n)


def random_history_document(n_units: int, n_calls: int, per_unit: int) -> Document:
    doc = random_document(n_units)
    doc.tracks = random_tracks(doc.units.lon, doc.units.lat, per_unit)
    doc.calls = random_calls(n_calls, doc.units.ids)
    doc.revisions = demo.demo_revisions(demo.demo_calls())
    return doc
