"""What every ``postback`` command shares: exit codes, output, flags, diagnostics.

Usage errors are ``CliError``, and unreadable input the ``UnreadableFileError`` of the
files layer (``_files``, which reads every file the commands read): one line on
standard error, ``postback: error: ...``, and exit status 2.

File names, messages and other text that users wrote reach the output through
``printable`` (``_files.shown``), so no file name or template can write a line of its
own (a forged ``::error ...::`` workflow command in a CI log, a terminal escape
sequence).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, NamedTuple

from .._errors import PostbackError, TemplateError
from .._files.cases import EXPECTED_SUFFIX, RECORD_SUFFIX
from .._files.shown import one_line, printable, printable_lines
from .._files.text import STDIN, STDIN_NAME, display
from .._formats import Format, format_for, format_names, suffixes

if TYPE_CHECKING:
    from .._diagnostic import Diagnostic
    from .._files.project import Project
    from .._options import UnknownKeys
    from .._records.action import Action

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
    "FileDiagnostic",
    "Progress",
    "action_from",
    "diagnostic_line",
    "display",
    "emit",
    "err_line",
    "error",
    "format_arg",
    "one_line",
    "plural",
    "printable",
    "printable_lines",
    "project_from",
    "template_error_lines",
    "template_format",
    "terminal_columns",
    "warning",
    "write",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: ``check`` and ``test`` show a progress line on a terminal above this many files.
PROGRESS_THRESHOLD = 20


class FileDiagnostic(NamedTuple):
    """A diagnostic and the file (as messages name it) its position is in."""

    file: str
    diagnostic: Diagnostic


class CliError(Exception):
    """A usage error or unreadable input: one line on stderr, exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size()`` reads it (``COLUMNS``, else
    standard output's terminal, else 80), without loading ``shutil`` and the compression
    modules it imports: every command's parser asks, on every run."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


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
        columns = terminal_columns() - 1
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


def action_from(
    args: argparse.Namespace,
    extra: Iterable[str] = (),
    unknown_keys: UnknownKeys = "error",
    day_first: bool | None = None,
) -> Action:
    """Return the action of ``--record FILE`` or ``--sample``."""
    # The records load with the commands that render one: ``check`` reads none.
    from .._files.inputs import load_record
    from .._records.action import sample_action

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
    # The settings load with the commands that read them: ``--help`` and ``fields`` do not.
    from .._files.project import Project
    from .._options import CompileOptions

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
    # Loaded with the first defect reported (docs/performance.md, "Cold start").
    from .._diagnostic import Diagnostic

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
