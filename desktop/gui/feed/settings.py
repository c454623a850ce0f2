"""What the Feed dialog sets: where the feed listens and connects, and the alert rules;
remembered in QSettings under "feed/" between sessions.

The certificate password is never written there (nor anywhere): it is asked when the feed
starts and kept in memory while the window is open (DECONFLICT_CERT_PASSWORD is honoured,
as on the command line). The safety defaults are the core's (desktop.core.feed.endpoints):
the feed is off until turned on, the mesh is joined on the loopback interface and a plain
UDP port binds 127.0.0.1 unless the user names another interface or address.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from desktop.core.feed.endpoints import (LOOPBACK, MESH_GROUP, MESH_PORT, EndpointError, FeedConfig,
                                         stream_endpoint, udp_endpoint)

PREFIX = "feed/"


@dataclass(frozen=True)
class FeedSettings:
    mesh: bool = True                        # the ATAK mesh (multicast)
    mesh_address: str = f"{MESH_GROUP}:{MESH_PORT}"
    interface: str = LOOPBACK                # where the mesh is joined (0.0.0.0: every interface)
    udp: str = ""                            # also datagrams to [HOST:]PORT (HOST defaults to 127.0.0.1)
    server: bool = False                     # a TAK server
    server_address: str = ""                 # HOST[:PORT]
    tls: bool = False
    cert: str = ""                           # client certificate: PKCS#12 (.p12) or PEM
    key: str = ""                            # the PEM certificate's key, when in a file of its own
    ca: str = ""                             # the server's CA (PEM)
    verify: bool = True                      # check the server against `ca`
    negotiate: bool = True                   # accept the server's offer of TAK protocol 1
    hysteresis_m: float = 200.0
    hysteresis_s: float = 30.0
    wrong_side: bool = True
    time_to_line_min: float = 0.0            # alert when a unit reaches the line sooner (0: no such alert)
    send_sectors: bool = False               # Send to TAK: the sectors too
    auto_send: bool = False                  # send again when another revision comes into force

    def needs_password(self) -> bool:
        return self.server and self.tls and self.cert.lower().endswith(".p12")

    def config(self, password: str | None = None) -> FeedConfig:
        """The feed's endpoints; EndpointError says what is wrong with them."""
        udp = []
        if self.mesh:
            udp.append(udp_endpoint(self.mesh_address, self.interface.strip() or LOOPBACK))
        if self.udp.strip():
            udp.append(udp_endpoint(self.udp, self.interface.strip() or LOOPBACK))
        streams = []
        if self.server:
            if not self.server_address.strip():
                raise EndpointError("give the TAK server's address (HOST or HOST:PORT)")
            if self.tls and not self.cert:
                raise EndpointError("a TLS connection needs the client certificate the server issued")
            streams.append(stream_endpoint(self.server_address, self.cert if self.tls else None,
                                           self.key if self.tls else None, self.ca if self.tls else None,
                                           self.verify, self.negotiate, password))
        if not (udp or streams):
            raise EndpointError("choose the mesh, a UDP port or a TAK server")
        return FeedConfig(tuple(udp), tuple(streams))

    def alert_config(self):
        """desktop.core.feed.alerts.AlertConfig"""
        from desktop.core.feed.alerts import AlertConfig
        return AlertConfig(self.hysteresis_m, self.hysteresis_s, self.wrong_side,
                           self.time_to_line_min if self.time_to_line_min > 0 else None)

    def describe(self) -> str:
        """Where it listens and connects, in a few words (no check: see `config`)."""
        parts = [f"mesh {self.mesh_address} on {self.interface or LOOPBACK}"] if self.mesh else []
        if self.udp.strip():
            parts.append(f"udp {self.udp.strip()}")
        if self.server:
            parts.append(f"TAK server {self.server_address.strip() or '?'}{' (TLS)' if self.tls else ''}")
        return ", ".join(parts) or "nothing chosen"

    # -- QSettings ----------------------------------------------------------------------------
    @classmethod
    def load(cls, qsettings) -> "FeedSettings":
        """From QSettings (None: the defaults); a value that cannot be read keeps its default."""
        if qsettings is None:
            return cls()
        values = {}
        for f in dataclasses.fields(cls):
            raw = qsettings.value(PREFIX + f.name)
            if raw is None:
                continue
            try:
                if isinstance(f.default, bool):   # QSettings gives "true"/"false" from an ini file
                    values[f.name] = raw if isinstance(raw, bool) else str(raw).lower() == "true"
                else:
                    values[f.name] = type(f.default)(raw)
            except (TypeError, ValueError):
                continue
        return cls(**values)

    def save(self, qsettings) -> None:
        if qsettings is None:
            return
        for f in dataclasses.fields(self):
            qsettings.setValue(PREFIX + f.name, getattr(self, f.name))
