"""`deconflict publish`: the line in force (and its sectors) to a TAK network, once; and the
same events as a file for `deconflict export-data --format cot|datapackage`.

A built-in plugin (desktop.builtin_plugins.CLI_COMMANDS).
"""
from __future__ import annotations

from desktop.cli import options, tak
from desktop.cli.console import PROG, CommandError
from desktop.cli.parser import command_parser
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


def add_command(subparsers) -> None:
    """The plugin hook: add the `publish` sub-command."""
    p = command_parser(subparsers, "publish", help="send the line in force to a TAK network (once)", run=run,
                       examples=EXAMPLES, description="Send the deconfliction line in force (and optionally its "
                                                      "sectors) to a TAK network as CoT drawings, once, then exit.")
    options.project(p)
    options.DEMO(p, help="the embedded 'Euphrates 2017' demo")
    p.add_argument("--udp", metavar="HOST:PORT", help="send datagrams (a multicast group: the mesh)")
    p.add_argument("--interface", metavar="IP", default=LOOPBACK,
                   help="interface multicast datagrams leave through (default the loopback)")
    p.add_argument("--ttl", type=int, default=1, metavar="N", help="multicast hops (default 1)")
    tak.server(p, "send to")
    p.add_argument("--protocol", type=int, choices=(0, 1), default=0,
                   help="0: CoT XML (default); 1: TAK protocol 1 (mesh datagrams; on a TAK server, "
                        "after the server offers it)")
    tak.SECTORS(p)
    options.AT(p, help="the revision in force at time T (ISO 8601 with an offset; default: now)")
    tak.UID_PREFIX(p)


def run(args) -> int:
    from desktop.transport.send import SendError, send_stream, send_udp
    streams = tak.server_endpoints(args, negotiate=args.protocol == 1)
    if bool(args.udp) == bool(streams):
        args.parser.error("give --udp HOST:PORT or --tcp HOST:PORT (one of them)")
    pub = tak.publication(args, tak.scenario(args))
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
