"""The live feed in the window, with pytak on the other end over loopback: a scripted walk
across the line moves the unit's symbol, gives exactly one cross_line alert line and one
notice for it (with malformed and binary packets in between), the sectors panel follows,
time to line reaches the tooltip and the panel, acknowledging and muting work, the alert
sound can be turned off (and stays off), and the status bar shows the feed's state."""
from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from desktop.core.alert_log import ACKNOWLEDGED, MUTED, Alert
from desktop.core.document import Document
from desktop.gui.feed.settings import FeedSettings
from tests.feed.samples import GEOD, event, junk_packets, walk_south
from tests.feed.test_transport import pytak_send
from tests.gui.mouse import click
from tests.gui.test_line_edit import panel_counts
from tests.gui.test_map_view import as_shown, tooltip

UDP_ONLY = FeedSettings(mesh=False, udp="127.0.0.1:0")


@pytest.fixture
def win(demo_window):
    """The window on the demo; closing it (after the test) stops its feed."""
    return demo_window


def start(win, qtbot, settings: FeedSettings = UDP_ONLY) -> int:
    """Turn the feed on (Feed › Start); the UDP port it listens on."""
    feed = win.feed_menu.feed
    feed.settings = settings
    win.feed_menu.start_action.trigger()
    assert feed.running and feed.runner.wait_ready(10)
    udp = [e for e in feed.runner.status().endpoints if e.name.startswith("udp")]
    return udp[0].address[1] if udp else 0


def line_crossing_lat(doc, lon: float) -> float:
    """Where the meridian `lon` crosses the August line (shapely, in degrees: metres off at
    most, well inside the 150 m jitter below)."""
    meridian = shapely.LineString([(lon, 35.0), (lon, 36.5)])
    return shapely.intersection(meridian, shapely.LineString(doc.revisions.get("august").line.vertices)).y


def walk_with_jitter(doc, uid: str, t0: float) -> list[bytes]:
    """Due south across the line at lon 38.9, pausing on the line to jitter 150 m either side
    of it (inside the 200 m hysteresis) before going on."""
    lons, lats = walk_south()
    cross = line_crossing_lat(doc, 38.9)
    _, north, _ = GEOD.fwd(38.9, cross, 0.0, 150.0)
    _, south, _ = GEOD.fwd(38.9, cross, 180.0, 150.0)
    k = int(np.searchsorted(-lats, -cross))          # the first point south of the line
    points = list(zip(lons[:k], lats[:k])) + [(38.9, south), (38.9, north)] * 4 + list(zip(lons[k:], lats[k:]))
    return [event(uid, la, lo, t0 + i, callsign="SDF Recon Tm", stale_s=600) for i, (lo, la) in enumerate(points)]


def test_a_walk_across_the_line_moves_the_symbol_and_alerts_once(win, qtbot):
    feed, panel, doc = win.feed_menu.feed, win.panels["alerts"], win.document
    port = start(win, qtbot)
    qtbot.waitUntil(lambda: win.feed_menu.indicator.text().startswith(f"Feed: udp 127.0.0.1:{port} listening"))
    walk = walk_with_jitter(doc, "ANDROID-5a1c", time.time() - 200)
    junk = junk_packets()
    payloads = [p for i, e in enumerate(walk) for p in ([e, junk[i % len(junk)]] if i % 9 == 4 else [e])]
    pytak_send(f"udp+wo://127.0.0.1:{port}", payloads)
    qtbot.waitUntil(lambda: feed.status is not None and feed.runner.status().counters.accepted == len(walk),
                    timeout=10_000)
    qtbot.waitUntil(lambda: [a.kind for a in doc.alerts] == ["enter_buffer", "cross_line", "leave_buffer"],
                    timeout=10_000)
    assert feed.runner.status().counters.refused == len(payloads) - len(walk)
    # Exactly one cross_line line in the list and one notice for it.
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3)
    lines = [panel.model.text(panel.model.alert(r), 1) for r in range(panel.model.rowCount())]
    assert lines == ["Left buffer", "Crossed the line", "Entered buffer"]   # newest first
    notices = panel.notices
    assert notices.count == 3 and sum("crossed the line into S2" in n.label.text() for n in notices.shown) == 1
    # The unit stands at its last report, on the map and in the sectors panel (S2, wrong side).
    qtbot.waitUntil(lambda: "ANDROID-5a1c" in doc.units.ids, timeout=5000)
    i = doc.units.index_of("ANDROID-5a1c")
    last = walk_south()
    lon, lat = last[0][-1], last[1][-1]
    qtbot.waitUntil(lambda: (doc.units.lon[i], doc.units.lat[i]) == (lon, lat), timeout=5000)
    units = win.map_view.layer("units")
    x, y = win.map_view.to_display(lon, lat)
    assert (units.x[i], units.y[i]) == pytest.approx((float(x), float(y)))
    cls = doc.analysis.classification
    s2 = doc.analysis.sectors.sectors[int(cls.sector[i])]
    assert s2.owner == "Russian-backed" and cls.wrong_side[i]
    # The sectors panel follows: the new unit is counted in S2, and the counts are a fresh
    # analysis's of the same units and line.
    fresh = Document(doc.ao, doc.line, doc.units, doc.sides, buffer_km=doc.buffer_km).analysis
    assert panel_counts(win)[s2.name] == int(fresh.counts()[int(cls.sector[i])])
    assert f"<b>{len(doc.units)}</b> units" in win.panels["sectors"].counts_label.text()
    assert doc.units.sides[i] == "US-backed" and doc.units.names[i] == "SDF Recon Tm"
    # Its track covers the live period: the time cursor's "now" is its last report.
    assert win.context.time_cursor.now == int(doc.tracks.time[doc.tracks.offsets[i + 1] - 1])


def test_time_to_line_in_the_tooltip_and_the_panel(win, qtbot):
    feed, panel, doc = win.feed_menu.feed, win.panels["alerts"], win.document
    port = start(win, qtbot)
    # 12 km north of a vertex of the line in force, heading for it at 10 m/s: 20 minutes
    # (pyproj's geodesic; the line is met at that vertex).
    vlon, vlat = doc.revisions.get("august").line.vertices[3]
    lon, lat, back = GEOD.fwd(vlon, vlat, 0.0, 12_000.0)
    course = (back + 360.0) % 360.0
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("APPROACH", lat, lon, time.time(), callsign="SDF Recon Tm",
                                                    course=course, speed=10.0)])
    qtbot.waitUntil(lambda: "APPROACH" in doc.units.ids and bool(win.map_view.layer("live").labels), timeout=10_000)
    i = doc.units.index_of("APPROACH")
    x, y = win.map_view.to_display(lon, lat)
    shown = as_shown(tooltip(win.map_view, x, y))
    assert "SDF Recon Tm reaches the line in 20 min" in shown and "Live (TAK): last report" in shown
    assert win.map_view.layer("live").labels[0][2] == "20 min"
    items = [panel.approaching.item(k).text() for k in range(panel.approaching.count())]
    assert items == ["SDF Recon Tm reaches the line in 20 min"]
    assert doc.units.lon[i] == lon


def test_acknowledge_and_mute_with_the_panel(win, qtbot):
    feed, panel, doc = win.feed_menu.feed, win.panels["alerts"], win.document
    win.docks["alerts"].raise_()
    port = start(win, qtbot)
    t0 = time.time() - 400
    lons, lats = walk_south()
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("LOUD", la, lo, t0 + k, stale_s=900)
                                              for k, (lo, la) in enumerate(zip(lons, lats))])
    qtbot.waitUntil(lambda: len(doc.alerts) == 3 and panel.model.rowCount() == 3, timeout=10_000)
    beeps = panel.chime.count
    assert beeps >= 1
    # Click the cross_line row, then Acknowledge on the panel's toolbar.
    table = panel.table
    row = next(r for r in range(panel.model.rowCount()) if panel.model.alert(r).kind == "cross_line")
    click(table.viewport(), QtCore.QPointF(table.visualRect(panel.model.index(row, 2)).center()))
    bar = panel.findChild(QtWidgets.QToolBar, "alertsToolbar")
    QTest.mouseClick(bar.widgetForAction(panel.ack_action), QtCore.Qt.MouseButton.LeftButton)
    cross = next(a for a in doc.alerts if a.kind == "cross_line")
    assert cross.state == ACKNOWLEDGED and panel.model.text(cross, 6) == "acknowledged"
    assert panel.count_label.text() == "2 open of 3"
    # Mute LOUD (M), then walk it back north (home: into the buffer and out again): its alerts
    # are logged as muted, with no notice and no beep.
    table.setFocus()
    QTest.keyClick(table, QtCore.Qt.Key.Key_M)
    assert "LOUD" in feed.muted and panel.mute_action.isChecked()
    notices = panel.notices.count
    back = [event("LOUD", la, lo, t0 + 200 + k, stale_s=900)
            for k, (lo, la) in enumerate(zip(lons[::-1], lats[::-1]))]
    pytak_send(f"udp+wo://127.0.0.1:{port}", back)
    qtbot.waitUntil(lambda: len(doc.alerts) == 5 and panel.model.rowCount() == 5, timeout=10_000)
    assert [(a.kind, a.state) for a in list(doc.alerts)[3:]] == [("enter_buffer", MUTED), ("leave_buffer", MUTED)]
    assert panel.notices.count == notices and panel.chime.count == beeps
    # Open only hides them.
    QTest.mouseClick(bar.widgetForAction(panel.open_action), QtCore.Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 2 and all(panel.model.alert(r).state == "new" for r in range(2))


def test_stale_units_grey_out_after_their_stale_time(win, qtbot):
    feed, doc = win.feed_menu.feed, win.document
    port = start(win, qtbot)
    now = time.time()
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("FRESH", 36.2, 39.3, now, stale_s=600),
                                              event("SHORT", 36.25, 39.5, now, stale_s=1.5)])
    layer = win.map_view.layer("live")
    qtbot.waitUntil(lambda: len(layer.rings) == 2, timeout=10_000)
    assert len(layer.stale_cover) == 0
    qtbot.waitUntil(lambda: len(layer.stale_cover) == 1, timeout=5000)   # the layer follows the clock
    x, y = win.map_view.to_display(39.5, 36.25)
    assert (layer.stale_cover.x[0], layer.stale_cover.y[0]) == pytest.approx((float(x), float(y)))
    win.map_view.repaint()
    image = win.map_view.grab().toImage()
    pos = win.map_view.map_to_widget(float(x), float(y)).toPoint()
    ratio = image.devicePixelRatio()
    grey = image.pixelColor(int(pos.x() * ratio), int(pos.y() * ratio))
    assert abs(grey.red() - grey.green()) < 12 and abs(grey.green() - grey.blue()) < 12 and 120 < grey.red() < 200


def test_the_status_bar_shows_a_dropped_tak_server_reconnecting(win, qtbot):
    from tests.feed.tak_server import LoopbackTakServer
    with LoopbackTakServer() as server:
        start(win, qtbot, FeedSettings(mesh=False, server=True, server_address=f"127.0.0.1:{server.port}"))
        indicator = win.feed_menu.indicator
        qtbot.waitUntil(lambda: f"tcp 127.0.0.1:{server.port} connected" in indicator.text(), timeout=30_000)
        assert indicator.state() == "ok" and "events/s" in indicator.text()
        server.drop_all()
        qtbot.waitUntil(lambda: "reconnecting (1 reconnection)" in indicator.text(), timeout=30_000)
        assert indicator.state() == "busy"
    win.feed_menu.stop_action.trigger()
    assert indicator.text() == "Feed off" and not win.feed_menu.send_action.isEnabled()


def test_alerts_are_marked_on_the_timeline(win, qtbot):
    doc, timeline = win.document, win.panels["timeline"]
    port = start(win, qtbot)
    t0 = time.time() - 300
    lons, lats = walk_south()
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("MARKED", la, lo, t0 + k, stale_s=900)
                                              for k, (lo, la) in enumerate(zip(lons, lats))])
    qtbot.waitUntil(lambda: len(timeline.alert_marks.times) == 3, timeout=10_000)
    cross = next(a for a in doc.alerts if a.kind == "cross_line")
    # The live cursor follows "now" on the timeline; zoom to the last few minutes to see the marks.
    view = timeline.view
    view.show_range(cross.time - 120, cross.time + 120)
    view.repaint()
    image = view.grab().toImage()
    box = view.strip_box
    (_, _), (_, top) = box.viewRange()
    at = view.mapFromScene(box.mapViewToScene(QtCore.QPointF(cross.time, top)))
    ratio = image.devicePixelRatio()
    reds = [image.pixelColor(int((at.x() + dx) * ratio), int((at.y() + dy) * ratio))
            for dx in range(-2, 3) for dy in range(1, 5)]
    assert any(c.red() > 170 and c.green() < 60 and c.blue() < 60 for c in reds), [c.name() for c in reds]


def test_keep_the_cursor_at_now_and_a_notice_selects_its_unit(win, qtbot):
    doc, panel, cursor = win.document, win.panels["alerts"], win.context.time_cursor
    port = start(win, qtbot)
    cursor.set_time(int(doc.tracks.time.min()) + 86_400)
    assert not cursor.is_live
    win.feed_menu.follow_action.setChecked(True)
    t0 = time.time() - 300
    lons, lats = walk_south()
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("NOTICED", la, lo, t0 + k, stale_s=900)
                                              for k, (lo, la) in enumerate(zip(lons, lats))])
    qtbot.waitUntil(lambda: cursor.is_live and "NOTICED" in doc.units.ids, timeout=10_000)
    qtbot.waitUntil(lambda: bool(panel.notices.shown) and panel.model.rowCount() == len(doc.alerts), timeout=5000)
    notice = panel.notices.shown[0]
    QTest.mouseClick(notice.label, QtCore.Qt.MouseButton.LeftButton)
    assert win.selection.units.tolist() == [doc.units.index_of("NOTICED")]
    assert notice not in panel.notices.shown


def test_a_port_already_taken_is_said_and_the_feed_stays_off(win, qtbot, monkeypatch):
    import socket
    from desktop.gui.feed import menu
    said = []
    monkeypatch.setattr(menu, "show_warning", lambda parent, title, message: said.append(message))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        win.feed_menu.feed.settings = FeedSettings(mesh=False, udp=f"127.0.0.1:{port}")
        win.feed_menu.start_action.trigger()
    assert not win.feed_menu.feed.running and win.feed_menu.indicator.text() == "Feed off"
    assert len(said) == 1 and f"udp 127.0.0.1:{port} failed" in said[0]


def test_closing_the_window_with_the_feed_on_stops_it_and_ends_the_journal(qtbot, tmp_path):
    import socket
    from desktop.core.demo import demo_document
    from desktop.gui.main_window import MainWindow
    w = MainWindow(demo_document())
    qtbot.addWidget(w)
    w.files.start_journal(tmp_path / "recovery", base_is_file=False)
    port = start(w, qtbot)
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("CLOSING", 36.2, 39.2, time.time())])
    qtbot.waitUntil(lambda: "CLOSING" in w.document.units.ids, timeout=10_000)
    folder = w.files.journal.folder
    w.close()
    assert not w.feed_menu.feed.running and not folder.exists()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind(("127.0.0.1", port))     # the feed's socket is closed


def test_a_dense_live_track_is_thinned_on_the_trails_layer(win, qtbot):
    """Reports a second apart over two minutes: the trail keeps one point a minute (12 h
    trails) and both ends, so a feed at thousands of reports a second draws in time."""
    from desktop.gui.timeline.map_layer import TRAIL_POINTS
    doc, trails = win.document, win.map_view.layer("time.trails")
    port = start(win, qtbot)
    t0 = time.time() - 150
    lons, lats = walk_south(km=30.0, step_m=250.0)
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("DENSE", la, lo, t0 + k, stale_s=900)
                                              for k, (lo, la) in enumerate(zip(lons, lats))])
    qtbot.waitUntil(lambda: "DENSE" in doc.units.ids and doc.units.index_of("DENSE") in trails.unit, timeout=10_000)
    i = doc.units.index_of("DENSE")
    mine = np.flatnonzero(trails.unit == i)
    step = trails.hours * 3600 / TRAIL_POINTS
    assert len(mine) <= len(lons) * 1.0 / step + 3 < len(lons)
    x, y = win.map_view.to_display(np.array([lons[0], lons[-1]]), np.array([lats[0], lats[-1]]))
    assert (trails.x[mine[-1]], trails.y[mine[-1]]) == pytest.approx((x[1], y[1]))   # where it is now
    assert (trails.x[mine[0]], trails.y[mine[0]]) == pytest.approx((x[0], y[0]))     # where it was first heard


def test_the_alert_sound_can_be_turned_off_and_stays_off(qtbot, tmp_path, monkeypatch):
    """An alert beeps (at most once every CHIME_GAP_S); after Sound is clicked off on the
    alerts panel's toolbar, alerts still come with their notices but make no sound, and the
    next window (same settings) starts with the sound off."""
    from desktop.core.demo import demo_document
    from desktop.gui.feed.alerts_panel import CHIME_GAP_S
    from desktop.gui.main_window import MainWindow
    beeps: list[float] = []
    monkeypatch.setattr(QtWidgets.QApplication, "beep", staticmethod(lambda: beeps.append(time.monotonic())))
    ini = tmp_path / "deconflict.ini"
    UDP_ONLY.save(QtCore.QSettings(str(ini), QtCore.QSettings.Format.IniFormat))   # set up before: Start asks nothing

    def window():
        w = MainWindow(demo_document(), settings=QtCore.QSettings(str(ini), QtCore.QSettings.Format.IniFormat))
        qtbot.addWidget(w)
        w.show()
        w.docks["alerts"].raise_()
        return w, w.panels["alerts"]

    def walk(port, uid, t0, back=False):
        lons, lats = walk_south()
        points = list(zip(lons, lats))[::-1] if back else list(zip(lons, lats))
        pytak_send(f"udp+wo://127.0.0.1:{port}", [event(uid, la, lo, t0 + k, stale_s=900)
                                                  for k, (lo, la) in enumerate(points)])

    w, panel = window()
    doc = w.document
    bar = panel.findChild(QtWidgets.QToolBar, "alertsToolbar")
    assert panel.sound_action.isChecked()                      # on unless turned off
    port = start(w, qtbot)
    t0 = time.time() - 600
    walk(port, "LOUD", t0)
    qtbot.waitUntil(lambda: len(doc.alerts) == 3 and panel.notices.count == 3, timeout=10_000)
    assert len(beeps) >= 1
    QTest.mouseClick(bar.widgetForAction(panel.sound_action), QtCore.Qt.MouseButton.LeftButton)
    assert not panel.sound_action.isChecked()
    heard = len(beeps)
    qtbot.waitUntil(lambda: time.monotonic() - beeps[-1] > CHIME_GAP_S, timeout=5000)   # it would beep again
    walk(port, "LOUD", t0 + 300, back=True)                  # home: into the buffer and out again
    qtbot.waitUntil(lambda: len(doc.alerts) == 5 and panel.notices.count == 5, timeout=10_000)
    assert len(beeps) == heard
    w.close()
    # Remembered: the next window starts silent; turned back on, the next alert beeps.
    w, panel = window()
    assert not panel.sound_action.isChecked()
    port = start(w, qtbot)
    walk(port, "QUIET", t0)
    qtbot.waitUntil(lambda: len(w.document.alerts) == 3 and panel.notices.count == 3, timeout=10_000)
    assert len(beeps) == heard
    bar = panel.findChild(QtWidgets.QToolBar, "alertsToolbar")
    QTest.mouseClick(bar.widgetForAction(panel.sound_action), QtCore.Qt.MouseButton.LeftButton)
    walk(port, "QUIET", t0 + 300, back=True)
    qtbot.waitUntil(lambda: len(w.document.alerts) == 5, timeout=10_000)
    assert len(beeps) == heard + 1
    w.close()
    assert "sound=true" in ini.read_text()


def test_a_new_alert_line_is_painted_before_any_timer_runs(win, qtbot):
    """Under a flood the feed's, the map's and the labels' timers are always due: a new line
    must not wait behind them (the list view lays new rows out on a timer of its own)."""
    panel, doc = win.panels["alerts"], win.document
    win.docks["alerts"].raise_()
    qtbot.waitExposed(panel.table)
    QTest.qWait(50)
    painted = []

    class Paints(QtCore.QObject):
        def eventFilter(self, obj, ev):  # noqa: N802 - Qt API
            if ev.type() == QtCore.QEvent.Type.Paint:
                painted.append(panel.model.rowCount())
            return False
    paints = Paints()
    panel.table.viewport().installEventFilter(paints)
    doc.alerts.add(Alert(doc.alerts.next_id(), time.time(), "U1", "Recon Tm", "cross_line", "S1", "US-backed", 0.4))
    for _ in range(3):   # posted events only: insert the row, then paint
        QtCore.QCoreApplication.sendPostedEvents()
    assert painted and painted[-1] == 1
