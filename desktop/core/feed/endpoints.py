"""Where a feed listens and connects, and the safety defaults.

Nothing listens until a feed is started with endpoints. A UDP endpoint given without a
host binds to 127.0.0.1, and a multicast group (the ATAK mesh is 239.2.3.1:6969) is joined
on the loopback interface: only programs on this machine reach the feed until the user
names an address or an interface (0.0.0.0 for all). A stream endpoint is a TAK server the
feed connects to, plain TCP or TLS with a client certificate (PKCS#12 `.p12` or PEM).
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from desktop.core.feed.cot import MAX_EVENT_BYTES

LOOPBACK = "127.0.0.1"
MESH_GROUP, MESH_PORT = "239.2.3.1", 6969
TAK_STREAM_PORT, TAK_TLS_PORT = 8087, 8089
PASSWORD_ENV = "DECONFLICT_CERT_PASSWORD"


class EndpointError(ValueError):
    """An endpoint that cannot be used; the message says which and why."""


def split_host_port(text: str, default_host: str = "", default_port: int | None = None) -> tuple[str, int]:
    """"HOST:PORT", ":PORT", "PORT" or "HOST" (with a default port) -> (host, port)."""
    text = text.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = (text, "") if not text.isdigit() else ("", text)
    host = host.strip("[]") or default_host
    if not port_text:
        if default_port is None:
            raise EndpointError(f"{text!r}: give a port, e.g. {host or LOOPBACK}:{MESH_PORT}")
        return host, default_port
    try:
        port = int(port_text)
    except ValueError:
        raise EndpointError(f"{text!r}: {port_text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise EndpointError(f"{text!r}: port {port} is out of range (0-65535)")
    if not host:
        raise EndpointError(f"{text!r}: give a host")
    return host, port


def _is_multicast(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_multicast
    except ValueError:
        return False


@dataclass(frozen=True)
class UdpEndpoint:
    """Datagrams to `host:port`: a local address to bind, or a multicast group joined on
    `interface` (an address of this machine)."""

    host: str
    port: int
    interface: str = LOOPBACK

    @property
    def multicast(self) -> bool:
        return _is_multicast(self.host)

    @property
    def url(self) -> str:
        """pytak's COT_URL for it (read-only)."""
        return f"udp+ro://{self.host}:{self.port}"

    def describe(self) -> str:
        where = f" on {self.interface}" if self.multicast else ""
        return f"udp {self.host}:{self.port}{where}"


@dataclass(frozen=True)
class TlsFiles:
    """A client certificate (PKCS#12 `.p12`, or PEM with its key in `key` or in the same
    file), the server's CA (PEM) and whether to check the server against it."""

    cert: str
    key: str = ""
    ca: str = ""
    password: str = field(default="", repr=False)
    verify: bool = True


@dataclass(frozen=True)
class StreamEndpoint:
    """A TAK server connection; `negotiate`: accept its offer of TAK protocol v1."""

    host: str
    port: int
    tls: TlsFiles | None = None
    negotiate: bool = True

    @property
    def url(self) -> str:
        return f"{'tls' if self.tls else 'tcp'}://{self.host}:{self.port}"

    def describe(self) -> str:
        return f"{'tls' if self.tls else 'tcp'} {self.host}:{self.port}"


@dataclass(frozen=True)
class FeedConfig:
    """Everything a feed needs to start. Reconnection backs off from `reconnect_s` up to
    `reconnect_max_s` (doubling, with jitter: pytak's supervisor)."""

    udp: tuple[UdpEndpoint, ...] = ()
    streams: tuple[StreamEndpoint, ...] = ()
    max_event_bytes: int = MAX_EVENT_BYTES
    reconnect_s: float = 5.0
    reconnect_max_s: float = 120.0

    def __post_init__(self) -> None:
        if not (self.udp or self.streams):
            raise EndpointError("a feed needs at least one UDP address or TAK server")

    def describe(self) -> str:
        return ", ".join(e.describe() for e in (*self.udp, *self.streams))


def udp_endpoint(text: str, interface: str | None = None) -> UdpEndpoint:
    """From "HOST:PORT" / ":PORT" / "PORT": the host defaults to 127.0.0.1; a multicast
    group is joined on `interface`, by default the loopback interface."""
    host, port = split_host_port(text, LOOPBACK, MESH_PORT if text.strip().startswith("239.") else None)
    if interface is not None:
        try:
            ipaddress.IPv4Address(interface)
        except ValueError:
            raise EndpointError(f"interface {interface!r}: give the IPv4 address of an interface "
                                f"(0.0.0.0 for all)") from None
    return UdpEndpoint(host, port, interface if interface is not None else LOOPBACK)


def stream_endpoint(text: str, cert: str | None = None, key: str | None = None, ca: str | None = None,
                    verify: bool = True, negotiate: bool = True, password: str | None = None) -> StreamEndpoint:
    """A TAK server "HOST:PORT"; with `cert`, TLS. The certificate's password comes from
    `password`, else from the DECONFLICT_CERT_PASSWORD environment variable."""
    host, port = split_host_port(text, "", TAK_TLS_PORT if cert else TAK_STREAM_PORT)
    if not cert:
        if key or ca:
            raise EndpointError("--key and --ca go with --cert (a TLS connection)")
        return StreamEndpoint(host, port, None, negotiate)
    for label, path in (("certificate", cert), ("key", key), ("CA", ca)):
        if path and not os.path.isfile(path):
            raise EndpointError(f"{path}: no such {label} file")
    password = password if password is not None else os.environ.get(PASSWORD_ENV, "")
    pkcs12 = cert.lower().endswith((".p12", ".pfx"))
    if pkcs12 and not cert.endswith(".p12"):  # pytak recognises PKCS#12 by this suffix only
        raise EndpointError(f"{cert}: name the PKCS#12 file *.p12 (pytak reads it by that suffix)")
    if pkcs12 and not password:
        raise EndpointError(f"{cert}: a PKCS#12 certificate needs its password in {PASSWORD_ENV}")
    if verify and not ca:
        raise EndpointError("give the server's CA certificate (PEM) with --ca, or --insecure to skip the check")
    return StreamEndpoint(host, port, TlsFiles(cert, key or ("" if pkcs12 else cert), ca or "", password, verify),
                          negotiate)
