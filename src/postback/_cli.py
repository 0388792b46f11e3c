"""The ``postback`` command line (also ``python -m postback``).

Commands: ``render``, ``check``, ``prepare``, ``fields`` and ``test`` (docs/cli.md).

Exit status: 0 on success, 1 when a check or a golden test fails (or a template is
defective), 2 on usage errors and unreadable input.  Usage errors and unreadable input
are reported as exactly one line on standard error, ``postback: error: ...``; no
traceback is ever printed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NoReturn, Protocol
from urllib.parse import urlsplit

from ._catalog import COLLECTION, FIELDS, ITEM_FIELDS, FieldSpec
from ._errors import Diagnostic, PostbackError, RecordError, TemplateError
from ._record import Action, sample_action
from ._template import Format, check, compile
from ._version import __version__

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: File extensions and the format they imply when ``--format`` is not given.
SUFFIX_FORMATS: dict[str, Format] = {
    ".json": Format.JSON,
    ".xml": Format.XML,
    ".qs": Format.QUERY,
    ".query": Format.QUERY,
    ".url": Format.URL,
    ".txt": Format.TEXT,
}

#: The extensions ``check`` and ``test`` look for when they walk a directory.  Text
#: templates (``.txt``) are only used when named explicitly, so that a README.txt in a
#: template folder is not mistaken for a template.
DIRECTORY_SUFFIXES: tuple[str, ...] = (".json", ".xml", ".qs", ".query", ".url")

RECORD_SUFFIX = ".record.json"
EXPECTED_SUFFIX = ".expected"

#: ``check`` and ``test`` show a progress line on a terminal above this many files.
PROGRESS_THRESHOLD = 20

_STDIN = "-"
_STDIN_NAME = "<stdin>"


class CliError(Exception):
    """A usage error or unreadable input: one line on stderr, exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """Collapse line breaks so a message fits on one line."""
    return " ".join(part.strip() for part in text.replace("\r\n", "\n").splitlines() if part)


def _write(stream: IO[str], data: bytes | str) -> None:
    """Write ``data`` to ``stream`` as UTF-8 bytes, whatever the locale's encoding."""
    if isinstance(data, str):
        data = data.encode("utf-8", "backslashreplace")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream (for example io.StringIO in a test)
        stream.write(data.decode("utf-8", "replace"))
        stream.flush()
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()


def _out(text: str | bytes) -> None:
    _write(sys.stdout, text)


def _err_line(text: str) -> None:
    _write(sys.stderr, _one_line(text) + "\n")


def _error(message: str) -> None:
    """Print the one-line ``postback: error: ...`` report."""
    _err_line(f"postback: error: {message}")


def _warning(message: str) -> None:
    _err_line(f"postback: warning: {message}")


class _Progress:
    """A ``\\r``-overwritten progress line on stderr, shown only on a terminal."""

    def __init__(self, total: int, verb: str) -> None:
        self.total = total
        self.verb = verb
        self.width = 0
        try:
            is_tty = sys.stderr.isatty()
        except (AttributeError, ValueError):
            is_tty = False
        self.active = total > PROGRESS_THRESHOLD and is_tty

    def update(self, index: int, name: str) -> None:
        if not self.active:
            return
        columns = shutil.get_terminal_size((80, 24)).columns - 1
        text = f"{self.verb} {index}/{self.total} {name}"
        if len(text) > columns:
            text = text[: max(columns - 3, 0)] + "..."
        pad = max(self.width - len(text), 0)
        self.width = len(text)
        _write(sys.stderr, "\r" + text + " " * pad)

    def clear(self) -> None:
        """Erase the line (before other output, and at the end)."""
        if self.active and self.width:
            _write(sys.stderr, "\r" + " " * self.width + "\r")
            self.width = 0


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


def _display(path: str) -> str:
    return _STDIN_NAME if path == _STDIN else path


def _read_bytes(path: str, what: str) -> bytes:
    if path == _STDIN:
        stdin = sys.stdin
        if stdin is None:
            raise CliError(f"cannot read the {what} from stdin: there is no stdin")
        try:
            buffer = getattr(stdin, "buffer", None)
            if buffer is not None:
                data: bytes = buffer.read()
                return data
            return stdin.read().encode("utf-8")
        except OSError as exc:
            raise CliError(f"cannot read the {what} from stdin: {exc.strerror or exc}") from None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise CliError(f"cannot read {what} {path}: {reason}") from None


def _decode(data: bytes, path: str, what: str) -> str:
    try:
        # utf-8-sig: a byte order mark written by some editors is not part of the text.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(
            f"cannot read {what} {_display(path)}: not UTF-8 text "
            f"(byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _read_text(path: str, what: str) -> str:
    return _decode(_read_bytes(path, what), path, what)


_ONE_LINE_FORMATS = frozenset({Format.QUERY, Format.URL, Format.HEADER})


def _read_template(path: str, fmt: Format) -> str:
    """Read a template file; for one-line formats drop the final newline editors add."""
    source = _read_text(path, "template")
    if fmt in _ONE_LINE_FORMATS:
        if source.endswith("\r\n"):
            return source[:-2]
        if source.endswith("\n"):
            return source[:-1]
    return source


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _load_record(path: str) -> Action:
    """Read a JSON record (an object for ``Action.from_dict``) from a file or stdin."""
    name = _display(path)
    text = _read_text(path, "record")
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{name}:{exc.lineno}:{exc.colno}: invalid JSON in the record: {exc.msg}"
        ) from None
    except RecursionError:
        raise CliError(f"{name}: invalid record: the JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise CliError(f"{name}: a record must be a JSON object, not {_json_type(data)}")
    try:
        return Action.from_dict(data)
    except RecordError as exc:
        raise CliError(f"{name}: invalid record: {exc}") from None


def _action_from(args: argparse.Namespace) -> Action:
    if args.record is not None:
        return _load_record(args.record)
    return sample_action()


def _format_arg(value: str) -> Format:
    """argparse ``type=`` for ``--format``."""
    try:
        return Format.parse(value)
    except PostbackError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _format_for(path: str, explicit: Format | None) -> Format:
    if explicit is not None:
        return explicit
    if path == _STDIN:
        raise CliError("cannot tell the format of a template read from stdin: pass --format")
    suffix = Path(path).suffix.lower()
    fmt = SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        known = ", ".join(SUFFIX_FORMATS)
        raise CliError(
            f"cannot tell the format of {path} from its extension: pass --format "
            f"(json, xml, query, url, header, text) or use one of {known}"
        )
    return fmt


# ---------------------------------------------------------------------------
# Diagnostics
# ---------------------------------------------------------------------------


def _diagnostic_line(file: str, diag: Diagnostic) -> str:
    return (
        f"{file}:{diag.line}:{diag.column}: {diag.severity}[{diag.code}]: {_one_line(diag.message)}"
    )


def _error_diagnostics(err: TemplateError) -> tuple[Diagnostic, ...]:
    if err.diagnostics:
        return err.diagnostics
    line = err.line or 1
    column = err.column or 1
    return (
        Diagnostic(
            "error",
            err.code,
            err.message,
            line,
            column,
            err.end_line or line,
            err.end_column or column + 1,
            getattr(err, "suggestion", None),
        ),
    )


def _template_error_lines(file: str, err: TemplateError) -> list[str]:
    return [_diagnostic_line(file, d) for d in _error_diagnostics(err)]


def _github_data(text: str) -> str:
    """Escape the message of a GitHub workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    """Escape a property value of a GitHub workflow command."""
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_line(file: str, diag: Diagnostic) -> str:
    command = "warning" if diag.severity == "warning" else "error"
    props = ",".join(
        (
            f"file={_github_property(file)}",
            f"line={diag.line}",
            f"col={diag.column}",
            f"endLine={diag.end_line}",
            f"endColumn={diag.end_column}",
            f"title={_github_property('postback ' + diag.code)}",
        )
    )
    return f"::{command} {props}::{_github_data(diag.message)}"


def _diagnostic_json(file: str, diag: Diagnostic) -> dict[str, object]:
    return {
        "file": file,
        "line": diag.line,
        "column": diag.column,
        "end_line": diag.end_line,
        "end_column": diag.end_column,
        "severity": diag.severity,
        "code": diag.code,
        "message": diag.message,
        "suggestion": diag.suggestion,
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------
# Finding templates
# ---------------------------------------------------------------------------


def _is_directory_template(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(RECORD_SUFFIX) or lower.endswith(EXPECTED_SUFFIX):
        return False
    return lower.endswith(DIRECTORY_SUFFIXES)


def _walk_templates(directory: str) -> Iterator[str]:
    """Yield the templates under ``directory``, sorted, skipping hidden entries."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and _is_directory_template(name):
                yield os.path.join(root, name)


# ---------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------


def _cmd_render(args: argparse.Namespace) -> int:
    if args.template == _STDIN and args.record == _STDIN:
        raise CliError("the template and the record cannot both be read from stdin (-)")
    fmt = _format_for(args.template, args.format)
    name = _display(args.template)
    source = _read_template(args.template, fmt)
    action = _action_from(args)
    try:
        template = compile(source, format=fmt, timezone=args.timezone, name=name)
    except TemplateError as err:
        _write(sys.stderr, "".join(line + "\n" for line in _template_error_lines(name, err)))
        return EXIT_FAILED
    _out(template.render_bytes(action))
    return EXIT_OK


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------


def _collect_check_files(paths: Sequence[str]) -> list[str]:
    files: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path != _STDIN and os.path.isdir(path):
            found = list(_walk_templates(path))
            if not found:
                _warning(
                    f"no templates in {path} (looked for {', '.join(DIRECTORY_SUFFIXES)} files)"
                )
        else:
            found = [path]
        for file in found:
            if file not in seen:
                seen.add(file)
                files.append(file)
    if files.count(_STDIN) > 1:  # pragma: no cover - deduplicated above
        raise CliError("stdin (-) can be named only once")
    return files


def _cmd_check(args: argparse.Namespace) -> int:
    files = _collect_check_files(args.paths)
    output: str = args.output_format
    progress = _Progress(len(files), "checking")
    records: list[dict[str, object]] = []
    errors = warnings = unreadable = files_with_errors = 0

    for index, file in enumerate(files, 1):
        progress.update(index, file)
        name = _display(file)
        try:
            fmt = _format_for(file, args.format)
            source = _read_template(file, fmt)
            diagnostics = check(source, format=fmt, name=name)
        except CliError as exc:
            progress.clear()
            _error(exc.message)
            unreadable += 1
            continue
        except PostbackError as exc:
            progress.clear()
            _error(f"{name}: {exc}")
            unreadable += 1
            continue
        if not diagnostics:
            continue
        if any(d.severity == "error" for d in diagnostics):
            files_with_errors += 1
        for diag in diagnostics:
            if diag.severity == "error":
                errors += 1
            else:
                warnings += 1
        shown = Path(name).as_posix() if output == "github" and file != _STDIN else name
        if output == "json":
            records.extend(_diagnostic_json(name, d) for d in diagnostics)
            continue
        if output == "github":
            lines = [_github_line(shown, d) for d in diagnostics]
        else:
            lines = [_diagnostic_line(name, d) for d in diagnostics]
        progress.clear()
        _out("".join(line + "\n" for line in lines))
    progress.clear()

    if output == "json":
        _out(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    elif output == "text":
        checked = len(files) - unreadable
        found: list[str] = []
        if errors:
            found.append(f"{_plural(errors, 'error')} in {_plural(files_with_errors, 'file')}")
        if warnings:
            found.append(_plural(warnings, "warning"))
        summary = ", ".join(found) or "no problems found"
        tail = f"; {unreadable} unreadable" if unreadable else ""
        _out(f"checked {_plural(checked, 'file')}: {summary}{tail}\n")

    if unreadable:
        return EXIT_USAGE
    return EXIT_FAILED if errors else EXIT_OK


# ---------------------------------------------------------------------------
# prepare
# ---------------------------------------------------------------------------


class _Request(Protocol):
    """What ``prepare`` prints of a ``postback.PreparedRequest``."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> Sequence[tuple[str, str]]: ...
    @property
    def body(self) -> bytes | None: ...
    @property
    def content_type(self) -> str | None: ...


def _http_text(req: _Request) -> bytes:
    """The request as HTTP/1.1 text: request line, headers, blank line (CRLF), body."""
    parts = urlsplit(req.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers: list[tuple[str, str]] = [(str(n), str(v)) for n, v in req.headers]
    host = parts.netloc.rpartition("@")[2]
    for name, value in headers:
        if name.lower() == "host":
            host = value
            break
    lines = [f"{req.method} {target} HTTP/1.1", f"Host: {host}"]
    lines.extend(
        f"{name}: {value}"
        for name, value in headers
        if name.lower() not in ("host", "content-length")
    )
    body = req.body
    if body is not None:
        if req.content_type and not any(n.lower() == "content-type" for n, _ in headers):
            lines.append(f"Content-Type: {req.content_type}")
        lines.append(f"Content-Length: {len(body)}")
    head = "".join(line + "\r\n" for line in lines) + "\r\n"
    return head.encode("utf-8") + (body or b"")


def _notification_label(file: str, err: TemplateError) -> str:
    """Where a notification's template error is: ``file[url]``, ``file[headers.X]``,
    ``file[body]``, or the body file itself."""
    if err.name in ("url", "body") or err.name.startswith("headers."):
        return f"{file}[{err.name}]"
    if err.name in ("", "<template>"):
        return file
    return err.name


def _cmd_prepare(args: argparse.Namespace) -> int:
    import tomllib

    from ._notification import Notification

    path: str = args.notification
    if path == _STDIN and args.record == _STDIN:
        raise CliError("the notification and the record cannot both be read from stdin (-)")
    name = _display(path)
    try:
        if path == _STDIN:
            text = _read_text(path, "notification")
            try:
                table = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise CliError(f"{name}: invalid TOML: {exc}") from None
            try:
                notification = Notification.from_dict(table)
            except PostbackError as exc:
                if isinstance(exc, TemplateError):
                    raise
                raise CliError(f"{name}: {exc}") from None
        else:
            # from_file reports an unreadable file, invalid TOML and invalid settings as
            # ConfigError with the path in the message.
            notification = Notification.from_file(path)
    except TemplateError as err:
        label = _notification_label(name, err)
        _write(sys.stderr, "".join(line + "\n" for line in _template_error_lines(label, err)))
        return EXIT_FAILED
    action = _action_from(args)
    request = notification.prepare(action)
    _out(_http_text(request))
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
        _out(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
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
    _out("".join(line.rstrip() + "\n" for line in out))
    return EXIT_OK


# ---------------------------------------------------------------------------
# test
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    template: str
    expected: str
    record: str | None


def _case_for(template: str) -> _Case:
    base = os.path.splitext(template)[0]
    record = base + RECORD_SUFFIX
    return _Case(template, base + EXPECTED_SUFFIX, record if os.path.isfile(record) else None)


def _collect_cases(paths: Sequence[str]) -> list[_Case]:
    cases: list[_Case] = []
    seen: set[str] = set()
    for path in paths:
        if path == _STDIN:
            raise CliError("test reads golden cases from a directory, not from stdin (-)")
        if os.path.isdir(path):
            found = list(_walk_templates(path))
        elif os.path.isfile(path):
            if not _is_directory_template(os.path.basename(path)):
                raise CliError(
                    f"{path} is not a test case: name a directory, or a template ending in "
                    + ", ".join(DIRECTORY_SUFFIXES)
                )
            found = [path]
        else:
            raise CliError(f"cannot read test directory {path}: No such file or directory")
        for template in found:
            if template not in seen:
                seen.add(template)
                cases.append(_case_for(template))
    return cases


def _split_lines(text: str) -> list[str]:
    """Split on LF only (keeping it), so CR and other separators stay visible in diffs."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _diff(expected: bytes, rendered: bytes, expected_name: str, rendered_name: str) -> str:
    out: list[str] = []
    for line in difflib.unified_diff(
        _split_lines(expected.decode("utf-8", "replace")),
        _split_lines(rendered.decode("utf-8", "replace")),
        fromfile=expected_name,
        tofile=rendered_name,
    ):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    if expected.replace(b"\r\n", b"\n") == rendered.replace(b"\r\n", b"\n"):
        out.append("(the files differ only in line endings, CRLF against LF)\n")
    elif not out or all(len(line) < 4 for line in out):  # pragma: no cover - defensive
        out.append("(the difference is in bytes that are not valid UTF-8)\n")
    return "".join(out)


@dataclass
class _Outcome:
    ok: bool
    report: str = ""  # printed on stdout
    input_error: str | None = None  # printed as one stderr line
    rendered: bytes | None = None


def _render_case(case: _Case) -> _Outcome:
    try:
        fmt = _format_for(case.template, None)
        source = _read_template(case.template, fmt)
        action = _load_record(case.record) if case.record else sample_action()
    except CliError as exc:
        return _Outcome(False, f"FAIL {case.template}: unreadable input\n", exc.message)
    try:
        template = compile(source, format=fmt, name=case.template)
    except TemplateError as err:
        lines = _template_error_lines(case.template, err)
        return _Outcome(False, f"FAIL {case.template}\n" + "".join(f"{ln}\n" for ln in lines))
    try:
        rendered = template.render_bytes(action)
    except PostbackError as exc:
        return _Outcome(False, f"FAIL {case.template}: cannot render\n", f"{case.template}: {exc}")
    return _Outcome(True, rendered=rendered)


def _run_case(case: _Case, update: bool) -> tuple[_Outcome, bool]:
    """Run one case; return its outcome and whether an expected file was (re)written."""
    outcome = _render_case(case)
    if outcome.rendered is None:
        return outcome, False
    rendered = outcome.rendered
    expected: bytes | None
    try:
        expected = Path(case.expected).read_bytes()
    except FileNotFoundError:
        expected = None
    except OSError as exc:
        if not update:
            message = f"cannot read {case.expected}: {exc.strerror or exc}"
            return _Outcome(False, f"FAIL {case.template}: unreadable input\n", message), False
        expected = None
    if update:
        if expected == rendered:
            return _Outcome(True), False
        try:
            Path(case.expected).write_bytes(rendered)
        except OSError as exc:
            message = f"cannot write {case.expected}: {exc.strerror or exc}"
            return _Outcome(False, f"FAIL {case.template}: cannot update\n", message), False
        return _Outcome(True, f"updated {case.expected}\n"), True
    if expected is None:
        return (
            _Outcome(
                False,
                f"FAIL {case.template}: no expected output {case.expected}; "
                f"run `postback test --update {case.template}` to create it\n",
            ),
            False,
        )
    if expected == rendered:
        return _Outcome(True), False
    diff = _diff(expected, rendered, case.expected, f"{case.template} (rendered)")
    return _Outcome(False, f"FAIL {case.template}\n{diff}"), False


def _cmd_test(args: argparse.Namespace) -> int:
    cases = _collect_cases(args.paths)
    update: bool = args.update
    progress = _Progress(len(cases), "testing")
    passed = failed = changed = 0
    input_errors = False
    for index, case in enumerate(cases, 1):
        progress.update(index, case.template)
        outcome, wrote = _run_case(case, update)
        changed += wrote
        if outcome.ok:
            passed += 1
        else:
            failed += 1
        if outcome.report or outcome.input_error:
            progress.clear()
        if outcome.input_error:
            input_errors = True
            _error(outcome.input_error)
        if outcome.report:
            _out(outcome.report)
    progress.clear()

    if update:
        tail = f" ({_plural(failed, 'case')} could not be rendered)" if failed else ""
        _out(f"updated {changed} of {_plural(len(cases), 'expected file')}{tail}\n")
    else:
        _out(f"{passed} passed, {failed} failed\n")
    if input_errors:
        return EXIT_USAGE
    if failed:
        return EXIT_FAILED
    if not cases:
        if update:
            _warning("no test cases found")
            return EXIT_OK
        _error(
            "no test cases found (templates ending in "
            + ", ".join(DIRECTORY_SUFFIXES)
            + "); an empty test run fails"
        )
        return EXIT_FAILED
    return EXIT_OK


# ---------------------------------------------------------------------------
# Argument parsing
# ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, ``postback: error: ...``."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{_one_line(message)} (see {self.prog} --help)")


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
        type=_format_arg,
        metavar="F",
        help=f"the template's format ({formats}); default from the extension: {extensions}",
    )
    p.add_argument(
        "--timezone",
        metavar="TZ",
        help="IANA time zone dates are converted to (default UTC)",
    )
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
        nargs="+",
        help="template files or directories, or - for stdin (needs --format)",
    )
    p.add_argument(
        "--format",
        type=_format_arg,
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
    p.set_defaults(handler=_cmd_check)

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
        description="Golden tests: every CASE.json/.xml/.qs/.query/.url template under DIR, "
        f"rendered for CASE{RECORD_SUFFIX} beside it (or the built-in sample), must equal "
        f"CASE{EXPECTED_SUFFIX} byte for byte.",
        epilog=_EPILOG,
        allow_abbrev=False,
    )
    p.add_argument("paths", metavar="DIR", nargs="+", help="directories (or single templates)")
    p.add_argument(
        "--update", action="store_true", help="write the expected files from the renderings"
    )
    p.set_defaults(handler=_cmd_test)
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
        _error(exc.message)
    except TemplateError as exc:  # pragma: no cover - the commands report these themselves
        _write(sys.stderr, "".join(f"{ln}\n" for ln in _template_error_lines(exc.name, exc)))
        return EXIT_FAILED
    except PostbackError as exc:
        _error(str(exc))
    except BrokenPipeError:
        # The reader went away (``postback fields | head``): stop quietly.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
    except KeyboardInterrupt:
        _err_line("postback: interrupted")
        return 130
    except Exception as exc:
        if os.environ.get("POSTBACK_DEBUG"):
            raise
        _error(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set POSTBACK_DEBUG=1 to see the traceback, and please report it)"
        )
    return EXIT_USAGE
