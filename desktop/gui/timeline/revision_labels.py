"""Where a ghosted line revision's label may go (desktop.gui.timeline.map_layer.GhostsLayer):
beside its own line, placed in the map's shared label registry as the air labels are
(desktop.gui.map.layers.label_spots: the first free spot for the full text, then for shorter forms;
left out when none is free, never over a symbol or another label).

- First, beside the line's end (where it stops or goes on: what tells a revision from the
  line in force; where the label stood), the way the line heads first; then off its end
  on a leader (END_LEADER_PX).
- Then every SPOT_STEP_PX along the part of the line in view, on either side of it,
  GAP_PX off, with the label's corner facing the line (its side where the line runs level
  or upright), so that it lies clear of the line where it is straight; then further off
  (OFFSETS_PX) on a leader from the line, where units crowd along it (they do: those near
  the line are the point). Horizontal text, as ever.
- Preference along: where the revision runs apart from the line in force (APART_PX or
  more), then nearest its line, then nearest the revision's end. On a stretch both share a
  label keeps its state: a bare id there would seem to name the line in force (the ghost
  is hidden under it).
"""
from __future__ import annotations

import numpy as np
import shapely

from desktop.gui.map.layers.label_spots import BELOW_FIRST, Spots, around

SPOT_STEP_PX = 12.0
GAP_PX = 3.0
OFFSETS_PX = (GAP_PX, 16.0, 32.0, 52.0)   # how far off its line a label may stand (beyond GAP_PX: on a leader)
APART_PX = 12.0
TANGENT_PX = 2.0   # a spot's direction: of the line this far either side of it
END_LEADER_PX = (12.0, 24.0, 40.0)   # ... and off its end
AROUND = np.asarray(BELOW_FIRST, dtype=float)   # directions from the line's end (sorted as it heads)
LEVEL = 0.02       # a normal's part below this: the line runs level (or upright) there


def along(sx, sy, width: float, height: float, shown=None) -> tuple[Spots, Spots]:
    """Spots for the label of the line (sx, sy) (screen pixels) in an extent `width` x
    `height`, by preference (see the module): (those round its end and where it runs apart
    from `shown`, the line in force (x, y) if any; those where it runs along it)."""
    none = Spots(*(np.empty(0) for _ in range(4)), np.empty((0, 4)))
    line = shapely.LineString(np.column_stack([sx, sy]))
    visible = shapely.intersection(line, shapely.box(0.0, 0.0, width, height))
    parts = [p for p in shapely.get_parts(visible) if p.geom_type == "LineString" and p.length > 0]
    if not parts:
        return none, none
    d = [np.arange(min(SPOT_STEP_PX, p.length) / 2, p.length, SPOT_STEP_PX) for p in parts]
    geoms = np.asarray(parts, dtype=object)[np.repeat(np.arange(len(parts)), [len(a) for a in d])]
    d = np.concatenate(d)
    at = shapely.line_interpolate_point(geoms, d)
    ahead = shapely.line_interpolate_point(geoms, d + TANGENT_PX)
    behind = shapely.line_interpolate_point(geoms, np.maximum(d - TANGENT_PX, 0.0))
    px, py = shapely.get_x(at), shapely.get_y(at)
    ux, uy = shapely.get_x(ahead) - shapely.get_x(behind), shapely.get_y(ahead) - shapely.get_y(behind)
    norm = np.hypot(ux, uy)
    norm[norm == 0] = 1.0
    nx, ny = -uy / norm, ux / norm    # one side's normal; the other side's is its opposite
    from_end = line.length - shapely.line_locate_point(line, at)
    shared = np.zeros(len(px), dtype=bool)
    if shown is not None and len(shown[0]) > 1:
        shared = shapely.distance(shapely.LineString(np.column_stack(shown)), at) < APART_PX
    ex, ey = float(sx[-1]), float(sy[-1])
    end = none
    if 0.0 <= ex <= width and 0.0 <= ey <= height:   # the way the line heads first
        heading = np.arctan2(ey - sy[-2], ex - sx[-2]) if len(sx) > 1 else 0.0
        turn = np.abs((np.arctan2(AROUND[:, 1], AROUND[:, 0]) - heading + np.pi) % (2 * np.pi) - np.pi)
        end = around((ex - 0.5, ey - 0.5, ex + 0.5, ey + 0.5), AROUND[np.argsort(turn, kind="stable")],
                     leaders=END_LEADER_PX)
    return (_joined(end, _beside(px[~shared], py[~shared], nx[~shared], ny[~shared], from_end[~shared])),
            _beside(px[shared], py[shared], nx[shared], ny[shared], from_end[shared]))


def _beside(px, py, nx, ny, from_end) -> Spots:
    """Spots off points (px, py) of a line whose normals there are (nx, ny), at each offset
    on both sides: nearest the line first, then nearest its end (`from_end`)."""
    n, m = len(px), 2 * len(OFFSETS_PX)
    off = np.tile(np.repeat(OFFSETS_PX, 2), n)
    side = np.tile([1.0, -1.0], n * len(OFFSETS_PX))
    order = np.lexsort((np.repeat(from_end, m), off))
    px, py, off = np.repeat(px, m)[order], np.repeat(py, m)[order], off[order]
    nx, ny = (np.repeat(nx, m) * side)[order], (np.repeat(ny, m) * side)[order]
    # The box's corner facing the line (its side, where the line runs level or upright):
    # all of it then lies beyond a straight line.
    ax, ay = (0.5 - 0.5 * np.sign(u) * (np.abs(u) > LEVEL) for u in (nx, ny))
    x, y = px + nx * off, py + ny * off
    return Spots(x, y, ax, ay, np.where((off > GAP_PX)[:, None], np.column_stack([px, py, x, y]), np.nan))


def _joined(a: Spots, b: Spots) -> Spots:
    return Spots(*(np.concatenate([u, v]) for u, v in zip((a.x, a.y, a.ax, a.ay, a.leaders),
                                                          (b.x, b.y, b.ax, b.ay, b.leaders))))
