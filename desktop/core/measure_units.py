"""Units of measure: distances in km, nautical miles or statute miles; bearings true or
magnetic; angles in degrees or mils. One place for the conversions and the wording, used by
the GUI (measure tool, range rings, status bar, sectors panel), the export and the CLI.

Everything is computed in geodesic km and true degrees (DESIGN.md); these functions only say
it in the unit the user prefers. A magnetic bearing subtracts the World Magnetic Model's
declination at the bearing's start, on the date given (`desktop.core.magnetic`). Mils are
NATO mils, 6400 to the circle.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Mapping

import numpy as np

from desktop.core.magnetic import Declination, MagneticModelError, declination


@dataclass(frozen=True)
class DistanceUnit:
    code: str      # as stored and typed: "km", "nmi", "mi"
    symbol: str    # as printed after a number
    name: str
    km: float      # kilometres in one unit (exact by definition)


DISTANCE_UNITS = {u.code: u for u in (DistanceUnit("km", "km", "kilometres", 1.0),
                                      DistanceUnit("nmi", "NM", "nautical miles", 1.852),
                                      DistanceUnit("mi", "mi", "statute miles", 1.609344))}
BEARINGS = {"true": "true north", "magnetic": "magnetic north (World Magnetic Model)"}
ANGLES = {"deg": "degrees", "mil": "mils (NATO, 6400 to the circle)"}
MILS_PER_TURN = 6400
# What a planner may type for a distance unit (matched case-insensitively).
_DISTANCE_ALIASES = {"km": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km",
                     "nmi": "nmi", "nm": "nmi", "nautical": "nmi", "nautical miles": "nmi", "nautical mile": "nmi",
                     "mi": "mi", "sm": "mi", "mile": "mi", "miles": "mi", "statute miles": "mi",
                     "statute mile": "mi"}
_ANGLE_ALIASES = {"deg": "deg", "degree": "deg", "degrees": "deg", "°": "deg",
                  "mil": "mil", "mils": "mil", "nato mils": "mil"}
_BEARING_ALIASES = {"true": "true", "t": "true", "magnetic": "magnetic", "mag": "magnetic", "m": "magnetic"}


class MeasureUnitsError(ValueError):
    """A unit name that is not one of the choices."""


def _pick(text: str, aliases: Mapping[str, str | None], what: str, choices) -> str:
    code = aliases.get(str(text).strip().lower())
    if code is None:
        raise MeasureUnitsError(f"{text!r} is not a {what}; expected one of {', '.join(choices)}")
    return code


def distance_unit(text: str) -> str:
    """The code of a distance unit as typed ("NM", "nautical miles", "sm" ...)."""
    return _pick(text, _DISTANCE_ALIASES, "distance unit", DISTANCE_UNITS)


def bearing_reference(text: str) -> str:
    return _pick(text, _BEARING_ALIASES, "bearing reference", BEARINGS)


def angle_unit(text: str) -> str:
    return _pick(text, _ANGLE_ALIASES, "angle unit", ANGLES)


@dataclass(frozen=True)
class MeasureUnits:
    """The user's units of measure (a plain value: the GUI keeps one as a preference)."""

    distance: str = "km"
    bearing: str = "true"
    angle: str = "deg"

    def __post_init__(self) -> None:
        object.__setattr__(self, "distance", distance_unit(self.distance))
        object.__setattr__(self, "bearing", bearing_reference(self.bearing))
        object.__setattr__(self, "angle", angle_unit(self.angle))

    @property
    def unit(self) -> DistanceUnit:
        return DISTANCE_UNITS[self.distance]

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, object]) -> "MeasureUnits":
        """From stored settings: a missing or unknown value keeps its default."""
        kept = {}
        for key, check in (("distance", distance_unit), ("bearing", bearing_reference), ("angle", angle_unit)):
            try:
                kept[key] = check(str(values[key]))
            except (KeyError, MeasureUnitsError):
                pass
        return cls(**kept)

    def summary(self) -> str:
        """Short form for a status bar: "km · true · °", "NM · magnetic · mil"."""
        return f"{self.unit.symbol} · {self.bearing} · {'°' if self.angle == 'deg' else 'mil'}"


DEFAULT = MeasureUnits()


# -- distances and areas ------------------------------------------------------------------------
def from_km(km, unit: str):
    """Kilometres (a number or an array) in `unit`."""
    return np.asarray(km, dtype=float) / DISTANCE_UNITS[unit].km if isinstance(km, np.ndarray) \
        else float(km) / DISTANCE_UNITS[unit].km


def to_km(value, unit: str):
    return np.asarray(value, dtype=float) * DISTANCE_UNITS[unit].km if isinstance(value, np.ndarray) \
        else float(value) * DISTANCE_UNITS[unit].km


def from_km2(km2: float, unit: str) -> float:
    """Square kilometres in square `unit`."""
    return float(km2) / DISTANCE_UNITS[unit].km ** 2


def format_distance(km: float, units: MeasureUnits = DEFAULT, decimals: int = 2) -> str:
    """"12.35 km", "6.67 NM"; "—" for no distance (NaN)."""
    if not math.isfinite(km):
        return "—"
    return f"{from_km(km, units.distance):,.{decimals}f} {units.unit.symbol}"


def format_length(km: float, units: MeasureUnits = DEFAULT) -> str:
    """A length set by hand (a radius, a scale bar) to two decimals, or three significant
    figures below 1, with no trailing zeros: "20 km", "10.8 NM" (a 20 km ring), "0.27 NM"."""
    value = from_km(km, units.distance)
    places = 2 if not math.isfinite(value) or abs(value) >= 1 or value == 0 else 2 - math.floor(math.log10(abs(value)))
    return f"{round(value, places):g} {units.unit.symbol}"


def format_buffer(km: float, units: MeasureUnits = DEFAULT) -> str:
    """The buffer's half-width as the sectors panel's spin box holds it: km as set ("5 km",
    "2.5 km"), NM and mi to two decimals ("2.70 NM": 5 km is no round number of them)."""
    if units.distance == "km":
        return f"{round(km, 6):g} km"
    return format_distance(km, units, 2)


def format_area(km2: float, units: MeasureUnits = DEFAULT, decimals: int = 0) -> str:
    """"24,503 km²", "7,144 NM²"."""
    return f"{from_km2(km2, units.distance):,.{decimals}f} {units.unit.symbol}²"


def nice_length_km(km: float, units: MeasureUnits = DEFAULT) -> float:
    """`km` rounded to two significant figures in the user's unit, back in km (19.87 km is
    20 km; 10.73 NM is 11 NM)."""
    if km <= 0:
        return km
    value = from_km(km, units.distance)
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    return to_km(round(round(value / step) * step, 10), units.distance)


# -- angles and bearings ------------------------------------------------------------------------
def format_angle(degrees: float, units: MeasureUnits = DEFAULT) -> str:
    """A direction 0..360° as "045.2°" or, in mils, "0804 mil" (0..6399)."""
    degrees = float(degrees) % 360.0
    if units.angle == "mil":
        return f"{round(degrees * MILS_PER_TURN / 360.0) % MILS_PER_TURN:04d} mil"
    text = f"{degrees:05.1f}"
    return ("000.0" if text == "360.0" else text) + "°"


@dataclass(frozen=True)
class Bearing:
    """A bearing as the user asked for it, and why it may not be."""

    degrees: float                       # 0..360 from the reference below
    reference: str                       # "true" or "magnetic"
    variation: Declination | None = None  # the declination applied (magnetic)
    note: str = ""                       # why a magnetic bearing fell back to true

    def text(self, units: MeasureUnits = DEFAULT) -> str:
        """Short: "045.2° T", "0804 mil M"."""
        return f"{format_angle(self.degrees, units)} {'M' if self.reference == 'magnetic' else 'T'}"

    def words(self, units: MeasureUnits = DEFAULT) -> str:
        """Long: "040.1° magnetic (variation 5.1° E, WMM-2015v2)"."""
        said = f"{format_angle(self.degrees, units)} {self.reference}"
        if self.variation is not None:
            said += f" (variation {self.variation}, {self.variation.model})"
        return said + (f" ({self.note})" if self.note else "")


def bearing(true_degrees: float, lon: float, lat: float, when_s: float | None = None,
            units: MeasureUnits = DEFAULT) -> Bearing:
    """The true bearing `true_degrees` from lon/lat as the user wants it: magnetic bearings
    use the declination there at `when_s` (epoch seconds; None: now). With no magnetic model
    for that date the bearing stays true, and says so."""
    if units.bearing != "magnetic":
        return Bearing(float(true_degrees) % 360.0, "true")
    try:
        d = declination(lon, lat, time.time() if when_s is None else when_s)
    except MagneticModelError as exc:
        return Bearing(float(true_degrees) % 360.0, "true", note=str(exc))
    return Bearing((float(true_degrees) - d.degrees) % 360.0, "magnetic", d)


# -- reports ------------------------------------------------------------------------------------
def distance_field(unit: str, base: str = "distance") -> str:
    """Report column for a distance in `unit`: "distance_nmi", "buffer_mi"."""
    return f"{base}_{unit}"


def area_field(unit: str) -> str:
    return f"area_{unit}2"
