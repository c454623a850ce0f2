"""The display CRS catalogue: PROJ's projected and geographic CRSs, searched by name words
or code; codes typed are read by PROJ; a geographic CRS is drawn as a plate carrée."""
from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from desktop.core.crs_catalog import CrsChoiceError, catalog, parse_crs, search
from desktop.core.geodesy import Projection

AO = (37.0, 34.0, 41.5, 37.0)


def test_catalog_for_the_ao_and_search():
    near = catalog(AO)
    every = catalog()
    assert len(every) > 5000 and 50 < len(near) < len(every)
    codes = {e.code for e in near}
    assert {"EPSG:4326", "EPSG:3857", "EPSG:32637"} <= codes and "EPSG:32618" not in codes  # UTM 18N: America
    assert [e.code for e in search(near, "epsg:32637")] == ["EPSG:32637"]
    hits = search(every, "utm 37N wgs")
    assert "EPSG:32637" in [e.code for e in hits] and all("37n" in e.name.lower() for e in hits)


def test_parse_crs():
    assert parse_crs("4326").to_epsg() == 4326
    assert parse_crs(" EPSG:3857 ").to_epsg() == 3857
    assert parse_crs("+proj=laea +lat_0=36 +lon_0=39 +ellps=WGS84").is_projected
    with pytest.raises(CrsChoiceError, match="not a projected or 2D geographic"):
        parse_crs("EPSG:4978")
    with pytest.raises(CrsChoiceError, match="names no CRS"):
        parse_crs("EPSG:999999")


def test_a_geographic_crs_is_a_plate_carree_in_metres():
    p = Projection.for_crs(4326, (39.0, 35.8))
    assert p.label == "EPSG:4326" and p.plane_crs.is_projected
    x, y = p.forward([38.0, 39.0, 40.0], [35.0, 35.0, 36.0])
    metres_per_degree = 2 * np.pi * Geod(ellps="WGS84").a / 360
    assert np.allclose(np.diff(x), metres_per_degree) and y[2] - y[1] == pytest.approx(metres_per_degree)
    lon, lat = p.inverse(x, y)
    assert np.allclose(lon, [38, 39, 40]) and np.allclose(lat, [35, 35, 36])
