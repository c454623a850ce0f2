"""`deconflict listen`, `publish` and `export-data --format cot|datapackage`, as a user runs them:
alerts as JSON lines from a real process stopped by a signal, events read back off the socket."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import takproto
from defusedxml import ElementTree as SafeET

from desktop.cli import main
from desktop.core.demo import demo_document
from desktop.core.feed.protocol import encode_varint
from tests.feed.samples import junk_packets
from tests.feed.tak_server import LoopbackTakServer, wait_until
from tests.feed.test_transport import pytak_send, walk_events

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def receiver():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    return sock


def datagrams(sock, n):
    return [sock.recv(65536) for _ in range(n)]


def link_points(root):
    return np.array([[float(v) for v in e.get("point").split(",")[1::-1]] for e in root.findall("detail/link")])


def test_publish_over_udp_xml_and_protocol_1(capsys):
    line = demo_document().revisions.get("august").line
    with receiver() as sock:
        port = sock.getsockname()[1]
        code, out, _ = run(capsys, "publish", "--demo", "--udp", f"127.0.0.1:{port}", "--sectors")
        assert code == 0 and "the line (revision august), 2 sectors and 4 removals" in out
        events = [SafeET.fromstring(d) for d in datagrams(sock, 7)]
        assert [e.get("type") for e in events] == ["t-x-d-d"] * 4 + ["u-d-f"] * 3
        assert np.allclose(link_points(events[4]), line.vertices, atol=1e-7)
        code, out, _ = run(capsys, "publish", "--demo", "--udp", f"127.0.0.1:{port}", "--protocol", "1")
        assert code == 0 and "TAK protocol 1" in out and "6 removals" in out   # the sectors sent before too
        messages = [takproto.parse_proto(d) for d in datagrams(sock, 7)]
        assert [m.cotEvent.type for m in messages] == ["t-x-d-d"] * 6 + ["u-d-f"]
        assert messages[-1].cotEvent.uid == "deconflict.euphrates-2017-demo.line.august"


def test_publish_to_a_tak_server_after_negotiating(capsys):
    with LoopbackTakServer() as server:
        code, out, err = run(capsys, "publish", "--demo", "--tcp", f"127.0.0.1:{server.port}", "--protocol", "1",
                             "--at", "2017-07-01T00:00:00Z")
        assert code == 0, err
        assert server.wait_for(lambda: len(server.received_v1) == 7)
    assert server.negotiated == 1
    line = server.received_v1[-1].cotEvent
    assert line.uid.endswith(".line.june") and line.type == "u-d-f"
    with LoopbackTakServer() as server:          # XML by default
        assert run(capsys, "publish", "--demo", "--tcp", f"127.0.0.1:{server.port}")[0] == 0
        assert server.wait_for(lambda: len(server.received) == 7)   # 6 removals, the line
        assert server.negotiated == 0 and SafeET.fromstring(server.received[-1]).get("type") == "u-d-f"


def test_publish_errors(capsys):
    code, _, err = run(capsys, "publish", "--demo")
    assert code == 2 and "--udp HOST:PORT or --tcp HOST:PORT" in err
    code, _, err = run(capsys, "publish", "--demo", "--udp", "127.0.0.1:9", "--at", "2016-01-01T00:00:00Z")
    assert code == 2 and "no line revision is in force" in err
    code, _, err = run(capsys, "publish", "--demo", "--tcp", "127.0.0.1:9", "--cert", "missing.p12")
    assert code == 2 and "missing.p12: no such certificate file" in err
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    code, _, err = run(capsys, "publish", "--demo", "--tcp", f"127.0.0.1:{port}")
    assert code == 1 and "ConnectionRefusedError" in err


def test_export_data_cot_and_datapackage(capsys, tmp_path):
    project = tmp_path / "demo.gpkg"
    assert run(capsys, "new", "--demo", str(project))[0] == 0
    zip_path, cot_path = tmp_path / "line.zip", tmp_path / "line.cot"
    assert run(capsys, "export-data", str(project), "--sectors", str(zip_path))[0] == 0
    z = zipfile.ZipFile(zip_path)
    entries = [c.get("zipEntry") for c in SafeET.fromstring(z.read("MANIFEST/manifest.xml")).iter("Content")]
    assert sorted(entries) == sorted(set(z.namelist()) - {"MANIFEST/manifest.xml"})
    assert run(capsys, "export-data", str(project), "--format", "cot", "--at", "2017-09-30T00:00:00Z",
               str(cot_path))[0] == 0
    data = cot_path.read_bytes()
    # Removals (the unrevised line, june's line and sectors, august's sectors), then the line.
    assert data.count(b"<event ") == 7 and data.rindex(b'type="u-d-f"') > data.rindex(b'type="t-x-d-d"')
    assert b'uid="deconflict.euphrates-2017-demo.line.august"' in data
    code, _, err = run(capsys, "export-data", str(project), "--format", "kml", str(tmp_path / "x.kml"))
    assert code == 2 and "give --layer" in err


def _listen_process(*extra, source=("--demo",)):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "desktop", "listen", *source, "--status-every", "0.5", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@contextmanager
def _listening(*extra):
    """`listen --demo` running, with what it prints so far: (process, stdout lines, stderr
    lines); killed if still running at the end, its output read to the end."""
    proc = _listen_process(*extra)
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda s=s, into=into: into.extend(s), daemon=True)
               for s, into in ((proc.stdout, out), (proc.stderr, err))]
    for r in readers:
        r.start()
    try:
        yield proc, out, err
    finally:
        if proc.poll() is None:
            proc.kill()
        for r in readers:
            r.join(5)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_listen_prints_json_alerts_and_stops_cleanly(stop):
    port = _free_port()
    with _listening("--udp", f"127.0.0.1:{port}") as (proc, out, err):
        assert wait_until(lambda: any("listening:" in line for line in err), 30), err
        events = walk_events("SDF-16")
        pytak_send(f"udp+wo://127.0.0.1:{port}", events[:60] + junk_packets() + events[60:])
        assert wait_until(lambda: len(out) >= 3, 20)
        proc.send_signal(stop)
        code = proc.wait(10)
    assert code == 0, err
    alerts = [json.loads(line) for line in out]
    assert [a["kind"] for a in alerts] == ["enter_buffer", "cross_line", "leave_buffer"]
    assert {"time", "unit", "kind", "sector", "distance_km"} <= set(alerts[0])
    assert alerts[0]["unit"] == "SDF-16" and alerts[1]["owner"] == "Russian-backed"
    last = err[-1]
    assert last.startswith("deconflict: stopped:") and f"{len(events)} reports" in last
    assert "refused: 2 malformed, 2 impossible, 1 stale, 2 unsupported" in last


def test_listen_to_a_tak_server_over_tcp_through_a_dropped_connection():
    """`listen --tcp` as a client of a TAK server (the loopback relay): it negotiates TAK
    protocol 1, a pytak client's walk across the line reaches it through the server, the
    server drops the connection half-way and `listen` reconnects (after its 5 s backoff) and
    negotiates again; the alerts are exactly those of one walk, noise in the stream refused."""
    with LoopbackTakServer() as server, _listening("--tcp", f"127.0.0.1:{server.port}") as (proc, out, err):
        endpoint = f"tcp 127.0.0.1:{server.port}"
        assert wait_until(lambda: any(f"{endpoint} connected (TAK protocol 1)" in line for line in err), 30), err
        assert server.negotiated == 1
        events = walk_events("SDF-TCP")
        half = len(events) // 2                 # into the buffer, not yet across
        pytak_send(f"tcp://127.0.0.1:{server.port}", events[:half])
        server.inject(b"\xbf" + encode_varint(6) + b"\xff" * 6)   # a frame that holds no message
        assert wait_until(lambda: any(f"{half} reports" in line for line in err[-2:]), 20), err
        assert [json.loads(line)["kind"] for line in out] == ["enter_buffer"]
        seen = len(err)
        server.drop_all()                       # the server goes away
        assert wait_until(lambda: any(f"{endpoint} reconnecting" in line for line in err[seen:]), 10), err
        assert wait_until(lambda: server.negotiated == 2, 15), err           # back, protocol 1 again
        assert wait_until(lambda: any(f"{endpoint} connected (TAK protocol 1)" in line for line in err[seen:]),
                          10), err
        pytak_send(f"tcp://127.0.0.1:{server.port}", events[half:])
        assert wait_until(lambda: len(out) >= 3 and any(f"{len(events)} reports" in line for line in err[-2:]),
                          20), err
        proc.send_signal(signal.SIGINT)
        code = proc.wait(10)
    assert code == 0, err
    alerts = [json.loads(line) for line in out]
    assert [a["kind"] for a in alerts] == ["enter_buffer", "cross_line", "leave_buffer"]
    assert {a["unit"] for a in alerts} == {"SDF-TCP"} and alerts[1]["owner"] == "Russian-backed"
    assert server.connections == 4       # listen twice, the two pytak sends
    last = err[-1]
    assert last.startswith("deconflict: stopped:") and f"{len(events)} reports" in last
    assert "refused: 1 malformed" in last


def test_listen_saves_what_it_heard_into_the_project(capsys, tmp_path):
    from desktop.core.project import load_project
    project = tmp_path / "plan.gpkg"
    assert run(capsys, "new", "--demo", str(project))[0] == 0
    before = load_project(project)
    port = _free_port()
    proc = _listen_process("--udp", f"127.0.0.1:{port}", source=(str(project),))
    err: list[str] = []
    threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
    try:
        assert wait_until(lambda: any("listening:" in line for line in err), 30), err
        events = walk_events("SDF-16")[:60] + walk_events("ANDROID-77")[:10]   # SDF-16 into the buffer
        pytak_send(f"udp+wo://127.0.0.1:{port}", events)
        assert wait_until(lambda: any("70 reports" in line for line in err), 20), err
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
    assert any("saved 70 track reports of 2 live units" in line for line in err), err
    after = load_project(project)
    assert len(after.units) == len(before.units) + 1 and len(after.tracks) == len(before.tracks) + 70
    row = after.units.index_of("SDF-16")
    assert after.tracks.report_counts()[row] == before.tracks.report_counts()[row] + 60
    new = after.units.index_of("ANDROID-77")
    assert after.units.sides[new] == "US-backed" and after.tracks.report_counts()[new] == 10
    assert after.units.lat[row] == pytest.approx(float(SafeET.fromstring(events[59]).find("point").get("lat")))
    # The alerts it printed are in the project's alerts table too.
    assert [(a.unit, a.kind) for a in after.alerts] == [("SDF-16", "enter_buffer")]


def test_listen_usage_and_endpoint_errors(capsys):
    code, _, err = run(capsys, "listen", "--demo")
    assert code == 2 and "--udp" in err
    code, _, err = run(capsys, "listen", "--demo", "--udp", "6969", "--cert", "x.pem")
    assert code == 2 and "go with --tcp" in err
    code, _, err = run(capsys, "listen", "--demo", "--udp", "127.0.0.1:notaport")
    assert code == 2 and "not a port number" in err
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        code, _, err = run(capsys, "listen", "--demo", "--udp", f"127.0.0.1:{taken.getsockname()[1]}",
                           "--duration", "1")
    assert code == 1 and "Address already in use" in err
