"""A loopback relay that plays a TAK server's part for the stream tests (FreeTAKServer and
OpenTAKServer need interactive set-up or services: see NOTES).

Like a TAK server it offers TAK protocol version 1 to every client (`t-x-takp-v`), answers
a `t-x-takp-q` request (`t-x-takp-r`, accepted unless told otherwise) and relays the
events one client sends to every other client: as XML, or as version-1 stream frames
(encoded with takproto) to a client that negotiated them. It listens on 127.0.0.1 only,
plain or TLS (client certificates required), and can drop every connection on demand.
"""
from __future__ import annotations

import asyncio
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field

import takproto

OFFER = ('<?xml version="1.0"?><event version="2.0" uid="{uid}" type="t-x-takp-{kind}" time="{t}" start="{t}" '
         'stale="{t}" how="m-g"><point lat="0.0" lon="0.0" hae="0.0" ce="999999" le="999999"/>'
         '<detail><TakControl>{control}</TakControl></detail></event>')


def wait_until(predicate, timeout: float = 5.0) -> bool:
    """Poll `predicate` until it holds (True) or `timeout` seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def _control(uid: str, kind: str, control: str) -> bytes:
    t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return OFFER.format(uid=uid, kind=kind, t=t, control=control).encode()


@dataclass(eq=False)
class _Client:
    writer: asyncio.StreamWriter
    proto: bool = False
    buf: bytearray = field(default_factory=bytearray)


class LoopbackTakServer:
    def __init__(self, tls: ssl.SSLContext | None = None, offer: bool = True, accept: bool = True,
                 hang_up: bool = False) -> None:
        self.tls, self.offer, self.accept, self.hang_up = tls, offer, accept, hang_up
        self.port = 0
        self.connections = 0          # accepted so far (reconnections count)
        self.accepted_at: list[float] = []   # monotonic time of each connection
        self.negotiated = 0           # clients switched to version 1
        self.received: list[bytes] = []   # events clients sent (XML), negotiation excluded
        self.received_v1: list = []       # TakMessages clients sent after negotiating version 1
        self._clients: set[_Client] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._stop: asyncio.Event | None = None

    def __enter__(self) -> "LoopbackTakServer":
        self._thread.start()
        assert self._ready.wait(5), "the test server did not start"
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    def clients(self) -> int:
        return len(self._clients)

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        return wait_until(predicate, timeout)

    def inject(self, data: bytes) -> None:
        """Raw bytes to every client as they are (noise between events)."""
        self._loop.call_soon_threadsafe(lambda: [c.writer.write(data) for c in self._clients])

    def drop_all(self) -> None:
        """Close every connection (a server restart, as the clients see it)."""
        self._loop.call_soon_threadsafe(lambda: [c.writer.close() for c in self._clients])

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            for c in list(self._clients):
                c.writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = _Client(writer)
        self.connections += 1
        self.accepted_at.append(time.monotonic())
        if self.hang_up:        # a server that drops everyone: the clients must back off
            writer.close()
            return
        self._clients.add(client)
        protouid = str(uuid.uuid4())
        if self.offer:
            writer.write(_control(protouid, "v", '<TakProtocolSupport version="1"/>'))
        try:
            while data := await reader.read(65536):
                client.buf += data
                self._take_events(client, protouid)
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            self._clients.discard(client)
            writer.close()

    def _take_events(self, client: _Client, protouid: str) -> None:
        while not client.proto and (end := client.buf.find(b"</event>")) >= 0:
            event = bytes(client.buf[:end + 8]).strip()
            del client.buf[:end + 8]
            if b"t-x-takp-q" in event:
                client.writer.write(_control(protouid, "r", f'<TakResponse status="{str(self.accept).lower()}"/>'))
                if self.accept:
                    client.proto = True
                    self.negotiated += 1
                continue
            self.received.append(event)
            for other in self._clients:
                if other is not client:
                    other.writer.write(bytes(takproto.xml2proto(event, takproto.TAKProtoVer.STREAM))
                                       if other.proto else event)
        while client.proto and (message := _next_frame(client.buf)) is not None:
            self.received_v1.append(message)   # a version-1 client's events: kept, not relayed


def _next_frame(buf: bytearray):
    """The next complete version-1 stream frame's TakMessage, taken off `buf` (None: incomplete)."""
    from google.protobuf.internal.decoder import _DecodeVarint
    from takproto.proto import TakMessage
    if len(buf) < 2:
        return None
    assert buf[0] == 0xBF, "lost the stream framing"
    try:
        length, start = _DecodeVarint(bytes(buf[1:11]), 0)
    except IndexError:
        return None
    if len(buf) < 1 + start + length:
        return None
    message = TakMessage()
    message.ParseFromString(bytes(buf[1 + start:1 + start + length]))
    del buf[:1 + start + length]
    return message


def server_tls(pki) -> ssl.SSLContext:
    """The server side of TLS: its certificate, and client certificates required (the CA's)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    ctx.load_verify_locations(pki.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx
