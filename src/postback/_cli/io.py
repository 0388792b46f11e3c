"""What every ``postback`` command shares: exit codes, output, reading input, diagnostics.

Usage errors and unreadable input are ``CliError``: one line on standard error,
``postback: error: ...``, and exit status 2.

File names, messages and other text that users wrote reach the output through
``printable``, so no file name or template can write a line of its own (a forged
``::error ...::`` workflow command in a CI log, a terminal escape sequence).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Final

from .._errors import Diagnostic, PostbackError, RecordError, TemplateError
from .._files.confined import Refused, read_inside
from .._files.project import SETTINGS_NAMES, Project, directory_suffixes
from .._formats import Format, format_for, format_names, suffixes
from .._messages import not_utf8
from .._options import CompileOptions, UnknownKeys
from .._records.action import Action, sample_action

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "EXPECTED_SUFFIX",
    "PROGRESS_THRESHOLD",
    "RECORD_SUFFIX",
    "STDIN",
    "STDIN_NAME",
    "CliError",
    "Progress",
    "UnreadableError",
    "action_from",
    "diagnostic_line",
    "display",
    "emit",
    "err_line",
    "error",
    "format_arg",
    "is_directory_template",
    "load_record",
    "one_line",
    "plural",
    "printable",
    "printable_lines",
    "project_from",
    "read_template",
    "read_text",
    "template_error_lines",
    "template_format",
    "walk_templates",
    "warning",
    "write",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

RECORD_SUFFIX = ".record.json"
EXPECTED_SUFFIX = ".expected"

#: ``check`` and ``test`` show a progress line on a terminal above this many files.
PROGRESS_THRESHOLD = 20

#: The file argument that means standard input, and how messages name it.
STDIN = "-"
STDIN_NAME = "<stdin>"


class CliError(Exception):
    """A usage error or unreadable input: one line on stderr, exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableError(CliError):
    """A file that cannot be read as UTF-8 text; ``line`` and ``column`` say where it fails."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def one_line(text: str) -> str:
    """Collapse line breaks so a message fits on one line."""
    return " ".join(part.strip() for part in text.replace("\r\n", "\n").splitlines() if part)


# Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and
# the legacy "##[command]" marker GitHub's runner finds anywhere in a line.
_UNPRINTABLE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]|##\\[")
_UNPRINTABLE_KEEP_TABS: Final = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]|##\\[")
_SHORT_ESCAPES: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "##[": "##\\x5b"}
# GitHub's runner reads a line as a workflow command when it starts with "::" after
# any leading white space.
_COMMAND_START: Final = re.compile(r"\s*:(?=:)")


def _escape(match: re.Match[str]) -> str:
    found = match.group()
    short = _SHORT_ESCAPES.get(found)
    if short is not None:
        return short
    code = ord(found)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, keep_tabs: bool = False) -> str:
    """Return ``text`` as one line that cannot pass for another line or a command.

    Line breaks and other control characters (C0, DEL, C1) and U+2028/U+2029 are
    written as escapes (``\\n``, ``\\r``, ``\\t``, ``\\x1b``, ``\\u2028``);
    ``##[`` is written ``##\\x5b``, and a leading ``::`` as ``\\x3a:``, so that
    no text reads as a GitHub workflow command.  Backslashes are kept (Windows
    paths).  With ``keep_tabs``, tabs stay (the lines of a diff).
    """
    pattern = _UNPRINTABLE_KEEP_TABS if keep_tabs else _UNPRINTABLE
    if pattern.search(text) is not None:
        text = pattern.sub(_escape, text)
    start = _COMMAND_START.match(text)
    if start is not None:
        text = text[: start.end() - 1] + "\\x3a" + text[start.end() :]
    return text


def printable_lines(text: str) -> str:
    """Return ``text`` with each of its lines ``printable`` (tabs kept); a CR before a
    line's end is its CRLF line ending and stays."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        ending = "\r" if line.endswith("\r") else ""
        lines[index] = printable(line[: len(line) - len(ending)], keep_tabs=True) + ending
    return "\n".join(lines)


def write(stream: IO[str], data: bytes | str) -> None:
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


def emit(text: str | bytes) -> None:
    """Write ``text`` to standard output, exactly."""
    write(sys.stdout, text)


def err_line(text: str) -> None:
    """Write ``text`` to standard error as one line, its control characters escaped."""
    write(sys.stderr, printable(one_line(text)) + "\n")


def error(message: str) -> None:
    """Print the one-line ``postback: error: ...`` report."""
    err_line(f"postback: error: {message}")


def warning(message: str) -> None:
    """Print the one-line ``postback: warning: ...`` report."""
    err_line(f"postback: warning: {message}")


class Progress:
    """A ``\\r``-overwritten progress line on stderr, shown only on a terminal.

    It is shown for more than ``threshold`` units of work (files, by default above
    ``PROGRESS_THRESHOLD``; pass ``threshold=-1`` to show it whatever the total).
    """

    def __init__(self, total: int, verb: str, threshold: int = PROGRESS_THRESHOLD) -> None:
        self.total = total
        self.verb = verb
        self.width = 0
        try:
            is_tty = sys.stderr.isatty()
        except (AttributeError, ValueError):
            is_tty = False
        self.active = total > threshold and is_tty

    def update(self, index: int, name: str) -> None:
        """Show that file ``index`` of the total, ``name``, is being worked on."""
        if self.active:
            self.show(f"{self.verb} {index}/{self.total} {printable(name)}")

    def show(self, text: str) -> None:
        """Replace the line with ``text``, cut to the terminal's width."""
        if not self.active:
            return
        columns = shutil.get_terminal_size((80, 24)).columns - 1
        if len(text) > columns:
            text = text[: max(columns - 3, 0)] + "..."
        pad = max(self.width - len(text), 0)
        self.width = len(text)
        write(sys.stderr, "\r" + text + " " * pad)

    def clear(self) -> None:
        """Erase the line (before other output, and at the end)."""
        if self.active and self.width:
            write(sys.stderr, "\r" + " " * self.width + "\r")
            self.width = 0


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------


def display(path: str) -> str:
    """Return how messages name the file argument ``path`` (``<stdin>`` for ``-``)."""
    return STDIN_NAME if path == STDIN else path


def _read_bytes(path: str, what: str, confined: bool) -> bytes:
    if path == STDIN:
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
            raise UnreadableError(
                f"cannot read the {what} from stdin: {exc.strerror or exc}"
            ) from None
    try:
        return read_inside(path) if confined else Path(path).read_bytes()
    except Refused as exc:
        raise UnreadableError(f"cannot read {what} {path}: it {exc.reason}") from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise UnreadableError(f"cannot read {what} {path}: {reason}") from None


def _decode(data: bytes, path: str, what: str) -> str:
    try:
        # utf-8-sig: a byte order mark written by some editors is not part of the text.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Where the first bad byte is, as an editor would show it.
        before = data[: exc.start].decode("utf-8-sig", "replace").split("\n")
        subject = "the input" if path == STDIN else "the file"
        raise UnreadableError(
            f"cannot read {what} {display(path)}: {not_utf8(data, exc.start, subject)}",
            len(before),
            len(before[-1]) + 1,
        ) from None


def read_text(path: str, what: str, *, confined: bool = False) -> str:
    """Read the UTF-8 text of ``path`` (or standard input); ``what`` names it in errors.

    With ``confined`` (the files of a golden case) the file must be a regular file
    whose real path is inside its own folder: no symbolic link out of it is followed.
    """
    return _decode(_read_bytes(path, what, confined), path, what)


def read_template(path: str, *, confined: bool = False) -> str:
    """Read a template file as it is: its final newline is for the compiler to judge.

    ``postback.compile`` reads a final line ending as ``template_text`` says, for
    a file on the command line as for text a program read itself.  With ``confined``
    (the files of a golden case, or found by walking a directory) the file must be a
    regular file whose real path is inside its own folder.
    """
    return read_text(path, "template", confined=confined)


def load_record(
    path: str,
    extra: Iterable[str] = (),
    unknown_keys: UnknownKeys = "error",
    day_first: bool | None = None,
    *,
    confined: bool = False,
) -> Action:
    """Read a JSON record (``Action.from_json``) from a file or stdin.

    ``extra`` names the extra fields the record may hold (those of the template),
    ``unknown_keys`` what becomes of its other keys and ``day_first`` how its dates
    read a numeric day and month; ``confined`` is ``read_text``'s.
    """
    name = display(path)
    text = read_text(path, "record", confined=confined)
    try:
        return Action.from_json(text, extra=extra, unknown_keys=unknown_keys, day_first=day_first)
    except RecordError as exc:
        if exc.line is not None:
            raise CliError(f"{name}:{exc.line}:{exc.column}: {exc.message}") from None
        if exc.field is None:  # the JSON as a whole: not an object, nested too deeply
            raise CliError(f"{name}: {exc.message}") from None
        raise CliError(f"{name}: invalid record: {exc}") from None


def action_from(
    args: argparse.Namespace,
    extra: Iterable[str] = (),
    unknown_keys: UnknownKeys = "error",
    day_first: bool | None = None,
) -> Action:
    """Return the action of ``--record FILE`` or ``--sample``."""
    if args.record is not None:
        return load_record(args.record, extra, unknown_keys, day_first)
    return sample_action()


#: The flags that override a compile option of the project settings.
OPTION_FLAGS = {
    "extra_fields": "--extra-field",
    "missing": "--missing",
    "timezone": "--timezone",
    "date_format": "--date-format",
    "unknown_keys": "--unknown-keys",
    "day_first": "--day-first",
}


def project_from(args: argparse.Namespace, *, validate: bool = True) -> Project:
    """Return the project settings the flags of ``args`` select and override.

    With ``validate`` the flags' values are checked here, once, so that a bad value
    is one usage error before any file is read.
    """
    overrides = {
        key: getattr(args, key) for key in OPTION_FLAGS if getattr(args, key, None) is not None
    }
    if validate:
        CompileOptions(**overrides)
    flags = dict(OPTION_FLAGS)
    if overrides.get("day_first") is False:
        flags["day_first"] = "--month-first"
    return Project(
        config=getattr(args, "config", None),
        use_config=not getattr(args, "no_config", False),
        overrides=overrides,
        flags=flags,
    )


def format_arg(value: str) -> Format:
    """argparse ``type=`` for ``--format``."""
    try:
        return Format.parse(value)
    except PostbackError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def template_format(project: Project, path: str, explicit: Format | None) -> Format:
    """Return the format of the template ``path``: ``explicit``, else the first matching
    pattern of the settings, else its extension's."""
    fmt = project.chosen_format(path, explicit)[0] or format_for(path)
    if fmt is not None:
        return fmt
    if path == STDIN:
        raise CliError("cannot tell the format of a template read from stdin: pass --format")
    raise CliError(
        f"cannot tell the format of {path} from its extension: pass --format "
        f"({', '.join(format_names())}) or use one of {', '.join(suffixes())}"
    )


# ---------------------------------------------------------------------------
# Diagnostics
# ---------------------------------------------------------------------------


def diagnostic_line(file: str, diag: Diagnostic) -> str:
    """Return ``file:line:column: severity[code]: message`` for a diagnostic, as one line."""
    message = printable(one_line(diag.message))
    return f"{printable(file)}:{diag.line}:{diag.column}: {diag.severity}[{diag.code}]: {message}"


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


def template_error_lines(file: str, err: TemplateError) -> list[str]:
    """Return the diagnostic lines of a template error, one per defect."""
    return [diagnostic_line(file, d) for d in _error_diagnostics(err)]


def plural(count: int, word: str) -> str:
    """Return ``count word`` with ``word`` in the plural unless ``count`` is 1."""
    return f"{count} {word}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------------
# Finding templates
# ---------------------------------------------------------------------------


def is_directory_template(name: str) -> bool:
    """Tell whether a file ``name`` found in a directory is a template to use.

    Records, expected outputs and the settings files (``pyproject.toml``,
    ``postback.toml``) are not; notification files (``.toml``) are.
    """
    lower = name.lower()
    if lower.endswith(RECORD_SUFFIX) or lower.endswith(EXPECTED_SUFFIX):
        return False
    return lower.endswith(directory_suffixes()) and lower not in SETTINGS_NAMES


def walk_templates(directory: str, project: Project | None = None) -> Iterator[str]:
    """Yield the templates under ``directory``, sorted, skipping hidden entries.

    With ``project``, files its settings give a format by pattern are templates too.
    """
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(root, name)
            if is_directory_template(name) or (
                project is not None
                and not name.lower().endswith((RECORD_SUFFIX, EXPECTED_SUFFIX))
                and project.chosen_format(path, None)[0] is not None
            ):
                yield path
