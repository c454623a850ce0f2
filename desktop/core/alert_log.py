"""The alert log: every alert raised while the project was open, generic over kinds.

Line alerts from live reports (desktop.core.feed.alerts) are logged here, and any other
finder that raises alerts once per event (air conflicts) can log into the same log: an
alert names its subject (`unit`), the other party of a pair alert (`other`), where it
happened, and says what happened in `detail` (plain text, shown as such). The document
holds one log (`Document.alerts`); the project stores it as the `alerts` table, so the
alert history is there for the incident review. Acknowledging or dismissing an alert
changes its `state` only: nothing is ever removed from the log.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

from desktop.core.events import Signal
from desktop.core.tracks import format_time

NEW, ACKNOWLEDGED, DISMISSED, MUTED = "new", "acknowledged", "dismissed", "muted"
STATES = (NEW, ACKNOWLEDGED, DISMISSED, MUTED)


@dataclass
class Alert:
    """One alert. `time`: when it happened (the report's time, epoch s); `received`: when the
    report that raised it arrived (wall clock, NaN when not from a report); `minutes`: a time
    to the line, for kinds that have one; `lon`/`lat`: where the subject was."""

    id: int
    time: float
    unit: str
    name: str
    kind: str
    sector: str | None
    owner: str | None
    distance_km: float
    minutes: float | None = None
    received: float = math.nan
    state: str = NEW
    lon: float = math.nan
    lat: float = math.nan
    other: str = ""
    detail: str = ""

    def as_dict(self) -> dict:
        d = {"time": format_time(math.floor(self.time)), "unit": self.unit, "name": self.name, "kind": self.kind,
             "sector": self.sector, "owner": self.owner,
             "distance_km": None if math.isnan(self.distance_km) else round(self.distance_km, 3)}
        if self.minutes is not None:
            d["minutes"] = round(self.minutes, 1)
        return d

    def json_line(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)

    def text(self) -> str:
        """One line a planner reads: `detail` when the finder wrote one."""
        return self.detail or f"{self.name or self.unit}: {self.kind.replace('_', ' ')}"


COLUMNS = ("id", "time", "unit", "name", "kind", "other", "sector", "owner", "distance_km", "minutes",
           "state", "lon", "lat", "detail")
_TEXT = ("unit", "name", "kind", "other", "sector", "owner", "state", "detail")
_FLOAT = ("distance_km", "minutes", "lon", "lat")


class AlertLog:
    """Every alert in the order raised (muted ones too, for the incident review), with
    acknowledge/dismiss. Ids are unique in the log (`next_id`)."""

    def __init__(self, alerts: list[Alert] | None = None) -> None:
        self._alerts: list[Alert] = list(alerts or [])
        self._by_id = {a.id: a for a in self._alerts}
        self.changed = Signal()   # (alert): added or changed state

    def __len__(self) -> int:
        return len(self._alerts)

    def __iter__(self):
        return iter(self._alerts)

    def __getitem__(self, k: int) -> Alert:
        return self._alerts[k]

    def next_id(self) -> int:
        return max(self._by_id, default=0) + 1

    def add(self, alert: Alert) -> None:
        if alert.id in self._by_id:
            raise ValueError(f"the log already has an alert {alert.id}")
        self._alerts.append(alert)
        self._by_id[alert.id] = alert
        self.changed.emit(alert)

    def get(self, alert_id: int) -> Alert:
        alert = self._by_id.get(alert_id)
        if alert is None:
            raise KeyError(f"no alert {alert_id}")
        return alert

    def set_state(self, alert_id: int, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"alert state {state!r} is not one of {', '.join(STATES)}")
        alert = self.get(alert_id)
        if alert.state != state:
            alert.state = state
            self.changed.emit(alert)

    def acknowledge(self, alert_id: int) -> None:
        self.set_state(alert_id, ACKNOWLEDGED)

    def dismiss(self, alert_id: int) -> None:
        self.set_state(alert_id, DISMISSED)

    def open(self) -> list[Alert]:
        """Alerts no one has acknowledged or dismissed yet."""
        return [a for a in self._alerts if a.state == NEW]

    def columns(self, rows: slice = slice(None)) -> dict[str, np.ndarray]:
        """The log (or the alerts `rows`) as the columns of the project's alerts table."""
        a = self._alerts[rows]
        out: dict[str, np.ndarray] = {
            "id": np.array([x.id for x in a], dtype=np.int64),
            "time": np.array([math.floor(x.time) for x in a], dtype=np.int64)}
        for name in _TEXT:
            out[name] = np.array([getattr(x, name) or "" for x in a], dtype=object)
        for name in _FLOAT:
            out[name] = np.array([math.nan if getattr(x, name) is None else getattr(x, name) for x in a], dtype=float)
        return out

    @classmethod
    def from_columns(cls, cols: dict) -> "AlertLog":
        """The inverse of `columns` (the project reader's and the recovery journal's way in)."""
        def text(name: str, k: int) -> str:
            v = cols[name][k]
            return "" if v is None else str(v)

        def number(name: str, k: int) -> float:
            v = cols[name][k]
            return math.nan if v is None else float(v)

        alerts = []
        for k in range(len(cols["id"])):
            minutes = number("minutes", k)
            alerts.append(Alert(int(cols["id"][k]), float(cols["time"][k]), text("unit", k), text("name", k),
                                text("kind", k), text("sector", k) or None, text("owner", k) or None,
                                number("distance_km", k), None if math.isnan(minutes) else minutes, math.nan,
                                text("state", k) or NEW, number("lon", k), number("lat", k), text("other", k),
                                text("detail", k)))
        return cls(alerts)
