"""The aircraft-state columns of a units table (alt_ft, course_deg, speed_kt) as people name
them in CSV headers and GeoJSON properties, and how their cells are read. The unit readers
(desktop.core.inputs) use this; a bad cell is a row problem naming what is wrong."""
from __future__ import annotations

import numpy as np

from desktop.core.air.measures import AltitudeError, parse_altitude_ft

# Header aliases (lower case, letters and digits only). A bare "speed" is knots and a bare
# "altitude" feet MSL, as in aviation.
ALIASES = {
    "alt_ft": ("altft", "alt", "altitude", "altitudeft", "altmsl", "altitudemsl", "altftmsl", "flightlevel"),
    "course_deg": ("coursedeg", "course", "coursetrue", "heading", "hdg", "cog", "trackdeg"),
    "speed_kt": ("speedkt", "speed", "kt", "kts", "knots", "groundspeed", "gs", "sog"),
}
MAX_SPEED_KT = 3000.0


def _numbers(values: list[str]) -> np.ndarray | None:
    """Plain numbers (blank: NaN) in one numpy call, or None when some cell is not one."""
    try:
        return np.array([v if v else "nan" for v in values], dtype=float)
    except ValueError:
        return None


def parse_air_columns(cols: dict[str, list[str] | None], n: int, problems: dict[int, list[str]]) -> dict[str, np.ndarray]:
    """The AIR columns of n rows from text cells (None: no such column, all NaN). Blank
    cells are NaN; altitude accepts "FL250" and "10,000 ft"; a course outside 0..360 or a
    negative speed is a problem of its row, added to `problems`."""
    out = {}
    for field in ALIASES:
        values = cols.get(field)
        if values is None:
            continue
        parsed = _numbers(values)
        if parsed is None:
            parsed = np.full(n, np.nan)
            for i, v in enumerate(values):
                if not v:
                    continue
                try:
                    parsed[i] = parse_altitude_ft(v) if field == "alt_ft" else float(v)
                except (AltitudeError, ValueError) as exc:
                    why = str(exc) if field == "alt_ft" else f"{v!r} is not a number"
                    problems.setdefault(i, []).append(f"{field}: {why}")
        with np.errstate(invalid="ignore"):
            if field == "alt_ft":
                bad = np.flatnonzero(np.isfinite(parsed) & ((parsed < -1500) | (parsed > 100_000)))
                why = "is outside -1,500..100,000 ft MSL"
            elif field == "course_deg":
                bad = np.flatnonzero(~np.isnan(parsed) & ~((parsed >= 0) & (parsed <= 360)))
                why = "is outside 0..360 degrees"
                parsed = np.where(parsed == 360.0, 0.0, parsed)
            else:
                bad = np.flatnonzero(~np.isnan(parsed) & ~((parsed >= 0) & (parsed <= MAX_SPEED_KT)))
                why = f"is outside 0..{MAX_SPEED_KT:,.0f} kt"
        for i in bad.tolist():
            said = "is negative" if field == "speed_kt" and parsed[i] < 0 else why
            problems.setdefault(i, []).append(f"{field} {values[i]} {said}")
        out[field] = parsed
    return out
