"""`deconflict listen`: line alerts from a TAK network, one JSON line per alert.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS). The feed is the built-in `feed`
contribution (desktop.transport.runner.FeedRunner), found through the plugin registry.
"""
from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
import threading
import time

from desktop.cli import options, tak
from desktop.cli.console import PROG, CommandError, warn
from desktop.cli.parser import command_parser, load_registry
from desktop.core.feed.endpoints import MESH_GROUP, MESH_PORT, EndpointError, FeedConfig, udp_endpoint
from desktop.core.wording import plural

GATHER_S = 0.01   # after a batch, let reports gather this long: batches, not one event at a time

EXAMPLES = f"""\
examples:
  {PROG} listen --demo --udp 6969
  {PROG} listen plan.gpkg --udp {MESH_GROUP}:{MESH_PORT} --interface 0.0.0.0
  {PROG} listen plan.gpkg --tcp takserver:8089 --cert me.p12 --ca ca.pem --buffer-km 3

Alerts go to standard output, one JSON object a line:
  {{"time", "unit", "name", "kind", "sector", "owner", "distance_km"}} (+ "minutes" for time_to_line)
kind: enter_buffer, leave_buffer, cross_line, possibly_across, wrong_side, time_to_line.
A status line goes to standard error every few seconds. Ctrl-C (SIGINT) or SIGTERM stops it.

Nothing listens beyond this machine unless asked: --udp without a host binds 127.0.0.1, and
a multicast group is joined on the loopback interface unless --interface names another.
With a PROJECT, the units heard and their reports are saved into it when listening stops
(merged into the file as it is then, under the project's lock).
exit status: 0 stopped; 1 no endpoint could be opened, or the project could not be saved;
2 bad arguments or input."""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number >= 0")
    return value


def _side_rule(text: str) -> tuple[str, str]:
    aff, sep, side = text.partition("=")
    if not sep or aff.strip() not in ("friend", "hostile", "neutral", "unknown") or not side.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected AFFILIATION=SIDE, e.g. friend=US-backed")
    return aff.strip(), side.strip()


def add_command(subparsers) -> None:
    """The plugin hook: add the `listen` sub-command."""
    p = command_parser(subparsers, "listen", help="line alerts from a TAK network (UDP, multicast, TAK server)",
                       run=run, examples=EXAMPLES,
                       description="Listen to Cursor-on-Target reports on a TAK network and print an alert when a "
                                   "unit comes near the line, crosses it, or enters the other side's sector: once "
                                   "per event, with hysteresis.")
    options.project(p)
    options.DEMO(p, help="the embedded 'Euphrates 2017' demo")
    p.add_argument("--udp", action="append", default=[], metavar="[HOST:]PORT",
                   help=f"listen for datagrams (HOST defaults to 127.0.0.1; a multicast group such as "
                        f"{MESH_GROUP} joins the mesh); repeatable")
    p.add_argument("--interface", metavar="IP", help="interface to join a multicast group on (default the "
                   "loopback; 0.0.0.0 for all)")
    tak.server(p, "listen to")
    p.add_argument("--xml-only", action="store_true", help="keep TAK server streams in XML (do not accept the "
                   "server's offer of TAK protocol 1)")
    rules = p.add_argument_group("alerts")
    options.BUFFER_KM(rules, help="near-line band (default: the project's)")
    rules.add_argument("--hysteresis-m", type=_positive, default=200.0, metavar="M",
                       help="how clearly a unit must be out (or across) before it counts (default 200)")
    rules.add_argument("--hysteresis-s", type=_positive, default=30.0, metavar="S",
                       help="how long a unit must stay clearly out before its alert re-arms (default 30)")
    rules.add_argument("--no-wrong-side", action="store_true", help="no alert for a unit entering the other "
                       "side's sector without crossing the line")
    rules.add_argument("--time-to-line", type=_positive, metavar="MIN", help="also alert when a unit's course "
                       "and speed bring it to the line in under MIN minutes")
    rules.add_argument("--side", type=_side_rule, action="append", default=[], metavar="AFFILIATION=SIDE",
                       help="side of new units by affiliation (default: as the project's units are)")
    p.add_argument("--status-every", type=_positive, default=5.0, metavar="S", help="status line interval "
                   "(default 5 s; 0: none)")
    p.add_argument("--duration", type=_positive, metavar="S", help="stop after S seconds")


def _feed_config(args) -> FeedConfig:
    try:
        udp = tuple(udp_endpoint(text, args.interface) for text in args.udp)
    except EndpointError as exc:
        raise CommandError(str(exc), 2) from None
    streams = tak.server_endpoints(args, negotiate=not args.xml_only)
    if not (udp or streams):
        args.parser.error("give --udp [HOST:]PORT and/or --tcp HOST:PORT")
    return FeedConfig(udp, streams)


def _feed(config: FeedConfig):
    """The built-in feed, through the plugin registry as a third-party feed would be."""
    feeds = load_registry().contributions("feed")
    if not feeds:
        raise CommandError("no feed plugin is installed")
    return feeds[0].load()(config)


def run(args) -> int:
    from desktop.core.feed.alerts import AlertConfig
    from desktop.core.feed.geometry import AlertGeometry
    from desktop.core.feed.live import LiveSession, SideRules
    from desktop.core.feed.publish import line_in_force
    from desktop.core.revisions import RevisionError
    config = _feed_config(args)
    if not logging.getLogger().handlers:   # refused events and reconnections, on stderr like the rest
        logging.basicConfig(level=logging.WARNING, format=f"{PROG}: %(message)s")
    doc = tak.scenario(args)
    try:
        line, revision = line_in_force(doc)
    except RevisionError as exc:
        raise CommandError(str(exc), 2) from None
    geometry = AlertGeometry.of(doc, line, args.buffer_km)
    session = LiveSession(doc, AlertConfig(args.hysteresis_m, args.hysteresis_s, not args.no_wrong_side,
                                           args.time_to_line), SideRules.of(doc, dict(args.side)), geometry)
    if geometry.sectors.error:
        warn(f"{geometry.sectors.error}: only buffer alerts")
    feed = _feed(config)
    # Everything loaded so far lives as long as the command: out of the collector's way, a
    # full collection no longer walks it (an 80 ms pause at 5,000 events/s otherwise).
    gc.freeze()
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        feed.start()
        feed.wait_ready()
        status = feed.status()
        if all(e.state == "failed" for e in status.endpoints):
            raise CommandError("; ".join(e.text() for e in status.endpoints))
        _status(f"listening: {status.text()}; alerts against the line of "
                f"{'revision ' + revision if revision else 'the project'} (buffer {geometry.buffer_km:g} km)")
        _listen(feed, session, args, stop)
    finally:
        feed.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
    _status(f"stopped: {_summary(feed, session)}")
    if args.project and session.reports.n:
        _save(args.project, session)
    return 0


def _save(path: str, session) -> None:
    """The reports heard, into the project as it is on disk now (another program may have
    saved it while we listened): opened, merged and saved under the project's lock."""
    from desktop.cli.scenario import open_project
    from desktop.core.atomic import SaveError
    from desktop.core.project import project_lock, save_project
    try:
        with project_lock(path) as opened:
            doc = open_project(path)
            added = session.write_to_document(doc)
            if added:
                save_project(doc, path, expect=opened)
    except SaveError as exc:
        raise CommandError(f"{exc} (the alerts above were printed; the reports heard are not saved)") from None
    _status(f"saved {added:,} track reports of {len(session)} live units to {path}")


def _listen(feed, session, args, stop: threading.Event) -> None:
    end = time.monotonic() + args.duration if args.duration else None
    next_status = time.monotonic() + args.status_every
    while not stop.is_set() and (end is None or time.monotonic() < end):
        batch = feed.drain(0.2)
        for alert in session.apply(batch):
            print(alert.json_line(), flush=True)
        if args.status_every and time.monotonic() >= next_status:
            _status(_summary(feed, session))
            next_status += args.status_every
        if len(batch):
            time.sleep(GATHER_S)


def _summary(feed, session) -> str:
    stale = int(session.stale().sum())
    return (f"{feed.status().text()} | {plural(len(session), 'unit')}" + (f" ({stale} stale)" if stale else "")
            + f" | {plural(len(session.alerts), 'alert')}")


def _status(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr, flush=True)
