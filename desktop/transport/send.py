"""Send events once and close: how `deconflict publish` puts the line on a TAK network.

UDP: one datagram per event, XML or (protocol 1) a TAK protocol v1 mesh message; to a
multicast group the datagrams leave through `interface` with a TTL of `ttl` hops. A TAK
server: XML on the stream, or with protocol 1 the server's offer is awaited and accepted
first (a server that offers nothing gets XML, which every TAK server reads).
"""
from __future__ import annotations

import asyncio
import time as _time

from desktop.core.feed.endpoints import StreamEndpoint
from desktop.core.feed.protocol import NEGOTIATION_TIMEOUT_S, NegotiationError, StreamSession, to_mesh
from desktop.transport import _pytak

OFFER_WAIT_S = 3.0     # how long a version-1 publisher waits for the server's offer


class SendError(ConnectionError):
    """The events could not be sent; the message says where and why."""


def send_udp(host: str, port: int, events: list[bytes], *, protocol: int = 0, interface: str = "0.0.0.0",
             ttl: int = 1) -> None:
    async def run():
        writer = await _pytak.udp_writer(host, port, interface, ttl)
        try:
            for event in events:
                await writer.send(to_mesh(event) if protocol == 1 else event)
        finally:
            writer.close()
    _run(run(), f"udp {host}:{port}")


def send_stream(endpoint: StreamEndpoint, events: list[bytes], *, protocol: int = 0,
                offer_wait_s: float = OFFER_WAIT_S) -> int:
    """Send on a TAK server connection; returns the TAK protocol version used."""
    async def run():
        reader, writer = await _pytak.open_stream(_pytak.stream_config(endpoint))
        session = StreamSession(negotiate=protocol == 1)
        try:
            deadline = _time.monotonic() + (offer_wait_s if protocol == 1 else 0.0)
            while (session.state == "requested" or _time.monotonic() < deadline) and session.state != "v1":
                try:
                    data = await asyncio.wait_for(reader.read(65536), 0.1)
                except asyncio.TimeoutError:
                    data = None
                if data == b"":
                    raise ConnectionResetError("the TAK server closed the connection")
                for _ in session.received(data or b"", _time.time()):
                    pass   # what the server sends us is not read here
                session.check(_time.time())
                out = session.outgoing()
                if out:
                    writer.write(out)
                    await writer.drain()
            for event in events:
                session.send(event)
            writer.write(session.outgoing())
            await writer.drain()
            return session.version
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
    return _run(run(), endpoint.describe(), NEGOTIATION_TIMEOUT_S + offer_wait_s + 30.0)


def _run(coro, where: str, timeout: float = 30.0):
    async def bounded():
        return await asyncio.wait_for(coro, timeout)
    try:
        return asyncio.run(bounded())
    except NegotiationError as exc:
        raise SendError(f"{where}: {exc}") from None
    except asyncio.TimeoutError:
        raise SendError(f"{where}: no answer in {timeout:.0f} s") from None
    except (OSError, ValueError, SyntaxError) as exc:   # pytak reports bad TLS settings as SyntaxError
        raise SendError(f"{where}: {type(exc).__name__}: {exc}") from None
