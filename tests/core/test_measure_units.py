"""Units of measure: conversions against their definitions and pyproj, wording, magnetic
bearings against the WMM declination, and the stored preference."""
from __future__ import annotations

import calendar

import numpy as np
import pytest
from pyproj import Geod

from desktop.core.magnetic import declination
from desktop.core.measure_units import (DEFAULT, MeasureUnits, MeasureUnitsError, bearing, distance_unit,
                                        format_angle, format_area, format_distance, format_length, from_km,
                                        nice_length_km, to_km)
from desktop.core.wording import plural

NM = MeasureUnits(distance="nmi")
MI = MeasureUnits(distance="mi")
JUNE_2017 = calendar.timegm((2017, 6, 18, 14, 0, 0))


def test_conversions_follow_the_definitions():
    # International nautical mile: 1852 m; statute mile: 5280 ft of 0.3048 m.
    assert from_km(1.852, "nmi") == pytest.approx(1.0)
    assert from_km(5280 * 0.3048 / 1000, "mi") == pytest.approx(1.0)
    assert to_km(from_km(123.456, "mi"), "mi") == pytest.approx(123.456)
    arr = from_km(np.array([1.852, 3.704]), "nmi")
    assert isinstance(arr, np.ndarray) and np.allclose(arr, [1.0, 2.0])


def test_a_geodesic_distance_in_every_unit():
    # Tabqa to Raqqa, by pyproj.Geod independently of the app.
    _, _, metres = Geod(ellps="WGS84").inv(38.548, 35.836, 39.009, 35.950)
    km = metres / 1000.0
    assert format_distance(km) == f"{km:,.2f} km"
    assert format_distance(km, NM) == f"{metres / 1852:,.2f} NM"
    assert format_distance(km, MI) == f"{metres / 1609.344:,.2f} mi"
    assert format_distance(float("nan"), NM) == "—"


def test_areas_and_round_lengths():
    assert format_area(1.852 ** 2 * 1000, NM) == "1,000 NM²"
    assert format_area(24_502.54) == "24,503 km²"
    assert format_length(20.0) == "20 km"
    assert format_length(to_km(11, "nmi"), NM) == "11 NM"
    assert format_length(20.0, NM) == "10.8 NM"  # (a ring set in km, read in NM: not "10.7991 NM")
    assert format_length(0.5, NM) == "0.27 NM" and format_length(0.004) == "0.004 km"
    assert format_length(12.345) == "12.35 km"
    # Two significant figures in the user's unit: 19.87 km is 20 km; 10.73 NM is 11 NM.
    assert nice_length_km(19.87) == pytest.approx(20.0)
    assert from_km(nice_length_km(to_km(10.73, "nmi"), NM), "nmi") == pytest.approx(11.0)


def test_angles_in_degrees_and_nato_mils():
    assert format_angle(45.0) == "045.0°"
    assert format_angle(359.96) == "000.0°"
    mils = MeasureUnits(angle="mil")
    assert format_angle(45.0, mils) == "0800 mil"      # 6400 to the circle
    assert format_angle(90.0, mils) == "1600 mil"
    assert format_angle(359.99, mils) == "0000 mil"
    assert format_angle(-90.0, mils) == "4800 mil"


def test_magnetic_bearing_subtracts_the_wmm_declination():
    d = declination(38.548, 35.836, JUNE_2017).degrees
    mag = MeasureUnits(bearing="magnetic")
    b = bearing(90.0, 38.548, 35.836, JUNE_2017, mag)
    assert b.reference == "magnetic" and b.degrees == pytest.approx(90.0 - d)
    assert b.text(mag) == f"{90.0 - d:05.1f}° M"
    assert "WMM-2015v2" in b.words(mag) and "E" in b.words(mag)
    assert bearing(90.0, 38.548, 35.836, JUNE_2017).text() == "090.0° T"
    mils = MeasureUnits(bearing="magnetic", angle="mil")
    assert bearing(90.0, 38.548, 35.836, JUNE_2017, mils).text(mils) == f"{round((90 - d) * 6400 / 360):04d} mil M"


def test_a_date_without_a_magnetic_model_stays_true_and_says_so():
    b = bearing(90.0, 38.5, 35.8, calendar.timegm((1995, 1, 1, 0, 0, 0)), MeasureUnits(bearing="magnetic"))
    assert b.reference == "true" and b.degrees == 90.0 and "1995" in b.words()


def test_typed_names_and_stored_preferences():
    assert [distance_unit(t) for t in ("NM", "nautical miles", "sm", "KM")] == ["nmi", "nmi", "mi", "km"]
    with pytest.raises(MeasureUnitsError, match="furlongs"):
        MeasureUnits(distance="furlongs")
    u = MeasureUnits("nmi", "magnetic", "mil")
    assert MeasureUnits.from_dict(u.as_dict()) == u
    assert MeasureUnits.from_dict({"distance": "parsecs", "angle": "mil"}) == MeasureUnits(angle="mil")
    assert MeasureUnits.from_dict({}) == DEFAULT
    assert u.summary() == "NM · magnetic · mil"


def test_plural():
    assert plural(1, "unit") == "1 unit"
    assert plural(0, "unit") == "0 units"
    assert plural(1234, "unit") == "1,234 units"
    assert plural(3, "vertex", "vertices") == "3 vertices"
