"""The hotline notification, drafted from an ACM, a conflict or a set of aircraft.

A `Draft` is the structure (reference, time window, area, altitude block, activity,
callsigns, the objects it concerns); `render` writes it in a language from a template file
in `resources/notifications/` (`en.toml`, `ru.toml`: words, layout and order are the file's,
so users edit them; placeholders are `$name`, filled in with string.Template, never code).
Areas are given in MGRS and DMS: a polygon's or corridor's corners, a circle's centre and
radius. Logging a draft is one undoable command that adds a hotline call of category
"airspace notification" linked to its aircraft and ACMs, its text in every language.
"""
from __future__ import annotations

import math
import os
import string
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from desktop.core.air.acm import ACM, CIRCLE, CORRIDOR, POLYGON
from desktop.core.air.conflicts import AIRCRAFT, AIRSPACE, Conflicts
from desktop.core.air.measures import FL_FROM_FT
from desktop.core.air.motion import predicted_paths
from desktop.core.air.state import AircraftState
from desktop.core.calls import CallLog
from desktop.core.coords import format_dms, format_mgrs
from desktop.core.document import Document
from desktop.core.history_commands import ChangeCalls, next_call_id
from desktop.core.tracks import as_epoch, format_time

LANGUAGES = ("en", "ru")
CATEGORY = "airspace notification"
CONFLICT_WINDOW_S = 600   # a conflict's notification covers 10 min around its time
CONFLICT_RADIUS_NM = 5.0  # a line crossing's area: this far around the crossing
_CONFLICT_BAND_FT = 500.0  # an aircraft's block: its altitude this much either way


class NotificationError(ValueError):
    """A template that cannot be used; the message names the file."""


@dataclass(frozen=True, eq=False)
class Area:
    """Polygon: its corners; corridor: its centreline and `width_nm`; circle: its centre
    and `radius_nm`. Points are n x 2 lon/lat."""

    shape: str
    points: np.ndarray
    radius_nm: float = 0.0
    width_nm: float = 0.0

    def centre(self) -> tuple[float, float]:
        p = np.asarray(self.points, dtype=float)
        if self.shape == CIRCLE:
            return float(p[0, 0]), float(p[0, 1])
        return float((p[:, 0].min() + p[:, 0].max()) / 2), float((p[:, 1].min() + p[:, 1].max()) / 2)


@dataclass(frozen=True, eq=False)
class Draft:
    """A notification's content. `end` None: until further notice; altitudes NaN: unknown.
    `activity` is a key of the template's [activities]; `details` fills its placeholders
    (`kind`, `side` as the document names them; numbers as numbers). `links`: ids of the
    aircraft and ACMs the call will name."""

    reference: str
    start: int
    end: int | None
    area: Area
    floor_ft: float
    ceiling_ft: float
    activity: str
    details: dict = field(default_factory=dict)
    callsigns: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


def next_reference(calls: CallLog, t) -> str:
    """'AN-YYYYMMDD-NN': the next number among the day's airspace notifications (UTC day)."""
    day = format_time(as_epoch(t))[:10]
    start = as_epoch(f"{day}T00:00:00Z")
    idx = calls.between(start, start + 86_400)
    count = int(np.count_nonzero(calls.category[idx] == CATEGORY))
    return f"AN-{day.replace('-', '')}-{count + 1:02d}"


def _acm_area(acm: ACM) -> Area:
    return Area(acm.shape, acm.points, acm.radius_nm, acm.width_nm)


def _window(acm: ACM, at: int) -> tuple[int, int | None]:
    """The ACM's period in force at `at`, else its next one, else its last; no periods: from
    `at`, until further notice."""
    if not acm.periods:
        return at, None
    ahead = [p for p in acm.periods if p[1] > at]
    return min(ahead) if ahead else max(acm.periods)


def draft_from_acm(acm: ACM, at, reference: str, callsigns: tuple[str, ...] = ()) -> Draft:
    start, end = _window(acm, as_epoch(at))
    return Draft(reference, start, end, _acm_area(acm), acm.floor_ft, acm.ceiling_ft, "acm",
                 {"kind": acm.kind, "name": acm.name or acm.id, "side": acm.side}, tuple(callsigns), (acm.id,))


def _block(alts: np.ndarray) -> tuple[float, float]:
    alts = np.asarray(alts, dtype=float)
    if not len(alts) or np.isnan(alts).any():
        return math.nan, math.nan
    return (max(0.0, math.floor((alts.min() - _CONFLICT_BAND_FT) / 100) * 100),
            math.ceil((alts.max() + _CONFLICT_BAND_FT) / 100) * 100)


def _name(state: AircraftState, i: int) -> str:
    return str(state.names[i] or state.ids[i])


def draft_from_conflict(conflicts: Conflicts, i: int, reference: str) -> Draft:
    """The notification of conflict i: its time +-5 min (from the entry on, for an ACM), its
    place, the block the aircraft fly in (an ACM's own block and area for an entry)."""
    state, kind, a, t = conflicts.state, str(conflicts.kind[i]), int(conflicts.a[i]), float(conflicts.time_s[i])
    when = conflicts.at + int(round(t))
    minutes = int(round(t / 60.0))
    common = {"a": _name(state, a), "minutes": minutes, "now": t < 30}
    if kind == AIRCRAFT:
        b = int(conflicts.b[i])
        mid = ((conflicts.lon[i] + conflicts.b_lon[i]) / 2, (conflicts.lat[i] + conflicts.b_lat[i]) / 2)
        floor, ceiling = _block(state.alt_ft[[a, b]])
        return Draft(reference, when - CONFLICT_WINDOW_S // 2, when + CONFLICT_WINDOW_S // 2,
                     Area(CIRCLE, np.array([mid]), radius_nm=conflicts.params.lateral_nm), floor, ceiling, AIRCRAFT,
                     {**common, "b": _name(state, b), "distance": float(conflicts.distance_nm[i]),
                      "vertical": float(conflicts.vertical_ft[i])},
                     (_name(state, a), _name(state, b)), (str(state.ids[a]), str(state.ids[b])))
    if kind == AIRSPACE:
        acm = conflicts.airspace[int(conflicts.b[i])]
        start, end = _window(acm, when)
        return Draft(reference, max(when, start), end, _acm_area(acm), acm.floor_ft, acm.ceiling_ft, AIRSPACE,
                     {**common, "kind": acm.kind, "name": acm.name or acm.id, "side": acm.side},
                     (_name(state, a),), (str(state.ids[a]), acm.id))
    floor, ceiling = _block(state.alt_ft[[a]])
    return Draft(reference, when, when + CONFLICT_WINDOW_S,
                 Area(CIRCLE, np.array([(conflicts.lon[i], conflicts.lat[i])]), radius_nm=CONFLICT_RADIUS_NM),
                 floor, ceiling, "line", common, (_name(state, a),), (str(state.ids[a]),))


def draft_from_aircraft(state: AircraftState, rows, reference: str, horizon_s: float = CONFLICT_WINDOW_S) -> Draft:
    """The notification of aircraft `rows` flying over the horizon: the corners of the box
    around where they are and will be, the block they fly in."""
    rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
    if not len(rows):
        raise ValueError("no aircraft to notify")
    picked = state.take(rows)
    _, lon, lat = predicted_paths(picked, horizon_s, step_s=horizon_s / 10)
    w, e, s, n = float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())
    floor, ceiling = _block(picked.alt_ft)
    names = tuple(_name(state, int(r)) for r in rows)
    return Draft(reference, state.t, state.t + int(horizon_s), Area(POLYGON, np.array([(w, n), (e, n), (e, s), (w, s)])),
                 floor, ceiling, "aircraft_set", {}, names, tuple(str(state.ids[r]) for r in rows))


# -- rendering --------------------------------------------------------------------------------
def templates_dir() -> Path:
    """`resources/notifications` beside the code (bundled under the same name when frozen)."""
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bootloader
    root = Path(frozen_root) if frozen_root is not None else Path(__file__).resolve().parents[3]
    return root / "resources" / "notifications"


def load_template(language: str, directory: Path | None = None) -> tuple[str, dict]:
    """(file name, parsed template) of a language; NotificationError naming the file."""
    path = Path(directory or templates_dir()) / f"{language}.toml"
    name = os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise NotificationError(f"{name}: no such template (languages: {', '.join(LANGUAGES)})") from None
    except OSError as exc:
        raise NotificationError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NotificationError(f"{name}: not a usable template ({exc})") from None
    return name, data


class _Words:
    """One template's words, with the file's name in every error."""

    def __init__(self, name: str, data: dict) -> None:
        self.name, self.data = name, data

    def get(self, *keys: str) -> str:
        node = self.data
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                raise NotificationError(f"{self.name}: no {'.'.join(keys)!r} (a template needs it)")
            node = node[k]
        return str(node)

    def optional(self, table: str, key: str, default: str) -> str:
        node = self.data.get(table)
        return str(node[key]) if isinstance(node, dict) and key in node else default

    def fill(self, keys: tuple[str, ...], **values) -> str:
        text = self.get(*keys)
        try:
            return string.Template(text).substitute(values)
        except KeyError as exc:
            raise NotificationError(f"{self.name}: {'.'.join(keys)}: unknown placeholder ${exc.args[0]} (known: "
                                    f"{', '.join('$' + k for k in sorted(values))})") from None
        except ValueError as exc:
            raise NotificationError(f"{self.name}: {'.'.join(keys)}: {exc} (write $$ for a dollar sign)") from None

    def number(self, value: float, decimals: int = 0) -> str:
        text = f"{value:,.{decimals}f}"
        return text.replace(",", "\0").replace(".", self.get("decimal_separator")).replace(
            "\0", self.get("thousands_separator"))

    def altitude(self, ft: float) -> str:
        if ft >= FL_FROM_FT:
            return f"{self.get('flight_level')}{int(round(ft / 100.0)):03d}"
        return f"{self.number(round(ft))} {self.get('feet')}"

    def dtg(self, t: int) -> str:
        d = datetime.fromtimestamp(int(t), timezone.utc)
        months = self.data.get("months")
        if not (isinstance(months, list) and len(months) == 12):
            raise NotificationError(f"{self.name}: 'months' must list the 12 month abbreviations")
        return f"{d:%d%H%M}Z {months[d.month - 1]} {d:%y}"


def _area_text(words: _Words, area: Area) -> str:
    p = np.asarray(area.points, dtype=float)
    if area.shape == CIRCLE:
        lon, lat = p[0]
        return words.fill(("areas", "circle"), mgrs=format_mgrs(lon, lat), dms=format_dms(lon, lat),
                          radius=words.number(area.radius_nm, 1))
    corners = "\n".join(words.fill(("areas", "corner"), n=str(k + 1), mgrs=format_mgrs(lon, lat), dms=format_dms(lon, lat))
                        for k, (lon, lat) in enumerate(p))
    if area.shape == CORRIDOR:
        return words.fill(("areas", "corridor"), corners=corners, width=words.number(area.width_nm, 1))
    return words.fill(("areas", "polygon"), corners=corners)


def _activity_text(words: _Words, draft: Draft) -> str:
    d = dict(draft.details)
    values = {}
    if "a" in d:
        values["a"] = d["a"]
    if "minutes" in d:
        values["when"] = words.get("now") if d.get("now") else words.fill(("in_minutes",), minutes=str(d["minutes"]))
    if "kind" in d:
        values |= {"kind": words.optional("kinds", d["kind"], d["kind"]), "name": d["name"],
                   "side": words.optional("sides", d["side"], d["side"])}
    if draft.activity == AIRCRAFT:
        vertical = d["vertical"]
        values |= {"b": d["b"], "distance": words.number(d["distance"], 1),
                   "vertical": words.get("altitude_unknown") if math.isnan(vertical)
                   else f"{words.number(round(vertical))} {words.get('feet')}"}
    return words.fill(("activities", draft.activity), **values)


def render(draft: Draft, language: str = "en", *, sender: str = "", addressee: str = "", issued=None,
           directory: Path | None = None) -> str:
    """The notification's text in `language` from its template (see the module doc).
    `issued`: the time written as the message's DTG (default: the window's start)."""
    words = _Words(*load_template(language, directory))
    start = words.dtg(draft.start)
    end = words.dtg(draft.end) if draft.end is not None else words.get("until_further_notice")
    if math.isnan(draft.floor_ft) or math.isnan(draft.ceiling_ft):
        block = words.get("altitude_unknown")
    else:
        block = words.fill(("block",), floor=words.altitude(draft.floor_ft), ceiling=words.altitude(draft.ceiling_ft))
    text = words.fill(("message", "text"), reference=draft.reference, window=words.fill(("window",), start=start, end=end),
                      area=_area_text(words, draft.area), block=block, activity=_activity_text(words, draft),
                      callsigns=", ".join(draft.callsigns) or words.get("no_callsigns"), sender=sender,
                      addressee=addressee, issued=words.dtg(as_epoch(issued) if issued is not None else draft.start))
    return text.strip("\n") + "\n"


def log_notification(doc: Document, draft: Draft, at, *, initiator: str, from_station: str, to_station: str,
                     operator: str = "", priority: str = "priority", languages: tuple[str, ...] = LANGUAGES,
                     directory: Path | None = None) -> ChangeCalls:
    """The undoable command that logs the notification as a hotline call at `at`: category
    "airspace notification", the text in each of `languages` (blank-line separated) as its
    summary, linked to the draft's aircraft and ACMs, placed at the centre of its area."""
    at = as_epoch(at)
    texts = [render(draft, lang, sender=from_station, addressee=to_station, issued=at, directory=directory)
             for lang in languages]
    lon, lat = draft.area.centre()
    record = {"id": next_call_id(doc, at), "start": format_time(at), "duration_s": 0, "initiator": initiator,
              "from_station": from_station, "to_station": to_station, "operator": operator, "category": CATEGORY,
              "priority": priority, "summary": "\n".join(texts), "outcome": "", "units": list(draft.links),
              "lon": lon, "lat": lat}
    return ChangeCalls((), (record,), f"Log notification {draft.reference}")
