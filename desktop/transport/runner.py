"""The feed, off the GUI thread: one asyncio loop on a thread of its own for the TAK server
streams, and a receiver thread per UDP endpoint.

Each TAK server is a pytak stream, restarted by pytak's supervisor with backoff when it
drops, read through a `StreamSession` (framing and the version-1 negotiation). Each UDP
socket is set up by pytak (bound, multicast group joined) and read by its own thread
(`_pytak.detach`). Those threads only queue what arrives, stamped with its arrival time;
the application's `drain` decodes and checks the queued payloads with the feed's `Intake`
and takes what was accepted (a batch, when it is ready for one), and `status` tells each
endpoint's state, the counters and the event rate. Decoding where the batch is taken keeps
the receiving threads from holding a lock the application waits for: at thousands of
datagrams a second a receiver decoding under that lock starved the window's thread of it.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time as _time
from collections import deque
from dataclasses import dataclass, replace

from desktop.core.feed.endpoints import FeedConfig, StreamEndpoint, UdpEndpoint
from desktop.core.feed.intake import EventBatch, FeedCounters, Intake
from desktop.core.feed.protocol import StreamSession
from desktop.transport import _pytak

log = logging.getLogger(__name__)
READ_POLL_S = 0.25     # a stream wakes this often to send what is queued and check the negotiation
RATE_WINDOW_S = 5.0
STOP_TIMEOUT_S = 5.0
DECODE_AT_ONCE = 500  # payloads decoded per drain at most (~10-15 ms of decoding: a window paints between)


@dataclass(frozen=True)
class EndpointStatus:
    name: str
    state: str = "starting"   # starting, listening, connecting, connected, reconnecting, failed, stopped
    detail: str = ""          # the TAK protocol version, or the last error
    address: tuple | None = None   # where a UDP endpoint is bound

    def text(self) -> str:
        return f"{self.name} {self.state}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class FeedStatus:
    running: bool
    endpoints: tuple[EndpointStatus, ...]
    counters: FeedCounters
    rate: float = 0.0   # accepted reports per second, over the last few seconds

    def text(self) -> str:
        c = self.counters
        refused = ", ".join(f"{n} {reason}" for reason, n in c.rejected.items() if n)
        parts = [", ".join(e.text() for e in self.endpoints), f"{self.rate:,.0f} events/s",
                 f"{c.accepted:,} reports"]
        if c.ignored:
            parts.append(f"{c.ignored:,} other events")
        if refused:
            parts.append(f"refused: {refused}")
        return " | ".join(parts)


class FeedRunner:
    """Off until `start`; `stop` closes every socket. Thread-safe: `drain`, `status`,
    `send` and `stop` may be called from any thread."""

    def __init__(self, config: FeedConfig, clock=_time.time) -> None:
        self.config = config
        self._intake = Intake(config.max_event_bytes, clock)
        self._clock = clock
        self._lock = threading.Lock()                 # the intake's
        self._queue: deque[tuple] = deque()           # (kind, payload, source, arrival time), any thread
        self._arrived = threading.Event()             # set when something is queued
        self._status = {e: EndpointStatus(e.describe()) for e in (*config.udp, *config.streams)}
        self._sessions: dict[StreamEndpoint, StreamSession] = {}
        self._rate: deque[tuple[float, int]] = deque()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._halt = threading.Event()          # tells the UDP receiver threads to end
        self._receivers: list[threading.Thread] = []

    # -- control ------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the feed is already running")
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name="deconflict-feed", daemon=True)
        self._thread.start()
        started.wait()

    def stop(self) -> None:
        self._halt.set()
        loop, thread = self._loop, self._thread
        if loop is not None and self._stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:
                pass   # the loop already ended
        for t in [thread, *self._receivers]:
            if t is not None:
                t.join(STOP_TIMEOUT_S)
        self._arrived.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._halt.is_set()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Wait until every endpoint listens, is connected, has tried once or has failed."""
        end = _time.monotonic() + timeout
        while _time.monotonic() < end:
            if all(s.state in ("listening", "connected", "reconnecting", "failed") for s in self._status.values()):
                return True
            _time.sleep(0.01)
        return False

    @property
    def backlog(self) -> int:
        """Payloads received and not decoded yet (what the next drains will take)."""
        return len(self._queue)

    def drain(self, timeout: float | None = 0.0) -> EventBatch:
        """The reports accepted since the last call; waits up to `timeout` s for one (None:
        until one comes or the feed stops)."""
        if not self._queue and timeout != 0.0 and self.running:
            self._arrived.wait(timeout)
        self._arrived.clear()
        with self._lock:
            self._decode_queued()
            batch = self._intake.take()
            self._rate.append((_time.monotonic(), self._intake.counters.accepted))
        while len(self._rate) > 2 and self._rate[0][0] < self._rate[-1][0] - RATE_WINDOW_S:
            self._rate.popleft()
        return batch

    def _decode_queued(self) -> None:
        """Decode and check what the receivers queued, DECODE_AT_ONCE at most (a backlog is
        taken over several drains: no long stall of the caller); the caller holds the lock."""
        queue, intake = self._queue, self._intake
        for _ in range(min(len(queue), DECODE_AT_ONCE)):
            kind, payload, source, at = queue.popleft()
            if kind == "datagram":
                intake.datagram(payload, source, at)
            else:
                intake.frame(kind, payload, source, at)

    def status(self) -> FeedStatus:
        with self._lock:
            counters = self._intake.counters.copy()
            counters.packets += len(self._queue)   # received, not decoded yet
            samples = list(self._rate)
        rate = 0.0
        if len(samples) >= 2 and samples[-1][0] > samples[0][0]:
            rate = (samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0])
        return FeedStatus(self.running, tuple(self._status.values()), counters, rate)

    def send(self, xml_event: bytes) -> None:
        """Send one event (CoT XML) on every connected TAK server stream (within READ_POLL_S)."""
        if self._loop is None:
            raise RuntimeError("the feed is not running")

        def queue():
            for session in self._sessions.values():
                session.send(xml_event)
        self._loop.call_soon_threadsafe(queue)

    # -- the loop -----------------------------------------------------------------------------
    def _run(self, started: threading.Event) -> None:
        try:
            asyncio.run(self._main(started))
        except Exception:   # noqa: BLE001 - the feed thread must end quietly, the app goes on
            log.exception("feed: stopped by an unexpected error")
        finally:
            started.set()
            for endpoint, status in self._status.items():
                if status.state != "failed":
                    self._set(endpoint, "stopped", "")

    async def _main(self, started: threading.Event) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        tasks = [asyncio.create_task(self._udp(e)) for e in self.config.udp]
        tasks += [asyncio.create_task(self._stream(e)) for e in self.config.streams]
        started.set()
        await self._stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _set(self, endpoint, state: str, detail: str | None = None, **more) -> None:
        old = self._status[endpoint]
        self._status[endpoint] = replace(old, state=state, detail=old.detail if detail is None else detail, **more)

    def _failed(self, endpoint, exc: BaseException) -> None:
        self._set(endpoint, "failed", f"{type(exc).__name__}: {exc}")
        log.warning("feed: %s failed: %s", endpoint.describe(), exc)

    async def _udp(self, endpoint: UdpEndpoint) -> None:
        try:
            sock = _pytak.detach(await _pytak.udp_reader(endpoint))
        except (OSError, ValueError) as exc:
            self._failed(endpoint, exc)
            return
        bound = sock.getsockname()
        self._set(endpoint, "listening", "", address=bound,
                  name=UdpEndpoint(endpoint.host, bound[1], endpoint.interface).describe())
        thread = threading.Thread(target=self._receive, args=(endpoint, sock), daemon=True,
                                  name=f"deconflict-feed-udp-{bound[1]}")
        self._receivers.append(thread)
        thread.start()

    def _receive(self, endpoint: UdpEndpoint, sock: socket.socket) -> None:
        """Datagrams, on a thread of their own until the feed stops."""
        sock.settimeout(READ_POLL_S)
        try:
            while not self._halt.is_set():
                try:
                    data, addr = sock.recvfrom(65535)
                except socket.timeout:
                    continue
                self._queue.append(("datagram", data, addr, self._clock()))
                self._arrived.set()
        except OSError as exc:   # the socket broke: report it, the rest goes on
            self._failed(endpoint, exc)
        finally:
            sock.close()

    async def _stream(self, endpoint: StreamEndpoint) -> None:
        section = _pytak.stream_config(endpoint, self.config)

        async def run_once() -> None:
            self._set(endpoint, "connecting")
            try:
                reader, writer = await _pytak.open_stream(section)
            except OSError as exc:   # the network's (refused, reset, TLS): pytak's supervisor retries
                self._set(endpoint, "reconnecting", f"{type(exc).__name__}: {exc}")
                raise
            session = StreamSession(endpoint.negotiate, self.config.max_event_bytes)
            self._sessions[endpoint] = session
            self._set(endpoint, "connected", "TAK protocol 0 (XML)")
            try:
                await self._read_stream(endpoint, session, reader, writer)
            except (ConnectionError, OSError) as exc:
                self._set(endpoint, "reconnecting", f"{type(exc).__name__}: {exc}")
                raise
            finally:
                self._sessions.pop(endpoint, None)
                writer.close()

        try:
            await _pytak.supervise(section, run_once)
        except asyncio.CancelledError:
            raise
        except Exception as exc:   # noqa: BLE001 - not retryable (a bad certificate): report it
            self._failed(endpoint, exc)

    async def _read_stream(self, endpoint: StreamEndpoint, session: StreamSession, reader, writer) -> None:
        source = endpoint.describe()
        version = session.version
        while True:
            try:
                data = await asyncio.wait_for(reader.read(65536), READ_POLL_S)
            except asyncio.TimeoutError:
                data = None
            if data == b"":
                raise ConnectionResetError("the TAK server closed the connection")
            if data:
                now = self._clock()
                for kind, frame in session.received(data, now):
                    self._queue.append((kind, frame, source, now))
                self._arrived.set()
            session.check(self._clock())
            out = session.outgoing()
            if out:
                writer.write(out)
                await writer.drain()
            if session.version != version:
                version = session.version
                self._set(endpoint, "connected", f"TAK protocol {version}")
