"""The text amplifiers beside a unit's symbol other than its name (MIL-STD-2525 / APP-6
fields): M, the higher formation the unit belongs to, and for aircraft X, the altitude or
flight level.

- Higher formation: the unit table's `higher_formations` (a units file's
  `higher_formation` column, the project file); blank when not given.
- Altitude: from the aircraft's last track report at or before the time shown when that
  report carries one (the demo's tracks), else the unit table's `alt_ft` (a units file's
  alt_ft / altitude / FL column, a live CoT report's height); unknown (NaN) when neither
  says. Written as desktop.core.air.measures does: FL250 from 18,000 ft up, feet below.
"""
from __future__ import annotations

import numpy as np

from desktop.core.air.measures import format_altitude
from desktop.core.time_cursor import tracked


def altitude_at(doc, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(feet MSL, from a track report) of units `idx` of the document at the time it shows
    (its time view's, else the latest report); NaN where nothing says."""
    idx = np.asarray(idx, dtype=np.int64)
    table = np.asarray(doc.units.alt_ft, dtype=float)[idx]
    tracks = tracked(doc)
    if tracks is None or not len(idx):
        return table, np.zeros(len(idx), dtype=bool)
    view = doc.time_view
    reported = tracks.values_at("alt_ft", view.time if view is not None else tracks.extent[1])[idx]
    known = np.isfinite(reported)
    return np.where(known, reported, table), known


def altitude_texts(ft: np.ndarray) -> list[str]:
    """Field X of each altitude ("FL250", "9,500 ft"; "" when unknown)."""
    return [format_altitude(v) if np.isfinite(v) else "" for v in np.asarray(ft, dtype=float).tolist()]


def higher_formation_texts(doc, idx: np.ndarray) -> list[str]:
    """Field M of units `idx` ("" when not given)."""
    return [str(v or "").strip() for v in doc.units.higher_formations[np.asarray(idx, dtype=np.int64)].tolist()]
