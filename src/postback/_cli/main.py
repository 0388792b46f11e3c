"""The ``postback`` command line (also ``python -m postback``).

Commands: ``render``, ``check``, ``prepare``, ``parse``, ``parse-request``, ``fields``,
``test``, ``init``, ``serve`` and ``completion`` (docs/cli.md).

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
from typing import Any

from .._errors import PostbackError, TemplateError
from .._files.cases import body_root
from .._files.inputs import read_template
from .._files.project import Project
from .._files.text import read_input
from .._files.toml import located, parse_toml
from .._messages import spelled
from .._records.catalog import COLLECTION, FIELDS, ITEM_FIELDS, FieldSpec
from .._sending.notification import Notification
from .._serve.command import add_serve
from .._template import compile_template
from .._version import __version__
from .args import (
    EPILOG,
    Parser,
    add_check,
    add_fields,
    add_parse,
    add_prepare,
    add_render,
    add_test,
)
from .bulk import check_bulk_flags, prepare_records, render_records
from .cases import cmd_test
from .check import cmd_check
from .completion import add_completion
from .init import add_init
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    STDIN,
    STDIN_NAME,
    CliError,
    action_from,
    display,
    emit,
    err_line,
    error,
    project_from,
    template_error_lines,
    template_format,
    write,
)
from .parse import cmd_parse
from .parse_request import add_parse_request, check_flags, parse_requests

__all__ = ["build_parser", "main"]


# ---------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------


def _cmd_render(args: argparse.Namespace) -> int:
    if args.template == STDIN and args.record == STDIN:
        raise CliError("the template and the record cannot both be read from stdin (-)")
    check_bulk_flags(args, args.template)
    project = project_from(args, validate=False)
    fmt = template_format(project, args.template, args.format)
    name = display(args.template)
    source = read_template(args.template)
    options = project.compile_options(args.template, name)
    action = None
    if args.records is None:
        action = action_from(args, options.extra_fields, options.unknown_keys, options.day_first)
    try:
        template = compile_template(source, fmt, options)
    except TemplateError as err:
        write(sys.stderr, "".join(line + "\n" for line in template_error_lines(name, err)))
        return EXIT_FAILED
    if action is None:
        return render_records(args, template)
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
    """Load the notification settings in ``path``, or in standard input for ``-``.

    Its ``body_file`` must be inside its folder, or inside the project's root when
    project settings apply to it.
    """
    root = body_root(path, Project())
    if path != STDIN:
        # from_file reports an unreadable file, invalid TOML and invalid settings as
        # ConfigError with the path in the message.
        return Notification.from_file(path, body_root=root)
    text = read_input(path, "notification")
    table = parse_toml(text, STDIN_NAME, locate=False)
    with located(STDIN_NAME):
        return Notification.from_dict(table, body_root=root)


def _cmd_prepare(args: argparse.Namespace) -> int:
    path: str = args.notification
    if path == STDIN and args.record == STDIN:
        raise CliError("the notification and the record cannot both be read from stdin (-)")
    check_bulk_flags(args, path)
    # The notification file holds the options (unknown_keys, body_format): hints name
    # its keys.
    with spelled("notification"):
        try:
            notification = _load_notification(path)
        except TemplateError as err:
            label = _notification_label(display(path), err)
            write(sys.stderr, "".join(line + "\n" for line in template_error_lines(label, err)))
            return EXIT_FAILED
        if args.records is not None:
            return prepare_records(args, notification)
        action = action_from(
            args, notification.extra_fields, notification.unknown_keys, notification.day_first
        )
        request = notification.prepare(action)
    emit(request.to_http(mask=args.mask))
    return EXIT_OK


def _cmd_parse_request(args: argparse.Namespace) -> int:
    check_flags(args)
    with spelled("notification"):
        try:
            notification = _load_notification(args.notification)
        except TemplateError as err:
            label = _notification_label(display(args.notification), err)
            write(sys.stderr, "".join(line + "\n" for line in template_error_lines(label, err)))
            return EXIT_FAILED
    return parse_requests(args, notification)


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


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``postback`` command line."""
    parser = Parser(
        prog="postback",
        description="Render, check and test postback templates.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"postback {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    # Not required=True: argparse would then report a missing command before an
    # unknown option (``postback --bogus``); _run reports a missing command itself.
    add_render(commands, _cmd_render)
    add_check(commands, cmd_check)
    add_prepare(commands, _cmd_prepare)
    add_parse(commands, cmd_parse)
    add_parse_request(commands, _cmd_parse_request, EPILOG)
    add_fields(commands, _cmd_fields)
    add_test(commands, cmd_test)
    add_init(commands)
    add_serve(commands)
    add_completion(commands, parser)
    return parser


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.error(
            "a command is required: render, check, prepare, parse, parse-request, fields, test, "
            "init, serve or completion"
        )
    handler: Callable[[argparse.Namespace], int] = args.handler
    with spelled("flags"):  # hints name the flags, not Python arguments
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
