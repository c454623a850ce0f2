"""The million-unit CSV the import and memory benchmarks read (seeded: the same file each run)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def write_units_csv(path: Path, n: int) -> Path:
    """`n` units of both sides spread over the demo AO: id, name, side, affiliation, lat, lon."""
    rng = np.random.default_rng(0)
    side = np.array(["US-backed", "Russian-backed"])[rng.integers(0, 2, n)]
    aff = np.array(["friend", "hostile"])[rng.integers(0, 2, n)]
    lat, lon = rng.uniform(34.5, 36.4, n), rng.uniform(38.0, 40.9, n)
    with open(path, "w") as f:
        f.write("id,name,side,affiliation,lat,lon\n")
        f.writelines(f"U{i},Unit {i},{s},{a},{la:.6f},{lo:.6f}\n" for i, (s, a, la, lo) in enumerate(zip(side, aff, lat, lon)))
    return path
