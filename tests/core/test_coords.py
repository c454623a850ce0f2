"""Typed positions: every accepted form, round trips, MGRS against PROJ's UTM, rejections."""
import math

import numpy as np
import pytest
from pyproj import Geod, Transformer

from desktop.core.coords import (NO_MGRS, CoordinateError, format_dd, format_dms, format_mgrs,
                                 mgrs_to_lonlat_array, parse_angle, parse_mgrs, parse_position)

GEOD = Geod(ellps="WGS84")
TABQA = (38.548, 35.836)
TABQA_DMS = (38 + 32 / 60 + 53 / 3600, 35 + 50 / 60 + 10 / 3600)


def metres(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@pytest.mark.parametrize("text, expected", [
    ("35.836, 38.548", TABQA),
    ("35.836 38.548", TABQA),
    ("35.836N 38.548E", TABQA),
    ("N35.836 E38.548", TABQA),
    ("n 35.836, e 38.548", TABQA),
    ("38.548E 35.836N", TABQA),            # letters decide, not the order
    ("  35.836 ;  38.548 ", TABQA),
    ("-33.9, -70.6", (-70.6, -33.9)),
    ("33.9S 70.6W", (-70.6, -33.9)),
    ("+12.5, +100", (100.0, 12.5)),
    ("35°50'10\"N 38°32'53\"E", TABQA_DMS),
    ("35°50′10″N, 38°32′53″E", TABQA_DMS),
    ("35º50'10''N 38º32'53''E", TABQA_DMS),
    ("35 50 10 N 38 32 53 E", TABQA_DMS),
    ("N 35 50 10 E 38 32 53", TABQA_DMS),
    ("35:50:10N 38:32:53E", TABQA_DMS),
    ("35°50'10\" 38°32'53\"", TABQA_DMS),
    ("35 50 10 38 32 53", TABQA_DMS),
    ("355010N 0383253E", TABQA_DMS),
    ("355010N 383253E", TABQA_DMS),
    ("3550.5N 03832.5E", (38 + 32.5 / 60, 35 + 50.5 / 60)),
    ("35°50.5'N 38°32.5'E", (38 + 32.5 / 60, 35 + 50.5 / 60)),
    ("35 50.5 N 38 32.5 E", (38 + 32.5 / 60, 35 + 50.5 / 60)),
    ("-35 50 10, -38 32 53", (-TABQA_DMS[0], -TABQA_DMS[1])),
    ("0°30'S 0°30'W", (-0.5, -0.5)),
    ("90S 180W", (-180.0, -90.0)),
])
def test_parse_forms(text, expected):
    lon, lat = parse_position(text)
    assert lon == pytest.approx(expected[0], abs=1e-9)
    assert lat == pytest.approx(expected[1], abs=1e-9)


@pytest.mark.parametrize("text", ["37SDV 12345 67890", "37SDV1234567890", "37sdv 1234567890",
                                  "37S DV 12345 67890", " 37 S DV 12345 67890 "])
def test_parse_mgrs_spacing(text):
    assert parse_position(text) == pytest.approx(parse_position("37SDV1234567890"))


UTM37N = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)


@pytest.mark.parametrize("ref, centre", [
    ("37SDV", (450000, 3950000)), ("37SDV 1 6", (415000, 3965000)),
    ("37SDV 123 678", (412350, 3967850)), ("37SDV 1234 6789", (412345, 3967895)),
])
def test_mgrs_coarse_reference_is_the_centre_of_its_square(ref, centre):
    assert UTM37N.transform(*parse_position(ref)) == pytest.approx(centre, abs=0.01)


def test_parse_angle():
    assert parse_angle("35°50'10\"N", "lat") == pytest.approx(TABQA_DMS[1])
    assert parse_angle("-38.548", "lon") == -38.548
    assert parse_angle("0383253E", "lon") == pytest.approx(TABQA_DMS[0])
    with pytest.raises(CoordinateError, match="is a longitude, expected a latitude"):
        parse_angle("38E", "lat")
    with pytest.raises(CoordinateError, match="no latitude"):
        parse_angle("  ", "lat")


# Southern and western hemispheres, the equator and prime meridian, UTM zone edges, the
# Norway/Svalbard zone exceptions and the ends of the UTM band of MGRS.
EDGE_POINTS = [
    (38.548, 35.836), (-70.6, -33.9), (151.2, -33.87), (-157.8, 21.3), (0.0, 0.0),
    (-0.000001, -0.000001), (5.999999, 10.0), (6.0, 10.0), (-6.0, -10.0), (179.99999, 1.0),
    (-180.0, -45.0), (180.0, 45.0), (5.5, 60.5), (3.1, 57.0), (10.0, 78.5), (21.5, 79.0),
    (-66.0, -79.99), (100.0, 83.99), (-3.0, 0.0001), (42.0, 36.0), (41.99999, 36.0),
]
rng = np.random.default_rng(7)
RANDOM_POINTS = [tuple(p) for p in np.column_stack([rng.uniform(-180, 180, 150), rng.uniform(-80, 84, 150)])]


@pytest.mark.parametrize("lon, lat", EDGE_POINTS + RANDOM_POINTS)
def test_round_trips(lon, lat):
    got = parse_position(format_dd(lon, lat))
    assert got[1] == pytest.approx(lat, abs=5.1e-6)
    assert abs(((got[0] - lon) + 180) % 360 - 180) <= 5.1e-6
    got = parse_position(format_dms(lon, lat))
    assert got[1] == pytest.approx(lat, abs=0.051 / 3600)
    assert abs(((got[0] - lon) + 180) % 360 - 180) <= 0.051 / 3600
    got = parse_position(format_mgrs(lon, lat))
    assert metres(got, (lon, lat)) < 1.5  # 1 m truncation: at most the diagonal of 1 m
    got = parse_position(format_mgrs(lon, lat, precision=2))
    assert metres(got, (lon, lat)) < 710  # centre of a 1 km square


@pytest.mark.parametrize("lon, lat", [p for p in EDGE_POINTS + RANDOM_POINTS if abs(p[0]) < 180])
def test_mgrs_digits_are_utm_modulo_100km(lon, lat):
    ref = format_mgrs(lon, lat)
    zone_band, square, east, north = ref.split()
    zone, band = int(zone_band[:-1]), zone_band[-1]
    epsg = (32600 if band >= "N" else 32700) + zone
    to_utm = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    e, n = to_utm.transform(lon, lat)
    # MGRS truncates to the metre; allow a millimetre of disagreement between GeoTrans and PROJ.
    assert (int(east) - math.floor(e + 1e-3)) % 100000 in (0, 99999, 1)
    assert (int(north) - math.floor(n + 1e-3)) % 100000 in (0, 99999, 1)
    # And reading the 1 m reference back lands in the square PROJ computes from the digits.
    e2, n2 = to_utm.transform(*parse_mgrs(ref))
    assert -2e-3 <= (e2 - int(east) + 1) % 100000 - 1 <= 1 + 2e-3
    assert -2e-3 <= (n2 - int(north) + 1) % 100000 - 1 <= 1 + 2e-3


def test_formats():
    assert format_dd(*TABQA) == "35.83600°N 38.54800°E"
    assert format_dd(-70.6, -33.9) == "33.90000°S 70.60000°W"
    assert format_dms(38.548, 35.836) == "35°50'09.6\"N 38°32'52.8\"E"
    assert format_dms(-0.5, -0.5) == "0°30'00.0\"S 0°30'00.0\"W"
    assert format_dms(0.0, 59.999999) == "60°00'00.0\"N 0°00'00.0\"E"  # 59.99996" carries
    assert format_dms(-1e-9, -1e-9) == "0°00'00.0\"N 0°00'00.0\"E"   # no "-0" hemisphere flip
    assert format_mgrs(*TABQA) == "37S DV 59178 65852"
    assert format_mgrs(*TABQA, precision=3) == "37S DV 591 658"
    assert format_mgrs(*TABQA, precision=0) == "37S DV"
    assert format_mgrs(-157.8, 21.3) .startswith("4Q FJ ")  # no zero-padded zone
    with pytest.raises(ValueError):
        format_mgrs(*TABQA, precision=6)


@pytest.mark.parametrize("lon, lat", [(0, 84.01), (0, 89.9), (0, -80.01), (10, -90),
                                      (float("nan"), 10), (10, float("inf")), (200, 10)])
def test_format_mgrs_undefined(lon, lat):
    assert format_mgrs(lon, lat) == NO_MGRS


def test_format_no_position():
    nan = float("nan")
    assert format_dd(nan, 10) == format_dms(10, nan) == NO_MGRS == "—"
    assert format_dd(np.float64(38.548), np.float32(35.836)).startswith("35.83600°N")


@pytest.mark.parametrize("text, message", [
    ("", "no position given"),
    ("   ", "no position given"),
    ("hello", "cannot read 'hello' as a position"),
    ("35.8", "expected a latitude and a longitude"),
    ("35.8, 38.5, 12", "found 3 parts"),
    ("95, 38", "latitude 95.0 is outside -90..90"),
    ("-90.5, 38", "latitude -90.5 is outside -90..90"),
    ("35, 190", "longitude 190.0 is outside -180..180"),
    ("38E 20E", "two longitudes"),
    ("35N 38N", "two latitudes"),
    ("91°00'00\"N 38E", "latitude 91.0 is outside -90..90"),
    ("35 75 N 38 E", "latitude: minutes 75 must be below 60"),
    ("35 50 60 N 38 E", "latitude: seconds 60 must be below 60"),
    ("35N 38 32 75.5 E", "longitude: seconds 75.5 must be below 60"),
    ("356010N 0383253E", "latitude: minutes 60 must be below 60"),
    ("35.5 20 N 38 E", "degrees 35.5 must be whole"),
    ("-35S 38E", "either a minus sign or a hemisphere letter"),
    ("35 -50 N 38 E", "only the degrees may carry a sign"),
    ("N35 38E", "separate them with a comma"),
    ("35 50 10 38 32", "separate them with a comma"),
    ("35'50°N 38E", "in the place of the degrees"),
    ("12345678N 38E", "compact form"),
    ("37SDV1234567", "odd in number"),
    ("37SDV 123 4567", "same number of digits"),
    ("37SDV 123456 123456", "more than 5 digits"),
    ("37SIV1234", "is not an MGRS reference"),
    ("99SDV1234", "zone 99 is outside 1..60"),
    ("37XDV1234", "does not lie in latitude band X"),
    ("bad", "cannot read 'bad'"),
])
def test_rejections(text, message):
    with pytest.raises(CoordinateError) as exc:
        parse_position(text)
    assert message in str(exc.value)


def test_mgrs_array():
    lon, lat, bad = mgrs_to_lonlat_array(["37SDV 59178 65852", "nonsense", "", "4QFJ12345678", "37SDV1"])
    assert bad.tolist() == [False, True, True, False, True]
    assert metres((lon[0], lat[0]), TABQA) < 1.5
    assert np.isnan(lon[1]) and np.isnan(lat[2])
