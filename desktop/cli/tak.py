"""Options the TAK commands share (`listen`, `publish`, `export-data --format cot|datapackage`),
each defined once: the TAK server connection and its certificate, and what to publish."""
from __future__ import annotations

from desktop.cli.console import CommandError
from desktop.cli.options import Option
from desktop.core.feed.endpoints import PASSWORD_ENV, EndpointError, StreamEndpoint, stream_endpoint

TCP = Option("--tcp", action="append", default=[], metavar="HOST:PORT",
             help="a TAK server (default port 8087, or 8089 with --cert); repeatable")
CERT = Option("--cert", metavar="F", help=f"client certificate: PKCS#12 (.p12, its password in {PASSWORD_ENV}) "
                                          "or PEM; makes the connection TLS")
KEY = Option("--key", metavar="F", help="the PEM certificate's private key, when not in the same file")
CA = Option("--ca", metavar="F", help="the server's CA certificate (PEM), to check the server with")
INSECURE = Option("--insecure", action="store_true", help="do not check the server's certificate")
SECTORS = Option("--sectors", action="store_true", help="the sectors too, as shapes filled in their owners' colours")
UID_PREFIX = Option("--uid-prefix", metavar="P", help="uid prefix of the drawings (default: from the title)")


def server(parser, verb: str) -> None:
    """--tcp and the TLS options, in their own group."""
    group = parser.add_argument_group("TAK server (TCP, or TLS with --cert)")
    TCP(group, help=f"{verb} a TAK server (default port 8087, or 8089 with --cert); repeatable")
    for option in (CERT, KEY, CA, INSECURE):
        option(group)


def server_endpoints(args, negotiate: bool = True) -> tuple[StreamEndpoint, ...]:
    if (args.cert or args.key or args.ca or args.insecure) and not args.tcp:
        raise CommandError("--cert, --key, --ca and --insecure go with --tcp", 2)
    try:
        return tuple(stream_endpoint(text, args.cert, args.key, args.ca, not args.insecure, negotiate)
                     for text in args.tcp)
    except EndpointError as exc:
        raise CommandError(str(exc), 2) from None


def scenario(args):
    """The demo or the project (positional or --project): the TAK commands take no part files."""
    from desktop.cli.scenario import base_document
    doc = base_document(args)
    if doc is None:
        args.parser.error("give a PROJECT file or --demo")
    return doc


def publication(args, doc):
    """What `publish` sends and `export-data --format cot|datapackage` writes."""
    from desktop.cli.options import time_arg
    from desktop.core.feed.publish import publication as build
    from desktop.core.revisions import RevisionError
    try:
        return build(doc, at=time_arg(args.at, "--at"), sectors=args.sectors, prefix=args.uid_prefix)
    except RevisionError as exc:
        raise CommandError(f"--at: {exc}" if args.at else str(exc), 2) from None
