"""Send to TAK from the window, through the running feed: the agreed line reaches a TAK server
(takproto reads it) and the mesh (an XML parser reads it) with the line's vertices; a newly
agreed revision replaces the old drawing; File › Export Data › TAK data package; the feed
settings are remembered without the certificate password; live tracks and alerts are saved
with the project and journaled for crash recovery."""
from __future__ import annotations

import socket
import struct
import time
import zipfile

import numpy as np
import pytest
import takproto
from defusedxml import ElementTree as SafeET
from PySide6 import QtCore
from PySide6.QtTest import QTest

from desktop.core import history_commands as hc
from desktop.core.demo import demo_document
from desktop.core.project import load_project
from desktop.core.recovery import recoverable_sessions
from desktop.gui.feed.dialog import FeedDialog
from desktop.gui.feed.settings import FeedSettings
from desktop.gui.main_window import MainWindow
from tests.feed.certs import PASSWORD, make_pki
from tests.feed.samples import event, walk_south
from tests.feed.tak_server import LoopbackTakServer
from tests.feed.test_transport import _free_udp_port, pytak_send
from tests.gui.test_live_feed import start, win  # noqa: F401 - the window fixture

pyogrio = pytest.importorskip("pyogrio")


def link_points(root) -> np.ndarray:
    """(lon, lat) of a drawing's <link point="lat,lon,hae"/> in order."""
    return np.array([[float(v) for v in e.get("point").split(",")[1::-1]] for e in root.findall("detail/link")])


def mesh_listener(port: int) -> socket.socket:
    """A socket that joined the mesh group on the loopback interface, as a device would."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", port))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                    struct.pack("4s4s", socket.inet_aton("239.2.3.1"), socket.inet_aton("127.0.0.1")))
    sock.settimeout(5)
    return sock


def test_send_to_tak_reaches_the_server_and_the_mesh(win, qtbot):  # noqa: F811
    doc = win.document
    august = doc.revisions.get("august").line
    port = _free_udp_port()
    with LoopbackTakServer() as server, mesh_listener(port) as mesh:
        start(win, qtbot, FeedSettings(mesh=True, mesh_address=f"239.2.3.1:{port}", server=True,
                                       server_address=f"127.0.0.1:{server.port}"))
        assert server.wait_for(lambda: server.negotiated == 1)
        qtbot.waitUntil(lambda: "connected" in win.feed_menu.indicator.text(), timeout=10_000)
        assert win.feed_menu.send_action.isEnabled()
        QTest.keyClick(win, QtCore.Qt.Key.Key_T, QtCore.Qt.KeyboardModifier.ControlModifier
                       | QtCore.Qt.KeyboardModifier.ShiftModifier)           # Send line to TAK
        assert "Sent the line (revision august)" in win.status.currentMessage()
        # The mesh: XML datagrams, removals of the other revisions' drawings, then the line.
        datagrams = []
        while not datagrams or SafeET.fromstring(datagrams[-1]).get("type") != "u-d-f":
            datagrams.append(mesh.recv(65536))
        events = [SafeET.fromstring(d) for d in datagrams]
        assert {e.get("type") for e in events[:-1]} == {"t-x-d-d"}
        line = events[-1]
        assert line.get("uid") == "deconflict.euphrates-2017-demo.line.august"
        assert np.allclose(link_points(line), august.vertices, atol=1e-7)
        assert link_points(line)[0].tolist() != link_points(line)[-1].tolist()    # open, not closed
        # takproto reads the same datagram as TAK protocol 1 would carry it.
        message = takproto.parse_proto(takproto.xml2proto(datagrams[-1]))
        assert message.cotEvent.type == "u-d-f" and message.cotEvent.uid == line.get("uid")
        # The TAK server: TAK protocol 1 frames, parsed by takproto in the relay.
        assert server.wait_for(lambda: any(m.cotEvent.type == "u-d-f" for m in server.received_v1))
        sent = [m for m in server.received_v1 if m.cotEvent.type == "u-d-f"][-1]
        detail = SafeET.fromstring(f"<detail>{sent.cotEvent.detail.xmlDetail}</detail>")
        points = np.array([[float(v) for v in e.get("point").split(",")[1::-1]] for e in detail.findall("link")])
        assert np.allclose(points, august.vertices, atol=1e-7)
        # A new revision agreed, in force now: Send again removes August's drawing first.
        server.received_v1.clear()
        assert win.context.push(hc.save_revision(doc, "november", int(time.time()) - 60, state="agreed"))
        QTest.keyClick(win, QtCore.Qt.Key.Key_T, QtCore.Qt.KeyboardModifier.ControlModifier
                       | QtCore.Qt.KeyboardModifier.ShiftModifier)
        assert server.wait_for(lambda: any(m.cotEvent.type == "u-d-f" for m in server.received_v1))
        removed = [m for m in server.received_v1 if m.cotEvent.type == "t-x-d-d"]
        assert any("deconflict.euphrates-2017-demo.line.august" in m.cotEvent.detail.xmlDetail
                   and "__forcedelete" in m.cotEvent.detail.xmlDetail for m in removed)
        new = [m for m in server.received_v1 if m.cotEvent.type == "u-d-f"][-1]
        assert new.cotEvent.uid.endswith(".line.november")


def test_a_new_revision_goes_out_by_itself_when_asked(win, qtbot):  # noqa: F811
    doc = win.document
    with LoopbackTakServer(offer=False) as server:         # XML on the stream
        start(win, qtbot, FeedSettings(mesh=False, server=True, server_address=f"127.0.0.1:{server.port}"))
        qtbot.waitUntil(lambda: "connected" in win.feed_menu.indicator.text(), timeout=10_000)
        win.feed_menu.auto_action.setChecked(True)
        win.feed_menu.send_line()
        assert server.wait_for(lambda: any(b"line.august" in e for e in server.received))
        assert win.context.push(hc.save_revision(doc, "december", int(time.time()) - 30, state="agreed"))
        # (the window's clock ticks: wait with its event loop running)
        qtbot.waitUntil(lambda: any(b"line.december" in e for e in server.received), timeout=5000)
        last = SafeET.fromstring(server.received[-1])
        assert last.get("type") == "u-d-f" and last.get("uid").endswith("line.december")


def test_send_needs_the_feed_on(win):  # noqa: F811
    assert not win.feed_menu.send_action.isEnabled()
    assert "Turn the feed on first" in win.feed_menu.send_action.toolTip()


def test_export_data_offers_the_tak_data_package(win, tmp_path):  # noqa: F811
    win.feed_menu.sectors_action.setChecked(True)
    titles = [a.text() for a in win.files.export_data_menu.actions()]
    assert "TAK data package…" in titles
    out = tmp_path / "line.zip"
    assert win.feed_menu.export_package(str(out))
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        manifest = SafeET.fromstring(z.read("MANIFEST/manifest.xml"))
        listed = {c.get("zipEntry") for c in manifest.iter("Content")}
        assert listed == names - {"MANIFEST/manifest.xml"} and "line.kml" in listed and "sectors.kml" in listed
        drawings = [SafeET.fromstring(z.read(n)) for n in names if n.endswith(".cot")]
    lines = [d for d in drawings if d.get("uid", "").endswith("line.august")]
    assert len(lines) == 1 and np.allclose(link_points(lines[0]), win.document.revisions.get("august").line.vertices)
    assert sum(d.get("uid", "").startswith("deconflict.euphrates-2017-demo.sector.august") for d in drawings) == 2


def test_settings_are_remembered_without_the_password(qtbot, tmp_path):
    ini = tmp_path / "deconflict.ini"
    settings = QtCore.QSettings(str(ini), QtCore.QSettings.Format.IniFormat)
    pki = make_pki(tmp_path)
    w = MainWindow(demo_document(), settings=settings)
    qtbot.addWidget(w)
    feed = w.feed_menu.feed
    assert not feed.running and feed.settings.interface == "127.0.0.1"    # off, loopback by default
    dialog = FeedDialog(feed.settings, None, w)
    qtbot.addWidget(dialog)
    assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.server.setChecked(True)
    assert "give the TAK server's address" in dialog.problem.text()
    dialog.server_address.setText("127.0.0.1:8089")
    dialog.tls.setChecked(True)
    dialog.cert[1].setText(str(pki.client_p12))
    dialog.ca[1].setText(str(pki.ca))
    assert "needs its password" in dialog.problem.text()
    dialog.password_edit.setText(PASSWORD)
    assert not dialog.problem.isVisible() or not dialog.problem.text()
    dialog.result_settings().save(settings)
    settings.sync()
    text = ini.read_text()
    assert "client.p12" in text and PASSWORD not in text
    again = FeedSettings.load(QtCore.QSettings(str(ini), QtCore.QSettings.Format.IniFormat))
    assert again.server and again.tls and again.cert == str(pki.client_p12) and again.mesh
    assert again.config(PASSWORD).streams[0].tls.password == PASSWORD
    w.close()


def test_live_tracks_and_alerts_are_saved_and_journaled(win, qtbot, tmp_path):  # noqa: F811
    doc = win.document
    win.files.start_journal(tmp_path / "recovery", base_is_file=False)
    port = start(win, qtbot)
    lons, lats = walk_south()
    t0 = time.time() - 300
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event("SAVED-1", la, lo, t0 + k, stale_s=900)
                                              for k, (lo, la) in enumerate(zip(lons, lats))])
    qtbot.waitUntil(lambda: len(doc.alerts) == 3 and "SAVED-1" in doc.units.ids, timeout=10_000)
    qtbot.waitUntil(lambda: win.feed_menu.feed.recorder._reports == len(lons), timeout=5000)
    assert win.windowTitle().startswith("Euphrates 2017 (demo) *")      # unsaved work
    # Journaled: a crash now would recover the reports and the alerts.
    journal = win.files.journal
    lines = (journal.folder / "journal.jsonl").read_text().splitlines()
    assert any('"op": "live"' in line for line in lines) and journal.live_reports == len(lons)
    path = tmp_path / "plan.gpkg"
    assert win.files.save_to(path)
    assert not win.windowTitle().endswith("* — Deconflict")
    saved = load_project(path)
    i = saved.units.index_of("SAVED-1")
    assert saved.tracks.report_counts()[i] == len(lons)
    assert [a.kind for a in saved.alerts] == ["enter_buffer", "cross_line", "leave_buffer"]
    info = pyogrio.read_info(path, layer="alerts")
    assert info["features"] == 3 and info["geometry_type"] == "Point"
    win.feed_menu.feed.stop()
    assert recoverable_sessions(tmp_path / "recovery") == []        # the session is ours and alive


def test_a_tls_tak_server_with_a_pkcs12_certificate(win, qtbot, tmp_path, monkeypatch):  # noqa: F811
    """Feed › Start on a TLS server: the PKCS#12 password is asked for (the settings dialog,
    answered here), the connection is made with the certificates made for the test, and the
    line goes out on it."""
    from desktop.gui.feed import menu
    from tests.feed.tak_server import server_tls
    pki = make_pki(tmp_path)
    with LoopbackTakServer(tls=server_tls(pki)) as server:
        feed = win.feed_menu.feed
        feed.settings = FeedSettings(mesh=False, server=True, server_address=f"127.0.0.1:{server.port}", tls=True,
                                     cert=str(pki.client_p12), ca=str(pki.ca))
        asked = []

        def answer(self, start=None):       # the dialog's OK with the password typed in
            asked.append(True)
            self.feed.password = PASSWORD
            return True
        monkeypatch.setattr(menu.FeedMenu, "edit_settings", answer)
        monkeypatch.delenv("DECONFLICT_CERT_PASSWORD", raising=False)
        win.feed_menu.start_action.trigger()
        assert asked and feed.running
        qtbot.waitUntil(lambda: f"tls 127.0.0.1:{server.port} connected" in win.feed_menu.indicator.text(),
                        timeout=10_000)
        assert "Sent the line" in win.feed_menu.send_line()
        assert server.wait_for(lambda: any(m.cotEvent.type == "u-d-f" for m in server.received_v1))
