"""Aviation units, stated once: feet, flight levels, nautical miles, knots.

Altitudes are feet above mean sea level (MSL); a flight level is hundreds of feet (FL250 =
25,000 ft). Air distances are nautical miles, speeds knots.
"""
from __future__ import annotations

import math
import re

FT_M = 0.3048            # metres in a foot
NM_M = 1852.0            # metres in a nautical mile
KT_MS = NM_M / 3600.0    # metres per second in a knot
# Altitudes at and above this are written as flight levels, below it in feet (the US
# transition altitude; what the examples use: "10,000 ft", "FL250").
FL_FROM_FT = 18_000.0
MIN_ALT_FT, MAX_ALT_FT = -1_500.0, 100_000.0  # the Dead Sea shore .. far above any aircraft here

_ALTITUDE = re.compile(r"^(?:(?P<fl>FL)\s*(?P<level>\d{1,3})|(?P<num>[+-]?[\d,' ]*\.?\d+)\s*(?P<unit>FT|FEET|F|M)?"
                       r"(?:\s*(?:MSL|AMSL))?|(?P<sfc>SFC|SURFACE|GND|GL|MSL))$", re.I)


class AltitudeError(ValueError):
    """Text or a number that is not an altitude; the message says why."""


def parse_altitude_ft(value) -> float:
    """Feet MSL from a number (feet) or text: "10000", "10,000 ft", "FL250", "3000 m", "SFC"
    (the surface, read as 0 ft MSL). Raises AltitudeError."""
    if isinstance(value, bool):
        raise AltitudeError(f"{value!r} is not an altitude")
    if isinstance(value, (int, float)):
        ft = float(value)
    else:
        text = str(value).strip()
        m = _ALTITUDE.match(text)
        if not m:
            raise AltitudeError(f"{text!r} is not an altitude (e.g. 10000, '10,000 ft', 'FL250' or '3000 m')")
        if m["fl"]:
            ft = int(m["level"]) * 100.0
        elif m["sfc"]:
            ft = 0.0
        else:
            ft = float(re.sub(r"[,' ]", "", m["num"]))
            if (m["unit"] or "").upper() == "M":
                ft /= FT_M
    if not math.isfinite(ft):
        raise AltitudeError(f"{value!r} is not a finite altitude")
    if not MIN_ALT_FT <= ft <= MAX_ALT_FT:
        raise AltitudeError(f"{ft:,.0f} ft is outside {MIN_ALT_FT:,.0f}..{MAX_ALT_FT:,.0f} ft MSL")
    return ft


def format_altitude(ft: float, *, thousands: str = ",", feet: str = "ft", flight_level: str = "FL") -> str:
    """'FL250' at and above FL_FROM_FT, '10,000 ft' below; '—' for NaN. The words and the
    thousands separator are a language's (the notification templates pass theirs)."""
    if not math.isfinite(ft):
        return "—"
    if ft >= FL_FROM_FT:
        return f"{flight_level}{int(round(ft / 100.0)):03d}"
    return f"{int(round(ft)):,}".replace(",", thousands) + f" {feet}"
