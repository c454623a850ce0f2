"""Hotline calls as CSV: what `deconflict calls --format csv` writes and the call-log reader.

Columns, in this order on export (on import header names are case-insensitive, spaces and
punctuation ignored, and the delimiter may be `,`, `;`, tab or `|`):

  id          required, unique
  start       required: ISO 8601 with an offset, e.g. 2017-06-18T14:00:00Z or ...+03:00
  duration_s  whole seconds (default 0)
  initiator   the side that placed the call
  from_station, to_station   the calling and the called station
  operator    duty officer / linguist
  category    airspace notification | ground line | incident | line negotiation | routine check
              (default routine check; `_` or `-` may stand for the space)
  priority    routine | priority | immediate | flash (default routine)
  summary, outcome
  units       linked unit ids separated by ';' ("SDF-06;SAA-01")
  lon, lat    decimal degrees, both or neither
  revision    id of the line revision the call agreed or tabled

Exports write times in UTC (`Z`). A bad row is reported with its line number and skipped;
the good rows are kept; only a file whose every row is bad is an error.
"""
from __future__ import annotations

import csv
import io
import math
from typing import TextIO

import numpy as np

from desktop.core.calls import CATEGORIES, PRIORITIES, CallLog, duration_seconds
from desktop.core.importers.model import MAX_TABLE_BYTES, decode, read_limited
from desktop.core.inputs import InputError, csv_delimiter, csv_header
from desktop.core.tracks import format_times, parse_time

CSV_COLUMNS = ("id", "start", "duration_s", "initiator", "from_station", "to_station", "operator",
               "category", "priority", "summary", "outcome", "units", "lon", "lat", "revision")
_ALIASES = {
    "id": ("id", "callid", "callref"),
    "start": ("start", "time", "starttime", "datetime", "startutc"),
    "duration_s": ("durations", "duration", "durationsec", "durationseconds", "seconds"),
    "initiator": ("initiator", "initiatingside", "side", "caller"),
    "from_station": ("fromstation", "from", "stationfrom", "callingstation"),
    "to_station": ("tostation", "to", "stationto", "calledstation"),
    "operator": ("operator", "linguist", "operatorlinguist"),
    "category": ("category", "type", "kind"),
    "priority": ("priority", "precedence"),
    "summary": ("summary", "subject", "text"),
    "outcome": ("outcome", "result"),
    "units": ("units", "unitids", "linkedunits", "unit"),
    "lon": ("lon", "lng", "long", "longitude"),
    "lat": ("lat", "latitude"),
    "revision": ("revision", "linerevision", "revisionid"),
}
_FIELD_OF = {alias: f for f, aliases in _ALIASES.items() for alias in aliases}
_TEXT_FIELDS = ("initiator", "from_station", "to_station", "operator", "summary", "outcome", "revision")


def _norm(value: str) -> str:
    return " ".join(value.lower().replace("_", " ").replace("-", " ").split())


# -- export -------------------------------------------------------------------------------------
def _degrees(values: np.ndarray) -> list[str]:
    return ["" if math.isnan(v) else repr(v) for v in np.round(values, 7).tolist()]


def write_calls_csv(calls: CallLog, out: TextIO) -> int:
    """Write every call, one row each, in CSV_COLUMNS order. Returns the number of rows."""
    cols = {"id": calls.ids.tolist(), "start": format_times(calls.start).tolist(),
            "duration_s": calls.duration_s.tolist(), "category": calls.category.tolist(),
            "priority": calls.priority.tolist(), "units": calls.links_text(),
            "lon": _degrees(calls.lon), "lat": _degrees(calls.lat),
            **{k: getattr(calls, k).tolist() for k in _TEXT_FIELDS}}
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(zip(*(cols[k] for k in CSV_COLUMNS)))
    return len(calls)


def calls_csv_text(calls: CallLog) -> str:
    buf = io.StringIO()
    write_calls_csv(calls, buf)
    return buf.getvalue()


# -- import -------------------------------------------------------------------------------------
def read_calls(path) -> tuple[CallLog, list[str]]:
    """Read a calls CSV file: (calls, warnings naming file:line for each skipped row).
    Raises InputError for an unreadable file, a header without id/start, or no usable row."""
    name, data = read_limited(path, MAX_TABLE_BYTES)  # the importers' cap: a huge file is refused unread
    return parse_calls_csv(decode(name, data), name)


def parse_calls_csv(text: str, name: str = "calls.csv") -> tuple[CallLog, list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    try:
        header, header_line, columns = csv_header(reader, name, _FIELD_OF)
        for need in ("id", "start"):
            if need not in columns:
                raise InputError(f"{name}:{header_line}: no {need!r} column in the header "
                                 f"(expected {', '.join(CSV_COLUMNS)})")
        good: list[dict] = []
        warnings: list[str] = []
        seen: dict[str, int] = {}
        rows = 0
        for row in reader:
            if not "".join(row).strip():
                continue
            rows += 1
            record = _row(row, columns, header, seen, reader.line_num)
            if isinstance(record, str):
                warnings.append(f"{name}:{reader.line_num}: {record} (row skipped)")
            else:
                seen[record["id"]] = reader.line_num
                good.append(record)
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: not CSV ({exc})") from None
    except StopIteration:
        raise InputError(f"{name}: empty file") from None
    if rows and not good:
        raise InputError(f"{name}: no usable call row ({rows} rows skipped; first: {warnings[0]})")
    cols = {k: [r[k] for r in good] for k in CSV_COLUMNS}
    calls = CallLog.from_columns(
        ids=cols["id"], start=np.array(cols["start"], dtype=np.int64),
        duration_s=np.array(cols["duration_s"], dtype=np.int64), category=cols["category"],
        priority=cols["priority"], units=cols["units"], lon=np.array(cols["lon"], dtype=float),
        lat=np.array(cols["lat"], dtype=float), **{k: cols[k] for k in _TEXT_FIELDS})
    return calls, warnings


def _row(row: list[str], columns: dict[str, int], header: list[str], seen: dict[str, int],
         line: int) -> dict | str:
    """One CSV row as a call record, or the reason it cannot be used."""
    if len(row) > len(header) and "".join(row[len(header):]).strip():
        return f"{len(row)} fields, the header has {len(header)} (an unquoted delimiter?)"

    def get(field: str) -> str:
        j = columns.get(field)
        return row[j].strip() if j is not None and j < len(row) else ""

    call_id = get("id")
    if not call_id:
        return "no id"
    if call_id in seen:
        return f"duplicate id {call_id!r} (first on line {seen[call_id]})"
    try:
        start = parse_time(get("start")) if get("start") else None
    except ValueError as exc:
        return f"start: {exc}"
    if start is None:
        return "no start time"
    try:
        duration = duration_seconds(get("duration_s"))
    except ValueError as exc:
        return str(exc)
    category = _norm(get("category")) or "routine check"
    if category not in CATEGORIES:
        return f"category {get('category')!r} is not one of {', '.join(CATEGORIES)}"
    priority = _norm(get("priority")) or "routine"
    if priority not in PRIORITIES:
        return f"priority {get('priority')!r} is not one of {', '.join(PRIORITIES)}"
    lon_s, lat_s = get("lon"), get("lat")
    lon = lat = math.nan
    if lon_s or lat_s:
        if not (lon_s and lat_s):
            return "give both lon and lat, or neither"
        try:
            lon, lat = float(lon_s), float(lat_s)
        except ValueError:
            return f"position {lon_s!r}, {lat_s!r} is not decimal degrees"
        if not (abs(lat) <= 90 and abs(lon) <= 180):
            return f"position {lon_s}, {lat_s} is outside -180..180 longitude / -90..90 latitude"
    return {"id": call_id, "start": start, "duration_s": duration, "category": category,
            "priority": priority, "units": get("units"), "lon": lon, "lat": lat,
            **{k: get(k) for k in _TEXT_FIELDS}}
