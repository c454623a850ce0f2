"""Line alerts from live reports: each fires once per event, not once per report.

Kinds, per unit:
- enter_buffer: it comes within the buffer of the line; leave_buffer: it has been clearly
  out of it (beyond the buffer plus the hysteresis distance) for the hysteresis time;
- cross_line: it crosses the line into a sector of the other side (a unit without a known
  side: into a sector of another owner), clearly: beyond the line by more than the
  hysteresis distance and more than its position uncertainty `ce`;
- possibly_across: its reported position is across the line but `ce` spans the line;
- wrong_side (optional): it enters the other side's sector without crossing the line
  (from outside the AO);
- time_to_line (optional): its course and speed bring it to the line in under N minutes.

Each kind latches per unit (desktop.core.feed.latches) and re-arms only once the unit is
clearly back (home, out of the buffer, no longer approaching) for the hysteresis time, so a
unit jittering on an edge alerts once. A unit's first report, and every report after the
line, the buffer or the sides change, sets the latches to what holds without alerting
(a baseline): no alert for units already inside when the feed starts or the line moves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from desktop.core.alert_log import MUTED, NEW, Alert, AlertLog
from desktop.core.feed.cot import UNKNOWN_CE
from desktop.core.feed.geometry import AlertGeometry
from desktop.core.feed.latches import Latches

ENTER, LEAVE, CROSS, POSSIBLY, WRONG, TTL = ("enter_buffer", "leave_buffer", "cross_line", "possibly_across",
                                             "wrong_side", "time_to_line")
KINDS = (ENTER, LEAVE, CROSS, POSSIBLY, WRONG, TTL)
_AWAY = (CROSS, WRONG, POSSIBLY)   # latches re-armed together when the unit is clearly home


@dataclass(frozen=True)
class AlertConfig:
    hysteresis_m: float = 200.0
    hysteresis_s: float = 30.0
    wrong_side: bool = True
    time_to_line_min: float | None = None   # alert when the time to line drops under this
    horizon_min: float = 30.0               # how far ahead the time to line is looked for

    def __post_init__(self) -> None:
        if not (self.hysteresis_m >= 0 and self.hysteresis_s >= 0 and self.horizon_min > 0):
            raise ValueError("hysteresis must be >= 0 and the horizon > 0")

    @property
    def horizon_s(self) -> float:
        return max(self.horizon_min, self.time_to_line_min or 0.0) * 60.0


@dataclass
class _Unit:
    side: int
    name: str
    settled: int = -1                    # owner code of the sector it is settled in
    last: tuple = field(default=())      # (t, lon, lat, ce, course, speed, sector, owner, km)


class AlertEngine:
    """Evaluates reports (in time order) against one geometry and logs the alerts."""

    def __init__(self, geometry: AlertGeometry, config: AlertConfig = AlertConfig(),
                 log: AlertLog | None = None) -> None:
        self.geometry = geometry
        self.config = config
        self.log = log if log is not None else AlertLog()
        self.latches = Latches()
        self.muted: set[str] = set()
        self._units: dict[str, _Unit] = {}

    # -- control ------------------------------------------------------------------------------
    def mute(self, unit: str) -> None:
        self.muted.add(unit)

    def unmute(self, unit: str) -> None:
        self.muted.discard(unit)

    def set_geometry(self, geometry: AlertGeometry) -> None:
        """A new line, buffer or sides: every known unit is re-baselined where it last was,
        without alerts."""
        self.geometry = geometry
        self.latches.clear()
        if not self._units:
            return
        names = list(self._units)
        last = np.array([self._units[u].last[:6] for u in names], dtype=float)
        m = geometry.measure(last[:, 1], last[:, 2])
        ttl = (self.time_to_line(last[:, 1], last[:, 2], last[:, 4], last[:, 5], m.km)
               if self.config.time_to_line_min is not None else np.full(len(names), np.nan))
        for i, uid in enumerate(names):
            unit = self._units[uid]
            unit.last = (*unit.last[:6], int(m.sector[i]), int(m.owner[i]), float(m.km[i]))
            self._baseline(uid, unit, m.km[i] * 1000.0, int(m.owner[i]), ttl[i])

    # -- reports ------------------------------------------------------------------------------
    def evaluate(self, unit, side, time, lon, lat, ce, course, speed, name=None, received=None) -> list[Alert]:
        """Reports in time order (columns); returns the new alerts that are not muted."""
        g, cfg = self.geometry, self.config
        m = g.measure(lon, lat)
        ttl = (self.time_to_line(lon, lat, course, speed, m.km) if cfg.time_to_line_min is not None
               else np.full(len(m.km), np.nan))
        ce_m = np.where(np.isfinite(ce) & (np.asarray(ce) < UNKNOWN_CE), ce, 0.0)
        received = received if received is not None else np.full(len(unit), math.nan)
        # Far from the line (out of the buffer band) and not approaching it fast, in the sector
        # it is settled in, with no latch set: such a report changes nothing (most of them).
        far = g.buffer_km * 1000.0 + cfg.hysteresis_m
        limit = cfg.time_to_line_min * 60.0 if cfg.time_to_line_min is not None else -1.0
        quiet = ((m.km * 1000.0 > far) & ~(ttl <= limit)).tolist()
        names = name.tolist() if name is not None else [""] * len(unit)
        # Python lists: the loop reads each value once, numpy scalars would cost more than it does.
        rows = zip(unit.tolist(), np.asarray(side).tolist(), np.asarray(time, float).tolist(),
                   np.asarray(lon, float).tolist(), np.asarray(lat, float).tolist(), ce_m.tolist(),
                   np.asarray(course, float).tolist(), np.asarray(speed, float).tolist(), m.sector.tolist(),
                   m.owner.tolist(), (m.km * 1000.0).tolist(), ttl.tolist(), np.asarray(received, float).tolist(),
                   names, quiet)
        out: list[Alert] = []
        for uid, side_i, t, lo, la, ce_i, co, sp, sector, owner, d, ttl_i, rec, label, calm in rows:
            st = self._units.get(uid)
            label = label or uid
            last = (t, lo, la, ce_i, co, sp, sector, owner, d / 1000.0)
            if st is not None and calm and owner == st.settled and not self.latches.holds(uid):
                st.side, st.name, st.last = side_i, label, last
                continue
            if st is None:
                st = self._units[uid] = _Unit(side_i, label, last=last)
                self._baseline(uid, st, d, owner, ttl_i)
                continue
            st.side, st.name, st.last = side_i, label, last
            kinds = self._buffer(uid, t, d) + self._side_of_line(uid, st, t, d, owner, ce_i)
            if cfg.time_to_line_min is not None:
                kinds += self._time_to_line(uid, t, ttl_i)
            for kind in kinds:
                self._emit(out, kind, uid, st, minutes=ttl_i / 60.0 if kind == TTL else None, received=rec)
        return out

    def tick(self, now: float) -> list[Alert]:
        """Releases due by `now` for units that stopped reporting: a unit that left the
        buffer and went quiet still gets its leave_buffer."""
        out: list[Alert] = []
        for key, at in self.latches.due(now):
            if key[1] == ENTER and key[0] in self._units:
                self._emit(out, LEAVE, key[0], self._units[key[0]], at=at)
        return out

    def units(self) -> dict[str, tuple]:
        """Per unit id, its last evaluated (t, lon, lat, ce, course, speed, sector, owner, km)."""
        return {uid: u.last for uid, u in self._units.items()}

    def time_to_line(self, lon, lat, course, speed, km) -> np.ndarray:
        """Seconds to the line at each course and speed (NaN: not within the horizon); `km`,
        the distances to the line, rules out at once the units too far to reach it."""
        horizon = self.config.horizon_s
        reach = np.asarray(speed, float) * horizon / 1000.0
        near = np.flatnonzero(np.asarray(km) <= np.where(np.isfinite(reach), reach, -1.0))
        out = np.full(len(km), np.nan)
        if len(near):
            out[near] = self.geometry.time_to_line(np.asarray(lon)[near], np.asarray(lat)[near],
                                                   np.asarray(course)[near], np.asarray(speed)[near], horizon)
        return out

    # -- rules --------------------------------------------------------------------------------
    def _away(self, unit: _Unit, owner: int) -> bool:
        return owner >= 0 and unit.side >= 0 and owner != unit.side

    def _baseline(self, uid: str, unit: _Unit, d: float, owner: int, ttl: float) -> None:
        unit.settled = owner
        if d <= self.geometry.buffer_km * 1000.0:
            self.latches.latch((uid, ENTER))
        if self._away(unit, owner):
            for kind in _AWAY:
                self.latches.latch((uid, kind))
        limit = self.config.time_to_line_min
        if limit is not None and ttl <= limit * 60.0:
            self.latches.latch((uid, TTL))

    def _buffer(self, uid: str, t: float, d: float) -> list[str]:
        b, h = self.geometry.buffer_km * 1000.0, self.config.hysteresis_m
        key = (uid, ENTER)
        if d <= b:
            return [ENTER] if self.latches.fire(key) else []
        if d > b + h:
            return [LEAVE] if self.latches.release(key, t, self.config.hysteresis_s) else []
        self.latches.hold(key)
        return []

    def _side_of_line(self, uid: str, unit: _Unit, t: float, d: float, owner: int, ce: float) -> list[str]:
        clear = d > max(self.config.hysteresis_m, ce)
        came_from = unit.settled
        if owner != came_from:
            across = self._away(unit, owner) or (unit.side < 0 and owner >= 0 and came_from >= 0)
            if not clear:   # within the hysteresis band or the uncertainty: not decided yet
                for kind in _AWAY:
                    self.latches.hold((uid, kind))
                if across and d <= ce and self.latches.fire((uid, POSSIBLY)):
                    return [POSSIBLY]
                return []
            unit.settled = owner
            if not across:
                return []
            kind = CROSS if came_from >= 0 else WRONG
            for other in _AWAY:   # one incursion, one alert: the other kinds are set with it
                if other != kind:
                    self.latches.latch((uid, other))
            if kind == WRONG and not self.config.wrong_side:
                self.latches.latch((uid, WRONG))
                return []
            return [kind] if self.latches.fire((uid, kind)) else []
        for kind in _AWAY:
            if clear and not self._away(unit, owner):
                self.latches.release((uid, kind), t, self.config.hysteresis_s)
            else:
                self.latches.hold((uid, kind))
        return []

    def _time_to_line(self, uid: str, t: float, ttl: float) -> list[str]:
        limit, key = self.config.time_to_line_min * 60.0, (uid, TTL)
        if ttl <= limit:
            return [TTL] if self.latches.fire(key) else []
        if not ttl <= limit + self.config.hysteresis_s:   # NaN too: not approaching any more
            self.latches.release(key, t, self.config.hysteresis_s)
        else:
            self.latches.hold(key)
        return []

    def _emit(self, out: list[Alert], kind: str, uid: str, unit: _Unit, *, minutes: float | None = None,
              received: float = math.nan, at: float | None = None) -> None:
        t, lon, lat, ce, *_, sector, owner, km = unit.last
        sector_id, owner_name = self.geometry.sector_id(sector), self.geometry.owner_name(owner)
        alert = Alert(self.log.next_id(), t if at is None else at, uid, unit.name, kind, sector_id, owner_name, km,
                      minutes, received, MUTED if uid in self.muted else NEW, lon, lat,
                      detail=self._detail(kind, unit.name, sector_id, owner_name, km, ce, minutes))
        self.log.add(alert)
        if alert.state != MUTED:
            out.append(alert)

    def _detail(self, kind: str, name: str, sector: str | None, owner: str | None, km: float, ce: float,
                minutes: float | None) -> str:
        """What happened, as a planner says it (plain text: `name` comes from the feed)."""
        where = f"{sector} ({owner})" if sector and owner else sector or "another sector"
        if kind == ENTER:
            return f"{name} came within the {self.geometry.buffer_km:g} km buffer ({km:.1f} km from the line)"
        if kind == LEAVE:
            return f"{name} left the buffer ({km:.1f} km from the line)"
        if kind == CROSS:
            return f"{name} crossed the line into {where}, {km:.2f} km across"
        if kind == POSSIBLY:
            return f"{name} is possibly across the line ({km:.2f} km, within its position uncertainty of {ce:.0f} m)"
        if kind == WRONG:
            return f"{name} entered {where}, the other side's sector"
        return f"{name} {reach_text(minutes * 60.0)}"


def reach_text(seconds: float) -> str:
    """"reaches the line in 6 min" (in whole minutes, at least 1; hours beyond 90 min)."""
    minutes = max(1, round(seconds / 60.0))
    if minutes <= 90:
        return f"reaches the line in {minutes} min"
    return f"reaches the line in {minutes // 60} h {minutes % 60:02d} min"
