"""The argument parsers of the commands that read received postbacks back: ``parse`` and
``parse-request`` (the options they share with the other commands are in ``args``)."""

from __future__ import annotations

from typing import Any

from .args import (
    EPILOG,
    Handler,
    _add_bulk_options,
    _add_settings_options,
    _extensions,
    _formats,
)
from .io import format_arg

__all__ = ["add_parse", "add_parse_request"]


def add_parse(commands: Any, handler: Handler) -> None:
    """Add ``postback parse``."""
    p = commands.add_parser(
        "parse",
        help="read a received body back into its record and print it as JSON",
        description="Read BODY, a body TEMPLATE renders, back into the record it holds "
        "(Template.parse) and print the record as JSON, the shape render --record reads.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument("template", metavar="TEMPLATE", help="the template file, or - for stdin")
    p.add_argument(
        "body",
        metavar="BODY",
        nargs="?",
        help="the received body, read as bytes; - or nothing for stdin",
    )
    records = p.add_argument_group("bodies")
    _add_bulk_options(p, records, "parse")
    p.add_argument(
        "--extra",
        choices=("error", "keep"),
        default="error",
        help="what a key the template does not have becomes: error (the default), or keep "
        "(an extra field of the record)",
    )
    p.add_argument(
        "--format",
        type=format_arg,
        metavar="F",
        help=f"the template's format ({_formats()}); default from the extension: {_extensions()}",
    )
    _add_settings_options(p, records=False)
    p.set_defaults(handler=handler)


def add_parse_request(commands: Any, handler: Handler) -> None:
    """Add ``postback parse-request``."""
    p = commands.add_parser(
        "parse-request",
        help="read a received request back into its record with a notification",
        description="Read a received request (a JSON object: method, url, headers, body, as "
        "prepare --records writes one) back into the record NOTIFICATION would send it "
        "for, and print the record as JSON, as render --record reads it.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument(
        "notification", metavar="NOTIFICATION.toml", help="the notification settings, or -"
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "request", metavar="REQUEST.json", nargs="?", help="the request (default: - for stdin)"
    )
    group.add_argument(
        "--records",
        metavar="FILE",
        help="JSON Lines: one request per line (or - for stdin); writes exactly one JSON "
        "object per line on stdout, and exits 1 if any request failed",
    )
    p.add_argument(
        "--extra",
        choices=("error", "keep"),
        default="error",
        help="keys of the url's query and of the body that the notification does not write: "
        "an error (the default), or kept in the record",
    )
    bulk = p.add_argument_group("with --records")
    bulk.add_argument(
        "--fail-fast", action="store_true", help="stop at the first request that fails"
    )
    bulk.add_argument("--quiet", "-q", action="store_true", help="no progress line on a terminal")
    p.set_defaults(handler=handler)
