"""Options the TAK commands share (`listen`, `publish`, `export-data --format cot|datapackage`):
the scenario (the demo or a project), the TAK server connection and its certificate."""
from __future__ import annotations

import argparse

from desktop.cli import CommandError
from desktop.core.feed.endpoints import PASSWORD_ENV, EndpointError, StreamEndpoint, stream_endpoint


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", nargs="?", metavar="PROJECT", help="a Deconflict project file (.gpkg)")
    parser.add_argument("--demo", action="store_true", help="use the embedded 'Euphrates 2017' demo")


def add_server_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    group = parser.add_argument_group("TAK server (TCP, or TLS with --cert)")
    group.add_argument("--tcp", action="append", default=[], metavar="HOST:PORT",
                       help=f"{verb} a TAK server (default port 8087, or 8089 with --cert); repeatable")
    group.add_argument("--cert", metavar="F", help="client certificate: PKCS#12 (.p12, password in "
                       f"{PASSWORD_ENV}) or PEM; makes the connection TLS")
    group.add_argument("--key", metavar="F", help="the PEM certificate's private key, if not in the same file")
    group.add_argument("--ca", metavar="F", help="the server's CA certificate (PEM), to check the server")
    group.add_argument("--insecure", action="store_true", help="do not check the server's certificate")


def load_scenario(args, parser: argparse.ArgumentParser):
    if args.demo and args.project:
        parser.error("give --demo or PROJECT, not both")
    if args.demo:
        from desktop.core.demo import demo_document
        return demo_document()
    if not args.project:
        parser.error("give a PROJECT file or --demo")
    from desktop.cli_project import open_project
    return open_project(args.project)


def server_endpoints(args, negotiate: bool = True) -> tuple[StreamEndpoint, ...]:
    if (args.cert or args.key or args.ca or args.insecure) and not args.tcp:
        raise CommandError("--cert, --key, --ca and --insecure go with --tcp", 2)
    try:
        return tuple(stream_endpoint(text, args.cert, args.key, args.ca, not args.insecure, negotiate)
                     for text in args.tcp)
    except EndpointError as exc:
        raise CommandError(str(exc), 2) from None
