"""One Cursor-on-Target event, read from XML or from a TAK protocol v1 message.

XML goes through defusedxml (no DTD, no entities: a feed is untrusted input), after a size
check. What a unit needs is read: uid, type, point lat/lon/hae/ce/le, time/start/stale,
the callsign (detail/contact), the team (detail/__group) and the track course and speed.
A bad event raises `CotError` with a reason the intake counts: malformed, oversized,
impossible (lat 123, NaN, a time far in the future), stale (its stale time is past when it
arrives: a replay) or unsupported (not CoT at all).

The type says the rest (MIL-STD-2525 through CoT's "a-<affiliation>-<dimension>-<function>"):
affiliation, domain (G ground, A air) and a 2525C letter code as far as the type goes,
built as ATAK builds it (Icon2525cTypeResolver), keeping the affiliation letter.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.etree.ElementTree import Element, ParseError, fromstring

import defusedxml
import defusedxml.ElementTree as SafeET

MAX_EVENT_BYTES = 32 * 1024   # a position report is well under 2 KiB; chat and drawings under 16
MAX_FUTURE_S = 3600.0         # a report this far ahead of our clock is a broken clock, not news
UNKNOWN_CE = 9_999_999.0      # CoT's "unknown" for ce/le (and hae)
REASONS = ("malformed", "oversized", "impossible", "stale", "unsupported")

_FRIEND, _HOSTILE, _NEUTRAL = "fa", "hsjk", "n"
_AIR = "AP"  # air and space: the unit table knows ground and air


class CotError(ValueError):
    """An event the feed refuses. `reason` is one of REASONS; the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CotEvent:
    """The parts of a CoT event the live picture uses. Times are epoch seconds (UTC, with
    fractions); course in degrees true, speed in m/s (NaN when the event has no track)."""

    uid: str
    type: str
    time: float
    start: float
    stale: float
    lat: float
    lon: float
    hae: float = UNKNOWN_CE  # (an event without it says no height: not sea level)
    ce: float = UNKNOWN_CE
    le: float = UNKNOWN_CE
    how: str = ""
    callsign: str = ""
    group: str = ""
    role: str = ""
    course: float = math.nan
    speed: float = math.nan

    @property
    def is_unit(self) -> bool:
        """Atoms ("a-...") are things on the ground or in the air; the rest are drawings,
        tasks, chat and control messages."""
        return self.type.startswith("a-")


# -- the type -----------------------------------------------------------------------------------
def affiliation_of(cot_type: str) -> str:
    """friend / hostile / neutral / unknown from an "a-x-..." type (assumed friend counts as
    friend; suspect, joker and faker as hostile; pending and the rest as unknown)."""
    parts = cot_type.split("-")
    letter = parts[1].lower() if len(parts) > 1 and parts[0] == "a" and len(parts[1]) == 1 else ""
    if letter and letter in _FRIEND:
        return "friend"
    if letter and letter in _HOSTILE:
        return "hostile"
    return "neutral" if letter == _NEUTRAL else "unknown"


def domain_of(cot_type: str) -> str:
    parts = cot_type.split("-")
    return "air" if len(parts) > 2 and parts[0] == "a" and parts[2] in _AIR else "ground"


def sidc_of(cot_type: str) -> str:
    """The 15-character MIL-STD-2525C code the type spells, '' for a type that is no atom.
    a-f-G-U-C-I -> SFGPUCI--------: scheme S, affiliation, dimension, status P (present),
    then one function letter per dash-separated part (ground installations get the 'H'
    modifier, as ATAK draws them)."""
    parts = cot_type.split("-")
    if len(parts) < 3 or parts[0] != "a" or len(parts[1]) != 1 or len(parts[2]) != 1:
        return ""
    function = "".join(p[:1] for p in parts[3:]).upper()[:10]
    code = f"S{parts[1].upper()}{parts[2].upper()}P{function}"
    if parts[2] == "G" and function.startswith("I"):
        code = code.ljust(10, "-") + "H"
    return code.ljust(15, "-")


# -- times --------------------------------------------------------------------------------------
def parse_cot_time(text: str | None) -> float:
    """CoT time (W3C date-time, "...Z") -> epoch seconds; a time without an offset is UTC, as
    CoT times are. Raises ValueError."""
    if not text:
        raise ValueError("missing")
    dt = datetime.fromisoformat(text.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def format_cot_time(t: float) -> str:
    """Epoch seconds -> "2017-08-20T10:00:00.000Z" (the form ATAK writes and takproto reads)."""
    dt = datetime.fromtimestamp(t, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


# -- XML ----------------------------------------------------------------------------------------
def parse_xml_element(data: bytes, max_bytes: int = MAX_EVENT_BYTES) -> Element:
    """The root element of one CoT XML document. Raises CotError.

    A document with no "<!" anywhere has no DOCTYPE, so it can declare no entity and
    reference nothing external (expat refuses an undefined entity): the C parser reads it
    safely, at a third of defusedxml's cost (whose parser is ElementTree's Python one). Any
    other document (a DTD, but also a comment or CDATA) goes through defusedxml."""
    if len(data) > max_bytes:
        raise CotError("oversized", f"event of {len(data):,} bytes (limit {max_bytes:,})")
    try:
        if b"<!" not in data:
            return fromstring(data)
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise CotError("malformed", "refused: the event declares a DTD or entities") from None
    except ParseError as exc:
        raise CotError("malformed", f"not well-formed XML ({str(exc).split(':')[0]})") from None
    except (RecursionError, LookupError, ValueError) as exc:
        raise CotError("malformed", f"not usable XML ({type(exc).__name__})") from None


def _number(elem: Element | None, name: str, default: float = math.nan) -> float:
    text = elem.get(name) if elem is not None else None
    if text is None or not text.strip():
        return default
    try:
        return float(text)
    except ValueError:
        raise CotError("malformed", f"{name}={text[:40]!r} is not a number") from None


def event_from_element(root: Element) -> CotEvent:
    """A CotEvent from a parsed <event> element (not yet checked: see `check`)."""
    if root.tag != "event":
        raise CotError("unsupported", f"<{str(root.tag)[:40]}> is not a CoT <event>")
    uid, cot_type = (root.get("uid") or "").strip(), (root.get("type") or "").strip()
    if not uid or not cot_type:
        raise CotError("malformed", "the event has no uid or no type")
    try:
        time = parse_cot_time(root.get("time") or root.get("start"))
        start = parse_cot_time(root.get("start")) if root.get("start") else time
        stale = parse_cot_time(root.get("stale"))
    except (ValueError, OverflowError, OSError):
        raise CotError("malformed", f"{uid}: time, start or stale is missing or not a date-time") from None
    point = root.find("point")
    if point is None:
        raise CotError("malformed", f"{uid}: the event has no <point>")
    detail = root.find("detail")
    contact = detail.find("contact") if detail is not None else None
    group = detail.find("__group") if detail is not None else None
    track = detail.find("track") if detail is not None else None
    return CotEvent(uid, cot_type, time, start, stale, _number(point, "lat"), _number(point, "lon"),
                    _number(point, "hae", UNKNOWN_CE), _number(point, "ce", UNKNOWN_CE), _number(point, "le", UNKNOWN_CE),
                    root.get("how") or "", (contact.get("callsign") or "") if contact is not None else "",
                    (group.get("name") or "") if group is not None else "",
                    (group.get("role") or "") if group is not None else "",
                    _number(track, "course"), _number(track, "speed"))


def parse_event(data: bytes, max_bytes: int = MAX_EVENT_BYTES) -> CotEvent:
    return event_from_element(parse_xml_element(data, max_bytes))


# -- TAK protocol v1 ----------------------------------------------------------------------------
def event_from_message(message) -> CotEvent:
    """A CotEvent from a takproto TakMessage (protobuf: times in ms, the common detail fields
    typed; a track is there only when the sender gave one)."""
    if not message.HasField("cotEvent"):
        raise CotError("unsupported", "a TAK message without an event (control only)")
    ev = message.cotEvent
    if not ev.uid or not ev.type:
        raise CotError("malformed", "the event has no uid or no type")
    d = ev.detail
    has_track = ev.HasField("detail") and d.HasField("track")
    return CotEvent(ev.uid, ev.type, ev.sendTime / 1000.0, (ev.startTime or ev.sendTime) / 1000.0,
                    ev.staleTime / 1000.0, ev.lat, ev.lon, ev.hae, ev.ce, ev.le, ev.how, d.contact.callsign,
                    d.group.name, d.group.role, d.track.course if has_track else math.nan,
                    d.track.speed if has_track else math.nan)


# -- sanity -------------------------------------------------------------------------------------
def check(event: CotEvent, now: float, max_future_s: float = MAX_FUTURE_S) -> CotEvent:
    """The event if it is possible and current at `now` (epoch seconds); else CotError."""
    if not (math.isfinite(event.lat) and math.isfinite(event.lon)):
        raise CotError("impossible", f"{event.uid}: no position (lat {event.lat}, lon {event.lon})")
    if abs(event.lat) > 90.0 or abs(event.lon) > 180.0:
        raise CotError("impossible", f"{event.uid}: lat {event.lat:g}, lon {event.lon:g} is not on Earth")
    if not all(math.isfinite(v) for v in (event.time, event.stale)) or event.stale < event.start:
        raise CotError("impossible", f"{event.uid}: stale time before start time")
    if event.time > now + max_future_s:
        raise CotError("impossible", f"{event.uid}: reported {event.time - now:,.0f} s in the future")
    if event.stale <= now:
        raise CotError("stale", f"{event.uid}: stale {now - event.stale:,.0f} s before it arrived (a replay?)")
    return event
