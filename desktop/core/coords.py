"""Reading and writing positions the way planners type them: decimal degrees, DMS, degrees
and decimal minutes, compact DMS and MGRS. Pure: the GUI, the CLI and the importers share it.

Positions are returned as (lon, lat) like everything else in the core, but written text is
read latitude first, as planners write it, unless hemisphere letters say otherwise.
"""
from __future__ import annotations

import math
import re
import warnings
from typing import Iterable

import mgrs as _mgrs_lib
import numpy as np

NO_MGRS = "—"  # what the formatters write where there is no answer (NaN, MGRS at the poles)
_MGRS = _mgrs_lib.MGRS()
_LIMITS = {"lat": 90.0, "lon": 180.0}
_NAMES = {"lat": "latitude", "lon": "longitude"}


class CoordinateError(ValueError):
    """Text that is not a position; the message says what is wrong, for the user."""


# -- MGRS ---------------------------------------------------------------------------------
# Zone 1-60 + latitude band, the 100 km square letters, then easting and northing digits
# (both the same length), spaces allowed between parts. The polar (UPS) part of MGRS is
# left out on purpose: format_mgrs never writes it, and it would read words like "bad".
# The digits are one run, or two runs with blanks between: never `(\d*)\s*(\d*)`, whose
# ways of splitting a long run backtrack quadratically (40,000 digits took 63 s).
_MGRS_RE = re.compile(r"^(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z])\s*([A-HJ-NP-V])\s*(\d*)(?:\s+(\d+))?$", re.I)
MAX_TEXT = 200  # characters of a typed position or MGRS reference (the longest real one is ~40)
_MGRS_LIKE = re.compile(r"^\d{1,2}\s*[A-Z]\s*[A-Z]\s*[A-Z]", re.I)


def _too_long(text: str) -> None:
    if len(text) > MAX_TEXT:
        raise CoordinateError(f"{text[:20]!r}... ({len(text):,} characters) is too long to be a position")


def _mgrs_parts(text: str) -> tuple[str, str, str]:
    """Split into (zone+band+square, easting digits, northing digits) or raise."""
    _too_long(text)
    m = _MGRS_RE.match(text.strip())
    if not m:
        raise CoordinateError(f"{text.strip()!r} is not an MGRS reference (expected e.g. '37SDV 12345 67890')")
    zone, band, sq1, sq2, d1, d2 = m.groups()
    head = f"{int(zone):02d}{band}{sq1}{sq2}"
    if not 1 <= int(zone) <= 60:
        raise CoordinateError(f"MGRS zone {int(zone)} is outside 1..60")
    if d2:
        if len(d1) != len(d2):
            raise CoordinateError(f"MGRS easting {d1} and northing {d2} must have the same number of digits")
        east, north = d1, d2
    else:
        if len(d1) % 2:
            raise CoordinateError(f"MGRS digits {d1} are odd in number: easting and northing need as many each")
        east, north = d1[:len(d1) // 2], d1[len(d1) // 2:]
    if len(east) > 5:
        raise CoordinateError(f"MGRS easting/northing {east} {north} have more than 5 digits each")
    return head.upper(), east, north


def parse_mgrs(text: str) -> tuple[float, float]:
    """(lon, lat) of the centre of the square an MGRS reference names (any precision).

    The centre, not the south-west corner, halves the worst error of a coarse reference.
    mgrs >= 1.6 returns centres itself; with an older one we name the centre by adding a
    digit 5 (at 1 m precision that leaves the corner, half a metre off).
    """
    head, east, north = _mgrs_parts(text)
    candidates = [head + east + north]
    if len(east) < 5 and not _LIB_CENTRES:
        candidates.insert(0, head + east + "5" + north + "5")
    for i, ref in enumerate(candidates):
        try:
            with warnings.catch_warnings():
                # GeoTrans only *warns* when the square does not lie in the band (37XDV):
                # that is an inconsistent reference, not a position.
                warnings.simplefilter("error")
                lat, lon = _MGRS.toLatLon(ref)
        except Exception as exc:  # the GeoTrans wrapper raises its own MGRSError
            if i < len(candidates) - 1:
                continue  # a centre beyond a zone edge: fall back to the corner
            detail = str(exc).rpartition(":")[2].strip() or "rejected"
            if "Latitude" in detail:
                detail = f"square {head[3:]} does not lie in latitude band {head[2]}"
            raise CoordinateError(f"{text.strip()!r} is not a valid MGRS reference ({detail})") from None
        return float(lon), float(lat)
    raise AssertionError("unreachable")


def _library_centres() -> bool:
    """Whether the mgrs package answers with the centre of a square (1.6+) or its corner."""
    try:
        return _MGRS.toLatLon("37SDV11") != _MGRS.toLatLon("37SDV1010")
    except Exception:  # noqa: BLE001
        return True


_LIB_CENTRES = _library_centres()


def mgrs_to_lonlat_array(strings: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert a column of MGRS strings. Returns lon, lat (NaN where bad) and the bad mask;
    call parse_mgrs on a bad entry for the reason."""
    strings = list(strings)
    lon = np.full(len(strings), np.nan)
    lat = np.full(len(strings), np.nan)
    for i, s in enumerate(strings):
        try:
            lon[i], lat[i] = parse_mgrs(str(s))
        except CoordinateError:
            pass
    return lon, lat, np.isnan(lon)


def format_mgrs(lon: float, lat: float, precision: int = 5) -> str:
    """E.g. '37S DV 12345 67890'; NO_MGRS ('—') beyond the UTM part of MGRS (80°S..84°N)."""
    if not 0 <= precision <= 5:
        raise ValueError("MGRS precision must be 0..5 digits")
    if not _finite(lon, lat) or abs(lon) > 180 or not -80 <= lat <= 84:
        return NO_MGRS
    try:
        ref = _MGRS.toMGRS(lat, lon, MGRSPrecision=precision)
    except Exception:  # noqa: BLE001 - a display helper must not raise
        return NO_MGRS
    ref = ref.decode() if isinstance(ref, bytes) else ref
    zone, band, square, digits = int(ref[:2]), ref[2], ref[3:5], ref[5:]
    out = f"{zone}{band} {square}"
    return f"{out} {digits[:precision]} {digits[precision:]}" if precision else out


# -- degrees, minutes, seconds --------------------------------------------------------------
_TRANSLATE = str.maketrans({"′": "'", "’": "'", "‘": "'", "´": "'", "″": '"', "”": '"', "“": '"',
                            "º": "°", "˚": "°", "−": "-", "–": "-", ":": " "})
_TOKEN = re.compile(r"\s*(?:(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))|(?P<mark>[°'\"])|(?P<hemi>[NSEW])"
                    r"|(?P<sep>[,;/])|(?P<bad>\S))")
_MARKS = ("°", "'", '"')


def _tokens(text: str, what: str = "a position") -> list[tuple[str, str]]:
    t = text.upper().translate(_TRANSLATE).replace("''", '"').strip()
    out = []
    for m in _TOKEN.finditer(t):
        kind = m.lastgroup
        if kind == "bad":
            raise CoordinateError(f"cannot read {text.strip()!r} as {what} (unexpected {m.group(kind)!r})")
        out.append((kind, m.group(kind)))
    return out


def _fmt(v: float) -> str:
    return repr(round(float(v), 6))


def _value(tokens: list[tuple[str, str]], axis: str | None, text: str) -> tuple[str, float]:
    """One coordinate from its tokens -> (axis, degrees). `axis` is the default when the
    tokens carry no hemisphere letter."""
    hemis = [i for i, (k, _) in enumerate(tokens) if k == "hemi"]
    hemi = None
    if len(hemis) > 1:
        raise CoordinateError(f"{text.strip()!r}: more than one hemisphere letter in one coordinate")
    if hemis:
        if hemis[0] not in (0, len(tokens) - 1):
            raise CoordinateError(f"{text.strip()!r}: a hemisphere letter must come before or after its number")
        hemi = tokens.pop(hemis[0])[1]
        axis = "lat" if hemi in "NS" else "lon"
    parts: list[tuple[str, str | None]] = []
    for kind, val in tokens:
        if kind == "num":
            parts.append((val, None))
        elif kind == "mark" and parts and parts[-1][1] is None:
            parts[-1] = (parts[-1][0], val)
        else:
            raise CoordinateError(f"cannot read {text.strip()!r} as a position (misplaced {val!r})")
    if not parts:
        raise CoordinateError(f"{text.strip()!r}: a coordinate has no number")
    negative = parts[0][0].startswith("-")
    if any(p[0][0] in "+-" for p in parts[1:]):
        raise CoordinateError(f"{text.strip()!r}: only the degrees may carry a sign")
    if negative and hemi:
        raise CoordinateError(f"{text.strip()!r}: use either a minus sign or a hemisphere letter, not both")
    name = _NAMES[axis]
    first = parts[0][0].lstrip("+-")
    whole = first.split(".")[0]
    if len(parts) == 1 and parts[0][1] is None and len(whole) >= 4:
        # Compact DDMM[SS] / DDDMM[SS], e.g. 355010N 0383253E.
        if len(whole) not in (4, 5, 6, 7):
            raise CoordinateError(f"{name} {first!r}: compact form must be DDMM, DDMMSS, DDDMM or DDDMMSS")
        frac = first[len(whole):]
        if len(whole) <= 5:
            parts = [(whole[:-2], None), (whole[-2:] + frac, None)]
        else:
            parts = [(whole[:-4], None), (whole[-4:-2], None), (whole[-2:] + frac, None)]
    if len(parts) > 3:
        raise CoordinateError(f"{text.strip()!r}: too many numbers for degrees, minutes and seconds")
    units = ("degrees", "minutes", "seconds")
    for i, (val, mark) in enumerate(parts):
        if mark is not None and mark != _MARKS[i]:
            raise CoordinateError(f"{text.strip()!r}: {val}{mark} is in the place of the {units[i]}")
        if i < len(parts) - 1 and "." in val:
            raise CoordinateError(f"{name}: {units[i]} {val.lstrip('+-')} must be whole when smaller units follow")
    nums = [abs(float(v)) for v, _ in parts]
    for label, v, (raw, _) in zip(("minutes", "seconds"), nums[1:], parts[1:]):
        if v >= 60:
            raise CoordinateError(f"{name}: {label} {raw.lstrip('+')} must be below 60")
    deg = nums[0] + sum(v / 60 ** (i + 1) for i, v in enumerate(nums[1:]))
    if negative or hemi in ("S", "W"):
        deg = -deg
    if abs(deg) > _LIMITS[axis]:
        lim = int(_LIMITS[axis])
        raise CoordinateError(f"{name} {_fmt(deg)} is outside -{lim}..{lim}")
    return axis, deg


def _split(tokens: list[tuple[str, str]], text: str) -> tuple[list, list]:
    """Cut the tokens of a position into its two coordinates."""
    seps = [i for i, (k, _) in enumerate(tokens) if k == "sep"]
    if len(seps) > 1:
        raise CoordinateError(f"{text.strip()!r}: expected two coordinates, found {len(seps) + 1} parts")
    if seps:
        return tokens[:seps[0]], tokens[seps[0] + 1:]
    hemis = [i for i, (k, _) in enumerate(tokens) if k == "hemi"]
    if len(hemis) == 2:
        i, j = hemis
        for cut in (i + 1, j):  # "35N 38E" cuts after the first letter, "N35 E38" before the second
            a, b = tokens[:cut], tokens[cut:]
            if _ends_ok(a) and _ends_ok(b):
                return a, b
    elif not hemis:
        nums = [i for i, (k, _) in enumerate(tokens) if k == "num"]
        degs = [i for i in nums[1:] if i + 1 < len(tokens) and tokens[i + 1] == ("mark", "°")]
        if degs:
            return tokens[:degs[0]], tokens[degs[0]:]
        if len(nums) in (2, 4, 6):
            cut = nums[len(nums) // 2]
            return tokens[:cut], tokens[cut:]
        if len(nums) < 2:
            raise CoordinateError(f"{text.strip()!r}: expected a latitude and a longitude")
    raise CoordinateError(f"{text.strip()!r}: cannot tell where the latitude ends and the longitude "
                          "begins; separate them with a comma")


def _ends_ok(part: list) -> bool:
    """A part with exactly one hemisphere letter, at one of its ends, and a number."""
    hemis = [i for i, (k, _) in enumerate(part) if k == "hemi"]
    return (len(hemis) == 1 and hemis[0] in (0, len(part) - 1)
            and any(k == "num" for k, _ in part))


def parse_angle(text: str, axis: str) -> float:
    """One latitude (axis 'lat') or longitude ('lon') in any of the degree forms."""
    _too_long(text)
    tokens = _tokens(text, f"a {_NAMES[axis]}")
    if not tokens:
        raise CoordinateError(f"no {_NAMES[axis]}")
    if any(k == "sep" for k, _ in tokens):
        raise CoordinateError(f"{text.strip()!r}: expected one {_NAMES[axis]}, not a position")
    got, value = _value(tokens, axis, text)
    if got != axis:
        raise CoordinateError(f"{text.strip()!r} is a {_NAMES[got]}, expected a {_NAMES[axis]}")
    return value


def parse_position(text: str) -> tuple[float, float]:
    """Parse a typed position; returns (lon, lat) in degrees or raises CoordinateError."""
    if not text or not text.strip():
        raise CoordinateError("no position given")
    _too_long(text)
    if _MGRS_LIKE.match(text.strip()) or _MGRS_RE.match(text.strip()):
        return parse_mgrs(text)
    a, b = _split(_tokens(text), text)
    axis_a, va = _value(list(a), "lat", text)
    axis_b, vb = _value(list(b), "lon" if axis_a == "lat" else "lat", text)
    if axis_a == axis_b:
        other = _NAMES["lon" if axis_a == "lat" else "lat"]
        raise CoordinateError(f"{text.strip()!r}: two {_NAMES[axis_a]}s, no {other}")
    return (vb, va) if axis_a == "lat" else (va, vb)


# -- formatting ----------------------------------------------------------------------------
def _finite(lon: float, lat: float) -> bool:
    return math.isfinite(lon) and math.isfinite(lat)


def format_dd(lon: float, lat: float) -> str:
    """E.g. '35.83600°N 38.54800°E' (5 decimals: about a metre); '—' for no position (NaN)."""
    if not _finite(lon, lat):
        return NO_MGRS
    la, lo = round(float(lat), 5), round(float(lon), 5)
    return f"{abs(la):.5f}°{'S' if la < 0 else 'N'} {abs(lo):.5f}°{'W' if lo < 0 else 'E'}"


def _dms(v: float, pos: str, neg: str) -> str:
    tenths = round(abs(v) * 36000)  # round once, in tenths of seconds, so 59.96" carries
    d, rem = divmod(tenths, 36000)
    m, t = divmod(rem, 600)
    hemi = neg if v < 0 and tenths else pos
    return f"{d}°{m:02d}'{t // 10:02d}.{t % 10}\"{hemi}"


def format_dms(lon: float, lat: float) -> str:
    """E.g. '35°50'09.6"N 38°32'52.8"E' (tenths of a second: about 3 m); '—' for NaN."""
    if not _finite(lon, lat):
        return NO_MGRS
    return f"{_dms(lat, 'N', 'S')} {_dms(lon, 'E', 'W')}"
