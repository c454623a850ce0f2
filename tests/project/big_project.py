"""A large scenario for the project-file benchmarks: 1M track points over 10k units, 10k calls."""
from __future__ import annotations

import numpy as np

from desktop.core.calls import CATEGORIES, PRIORITIES, CallLog
from desktop.core.demo import demo_document
from desktop.core.document import Document
from desktop.core.tracks import Tracks
from desktop.core.units import UnitTable


def big_document(n_units: int = 10_000, reports_per_unit: int = 100, n_calls: int = 10_000, seed: int = 0) -> Document:
    demo = demo_document()
    rng = np.random.default_rng(seed)
    ring = demo.ao.ring
    lon = rng.uniform(ring[:, 0].min(), ring[:, 0].max(), n_units)
    lat = rng.uniform(ring[:, 1].min(), ring[:, 1].max(), n_units)
    ids = np.array([f"U{i:05d}" for i in range(n_units)], dtype=object)
    sides = np.array(demo.sides, dtype=object)[rng.integers(0, 2, n_units)]
    aff = np.array(["friend", "hostile"], dtype=object)[rng.integers(0, 2, n_units)]
    units = UnitTable(ids, ids, sides, aff, np.full(n_units, "ground", dtype=object), lon, lat)
    n = n_units * reports_per_unit
    unit = np.repeat(np.arange(n_units, dtype=np.int32), reports_per_unit)
    time = 1_496_275_200 + np.tile(np.arange(reports_per_unit, dtype=np.int64) * 3600, n_units)
    tracks = Tracks.from_reports(unit, time, lon[unit] + rng.normal(0, 0.01, n), lat[unit] + rng.normal(0, 0.01, n),
                                 n_units)
    start = 1_496_275_200 + np.sort(rng.integers(0, 86_400 * 75, n_calls))
    calls = CallLog.from_columns(
        ids=[f"C{i:05d}" for i in range(n_calls)], start=start, duration_s=rng.integers(60, 900, n_calls),
        initiator=np.array(demo.sides, dtype=object)[rng.integers(0, 2, n_calls)],
        category=np.array(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES), n_calls)],
        priority=np.array(PRIORITIES, dtype=object)[rng.integers(0, len(PRIORITIES), n_calls)],
        summary=[f"call {i} about the line" for i in range(n_calls)],
        units=[[ids[j] for j in rng.integers(0, n_units, 2)] for _ in range(n_calls)])
    return Document(demo.ao, demo.line, units, demo.sides, title="Big", places=demo.places, calls=calls,
                    tracks=tracks, revisions=demo.revisions)
