"""Air conflicts in the live Alerts dock (issue 12 Build 5), with pytak on the other end over
loopback: a coalition fighter and a Russian Su-24 flying at each other give one alert line
and one notice while their reports keep coming; acknowledging works as for line alerts, and
a muted aircraft's next conflict is logged as muted, without a notice or a beep."""
from __future__ import annotations

import time

from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from desktop.core.alert_log import ACKNOWLEDGED, MUTED, NEW
from tests.feed.samples import GEOD, event
from tests.feed.test_air_from_cot import head_on
from tests.feed.test_transport import pytak_send
from tests.gui.mouse import click
from tests.gui.test_live_feed import start, win  # noqa: F401 - the fixture


def flown(truth: dict, uid: str, seconds: float, t: float, **kw) -> bytes:
    """`uid`'s report `seconds` on along its geodesic (pyproj), at time t."""
    lon, lat, alt, course, speed = truth[uid]
    lon2, lat2, back = GEOD.fwd(lon, lat, course, seconds * speed * 1852 / 3600)
    return event(uid, lat2, lon2, t, hae=alt * 0.3048, course=(back + 180.0) % 360.0, speed=speed * 1852 / 3600,
                 stale_s=600, **kw)


def air_alerts(doc) -> list:
    return [a for a in doc.alerts if a.kind == "air_conflict"]


def test_an_air_conflict_alerts_once_and_is_acknowledged_and_muted_like_a_line_alert(win, qtbot):  # noqa: F811
    feed, panel, doc = win.feed_menu.feed, win.panels["alerts"], win.document
    assert "conflicts" in win.panels   # the air plugin's panel: it brings conflicts into the dock
    win.docks["alerts"].raise_()
    port = start(win, qtbot)
    t0 = int(time.time()) - 60
    events, truth = head_on(t0)
    kinds = {"VIPER-1": ("a-f-A-M-F", "Viper 1"), "SU24-7": ("a-h-A-M-F-Q", "Su-24 7")}
    pytak_send(f"udp+wo://127.0.0.1:{port}", events)
    qtbot.waitUntil(lambda: len(air_alerts(doc)) == 1, timeout=10_000)
    alert = air_alerts(doc)[0]
    assert (alert.unit, alert.other, alert.state) == ("VIPER-1", "SU24-7", NEW)
    # 40 km closing at 350 m/s on one geodesic, 154 m (505 ft) apart vertically
    assert alert.detail == "Viper 1 and Su-24 7: 0.0 NM at 505 ft in 2 min"
    qtbot.waitUntil(lambda: panel.model.rowCount() == len(doc.alerts))
    assert sum(alert.detail in n.label.text() for n in panel.notices.shown) == 1
    beeps = panel.chime.count
    assert beeps >= 1
    # They fly on, still converging: reports every 5 s, no second alert for the pair.
    for k in (5, 10, 15):
        pytak_send(f"udp+wo://127.0.0.1:{port}", [flown(truth, uid, k, t0 + k, cot_type=kinds[uid][0],
                                                        callsign=kinds[uid][1]) for uid in truth])
    qtbot.waitUntil(lambda: feed.runner.status().counters.accepted == 8, timeout=10_000)
    qtbot.waitUntil(lambda: live_reports_written(doc, t0 + 15), timeout=5000)
    assert len(air_alerts(doc)) == 1
    # Acknowledge it from the list, as a line alert.
    table = panel.table
    row = next(r for r in range(panel.model.rowCount()) if panel.model.alert(r).id == alert.id)
    click(table.viewport(), QtCore.QPointF(table.visualRect(panel.model.index(row, 2)).center()))
    bar = panel.findChild(QtWidgets.QToolBar, "alertsToolbar")
    QTest.mouseClick(bar.widgetForAction(panel.ack_action), QtCore.Qt.MouseButton.LeftButton)
    assert alert.state == ACKNOWLEDGED
    # Mute its aircraft (M); a second Su-24 heading for the same fighter: logged, muted, no notice.
    table.setFocus()
    QTest.keyClick(table, QtCore.Qt.Key.Key_M)
    assert "VIPER-1" in feed.muted
    notices = panel.notices.count
    lon_a, lat_a = GEOD.fwd(truth["VIPER-1"][0], truth["VIPER-1"][1], 90.0, 20 * 200.0)[:2]
    lon_c, lat_c, back = GEOD.fwd(lon_a, lat_a, 90.0, 30_000.0)
    pytak_send(f"udp+wo://127.0.0.1:{port}", [
        event("VIPER-1", lat_a, lon_a, t0 + 20, cot_type="a-f-A-M-F", callsign="Viper 1", hae=6096.0, course=90.0,
              speed=200.0, stale_s=600),
        event("SU24-8", lat_c, lon_c, t0 + 20, cot_type="a-h-A-M-F-Q", callsign="Su-24 8", hae=6000.0,
              course=float(back % 360.0), speed=150.0, stale_s=600)])
    qtbot.waitUntil(lambda: len(air_alerts(doc)) == 2, timeout=10_000)
    second = air_alerts(doc)[1]
    assert (second.unit, second.other, second.state) == ("VIPER-1", "SU24-8", MUTED)
    assert panel.notices.count == notices and panel.chime.count == beeps
    qtbot.waitUntil(lambda: panel.model.rowCount() == len(doc.alerts))   # listed all the same


def live_reports_written(doc, t: int) -> bool:
    from desktop.core.time_cursor import live_time
    return live_time(doc) == t


def test_air_alerts_come_without_the_conflicts_panel_and_conflicts_are_computed_once_a_write(qtbot, monkeypatch):
    """The air session raises them (any air view keeps it: here the air map layer alone),
    and while the cursor follows the feed the alerts take the session's own answer."""
    from dataclasses import replace

    from desktop import builtin_plugins
    from desktop.core.demo import demo_document
    from desktop.core.plugins import PluginRegistry
    from desktop.gui.air import session as air_session
    from desktop.gui.main_window import MainWindow
    registry = PluginRegistry()
    plugins = tuple(replace(p, contributions=tuple(c for c in p.contributions if c.id != "conflicts"))
                    for p in builtin_plugins.BUILTIN_PLUGINS)
    registry.load_entry_points(builtins=plugins)
    window = MainWindow(demo_document(), registry)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "conflicts" not in window.panels and "alerts" in window.panels
    asked = []
    real = air_session.conflicts_at
    monkeypatch.setattr(air_session, "conflicts_at",
                        lambda doc, t, params: asked.append((t, id(doc.units), id(doc.tracks), params))
                        or real(doc, t, params))
    doc = window.document
    port = start(window, qtbot)
    t0 = int(time.time()) - 60
    events, _ = head_on(t0)
    pytak_send(f"udp+wo://127.0.0.1:{port}", events)
    qtbot.waitUntil(lambda: len(air_alerts(doc)) == 1, timeout=10_000)
    assert air_alerts(doc)[0].detail == "Viper 1 and Su-24 7: 0.0 NM at 505 ft in 2 min"
    assert asked and len(asked) == len(set(asked))  # (each moment of each state answered once: views and alerts)
    window.feed_menu.stop_action.trigger()
    window.close()
