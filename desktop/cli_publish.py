"""`deconflict publish`: the line in force (and its sectors) to a TAK network, once; and the
same events as a file for `deconflict export-data --format cot|datapackage`.

A built-in plugin (desktop.builtin_plugins.PUBLISH_COMMAND).
"""
from __future__ import annotations

import argparse

from desktop.cli import PROG, CommandError
from desktop.cli_tak import add_scenario_arguments, add_server_arguments, load_scenario, server_endpoints
from desktop.core.feed.endpoints import LOOPBACK, MESH_GROUP, MESH_PORT, EndpointError, split_host_port

EXAMPLES = f"""\
examples:
  {PROG} publish plan.gpkg --udp {MESH_GROUP}:{MESH_PORT} --interface 192.168.1.20 --sectors
  {PROG} publish --demo --tcp takserver:8089 --cert me.p12 --ca ca.pem
  {PROG} publish plan.gpkg --udp 127.0.0.1:4242 --at 2017-08-20T10:00:00Z

The line goes out as a CoT drawing (u-d-f) ATAK, WinTAK and iTAK draw; publishing again
replaces it (stable uid), and the drawings of other revisions are removed (t-x-d-d).
Datagrams to a multicast group leave through the loopback interface unless --interface
names another. exit status: 0 sent; 1 could not send; 2 bad arguments or input."""


def add_publish_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sectors", action="store_true", help="also the sectors, as filled shapes in their "
                   "owners' colours")
    p.add_argument("--at", metavar="T", help="the revision in force at time T (ISO 8601 with offset; "
                   "default: now)")
    p.add_argument("--uid-prefix", metavar="P", help="uid prefix of the drawings (default: from the title)")


def add_command(subparsers) -> None:
    """The plugin hook: add the `publish` sub-command."""
    p = subparsers.add_parser("publish", help="send the line in force to a TAK network (once)",
                              description="Send the deconfliction line in force (and optionally its sectors) "
                                          "to a TAK network as CoT drawings, once, then exit.",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_scenario_arguments(p)
    p.add_argument("--udp", metavar="HOST:PORT", help="send datagrams (a multicast group: the mesh)")
    p.add_argument("--interface", metavar="IP", default=LOOPBACK,
                   help="interface multicast datagrams leave through (default the loopback)")
    p.add_argument("--ttl", type=int, default=1, metavar="N", help="multicast hops (default 1)")
    add_server_arguments(p, "send to")
    p.add_argument("--protocol", type=int, choices=(0, 1), default=0,
                   help="0: CoT XML (default); 1: TAK protocol 1 (mesh datagrams; on a TAK server, "
                        "after the server offers it)")
    add_publish_arguments(p)
    p.set_defaults(func=run, publish_parser=p)


def build_publication(args, doc):
    from desktop.cli_calls import time_arg
    from desktop.core.feed.publish import publication
    from desktop.core.revisions import RevisionError
    try:
        return publication(doc, at=time_arg(args.at, "--at"), sectors=args.sectors, prefix=args.uid_prefix)
    except RevisionError as exc:
        raise CommandError(f"--at: {exc}" if args.at else str(exc), 2) from None


def run(args) -> int:
    from desktop.transport.send import SendError, send_stream, send_udp
    streams = server_endpoints(args, negotiate=args.protocol == 1)
    if bool(args.udp) == bool(streams):
        args.publish_parser.error("give --udp HOST:PORT or --tcp HOST:PORT (one of them)")
    doc = load_scenario(args, args.publish_parser)
    pub = build_publication(args, doc)
    events = pub.events()
    try:
        if args.udp:
            try:
                host, port = split_host_port(args.udp, LOOPBACK, MESH_PORT)
            except EndpointError as exc:
                raise CommandError(str(exc), 2) from None
            send_udp(host, port, events, protocol=args.protocol, interface=args.interface, ttl=args.ttl)
            where, version = f"udp {host}:{port}", args.protocol
        else:
            version = send_stream(streams[0], events, protocol=args.protocol)
            where = streams[0].describe()
    except SendError as exc:
        raise CommandError(str(exc)) from None
    print(f"sent {pub.summary()} to {where} ({len(events)} events, TAK protocol {version})")
    return 0


def export_events(args, doc, fmt: str, out_path: str) -> str:
    """`export-data --format cot|datapackage`: the events publish would send, as a file."""
    from desktop.core.atomic import SaveError, atomic_write
    from desktop.core.feed.publish import cot_stream, data_package
    pub = build_publication(args, doc)
    data = data_package(pub) if fmt == "datapackage" else cot_stream(pub)
    try:
        atomic_write(out_path, lambda tmp: tmp.write_bytes(data))
    except SaveError as exc:
        raise CommandError(str(exc).replace("cannot save", "cannot write", 1)) from None
    return pub.summary()
