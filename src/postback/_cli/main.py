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
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any, NoReturn

from .._errors import PostbackError, TemplateError
from .._messages import spelled
from .._version import __version__
from .args import (
    EPILOG,
    Handler,
    Parser,
    add_check,
    add_fields,
    add_init,
    add_prepare,
    add_render,
    add_test,
)
from .args_reading import add_parse, add_parse_request
from .completion import add_completion
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    emit,
    err_line,
    error,
    template_error_lines,
    write,
)

if TYPE_CHECKING:
    from .._records.catalog import FieldSpec

__all__ = ["build_parser", "exit_now", "main"]


# ---------------------------------------------------------------------------
# The commands, each loaded when it runs
# ---------------------------------------------------------------------------


def _command(module: str, name: str) -> Handler:
    """The handler ``name`` of the module ``module`` of this package, imported when its
    command runs: ``postback check`` loads neither the notifications nor the bulk loop,
    and ``postback --help`` no command at all (docs/performance.md, "Cold start")."""

    def run(args: argparse.Namespace) -> int:
        # Loaded on first use, as the docstring says: only the command that runs.
        handler: Handler = getattr(import_module(module, __package__), name)
        return handler(args)

    return run


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
    # The catalog and json load only for this command: the parser needs neither.
    import json

    from .._records.catalog import COLLECTION, FIELDS, ITEM_FIELDS

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


def _add_serve(commands: Any, handler: Handler) -> None:
    # The playground's module holds its own options; it loads with the parser that lists it.
    from .._serve.command import add_serve

    add_serve(commands, handler)


#: Each command, in the order ``--help`` lists them: how to add it to the parser.
_COMMANDS: dict[str, Callable[[Any], None]] = {
    "render": lambda c: add_render(c, _command(".render", "cmd_render")),
    "check": lambda c: add_check(c, _command(".check", "cmd_check")),
    "prepare": lambda c: add_prepare(c, _command(".prepare", "cmd_prepare")),
    "parse": lambda c: add_parse(c, _command(".parse", "cmd_parse")),
    "parse-request": lambda c: add_parse_request(
        c, _command(".parse_request", "cmd_parse_request")
    ),
    "fields": lambda c: add_fields(c, _cmd_fields),
    "test": lambda c: add_test(c, _command(".cases", "cmd_test")),
    "init": lambda c: add_init(c, _command(".init", "cmd_init")),
    "serve": lambda c: _add_serve(c, _command("postback._serve.command", "cmd_serve")),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Return the parser of the ``postback`` command line.

    With ``command`` (a command's name) the parser holds that command alone: it reads
    that command's arguments and words its help and errors exactly as the whole parser
    does, without building the nine others (most of a short run's time otherwise).
    """
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
    for name, add in _COMMANDS.items():
        if command is None or command == name:
            add(commands)
    if command is None:
        add_completion(commands, parser)
    return parser


def _only(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs when it names one first, else None: the whole parser
    (``completion`` too, whose script is made from the whole parser)."""
    return argv[0] if argv and argv[0] in _COMMANDS else None


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _run(argv: Sequence[str] | None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(_only(argv))
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


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` without tearing the interpreter down.

    Freeing every loaded module at exit takes as long as a check of one file reads its
    settings (docs/performance.md, "Cold start"), and nothing of it is the command's
    work: once the exit functions (``atexit``) have run and standard output and error
    are flushed, the process ends (with status 120 if they cannot be, as Python's).  Where another thread still runs, the
    interpreter exits the usual way, which waits for it.
    """
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        raise SystemExit(code)
    # atexit loads here only: its exit functions run as the interpreter runs them, before
    # the streams are flushed (what they write is output too).
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            code = 120  # the interpreter's status when it cannot flush them at exit
    os._exit(code)
