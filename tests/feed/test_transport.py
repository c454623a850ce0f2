"""The feed over real sockets on loopback, with pytak as the TAK client on the other end:
UDP unicast and the multicast mesh, a TAK server stream over TCP (version negotiation,
noise, reconnection) and over TLS with certificates made for the test."""
import asyncio
import configparser
import socket
import time

import numpy as np
import pytest

from desktop.core.demo import demo_document
from desktop.core.feed.endpoints import FeedConfig, stream_endpoint, udp_endpoint
from desktop.core.feed.live import LiveSession
from desktop.core.feed.protocol import encode_varint
from desktop.transport._pytak import open_stream
from desktop.transport._pytak import pytak as load_pytak
from desktop.transport.runner import FeedRunner
from tests.feed.certs import PASSWORD, make_pki
from tests.feed.samples import event, junk_packets, walk_south
from tests.feed.test_alerts import JITTER_RULES, buffer_edge_jitter
from tests.feed.tak_server import LoopbackTakServer, server_tls


pytak = load_pytak()


def walk_events(uid="WALKER", step_s=5.0):
    lons, lats = walk_south()
    t0 = time.time() - 3600
    return [event(uid, la, lo, t0 + step_s * i, stale_s=86_400) for i, (lo, la) in enumerate(zip(lons, lats))]


def pytak_send(url: str, payloads: list[bytes], protocol: int = 0, **settings) -> None:
    """Send with pytak's own TXWorker (protocol 1: it converts the XML with takproto)."""
    async def run():
        parser = configparser.ConfigParser(interpolation=None)
        parser["sender"] = {"COT_URL": url, "TAK_PROTO": str(protocol), **settings}
        _, writer = await open_stream(parser["sender"])     # pytak's protocol_factory
        worker = pytak.TXWorker(asyncio.Queue(), parser["sender"], writer)
        for payload in payloads:
            if payload.lstrip().startswith(b"<?xml") or not protocol:
                await worker.send_data(payload)
            else:     # noise goes out as it is
                await (writer.send(payload) if hasattr(writer, "send") else _write(writer, payload))
        await asyncio.sleep(0.05)
        writer.close()
    asyncio.run(run())


async def _write(writer, payload):
    writer.write(payload)
    await writer.drain()


def consume(runner, session, until, timeout=20.0):
    """Drain batches into the session until `until()` (report times drive the latches)."""
    alerts, end, now = [], time.monotonic() + timeout, 0.0
    while time.monotonic() < end:
        batch = runner.drain(0.05)
        now = float(batch.time.max()) if len(batch) else now
        alerts += session.apply(batch, now=now) if len(batch) else []
        if until():
            break
    return alerts


@pytest.fixture
def runner():
    runners = []

    def make(**kw):
        r = FeedRunner(FeedConfig(**kw))
        runners.append(r)
        r.start()
        assert r.wait_ready(10)
        return r
    yield make
    for r in runners:
        r.stop()


def test_udp_walk_with_noise_gives_exactly_the_expected_alerts(runner):
    feed = runner(udp=(udp_endpoint(":0"),))
    status = feed.status().endpoints[0]
    assert status.state == "listening" and status.address[0] == "127.0.0.1"     # the safe default
    session = LiveSession(demo_document())
    events, junk = walk_events(), junk_packets()
    payloads = []
    for i, e in enumerate(events):
        payloads.append(e)
        if i % 10 == 5:
            payloads.append(junk[(i // 10) % len(junk)])
    pytak_send(f"udp+wo://127.0.0.1:{status.address[1]}", payloads)
    alerts = consume(feed, session, lambda: feed.status().counters.accepted >= len(events))
    counters = feed.status().counters
    assert counters.accepted == len(events) and counters.refused == len(payloads) - len(events)
    assert [a.kind for a in alerts] == ["enter_buffer", "cross_line", "leave_buffer"]
    assert session.reports.n == len(events)


def test_jitter_on_the_buffer_edge_from_pytak_alerts_once(runner):
    """test_alerts' unit jittering on the buffer's edge for 10 minutes, its 300 reports sent
    by pytak over UDP: one enter_buffer alert, not dozens."""
    feed = runner(udp=(udp_endpoint("127.0.0.1:0"),))
    port = feed.status().endpoints[0].address[1]
    doc = demo_document()
    session = LiveSession(doc, JITTER_RULES)
    reports = buffer_edge_jitter(doc)
    pytak_send(f"udp+wo://127.0.0.1:{port}", [event(uid, lat, lon, t, stale_s=86_400) for uid, lon, lat, t in reports])
    alerts = consume(feed, session, lambda: feed.status().counters.accepted >= len(reports))
    assert feed.status().counters.accepted == session.reports.n == len(reports)
    assert [a.kind for a in alerts] == ["enter_buffer"] and len(session.alerts) == 1


def test_udp_protocol_1_from_pytak(runner):
    feed = runner(udp=(udp_endpoint("127.0.0.1:0"),))
    port = feed.status().endpoints[0].address[1]
    events = walk_events()[:40]
    pytak_send(f"udp+wo://127.0.0.1:{port}", events, protocol=1)
    session = LiveSession(demo_document())
    consume(feed, session, lambda: feed.status().counters.accepted >= 40, timeout=10)
    assert feed.status().counters.accepted == 40 and session.index.keys() == {"WALKER"}


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _igmp_memberships() -> dict[str, list[str]]:
    """Multicast group (hex, as the kernel writes it) -> the interfaces that joined it."""
    groups: dict[str, list[str]] = {}
    device = ""
    for line in open("/proc/net/igmp").read().splitlines()[1:]:
        if line[:1].isdigit():
            device = line.split()[1]
        elif line.strip():
            groups.setdefault(line.split()[0], []).append(device)
    return groups


def test_multicast_mesh_joined_on_loopback_only(runner):
    port = _free_udp_port()
    feed = runner(udp=(udp_endpoint(f"239.2.3.1:{port}"),))
    assert feed.status().endpoints[0].state == "listening"
    assert _igmp_memberships()["010302EF"] == ["lo"]   # 239.2.3.1, joined on the loopback only
    events = walk_events("MESH-1")[:30]
    # pytak's mesh: TAK protocol 1 (a multicast group gets the mesh header), out through lo,
    # a TTL of 0: nothing leaves this machine.
    pytak_send(f"udp+wo://239.2.3.1:{port}", events, protocol=1, PYTAK_MULTICAST_LOCAL_ADDR="127.0.0.1",
               PYTAK_MULTICAST_TTL="0")
    session = LiveSession(demo_document())
    consume(feed, session, lambda: feed.status().counters.accepted >= 30, timeout=10)
    assert feed.status().counters.accepted == 30 and "MESH-1" in session.index


def test_tcp_stream_negotiates_version_1_and_survives_noise_and_a_drop(runner):
    with LoopbackTakServer() as server:
        feed = runner(streams=(stream_endpoint(f"127.0.0.1:{server.port}"),), reconnect_s=0.2)
        assert server.wait_for(lambda: server.negotiated == 1)
        assert server.wait_for(lambda: feed.status().endpoints[0].detail == "TAK protocol 1")
        session = LiveSession(demo_document())
        events = walk_events()
        half = len(events) // 2
        pytak_send(f"tcp://127.0.0.1:{server.port}", events[:half])
        assert server.wait_for(lambda: len(server.received) == half)
        server.inject(b"\xbf" + encode_varint(6) + b"\xff\xff\xff\xff\xff\xff")   # framed, not a message
        alerts = consume(feed, session, lambda: feed.status().counters.accepted >= half)
        server.drop_all()      # the server goes away; the feed reconnects and negotiates again
        assert server.wait_for(lambda: server.connections >= 3 and server.negotiated == 2, timeout=10)
        pytak_send(f"tcp://127.0.0.1:{server.port}", events[half:])
        alerts += consume(feed, session, lambda: feed.status().counters.accepted >= len(events))
    counters = feed.status().counters
    assert counters.accepted == len(events) and counters.rejected["malformed"] == 1
    assert [a.kind for a in alerts] == ["enter_buffer", "cross_line", "leave_buffer"]


def test_xml_stream_with_noise_when_the_server_offers_nothing(runner):
    with LoopbackTakServer(offer=False) as server:
        feed = runner(streams=(stream_endpoint(f"127.0.0.1:{server.port}"),))
        assert server.wait_for(lambda: server.clients() == 1)
        events = walk_events("XML-1")[:20]
        pytak_send(f"tcp://127.0.0.1:{server.port}", events[:10])
        assert server.wait_for(lambda: len(server.received) == 10)
        server.inject(b"\x00\x01\x02garbage<not an event")
        pytak_send(f"tcp://127.0.0.1:{server.port}", events[10:])
        session = LiveSession(demo_document())
        consume(feed, session, lambda: feed.status().counters.accepted >= 20, timeout=10)
    assert feed.status().counters.accepted == 20 and feed.status().counters.rejected["malformed"] == 1
    assert server.negotiated == 0


def test_reconnection_backs_off(runner):
    with LoopbackTakServer(hang_up=True) as server:
        feed = runner(streams=(stream_endpoint(f"127.0.0.1:{server.port}"),), reconnect_s=0.1, reconnect_max_s=0.4)
        assert server.wait_for(lambda: server.connections >= 5, timeout=10)
        assert feed.status().endpoints[0].state in ("reconnecting", "connecting", "connected")
    gaps = np.diff(server.accepted_at[:5])
    # pytak doubles the delay (with +-20 % jitter) up to the maximum: 0.1, 0.2, 0.4, 0.4 s.
    assert gaps == pytest.approx([0.1, 0.2, 0.4, 0.4], rel=0.35, abs=0.05)


def test_tls_with_client_certificates(runner, tmp_path):
    pki = make_pki(tmp_path)
    with LoopbackTakServer(tls=server_tls(pki)) as server:
        feed = runner(streams=(stream_endpoint(f"127.0.0.1:{server.port}", cert=str(pki.client_p12),
                                               ca=str(pki.ca), password=PASSWORD),), reconnect_s=0.2)
        assert server.wait_for(lambda: server.negotiated == 1)
        events = walk_events("TLS-1")[:25]
        pytak_send(f"tls://127.0.0.1:{server.port}", events, PYTAK_TLS_CLIENT_CERT=str(pki.client_cert),
                   PYTAK_TLS_CLIENT_KEY=str(pki.client_key), PYTAK_TLS_CLIENT_CAFILE=str(pki.ca))
        session = LiveSession(demo_document())
        consume(feed, session, lambda: feed.status().counters.accepted >= 25, timeout=10)
        assert feed.status().counters.accepted == 25
        assert feed.status().endpoints[0].text().endswith("connected (TAK protocol 1)")
        # A certificate from another CA: the server refuses it, the feed keeps trying.
        stranger = runner(streams=(stream_endpoint(f"127.0.0.1:{server.port}", cert=str(pki.stranger_p12),
                                                   ca=str(pki.ca), password=PASSWORD),), reconnect_s=0.2)
        assert server.wait_for(lambda: stranger.status().endpoints[0].state == "reconnecting", timeout=10)
        assert stranger.status().counters.accepted == 0
    # A PEM certificate and key work as well; a wrong password is reported, not retried.
    with LoopbackTakServer(tls=server_tls(pki)) as server:
        pem = runner(streams=(stream_endpoint(f"127.0.0.1:{server.port}", cert=str(pki.client_cert),
                                              key=str(pki.client_key), ca=str(pki.ca)),))
        assert server.wait_for(lambda: server.negotiated == 1) and pem.status().endpoints[0].state == "connected"
        wrong = runner(streams=(stream_endpoint(f"127.0.0.1:{server.port}", cert=str(pki.client_p12),
                                                ca=str(pki.ca), password="wrong"),))
        assert server.wait_for(lambda: wrong.status().endpoints[0].state == "failed")
        assert "Invalid password" in wrong.status().endpoints[0].detail
