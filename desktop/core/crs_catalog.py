"""The CRSs a map can be displayed in: every projected and geographic (2D) CRS in PROJ's
database (EPSG, and ESRI/IGNF/... on request), searched by words of the name or by code.

Display only: answers never depend on the display CRS (DESIGN.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_crs_info
from pyproj.enums import PJType
from pyproj.exceptions import CRSError

_KINDS = [PJType.PROJECTED_CRS, PJType.GEOGRAPHIC_2D_CRS]


@dataclass(frozen=True)
class CrsEntry:
    code: str        # "EPSG:32637"
    name: str        # "WGS 84 / UTM zone 37N"
    area: str        # where it is meant for
    geographic: bool

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


class CrsChoiceError(ValueError):
    """Text that names no CRS a map can be shown in."""


@lru_cache(maxsize=8)
def _entries(auth: str, bounds: tuple[float, float, float, float] | None) -> tuple[CrsEntry, ...]:
    aoi = None if bounds is None else AreaOfInterest(*bounds)
    infos = query_crs_info(auth_name=auth, pj_types=_KINDS, area_of_interest=aoi, allow_deprecated=False)
    return tuple(CrsEntry(f"{i.auth_name}:{i.code}", i.name, i.area_of_use.name if i.area_of_use else "",
                          i.type == PJType.GEOGRAPHIC_2D_CRS)
                 for i in sorted(infos, key=lambda i: (i.name.lower(), i.code)))


def catalog(bounds: tuple[float, float, float, float] | None = None, auth: str = "EPSG") -> tuple[CrsEntry, ...]:
    """CRSs of authority `auth`, by name; with `bounds` (west, south, east, north degrees),
    only those whose area of use meets them (~0.1 s the first time, then cached)."""
    return _entries(auth, None if bounds is None else tuple(float(b) for b in bounds))


def search(entries, text: str) -> list[CrsEntry]:
    """Entries whose name or code holds every word of `text` (case-insensitive): "utm 37",
    "4326", "epsg:3857", "pseudo mercator"."""
    words = text.lower().replace("epsg:", "").split()
    return [e for e in entries if all(w in e.code.lower() or w in e.name.lower() for w in words)]


def parse_crs(text: str) -> CRS:
    """A CRS from a code or definition as typed ("4326", "EPSG:4326", "ESRI:54030", WKT or
    PROJ text): projected or geographic 2D, else CrsChoiceError saying why."""
    t = text.strip()
    if t.isdigit():
        t = f"EPSG:{t}"
    try:
        crs = CRS.from_user_input(t)
    except CRSError:
        raise CrsChoiceError(f"{text.strip()!r} names no CRS PROJ knows") from None
    if crs.is_geocentric or not (crs.is_projected or crs.is_geographic) or len(crs.axis_info) > 2:
        raise CrsChoiceError(f"{crs.name} is not a projected or 2D geographic CRS: a map cannot be drawn in it")
    return crs
