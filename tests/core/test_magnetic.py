"""Magnetic variation checked against NOAA's published World Magnetic Model test values
(tests/data/wmm/), for every model the app uses, through the app's own entry point."""
from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pytest

from desktop.core.magnetic import MagneticModelError, decimal_year, declination, declination_at_year

WMM = Path(__file__).parents[1] / "data" / "wmm"
# file, column of the declination, the model the app must pick for those dates
TABLES = (("WMM2010testvalues.txt", 4, "WMM-2010"), ("WMM2015v2testvalues.txt", 10, "WMM-2015v2"),
          ("WMM2020_TEST_VALUES.txt", 4, "WMM-2020"), ("WMM2025_TEST_VALUES.txt", 4, "WMM-2025"))
TOLERANCE_DEG = 0.01  # NOAA prints declinations to 0.01°


def rows(name: str) -> np.ndarray:
    return np.array([[float(v) for v in line.split()] for line in (WMM / name).read_text().splitlines()
                     if line.strip() and not line.startswith("#")])


@pytest.mark.parametrize("name,column,model", TABLES, ids=[t[2] for t in TABLES])
def test_declination_matches_noaa_test_values(name, column, model):
    table = rows(name)
    assert len(table) >= 12
    errors = []
    for year, alt_km, lat, lon, expected in table[:, [0, 1, 2, 3, column]]:
        got = declination_at_year(lon, lat, year, alt_km)
        assert got.model == model
        errors.append(abs(got.degrees - expected))
    print(f"{model}: {len(errors)} NOAA test values, max |error| {max(errors):.4f}°")
    assert max(errors) <= TOLERANCE_DEG


def test_epoch_seconds_pick_the_model_in_force():
    # Raqqa on the demo's incident day, and a day in each later model's life.
    june_2017 = calendar.timegm((2017, 6, 18, 14, 0, 0))
    assert declination(39.009, 35.950, june_2017).model == "WMM-2015v2"
    assert declination(39.009, 35.950, calendar.timegm((2024, 12, 31, 23, 0, 0))).model == "WMM-2020"
    assert declination(39.009, 35.950, calendar.timegm((2025, 1, 1, 0, 0, 0))).model == "WMM-2025"
    d = declination(39.009, 35.950, june_2017)
    assert d.degrees == pytest.approx(declination_at_year(39.009, 35.950, decimal_year(june_2017)).degrees)
    assert 4.0 < d.degrees < 6.5 and str(d).endswith("E")  # about 5° east in northern Syria then


def test_decimal_year():
    assert decimal_year(calendar.timegm((2017, 1, 1, 0, 0, 0))) == 2017.0
    assert decimal_year(calendar.timegm((2020, 7, 2, 0, 0, 0))) == pytest.approx(2020.5)  # leap year


@pytest.mark.parametrize("year", [2009.99, 2030.01, 1990.0])
def test_no_model_is_an_error_not_an_extrapolation(year):
    with pytest.raises(MagneticModelError, match="no World Magnetic Model covers"):
        declination_at_year(39.0, 35.9, year)


def test_works_offline(monkeypatch):
    """The coefficients ship inside the package: loading a model opens no connection."""
    import socket

    from desktop.core import magnetic

    def refuse(*_a, **_k):
        raise AssertionError("the magnetic model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    magnetic._model.cache_clear()
    assert declination_at_year(38.548, 35.836, 2017.5).model == "WMM-2015v2"
