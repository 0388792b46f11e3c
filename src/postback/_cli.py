"""The ``postback`` command line (also ``python -m postback``).

Commands: ``render``, ``check``, ``prepare``, ``fields`` and ``test`` (docs/cli.md).

Exit status: 0 on success, 1 when a check or a golden test fails (or a template is
defective), 2 on usage errors and unreadable input.  Usage errors and unreadable input
are reported as exactly one line on standard error, ``postback: error: ...``; no
traceback is ever printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ._catalog import COLLECTION, FIELDS, ITEM_FIELDS, FieldSpec
from ._cli_check import cmd_check
from ._cli_io import (
    DIRECTORY_SUFFIXES,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    EXPECTED_SUFFIX,
    RECORD_SUFFIX,
    STDIN,
    STDIN_NAME,
    SUFFIX_FORMATS,
    CliError,
    action_from,
    display,
    emit,
    err_line,
    error,
    format_arg,
    format_for,
    one_line,
    project_from,
    read_template,
    read_text,
    template_error_lines,
    write,
)
from ._cli_test import cmd_test
from ._errors import PostbackError, TemplateError
from ._template import Format, _compile
from ._version import __version__

if TYPE_CHECKING:
    from ._notification import Notification

__all__ = ["build_parser", "main"]


# ---------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------


def _cmd_render(args: argparse.Namespace) -> int:
    if args.template == STDIN and args.record == STDIN:
        raise CliError("the template and the record cannot both be read from stdin (-)")
    project = project_from(args, validate=False)
    fmt = project.format_for(args.template, args.format)[0] or format_for(args.template, None)
    name = display(args.template)
    source = read_template(args.template, fmt)
    options = project.compile_options(args.template, name)
    action = action_from(args, options.extra_fields)
    try:
        template = _compile(source, fmt, options)
    except TemplateError as err:
        write(sys.stderr, "".join(line + "\n" for line in template_error_lines(name, err)))
        return EXIT_FAILED
    emit(template.render_bytes(action))
    return EXIT_OK


# ---------------------------------------------------------------------------
# prepare
# ---------------------------------------------------------------------------


def _notification_label(file: str, err: TemplateError) -> str:
    """Where a notification's template error is: ``file[url]``, ``file[headers.X]``,
    ``file[body]``, or the body file itself."""
    if err.name in ("url", "body") or err.name.startswith("headers."):
        return f"{file}[{err.name}]"
    if err.name in ("", "<template>"):
        return file
    return err.name


def _load_notification(path: str) -> Notification:
    """Load the notification settings in ``path``, or in standard input for ``-``."""
    from ._config import located, parse_toml
    from ._notification import Notification

    if path != STDIN:
        # from_file reports an unreadable file, invalid TOML and invalid settings as
        # ConfigError with the path in the message.
        return Notification.from_file(path)
    text = read_text(path, "notification")
    table = parse_toml(text, STDIN_NAME, locate=False)
    with located(STDIN_NAME):
        return Notification.from_dict(table)


def _cmd_prepare(args: argparse.Namespace) -> int:
    path: str = args.notification
    if path == STDIN and args.record == STDIN:
        raise CliError("the notification and the record cannot both be read from stdin (-)")
    try:
        notification = _load_notification(path)
    except TemplateError as err:
        label = _notification_label(display(path), err)
        write(sys.stderr, "".join(line + "\n" for line in template_error_lines(label, err)))
        return EXIT_FAILED
    emit(notification.prepare(action_from(args, notification.extra_fields)).to_http())
    return EXIT_OK


# ---------------------------------------------------------------------------
# fields
# ---------------------------------------------------------------------------


def _field_entry(spec: FieldSpec, placeholder: str) -> dict[str, str]:
    return {
        "placeholder": placeholder,
        "name": spec.name,
        "attribute": spec.attribute,
        "type": spec.type_name,
        "description": spec.description,
    }


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[-1]
        for row in rows
    ]


def _cmd_fields(args: argparse.Namespace) -> int:
    fields = [_field_entry(f, f"{{{f.name}}}") for f in FIELDS]
    items = [_field_entry(f, f"{{i.{f.name}}}") for f in ITEM_FIELDS]
    if args.json:
        data = {"collection": COLLECTION, "fields": fields, "item_fields": items}
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    header = ("PLACEHOLDER", "ATTRIBUTE", "TYPE", "DESCRIPTION")
    keys = ("placeholder", "attribute", "type", "description")
    out = [f"Fields ({len(fields)})", ""]
    out += _table([header, *[tuple(e[k] for k in keys) for e in fields]])
    out += [
        "",
        f"Item attributes ({len(items)}): used inside "
        f'{{join({COLLECTION}, i, "...")}}, where i is the loop variable',
        "",
    ]
    out += _table([header, *[tuple(e[k] for k in keys) for e in items]])
    emit("".join(line.rstrip() + "\n" for line in out))
    return EXIT_OK


# ---------------------------------------------------------------------------
# Argument parsing
# ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, ``postback: error: ...``."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{one_line(message)} (see {self.prog} --help)")


_EPILOG = (
    "exit status: 0 success; 1 a check or test failed, or a template is defective; "
    "2 usage error or unreadable input. docs: docs/cli.md"
)


def _add_record_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--record",
        metavar="FILE",
        help="a JSON object with the action's fields (placeholder or attribute names), "
        "or - for stdin",
    )
    group.add_argument("--sample", action="store_true", help="use the built-in sample action")


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "project settings",
        "override the settings of pyproject.toml's [tool.postback] table or of postback.toml, "
        "found from each file's folder upwards (docs/ci.md)",
    )
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
    choice = group.add_mutually_exclusive_group()
    choice.add_argument(
        "--config",
        metavar="FILE",
        help="read the settings from FILE (a pyproject.toml or postback.toml) for every file",
    )
    choice.add_argument(
        "--no-config", action="store_true", help="use no settings file: only the flags"
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``postback`` command line."""
    parser = _Parser(
        prog="postback",
        description="Render, check and test postback templates.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"postback {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    # Not required=True: argparse would then report a missing command before an
    # unknown option (``postback --bogus``); _run reports a missing command itself.

    formats = ", ".join(f.value for f in Format)
    extensions = ", ".join(f"{s} {f.value}" for s, f in SUFFIX_FORMATS.items())

    p = commands.add_parser(
        "render",
        help="render a template for a record and print the body",
        description="Render TEMPLATE for a record and print the body exactly, "
        "byte for byte (no newline is added).",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    p.add_argument("template", metavar="TEMPLATE", help="the template file, or - for stdin")
    _add_record_options(p)
    p.add_argument(
        "--format",
        type=format_arg,
        metavar="F",
        help=f"the template's format ({formats}); default from the extension: {extensions}",
    )
    _add_settings_options(p)
    p.set_defaults(handler=_cmd_render)

    p = commands.add_parser(
        "check",
        help="check templates and print every diagnostic",
        description="Check templates statically and print every diagnostic. "
        "Directories are searched recursively for "
        + ", ".join(DIRECTORY_SUFFIXES)
        + f" files (not *{RECORD_SUFFIX}).",
        epilog=_EPILOG,
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
        help=f"check every template as this format ({formats}); default from the extension",
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
        "--show-settings",
        metavar="FILE",
        help="print the settings that apply to FILE and where each comes from; check nothing",
    )
    _add_settings_options(p)
    p.set_defaults(handler=cmd_check)

    p = commands.add_parser(
        "prepare",
        help="print the HTTP request a notification would send",
        description="Print the request NOTIFICATION would send for a record, as HTTP/1.1 "
        "text: request line, headers, blank line, body (CRLF line endings). "
        "Nothing is sent.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    p.add_argument(
        "notification", metavar="NOTIFICATION.toml", help="the notification settings, or -"
    )
    _add_record_options(p)
    p.set_defaults(handler=_cmd_prepare)

    p = commands.add_parser(
        "fields",
        help="print the field catalog",
        description="Print the fields and item attributes templates can use.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    p.add_argument("--json", action="store_true", help="print the catalog as JSON")
    p.set_defaults(handler=_cmd_fields)

    p = commands.add_parser(
        "test",
        help="run golden tests: templates must render exactly CASE.expected",
        description="Golden tests: every CASE.json/.xml/.qs/.query/.url/.header template and "
        f"CASE.toml notification under DIR, rendered for each CASE.NAME{RECORD_SUFFIX} beside "
        f"it (CASE{RECORD_SUFFIX}, or the built-in sample), must equal CASE.NAME{EXPECTED_SUFFIX} "
        f"(CASE{EXPECTED_SUFFIX}) byte for byte; a notification is compared as its HTTP request.",
        epilog=_EPILOG,
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
        help=f"render every template as this format ({formats}); default from the extension",
    )
    _add_settings_options(p)
    p.set_defaults(handler=cmd_test)
    return parser


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error("a command is required: render, check, prepare, fields or test")
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    try:
        return _run(argv)
    except SystemExit as exc:  # --help and --version
        code: Any = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    except CliError as exc:
        error(exc.message)
    except TemplateError as exc:  # pragma: no cover - the commands report these themselves
        write(sys.stderr, "".join(f"{ln}\n" for ln in template_error_lines(exc.name, exc)))
        return EXIT_FAILED
    except PostbackError as exc:
        error(str(exc))
    except BrokenPipeError:
        # The reader went away (``postback fields | head``): stop quietly.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        error(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        err_line("postback: interrupted")
        return 130
    except Exception as exc:
        if os.environ.get("POSTBACK_DEBUG"):
            raise
        error(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set POSTBACK_DEBUG=1 to see the traceback, and please report it)"
        )
    return EXIT_USAGE
