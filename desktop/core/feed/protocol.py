"""TAK protocol framing and the stream version negotiation, without I/O (ATAK-CIV,
commoncommo/core/impl/protobuf/protocol.txt):

- version 0: CoT XML. One event per UDP datagram; on a stream, events follow each other
  and are split after "</event>".
- version 1: a TakMessage (protobuf). Mesh datagrams start with 0xbf, the version as a
  varint, 0xbf; stream frames with 0xbf and the payload length as a varint.
- A TAK server offers version 1 with a `t-x-takp-v` event; the client asks with `t-x-takp-q`
  (same uid) and, once the server answers `t-x-takp-r` status="true", both sides switch to
  stream frames from the next byte on. A client that asked sends nothing until the answer
  and gives up (disconnects) after a minute without one.

takproto supplies the TakMessage and the encoding of outgoing XML; what it lacks is written
here: splitting a byte stream into frames (incrementally, with a size limit), telling
version 0 from 1 per datagram, a TakMessage from the unicast datagrams pytak sends (stream
framing on UDP), and the negotiation itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.feed.cot import MAX_EVENT_BYTES, CotError, format_cot_time, parse_xml_element

MAGIC = 0xBF
END_TAG = b"</event>"
NEGOTIATION_TIMEOUT_S = 60.0
XML_HEADER = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTROL = b"t-x-takp-"


def _varint(data: bytes | bytearray, pos: int) -> tuple[int, int] | None:
    """(value, position after it) of the unsigned varint at `pos`; None if it is cut short.
    Raises CotError beyond the 10 bytes the protocol allows."""
    value = shift = 0
    for i in range(pos, min(pos + 10, len(data))):
        value |= (data[i] & 0x7F) << shift
        if not data[i] & 0x80:
            return value, i + 1
        shift += 7
    if len(data) - pos >= 10:
        raise CotError("malformed", "a TAK protocol length longer than 10 bytes")
    return None


def encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def parse_message(payload: bytes):
    """A TakMessage from a version-1 payload; CotError when it is not one."""
    from google.protobuf.message import DecodeError
    from takproto.proto import TakMessage
    message = TakMessage()
    try:
        message.ParseFromString(bytes(payload))
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise CotError("malformed", f"not a TAK protocol v1 message ({type(exc).__name__})") from None
    return message


def classify_datagram(data: bytes) -> tuple[str, bytes]:
    """("xml", document) or ("proto", TakMessage payload) for one UDP datagram; CotError for
    anything else (another protocol version, binary noise, an empty packet)."""
    if len(data) >= 3 and data[0] == MAGIC and data[2] == MAGIC:
        if data[1] != 1:
            raise CotError("unsupported", f"TAK protocol version {data[1]} (this reads 0 and 1)")
        return "proto", data[3:]
    if data[:1] == bytes([MAGIC]):  # pytak sends stream framing on unicast UDP
        head = _varint(data, 1)
        if head is not None and head[1] + head[0] == len(data):
            return "proto", data[head[1]:]
        raise CotError("malformed", "a TAK protocol header that does not match the datagram")
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"<":
        return "xml", text
    raise CotError("unsupported", "neither CoT XML nor TAK protocol" if data else "an empty datagram")


class FramingLost(ConnectionError):
    """A version-1 stream whose next byte is not a frame start: nothing after it can be
    trusted, so the connection is restarted."""


@dataclass
class StreamDecoder:
    """Splits a stream into frames: XML events (version 0, the start) or version-1 payloads
    (after `use_protocol_1`). `frames()` yields ("xml", bytes) / ("proto", bytes) and, for
    what it had to drop, ("error", CotError); the mode may change between two frames."""

    max_bytes: int = MAX_EVENT_BYTES
    proto: bool = False
    _buf: bytearray = field(default_factory=bytearray)
    _skipping: bool = False   # inside an oversized XML event: drop up to its end tag
    _skip: int = 0            # bytes of an oversized version-1 frame still to drop
    _pending: tuple | None = None   # a frame found behind noise, returned next

    def feed(self, data: bytes) -> None:
        self._buf += data

    def use_protocol_1(self) -> None:
        self.proto = True

    def frames(self):
        while True:
            frame = self._next()
            if frame is None:
                return
            yield frame

    def _next(self):
        if self._pending is not None:
            frame, self._pending = self._pending, None
            return frame
        buf = self._buf
        if self._skip:
            n = min(self._skip, len(buf))
            del buf[:n]
            self._skip -= n
            if self._skip:
                return None
        if not buf:
            return None
        return self._next_proto(buf) if self.proto else self._next_xml(buf)

    def _next_xml(self, buf: bytearray):
        end = buf.find(END_TAG)
        if end < 0:
            if self._skipping:  # keep only what could be the start of the end tag
                del buf[:max(len(buf) - len(END_TAG), 0)]
            elif len(buf) > self.max_bytes:
                self._skipping = True
                del buf[:max(len(buf) - len(END_TAG), 0)]
                return "error", CotError("oversized", f"a stream event longer than {self.max_bytes:,} bytes")
            elif buf.lstrip()[:1] == bytes([MAGIC]):  # version 1 without negotiation: read it
                self.proto = True
                return self._next_proto(buf)
            return None
        stop = end + len(END_TAG)
        frame = bytes(buf[:stop]).strip()
        del buf[:stop]
        if self._skipping:
            self._skipping = False
            return self._next()
        if len(frame) > self.max_bytes:
            return "error", CotError("oversized", f"a stream event of {len(frame):,} bytes")
        # Bytes before the event that are not its XML declaration (noise, a broken event
        # without its end) are refused on their own, so the event after them still counts.
        start = frame.rfind(b"<event")
        head = frame[:start].strip() if start > 0 else b""
        if head and not (head.startswith(b"<?xml") and head.endswith(b"?>") and head.count(b"<") == 1):
            self._pending = ("xml", frame[start:])
            return "error", CotError("malformed", f"{len(head):,} bytes that are no CoT event")
        return "xml", frame

    def _next_proto(self, buf: bytearray):
        start = len(buf) - len(buf.lstrip())
        if start == len(buf):
            return None
        if buf[start] != MAGIC:
            del buf[:]
            raise FramingLost("lost the TAK protocol stream framing (a frame does not start with 0xbf)")
        head = _varint(buf, start + 1)
        if head is None:
            return None
        length, body = head
        if length > self.max_bytes:
            del buf[:body]
            self._skip = length
            return "error", CotError("oversized", f"a TAK protocol frame of {length:,} bytes")
        if len(buf) < body + length:
            return None
        payload = bytes(buf[body:body + length])
        del buf[:body + length]
        return "proto", payload


def control_event(uid: str, kind: str, control: str, now: float, stale_s: float = 60.0) -> bytes:
    """A TakControl event (version 0), e.g. kind "q" and control '<TakRequest version="1"/>'."""
    t, s = format_cot_time(now), format_cot_time(now + stale_s)
    return (f'{XML_HEADER.decode()}<event version="2.0" uid="{_attr(uid)}" type="t-x-takp-{kind}" time="{t}" '
            f'start="{t}" stale="{s}" how="m-g"><point lat="0.0" lon="0.0" hae="0.0" ce="999999" le="999999"/>'
            f"<detail><TakControl>{control}</TakControl></detail></event>").encode()


def _attr(text: str) -> str:
    from xml.sax.saxutils import quoteattr
    return quoteattr(text)[1:-1]


class NegotiationError(ConnectionError):
    """The server never answered a version request: the connection must be restarted."""


@dataclass
class StreamSession:
    """The client side of one TAK server connection, without the socket: feed it what was
    read (`received`), write what `outgoing()` returns, and `encode` events to send.

    With `negotiate`, the session accepts a server's offer of version 1. Received events
    come out of `received` as ("xml", bytes) / ("proto", payload) / ("error", CotError);
    the negotiation's own events are consumed here."""

    negotiate: bool = True
    max_bytes: int = MAX_EVENT_BYTES
    state: str = "xml"          # xml -> requested -> v1 (or back to xml when refused)
    requested_at: float = 0.0
    decoder: StreamDecoder = field(init=False)
    _out: bytearray = field(default_factory=bytearray)
    _held: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.decoder = StreamDecoder(self.max_bytes)

    @property
    def version(self) -> int:
        return 1 if self.state == "v1" else 0

    def received(self, data: bytes, now: float):
        self.decoder.feed(data)
        for kind, frame in self.decoder.frames():
            if kind == "xml" and _CONTROL in frame[:400]:
                self._control(frame, now)
            else:
                yield kind, frame

    def _control(self, frame: bytes, now: float) -> None:
        try:
            root = parse_xml_element(frame, self.max_bytes)
        except CotError:
            return
        kind, uid = root.get("type", ""), root.get("uid", "")
        control = root.find("detail/TakControl")
        if control is None:
            return
        if kind == "t-x-takp-v" and self.negotiate and self.state == "xml":
            versions = {e.get("version") for e in control.findall("TakProtocolSupport")}
            if "1" in versions:
                self._out += control_event(uid, "q", '<TakRequest version="1"/>', now)
                self.state, self.requested_at = "requested", now
        elif kind == "t-x-takp-r" and self.state == "requested":
            response = control.find("TakResponse")
            accepted = response is not None and (response.get("status") or "").lower() == "true"
            self.state = "v1" if accepted else "xml"
            if accepted:
                self.decoder.use_protocol_1()
            held, self._held = self._held, []
            for event in held:
                self._out += self._framed(event)

    def check(self, now: float) -> None:
        """Raise NegotiationError once a request has waited longer than the protocol allows."""
        if self.state == "requested" and now - self.requested_at > NEGOTIATION_TIMEOUT_S:
            raise NegotiationError(f"the TAK server did not answer the protocol request in "
                                   f"{NEGOTIATION_TIMEOUT_S:.0f} s")

    def outgoing(self) -> bytes:
        out, self._out = bytes(self._out), bytearray()
        return out

    def send(self, xml_event: bytes) -> None:
        """Queue one event (CoT XML with its declaration) in the negotiated encoding."""
        if self.state == "requested":
            self._held.append(xml_event)
        else:
            self._out += self._framed(xml_event)

    def _framed(self, xml_event: bytes) -> bytes:
        return to_stream_frame(xml_event) if self.state == "v1" else xml_event


def to_mesh(xml_event: bytes) -> bytes:
    """One event as a version-1 mesh datagram (takproto)."""
    import takproto
    return bytes(takproto.xml2proto(xml_event, takproto.TAKProtoVer.MESH))


def to_stream_frame(xml_event: bytes) -> bytes:
    """One event as a version-1 stream frame (takproto)."""
    import takproto
    return bytes(takproto.xml2proto(xml_event, takproto.TAKProtoVer.STREAM))
