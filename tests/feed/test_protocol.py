"""TAK protocol framing and the stream negotiation, checked against takproto's encoder and
the message sequence of ATAK-CIV's protocol.txt."""
import time

import pytest
import takproto
from defusedxml import ElementTree as SafeET

from desktop.core.feed.cot import CotError, event_from_message
from desktop.core.feed.protocol import (NEGOTIATION_TIMEOUT_S, FramingLost, NegotiationError, StreamDecoder,
                                        StreamSession, classify_datagram, encode_varint, parse_message)
from tests.feed.samples import event

NOW = time.time()


def _offer(uid="proto-1", versions=("1",)):
    support = "".join(f'<TakProtocolSupport version="{v}"/>' for v in versions)
    return (f'<?xml version="1.0"?><event version="2.0" uid="{uid}" type="t-x-takp-v" time="2020-01-01T00:00:00Z" '
            f'start="2020-01-01T00:00:00Z" stale="2020-01-01T00:01:00Z" how="m-g"><point lat="0" lon="0" hae="0" '
            f'ce="999999" le="999999"/><detail><TakControl>{support}</TakControl></detail></event>').encode()


def _response(uid="proto-1", status="true"):
    return _offer(uid).replace(b"t-x-takp-v", b"t-x-takp-r").replace(
        b'<TakProtocolSupport version="1"/>', f'<TakResponse status="{status}"/>'.encode())


def test_varint_matches_protobuf():
    from google.protobuf.internal.encoder import _VarintBytes
    for n in (0, 1, 127, 128, 300, 16384, 2 ** 31, 2 ** 62):
        assert encode_varint(n) == _VarintBytes(n)


def test_datagrams_of_both_versions():
    xml = event("U", 35.0, 39.0, NOW)
    assert classify_datagram(xml) == ("xml", xml)
    kind, payload = classify_datagram(bytes(takproto.xml2proto(xml, takproto.TAKProtoVer.MESH)))
    assert kind == "proto" and event_from_message(parse_message(payload)).uid == "U"
    kind, payload = classify_datagram(bytes(takproto.xml2proto(xml, takproto.TAKProtoVer.STREAM)))
    assert kind == "proto" and event_from_message(parse_message(payload)).uid == "U"
    with pytest.raises(CotError, match="version 2"):
        classify_datagram(b"\xbf\x02\xbf" + payload)
    with pytest.raises(CotError):
        classify_datagram(b"\xbf\x05abc")   # a length that does not match


def test_xml_stream_split_in_arbitrary_pieces():
    events = [event(f"U{i}", 35.0, 39.0, NOW) for i in range(5)]
    stream = b"".join(events)
    decoder = StreamDecoder()
    got = []
    for i in range(0, len(stream), 37):    # pieces that cut events and the end tag
        decoder.feed(stream[i:i + 37])
        got += list(decoder.frames())
    assert got == [("xml", e) for e in events]


def test_noise_between_events_costs_only_the_noise():
    a, b = event("A", 35.0, 39.0, NOW), event("B", 35.0, 39.0, NOW)
    decoder = StreamDecoder()
    decoder.feed(a + b"\x00\x9f\xffnoise<event uid='broken'" + b)
    frames = list(decoder.frames())
    assert [k for k, _ in frames] == ["xml", "error", "xml"]
    assert frames[0][1] == a and frames[2][1] == b[b.find(b"<event"):]
    assert SafeET.fromstring(frames[2][1]).get("uid") == "B"


def test_oversized_stream_event_is_skipped_and_the_next_read():
    decoder = StreamDecoder(max_bytes=1000)
    big = event("BIG", 35.0, 39.0, NOW).replace(b"</detail>", b"<remarks>" + b"x" * 5000 + b"</remarks></detail>")
    nxt = event("NEXT", 35.0, 39.0, NOW)
    out = []
    for i in range(0, len(big + nxt), 700):
        decoder.feed((big + nxt)[i:i + 700])
        out += list(decoder.frames())
    assert [k for k, _ in out] == ["error", "xml"] and out[0][1].reason == "oversized"
    assert out[1][1] == nxt


def test_version_1_stream_frames_and_their_limits():
    frames = [bytes(takproto.xml2proto(event(f"P{i}", 35.0, 39.0, NOW), takproto.TAKProtoVer.STREAM))
              for i in range(3)]
    decoder = StreamDecoder(max_bytes=10_000)
    decoder.use_protocol_1()
    data = b"".join(frames)
    out = []
    for byte in range(len(data)):     # one byte at a time: headers cut anywhere
        decoder.feed(data[byte:byte + 1])
        out += list(decoder.frames())
    assert [event_from_message(parse_message(p)).uid for _, p in out] == ["P0", "P1", "P2"]
    huge = b"\xbf" + encode_varint(50_000) + b"\x00" * 50_000 + frames[0]
    decoder.feed(huge)
    out = list(decoder.frames())
    assert [k for k, _ in out] == ["error", "proto"]
    decoder.feed(b"<event/>")
    with pytest.raises(FramingLost):
        list(decoder.frames())


def test_negotiation_as_protocol_txt_describes_it():
    session = StreamSession(negotiate=True)
    unit = event("U1", 35.0, 39.0, NOW)
    assert list(session.received(_offer("abc") + unit, NOW)) == [("xml", unit)]
    request = SafeET.fromstring(session.outgoing())
    assert (request.get("type"), request.get("uid")) == ("t-x-takp-q", "abc")   # the server's protouid
    assert request.find("detail/TakControl/TakRequest").get("version") == "1"
    assert session.state == "requested"
    session.send(unit)                      # nothing goes out until the answer
    assert session.outgoing() == b""
    # The answer, then version-1 frames from the very next byte on.
    frame = bytes(takproto.xml2proto(event("U2", 35.0, 39.0, NOW), takproto.TAKProtoVer.STREAM))
    got = list(session.received(_response("abc") + frame, NOW))
    assert session.state == "v1" and session.version == 1
    assert [k for k, _ in got] == ["proto"]
    held = session.outgoing()
    assert takproto.parse_proto(held).cotEvent.uid == "U1"   # the held event, as a v1 frame


def test_refused_or_unanswered_negotiation():
    session = StreamSession(negotiate=True)
    list(session.received(_offer(), NOW))
    session.outgoing()
    list(session.received(_response(status="false"), NOW + 1))
    assert session.state == "xml"
    session = StreamSession(negotiate=True)
    list(session.received(_offer(), NOW))
    session.check(NOW + NEGOTIATION_TIMEOUT_S - 1)
    with pytest.raises(NegotiationError):
        session.check(NOW + NEGOTIATION_TIMEOUT_S + 1)
    xml_only = StreamSession(negotiate=False)
    list(xml_only.received(_offer(versions=("1", "2")), NOW))
    assert xml_only.outgoing() == b"" and xml_only.state == "xml"
    no_v1 = StreamSession(negotiate=True)
    list(no_v1.received(_offer(versions=("2",)), NOW))
    assert no_v1.outgoing() == b""
