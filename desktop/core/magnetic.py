"""Magnetic variation (declination) from the World Magnetic Model (WMM), through `pygeomag`.

The model in force on the date asked is used: WMM-2010, WMM-2015v2 (NOAA's out-of-cycle
revision of 2019), WMM-2020 and WMM-2025, each for its five years. Their coefficients are
read from the Python modules pygeomag ships (`pygeomag.wmm.wmm_*`), not from its .COF data
files, so the frozen executable needs no data file (the imports below are static, which is
how PyInstaller finds them). A date outside 2010.0–2030.0 has no model: asking raises
`MagneticModelError` rather than extrapolating a model beyond its life.

Declination is east-positive: a magnetic bearing is the true bearing minus the declination.
"""
from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from functools import lru_cache

FIRST_YEAR, LAST_YEAR = 2010.0, 2030.0


class MagneticModelError(ValueError):
    """No World Magnetic Model covers the date asked."""


@dataclass(frozen=True)
class Declination:
    degrees: float   # east positive
    model: str       # e.g. "WMM-2015v2"

    def __str__(self) -> str:
        return f"{abs(self.degrees):.1f}° {'E' if self.degrees >= 0 else 'W'}"


def decimal_year(epoch_s: float) -> float:
    """Epoch seconds (UTC) as a decimal year: 2017-07-02T12:00Z is 2017.5."""
    year = time.gmtime(epoch_s).tm_year
    start = calendar.timegm((year, 1, 1, 0, 0, 0))
    end = calendar.timegm((year + 1, 1, 1, 0, 0, 0))
    return year + (epoch_s - start) / (end - start)


@lru_cache(maxsize=None)
def _model(index: int):
    """The GeoMag of the index-th five-year model from 2010, loaded once."""
    from pygeomag import GeoMag
    if index == 0:
        from pygeomag.wmm.wmm_2010 import WMM_2010 as data
    elif index == 1:
        from pygeomag.wmm.wmm_2015v2 import WMM_2015v2 as data
    elif index == 2:
        from pygeomag.wmm.wmm_2020 import WMM_2020 as data
    else:
        from pygeomag.wmm.wmm_2025 import WMM_2025 as data
    return GeoMag(coefficients_data=data)


def declination_at_year(lon: float, lat: float, year: float, altitude_km: float = 0.0) -> Declination:
    """Declination at lon/lat (degrees, WGS84) and `altitude_km` above the ellipsoid, on the
    decimal `year`, by the model in force then."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise MagneticModelError(f"no World Magnetic Model covers {int(year)} (they cover "
                                 f"{FIRST_YEAR:.0f}–{LAST_YEAR:.0f})")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
        raise ValueError(f"position {lat}, {lon} is outside -90..90, -180..180")
    geomag = _model(min(int((year - FIRST_YEAR) // 5), 3))
    lon = lon - 360.0 if lon > 180.0 else lon
    result = geomag.calculate(glat=float(lat), glon=float(lon), alt=float(altitude_km), time=float(year))
    return Declination(float(result.d), geomag.model)


def declination(lon: float, lat: float, when_s: float, altitude_km: float = 0.0) -> Declination:
    """Declination at lon/lat at epoch seconds `when_s` (see `declination_at_year`)."""
    return declination_at_year(lon, lat, decimal_year(when_s), altitude_km)
