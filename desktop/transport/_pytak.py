"""pytak, as the feed uses it: its UDP client (unicast, multicast joins), its stream client
(TCP, TLS with PKCS#12 or PEM client certificates) and its reconnect supervisor.

What pytak does not do is done in desktop.core.feed.protocol: framing a TAK protocol v1
stream (pytak's RXWorker splits streams at "</event>" only, and its StreamReader limit
ends the worker on an event over 64 KiB) and the version negotiation with the server.
"""
from __future__ import annotations

import os
import socket
import warnings
from configparser import ConfigParser, SectionProxy
from urllib.parse import urlparse

from desktop.core.feed.endpoints import FeedConfig, StreamEndpoint, UdpEndpoint

RECEIVE_BUFFER = 4 * 1024 * 1024   # bytes of datagrams the kernel may hold while Python is busy


def pytak():
    # pytak warns at import that its certificate-enrollment extra (aiohttp) is missing;
    # the feed uses certificates it is given, never enrollment.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*aiohttp.*")
        import pytak as module
    return module


def stream_config(endpoint: StreamEndpoint, feed: FeedConfig | None = None) -> SectionProxy:
    """pytak's configuration section for one TAK server connection."""
    values = {"COT_URL": endpoint.url, "PYTAK_RECONNECT": "true",
              "PYTAK_RECONNECT_INITIAL": str(feed.reconnect_s if feed else 5.0),
              "PYTAK_RECONNECT_MAX": str(max(feed.reconnect_max_s, feed.reconnect_s) if feed else 120.0)}
    tls = endpoint.tls
    if tls is not None:
        values.update({"PYTAK_TLS_CLIENT_CERT": tls.cert, "PYTAK_TLS_CLIENT_KEY": tls.key,
                       "PYTAK_TLS_CLIENT_CAFILE": tls.ca, "PYTAK_TLS_CLIENT_PASSWORD": tls.password})
        if not tls.verify:
            values.update({"PYTAK_TLS_DONT_VERIFY": "1", "PYTAK_TLS_DONT_CHECK_HOSTNAME": "1"})
    parser = ConfigParser(interpolation=None)
    parser["feed"] = {k: v for k, v in values.items() if v}
    return parser["feed"]


async def open_stream(section: SectionProxy):
    """(reader, writer) of a TAK server connection (pytak builds the TLS context)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Disabled TLS Server")   # the user chose --insecure
        # pytak turns TLS 1.0/1.1 off the old way (ssl.OP_NO_TLSv1*): right, only deprecated.
        warnings.filterwarnings("ignore", message="ssl.OP_NO", category=DeprecationWarning)
        return await pytak().protocol_factory(section)


async def udp_reader(endpoint: UdpEndpoint):
    """A pytak datagram reader bound to the endpoint (a multicast group joined on its interface)."""
    reader, _ = await pytak().create_udp_client(urlparse(endpoint.url), (endpoint.interface, 0))
    try:
        reader.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    except OSError:
        pass   # the kernel's own default then
    return reader


def detach(reader) -> socket.socket:
    """A socket of our own on the pytak reader's socket (bound, multicast groups joined), the
    reader closed. asyncio's datagram transport hands over one datagram per turn of the
    event loop; a thread of its own reads the same socket at half the CPU per datagram,
    which is what 5,000 datagrams a second need on a busy machine."""
    sock = socket.socket(fileno=os.dup(reader.socket.fileno()))
    reader.close()
    return sock


async def udp_writer(host: str, port: int, interface: str = "0.0.0.0", ttl: int = 1):
    """A pytak datagram writer to host:port (a multicast group leaves through `interface`)."""
    url = urlparse(f"udp+wo://{host}:{port}")
    _, writer = await pytak().create_udp_client(url, (interface, 0), ttl)
    return writer


async def supervise(section: SectionProxy, run_once) -> None:
    """pytak's supervisor: run_once again after a transport error, backing off."""
    await pytak().supervise_with_reconnect(section, run_once)
