"""``postback serve [PATH ...]``: start the playground and say where it is.

It listens on 127.0.0.1 (``--host`` another address of this machine, with a warning
that the network can reach it) on a free port or ``--port``, prints the page's
address, opens it in the web browser with ``--open``, and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._cli.args import EPILOG, Handler
from .._cli.io import EXIT_OK, CliError, err_line, write

__all__ = ["add_serve", "cmd_serve"]


def _host(value: str) -> str:
    """The address to listen on: ``localhost`` or one IP address, not a wildcard."""
    if value.lower() == "localhost":
        return "127.0.0.1"
    # ipaddress loads only when the playground starts: every command builds this parser.
    import ipaddress

    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        raise CliError(f"--host must be an IP address of this machine, not {value!r}") from None
    if address.is_unspecified:
        raise CliError(
            f"--host {value} would listen on every address: give the one address the page "
            "should be reached at"
        )
    return str(address)


def _port(value: str) -> int:
    if not value.isdigit() or not value.isascii() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, not {value!r}")
    return int(value)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run ``postback serve``: serve the playground until interrupted."""
    # The playground's server loads when it runs, not when the command line starts.
    from .files import Workspace
    from .guard import is_loopback
    from .server import PlaygroundServer

    host = _host(args.host)
    workspace = Workspace(args.paths)
    server = PlaygroundServer(host, args.port, workspace)
    if not is_loopback(host):
        err_line(
            f"postback serve: WARNING: listening on {host}, which other machines can reach: "
            "anyone who reaches it can use the playground and import the files named here"
        )
    write(sys.stdout, f"postback playground: {server.url} (press Ctrl-C to stop)\n")
    sys.stdout.flush()
    if args.open:
        # webbrowser loads only for --open.
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        write(sys.stdout, "postback playground: stopped\n")
    finally:
        server.server_close()
    return EXIT_OK


def add_serve(commands: Any, handler: Handler = cmd_serve) -> None:
    """Add ``postback serve``."""
    p = commands.add_parser(
        "serve",
        help="open a playground page that checks a notification as you type",
        description="Serve a page on this machine that checks a notification as you type: "
        "the settings screen's fields, a record, every defect at its line and column, the "
        "rendered body, the request, and the notification file to download. Nothing is "
        "sent anywhere and nothing is written to disk.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument(
        "paths",
        metavar="PATH",
        nargs="*",
        help="files to import: notification files (.toml), templates (.json, .xml, .qs, "
        ".query, .url), records (.record.json) or folders of golden cases",
    )
    p.add_argument(
        "--port", type=_port, default=0, metavar="N", help="the port (default: a free one)"
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    p.set_defaults(handler=handler)
