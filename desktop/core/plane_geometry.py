"""Where paths cross edges, for many (path, edge) pairs at once, in the analysis plane: the
one piece of plane geometry the air conflict finders (airspace entries, line crossings) and
the live feed's time to line share."""
from __future__ import annotations

import numpy as np


def segment_crossings(px, py, dx, dy, ax, ay, fx, fy) -> tuple[np.ndarray, np.ndarray]:
    """(which, s) of the pairs whose path P + s d (s in 0..1) meets its edge A + u f
    (u in 0..1, the edge's end excluded so that a path through a vertex of a ring counts
    once): s = cross(q, f) / cross(d, f) and u = cross(q, d) / cross(d, f) with q = A - P,
    compared as numerators against the denominator's sign (divided only where they meet)."""
    qx, qy = ax - px, ay - py
    denom = dx * fy - dy * fx
    sign = np.sign(denom)
    ns, nu, den = (qx * fy - qy * fx) * sign, (qx * dy - qy * dx) * sign, np.abs(denom)
    which = np.flatnonzero((den > 0) & (ns >= 0) & (ns <= den) & (nu >= 0) & (nu < den))
    return which, ns[which] / den[which]
