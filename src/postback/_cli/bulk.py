"""``render --records``, ``prepare --records`` and ``parse --records``: a JSON Lines file in,
a result per line out.

Each line of the records file is one record, and gives exactly one JSON object, in
input order, as soon as it is made: ``{"line": N, "body": ...}`` (render) or the
prepared request (prepare), ``{"line": N, "error": {...}}`` for a record that failed,
or ``{"line": N, "skipped": "blank line"}`` for a blank line (``parse``: the record read
from a body, ``_cli/parse.py``).  They go to standard
output, except that with ``--output-format raw`` standard output holds the bodies
alone and the other lines go to standard error.  The run goes on after a failure
(``--fail-fast`` stops it) and exits 1 if any record failed; blank lines change
nothing to the exit status.  Output is flushed at least a few times a second and
nothing is held in memory between records.  docs/cli.md.
"""

from __future__ import annotations

import argparse
import io
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, Final, Protocol

from .._bulk import Prepared, Reading, Rendered, Skipped, prepare_lines, render_lines
from .._compiler.pipeline import body_renderer
from .._files.text import UnreadableFileError
from .._formats import format_spec
from .._messages import byte_order_mark, not_utf8
from .._sending.notification import Notification
from .._template import Template
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    STDIN,
    STDIN_NAME,
    CliError,
    Progress,
    err_line,
    write,
)

__all__ = [
    "Outcome",
    "check_bulk_flags",
    "drive_records",
    "prepare_records",
    "render_records",
]

# How often the progress line is redrawn and standard output flushed, in seconds.
_TICK: Final = 0.25
_BOM: Final = b"\xef\xbb\xbf"


class Outcome(Protocol):
    """The result of one line: ``error`` None when it succeeded; one line of JSON."""

    @property
    def error(self) -> object: ...

    def to_json(self) -> str: ...


def check_bulk_flags(args: argparse.Namespace, main_input: str) -> None:
    """Refuse the options of ``--records`` without it, and two inputs on stdin."""
    if args.records is None:
        given = [
            flag
            for flag, value in (
                ("--output-format", getattr(args, "output_format", None)),
                ("--now", getattr(args, "now", None)),
                ("--fail-fast", args.fail_fast),
                ("--quiet", args.quiet),
            )
            if value
        ]
        if given:
            raise CliError(f"{given[0]} needs --records")
    elif args.records == STDIN and main_input == STDIN:
        what = "notification" if args.command == "prepare" else "template"
        raise CliError(f"the {what} and the records cannot both be read from stdin (-)")


class _Source:
    """The lines of the records file, and how far into it the reading is."""

    def __init__(self, path: str) -> None:
        self.name = STDIN_NAME if path == STDIN else path
        self.size: int | None = None
        if path == STDIN:
            stream: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
            if stream is None:
                raise CliError("cannot read the records from stdin: there is no stdin")
            self.stream = stream
        else:
            try:
                self.stream = open(path, "rb")  # noqa: SIM115 - closed by close()
            except OSError as exc:
                reason = exc.strerror or exc.__class__.__name__
                raise UnreadableFileError(f"cannot read records {path}: {reason}") from None
        try:
            info = os.fstat(self.stream.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            return
        if stat.S_ISREG(info.st_mode):  # not a pipe or a terminal: its size is known
            self.size = info.st_size

    def lines(self) -> Iterator[bytes]:
        """Yield the lines, the first without a byte order mark.

        A file that starts with a UTF-16 or UTF-32 byte-order mark is refused
        (``UnreadableFileError``) before any line: split at its newline bytes, none of its
        lines would be JSON.
        """
        lines = iter(self.stream)
        first = next(lines, None)
        if first is None:
            return
        if byte_order_mark(first) is not None:
            subject = "the input" if self.name == STDIN_NAME else "the file"
            raise UnreadableFileError(
                f"cannot read records {self.name}: {not_utf8(first, 0, subject)}"
            )
        yield first[3:] if first.startswith(_BOM) else first
        yield from lines

    def done(self) -> str:
        """Return how much of a regular file has been read, ``" (37%)"``, or ``""``."""
        if not self.size:
            return ""
        try:
            return f" ({self.stream.tell() * 100 // self.size}%)"
        except OSError:
            return ""

    def close(self) -> None:
        """Close the file (not standard input)."""
        if self.name != STDIN_NAME:
            self.stream.close()


def _json_line(result: Rendered | Prepared) -> str:
    return result.to_json() + "\n"


def _masked_json_line(result: Prepared) -> str:
    return result.to_json(mask=True) + "\n"


def _drive(
    results: Iterator[Outcome | Skipped],
    source: _Source,
    args: argparse.Namespace,
    verb: str,
    ok_text: Callable[[Any], str] = _json_line,
    raw: bool = False,
    noun: str = "records",
) -> int:
    """Write one line for every result as it comes; show progress; return the exit status.

    ``ok_text`` is what a success writes on standard output; with ``raw`` (raw output
    of render) failures and blank lines go to standard error.  A blank line is not a
    record: it is not counted in the progress line or the summary, and never fails.
    """
    sys.stdout.flush()
    out: IO[bytes] = sys.stdout.buffer
    # Records from a pipe may come slowly, as they are made: each result goes out at
    # once.  From a file, output is flushed with each redraw of the progress line.
    stream = source.size is None
    progress = Progress(0, verb, threshold=1 if args.quiet else -1)
    done = failed = 0
    start = time.monotonic()
    next_tick = start + _TICK
    try:
        for result in results:
            if isinstance(result, Skipped):
                _write_other(out, (result.to_json() + "\n").encode("ascii"), raw, progress)
            elif result.error is None:
                done += 1
                # A lone surrogate cannot be UTF-8; "\\udXXX" is its JSON escape.
                out.write(ok_text(result).encode("utf-8", "backslashreplace"))
            else:
                done += 1
                failed += 1
                line = (result.to_json() + "\n").encode("utf-8", "backslashreplace")
                _write_other(out, line, raw, progress)
                if args.fail_fast:
                    break
            if stream:
                out.flush()
            if (now := time.monotonic()) >= next_tick:
                next_tick = now + _TICK
                out.flush()
                progress.show(
                    f"{verb} {source.name}: {done:,} {noun}{source.done()}, "
                    f"{done / (now - start):,.0f}/s, {failed:,} failed"
                )
    finally:
        progress.clear()
        out.flush()
    if failed and not args.quiet:
        stopped = " (stopped by --fail-fast)" if args.fail_fast else ""
        err_line(f"postback: {failed:,} of {done:,} {noun} failed{stopped}")
    return EXIT_FAILED if failed else EXIT_OK


def _write_other(out: IO[bytes], line: bytes, raw: bool, progress: Progress) -> None:
    """Write a line that is not a body: on standard output, or standard error with ``raw``."""
    if not raw:
        out.write(line)
    else:
        progress.clear()
        out.flush()
        write(sys.stderr, line)


def render_records(args: argparse.Namespace, template: Template) -> int:
    """Render every record of ``--records``; write JSON Lines (or raw bodies)."""
    ok_text: Callable[[Any], str] = _json_line
    raw = args.output_format == "raw"
    if raw:
        end = _raw_line_end(template)
        ok_text = lambda result: result.body + end  # noqa: E731
    reading = Reading(template.extra_fields, template.unknown_keys, template.day_first)
    source = _Source(args.records)
    try:
        results = render_lines(
            body_renderer(template.render, template.format), source.lines(), reading
        )
        return _drive(results, source, args, "rendering", ok_text, raw)
    finally:
        source.close()


def _raw_line_end(template: Template) -> str:
    """Return what ends each raw body: "\\n", or "" when the body ends with it already.

    Refuses (``CliError``) a template whose bodies can hold a line break.
    """
    if format_spec(template.format).one_line_values:
        # No value writes a line break (its escapers encode CR and LF, or refuse
        # them): one can only come from the template's own text, and a final newline
        # ends every body alike.  A one-line format's text holds none.
        text = template.source
        final = text.endswith("\n")
        if not any(c in (text[:-1] if final else text) for c in "\r\n"):
            return "" if final else "\n"
        reason = "with a line break in its text (other than a final newline)"
    else:
        reason = "can write a value's line breaks as they are"
    raise CliError(
        f"--output-format raw needs bodies without line breaks: a {template.format} template "
        f"{reason} can render several lines per record; use --output-format jsonl"
    )


def drive_records(
    args: argparse.Namespace,
    results_of: Callable[[Iterator[bytes]], Iterator[Outcome | Skipped]],
    verb: str,
    noun: str,
) -> int:
    """Write the result of every line of ``--records``, as ``results_of`` makes them from
    the lines; return the exit status.  ``noun`` names the lines (``"bodies"``) in the
    progress line and the summary."""
    source = _Source(args.records)
    try:
        return _drive(results_of(source.lines()), source, args, verb, noun=noun)
    finally:
        source.close()


def prepare_records(args: argparse.Namespace, notification: Notification) -> int:
    """Prepare every record of ``--records``; write one request per line."""
    reading = Reading(notification.extra_fields, notification.unknown_keys, notification.day_first)
    source = _Source(args.records)
    try:
        results = prepare_lines(notification.prepare, source.lines(), reading, args.now)
        if args.mask:
            return _drive(results, source, args, "preparing", _masked_json_line)
        return _drive(results, source, args, "preparing")
    finally:
        source.close()
