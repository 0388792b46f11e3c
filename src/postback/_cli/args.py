"""The argument table of the ``postback`` command line: one function per command."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from .._files.project import directory_suffixes
from .._formats import format_names, suffixes
from .io import (
    EXPECTED_SUFFIX,
    RECORD_SUFFIX,
    CliError,
    format_arg,
    one_line,
    terminal_columns,
)

if TYPE_CHECKING:
    from datetime import datetime

__all__ = [
    "EPILOG",
    "Handler",
    "Parser",
    "add_check",
    "add_fields",
    "add_init",
    "add_prepare",
    "add_render",
    "add_test",
]

Handler = Callable[[argparse.Namespace], int]


def _formats() -> str:
    return ", ".join(format_names())


def _extensions() -> str:
    return ", ".join(f"{suffix} {fmt.value}" for suffix, fmt in suffixes().items())


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, ``postback: error: ...``."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{one_line(message)} (see {self.prog} --help)")

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse's own formatter asks shutil for the width, and makes one formatter for
        # each option added: shutil and its compression modules would load on every run.
        return argparse.HelpFormatter(prog=self.prog, width=terminal_columns() - 2)


EPILOG = (
    "exit status: 0 success; 1 a check or test failed, or a template is defective; "
    "2 usage error or unreadable input. More in the postback documentation, page 'Command line'."
)


def _when(value: str) -> datetime:
    # datetime loads with ``prepare --now`` only: the other commands read no time.
    from datetime import datetime

    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date and time: {value!r} (for example 2026-03-01T12:00:00Z)"
        ) from None


def _add_bulk_options(parser: argparse.ArgumentParser, records: Any, command: str) -> None:
    """Add ``--records`` to the ``records`` group of ``parser``, and its options."""
    what = "body" if command == "parse" else "record"
    held = ", each a JSON string" if command == "parse" else ""
    records.add_argument(
        "--records",
        metavar="FILE",
        help=f"JSON Lines: one {what} per line{held} (or - for stdin); writes exactly one JSON "
        f"object per line on stdout, errors and blank lines included, and exits 1 if any "
        f"{what} failed",
    )
    group = parser.add_argument_group("with --records")
    if command == "render":
        group.add_argument(
            "--output-format",
            choices=("jsonl", "raw"),
            help='jsonl: {"line": N, "body": ...} per record (the default); raw: the bodies '
            "alone, one per line, errors on stderr (url, query and header templates, and "
            "json templates without a line break)",
        )
    elif command == "prepare":
        group.add_argument(
            "--now",
            type=_when,
            metavar="TIME",
            help="ISO 8601: the base of not_before for records without ClearedDate or "
            "EventDate (default: when the run starts)",
        )
    group.add_argument(
        "--fail-fast", action="store_true", help=f"stop at the first {what} that fails"
    )
    group.add_argument("--quiet", "-q", action="store_true", help="no progress line on a terminal")


def _add_record_options(parser: argparse.ArgumentParser, command: str) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--record",
        metavar="FILE",
        help="a JSON object with the action's fields (placeholder or attribute names), "
        "or - for stdin",
    )
    group.add_argument("--sample", action="store_true", help="use the built-in sample action")
    _add_bulk_options(parser, group, command)


def _add_settings_options(parser: argparse.ArgumentParser, *, records: bool = True) -> None:
    """The options over the project settings: compiling, reading records (unless not
    ``records``), the file."""
    group = parser.add_argument_group(
        "project settings",
        "override the settings of pyproject.toml's [tool.postback] table or of postback.toml, "
        "found from each file's folder upwards "
        "(postback documentation, page 'Testing templates in CI')",
    )
    _add_compile_settings(group)
    if records:
        _add_record_settings(group)
    choice = group.add_mutually_exclusive_group()
    choice.add_argument(
        "--config",
        metavar="FILE",
        help="read the settings from FILE (a pyproject.toml or postback.toml) for every file",
    )
    choice.add_argument(
        "--no-config", action="store_true", help="use no settings file: only the flags"
    )


def _add_compile_settings(group: argparse._ArgumentGroup) -> None:
    """``--extra-field``, ``--missing``, ``--timezone`` and ``--date-format``."""
    group.add_argument(
        "--extra-field",
        dest="extra_fields",
        action="append",
        metavar="NAME",
        help="accept the extra top-level field NAME (repeat for more); replaces the "
        "settings' extra_fields",
    )
    group.add_argument(
        "--missing",
        choices=("empty", "error"),
        help="what a missing value renders as: empty (the default) or error",
    )
    group.add_argument(
        "--timezone",
        metavar="TZ",
        help="IANA time zone dates are converted to (default UTC)",
    )
    group.add_argument(
        "--date-format",
        dest="date_format",
        metavar="F",
        help="how dates are written: iso (the default) or a strftime pattern",
    )


def _add_record_settings(group: argparse._ArgumentGroup) -> None:
    """``--unknown-keys``, and ``--day-first`` or ``--month-first``."""
    group.add_argument(
        "--unknown-keys",
        dest="unknown_keys",
        choices=("error", "ignore", "extra"),
        help="what a record's keys the catalog lacks become: error (the default), ignore, "
        "or extra fields",
    )
    order = group.add_mutually_exclusive_group()
    order.add_argument(
        "--day-first",
        dest="day_first",
        action="store_const",
        const=True,
        default=None,
        help="read a record's date such as 04.03.2026 day first, as 4 March (by default "
        "such a date is refused)",
    )
    order.add_argument(
        "--month-first",
        dest="day_first",
        action="store_const",
        const=False,
        help="read a record's date such as 04.03.2026 month first, as 3 April",
    )


def add_render(commands: Any, handler: Handler) -> None:
    """Add ``postback render``."""
    p = commands.add_parser(
        "render",
        help="render a template for a record and print the body",
        description="Render TEMPLATE for a record and print the body exactly, "
        "byte for byte (no newline is added).",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument("template", metavar="TEMPLATE", help="the template file, or - for stdin")
    _add_record_options(p, "render")
    p.add_argument(
        "--format",
        type=format_arg,
        metavar="F",
        help=f"the template's format ({_formats()}); default from the extension: {_extensions()}",
    )
    _add_settings_options(p)
    p.set_defaults(handler=handler)


def add_check(commands: Any, handler: Handler) -> None:
    """Add ``postback check``."""
    p = commands.add_parser(
        "check",
        help="check templates and print every diagnostic",
        description="Check templates statically and print every diagnostic. "
        "Directories are searched recursively for "
        + ", ".join(directory_suffixes())
        + f" files (not *{RECORD_SUFFIX}).",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument(
        "paths",
        metavar="TEMPLATE",
        nargs="*",
        help="template files, notification files (.toml) or directories, or - for stdin "
        "(needs --format); default: the settings' templates and cases",
    )
    p.add_argument(
        "--format",
        type=format_arg,
        metavar="F",
        help=f"check every template as this format ({_formats()}); default from the extension",
    )
    p.add_argument(
        "--output-format",
        choices=("text", "json", "github"),
        default="text",
        help="text (file:line:col: severity[code]: message), json, or github "
        "(workflow annotations); default text",
    )
    p.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    p.add_argument(
        "--reading",
        action="store_true",
        help="also report where a received body could be read back two ways (reading-* codes)",
    )
    p.add_argument(
        "--show-settings",
        metavar="FILE",
        help="print the settings that apply to FILE and where each comes from; check nothing",
    )
    _add_settings_options(p)
    p.set_defaults(handler=handler)


_MASK_HELP = (
    "write the values of secret headers (Authorization, Cookie, names with "
    "token, secret or key) as ***"
)


def _add_mask_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mask", action="store_true", help=_MASK_HELP)


def _add_mask_options(parser: argparse.ArgumentParser) -> None:
    """``--mask`` and ``--no-mask``, over the ``mask`` setting (None: neither given)."""
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--mask",
        action="store_const",
        const=True,
        default=None,
        help=_MASK_HELP + "; overrides the settings' mask",
    )
    choice.add_argument(
        "--no-mask",
        dest="mask",
        action="store_const",
        const=False,
        help="write the values of secret headers as they are, even where the settings "
        "say mask = true",
    )


def add_prepare(commands: Any, handler: Handler) -> None:
    """Add ``postback prepare``."""
    p = commands.add_parser(
        "prepare",
        help="print the HTTP request a notification would send",
        description="Print the request NOTIFICATION would send for a record, as HTTP/1.1 "
        "text: request line, headers, blank line, body (CRLF line endings). "
        "Nothing is sent.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument(
        "notification", metavar="NOTIFICATION.toml", help="the notification settings, or -"
    )
    _add_record_options(p, "prepare")
    _add_mask_option(p)
    p.set_defaults(handler=handler)


def add_fields(commands: Any, handler: Handler) -> None:
    """Add ``postback fields``."""
    p = commands.add_parser(
        "fields",
        help="print the field catalog",
        description="Print the fields and item attributes templates can use.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument("--json", action="store_true", help="print the catalog as JSON")
    p.set_defaults(handler=handler)


def add_test(commands: Any, handler: Handler) -> None:
    """Add ``postback test``."""
    p = commands.add_parser(
        "test",
        help="run golden tests: templates must render exactly CASE.expected",
        description="Golden tests: every CASE.json/.xml/.qs/.query/.url/.header template and "
        f"CASE.toml notification under DIR, rendered for each CASE.NAME{RECORD_SUFFIX} beside "
        f"it (CASE{RECORD_SUFFIX}, or the built-in sample), must equal CASE.NAME{EXPECTED_SUFFIX} "
        f"(CASE{EXPECTED_SUFFIX}) byte for byte; a notification is compared as its HTTP request.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument(
        "paths",
        metavar="DIR",
        nargs="*",
        help="directories (or single templates); default: the settings' cases",
    )
    p.add_argument(
        "--update", action="store_true", help="write the expected files from the renderings"
    )
    p.add_argument(
        "--format",
        type=format_arg,
        metavar="F",
        help=f"render every template as this format ({_formats()}); default from the extension",
    )
    _add_mask_options(p)
    _add_settings_options(p)
    p.set_defaults(handler=handler)


def add_init(commands: Any, handler: Handler) -> None:
    """Add ``postback init``."""
    p = commands.add_parser(
        "init",
        help="start a repository of templates: settings, an example case, CI and pre-commit",
        description="Write, in DIR, the project settings (a [tool.postback] table added to "
        "pyproject.toml, or postback.toml), templates/ with an example template, its record "
        "and expected output, .gitattributes, .pre-commit-config.yaml and "
        ".github/workflows/postback.yml. Nothing is overwritten: if a file exists, every "
        "such file is listed and nothing is written (exit 1).",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument(
        "directory",
        metavar="DIR",
        nargs="?",
        default=".",
        help="the repository's folder, created if needed (default: the current folder)",
    )
    p.set_defaults(handler=handler)
