"""Coordinates in another CRS (a Shapefile's .prj, a GeoPackage layer's SRS) to WGS84
lon/lat, with pyproj."""
from __future__ import annotations

from typing import Callable

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from desktop.core.inputs import InputError

ToLonLat = Callable[[np.ndarray], np.ndarray]


def _identity(xy: np.ndarray) -> np.ndarray:
    return xy


def to_lonlat(crs_text: str | int | None, where: str) -> ToLonLat:
    """A function n x 2 -> n x 2 lon/lat. None (no CRS given) is taken as WGS84."""
    if crs_text in (None, "", 4326, "EPSG:4326"):
        return _identity
    try:
        crs = CRS.from_user_input(crs_text)
    except CRSError as exc:
        raise InputError(f"{where}: unknown coordinate reference system ({str(exc).splitlines()[0][:120]})") from None
    wgs84 = CRS.from_epsg(4326)
    if crs.to_epsg() == 4326 or crs.equals(wgs84, ignore_axis_order=True):
        return _identity  # files store x = longitude, y = latitude whatever the axis order says
    transformer = Transformer.from_crs(crs, wgs84, always_xy=True)

    def convert(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])
    return convert
