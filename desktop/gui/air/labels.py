"""The air layers' labels in the scene's shared label registry, placed by
desktop.gui.map.layers.label_spots: a label that finds no free spot is left out, except an
alert (a closest approach, an entry, a line crossing), which then takes the least bad spot.

Who gives way to whom is the layers' label ranks (lower first), with a planner's eye:
- alerts (ConflictMarksLayer, -4), then the altitude and speed of the aircraft in them
  (ALERT_AIRCRAFT_RANK): right after the unit symbols and the line's own amplifiers,
  before every name: what is about to happen is read first;
- the unit names (28) next: a flagged unit (near the line, on the wrong side) must be
  named beside its own symbol, which is what the line is about;
- then the other aircraft's altitude and speed (AIRCRAFT_RANK) and the labels of the active airspace
  blocks and of the selected one (ACTIVE_BLOCK_RANK), before the sector ids, towns and
  callsigns: they are the air picture of the moment (an alert names the block an aircraft
  enters);
- inactive blocks (INACTIVE_BLOCK_RANK) after everything but the units' other amplifiers:
  such a block is drawn dashed whatever its label does, and lists in the side view.
A block's label drops the "inactive" (its dashed outline says it), goes on one line, then
keeps its name alone, before it is left out; an aircraft's drops its speed.
"""
from __future__ import annotations

import numpy as np

ALERT_AIRCRAFT_RANK = -3.5                      # right after the alerts (ConflictMarksLayer, -4)
AIRCRAFT_RANK, ACTIVE_BLOCK_RANK = 28.4, 28.6   # after the unit names (28), before the sector ids (29)
INACTIVE_BLOCK_RANK = 48                        # before the units' other amplifiers (50)
SYMBOL_HALF_PX = 6.0       # an aircraft whose symbol is not drawn: room kept round its position


def symbol_box(registry, unit: int, sx: float, sy: float) -> tuple[float, float, float, float]:
    """The screen box unit `unit`'s symbol (with its ring) reserves, if drawn; else a small
    one round (sx, sy)."""
    rows = np.flatnonzero(registry.symbol_units == unit)
    if len(rows):
        return tuple(float(v) for v in registry.symbols[rows[-1]])
    return (sx - SYMBOL_HALF_PX, sy - SYMBOL_HALF_PX, sx + SYMBOL_HALF_PX, sy + SYMBOL_HALF_PX)
