"""Notification files on the command line: every template checked where it is written.

A notification file (``.toml``) holds templates in TOML strings: the url, each header
value, and the body (or a ``body_file``).  ``check_notification`` checks each of them
with the notification's own settings and reports every defect at its line and column
in the TOML file, or in the body file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from .._diagnostic import Diagnostic
from .._errors import ConfigError
from .._files.cases import notification_folder
from .._files.text import display, read_input
from .._files.toml import TomlError, load_toml
from .._files.tomlspans import KeyPath, Located, locate
from .._formats import Format
from .._messages import spelled
from .._options import OPTION_NAMES, CompileOptions
from .._problems import Code, LineIndex
from .._sending.config import check_keys
from .._sending.notification import Notification
from .._sending.secrets import is_secret_header, mask_diagnostic
from .._sending.settings import Settings
from .._template import check_with
from .io import FileDiagnostic

__all__ = ["check_notification"]


def _at(
    lines: LineIndex, start: int, end: int, code: Code, message: str, suggestion: str | None = None
) -> Diagnostic:
    line, column = lines.position(start)
    end_line, end_column = lines.position(max(end, start + 1))
    return Diagnostic("error", code.value, message, line, column, end_line, end_column, suggestion)


def _toml_error(exc: TomlError) -> Diagnostic:
    return Diagnostic(
        "error",
        Code.INVALID_NOTIFICATION.value,
        exc.message,
        exc.line,
        exc.column,
        exc.line,
        exc.column + 1,
    )


def _setting_path(setting: str | None) -> KeyPath:
    if not setting:
        return ()
    head, _, rest = setting.partition(".")
    return (head, rest) if head == "headers" and rest else (head,)


def _settings_error(text: str, spans: dict[KeyPath, Located], exc: ConfigError) -> Diagnostic:
    lines = LineIndex(text)
    path = _setting_path(exc.setting)
    where = spans.get(path) or spans.get(path[:1])
    if where is None:
        return Diagnostic("error", Code.INVALID_NOTIFICATION.value, exc.message, 1, 1, 1, 1)
    end = where.key + len(path[-1]) if path else where.key + 1
    return _at(lines, where.key, end, Code.INVALID_NOTIFICATION, exc.message)


def _settings(table: dict[str, Any], path: str, root: Path | None) -> Settings:
    """Validate the notification's settings the way ``Notification.from_dict`` does."""
    values, body_name = check_keys(table, notification_folder(path), root)
    options = CompileOptions(**{name: values.pop(name) for name in OPTION_NAMES if name in values})
    return Settings(**values, options=options, body_name=body_name)


def _templates(settings: Settings) -> Iterator[tuple[KeyPath | None, str, Format]]:
    """Yield each template: its key path (None for a body file), source and format."""
    yield ("url",), settings.url, Format.URL
    for name, value in settings.headers:
        yield ("headers", name), value, Format.HEADER
    if settings.body is not None and settings.body_format is not None:
        key: KeyPath | None = ("body",) if settings.body_name == "body" else None
        yield key, settings.body, settings.body_format


class _Source(NamedTuple):
    """A template of a notification file and where it stands in the file, read once."""

    text: str
    where: Located | None
    starts: list[int]  # where each line of ``text`` starts
    exact: bool  # ``where`` maps each character of ``text`` to the file


def _source(text: str, where: Located | None) -> _Source:
    exact = where is not None and len(where.chars) == len(text) + 1 and where.value == text
    starts = [0] + [m.end() for m in re.finditer("\n", text)] if exact else []
    return _Source(text, where, starts, exact)


def _moved(diag: Diagnostic, template: _Source, lines: LineIndex) -> Diagnostic:
    """Return ``diag`` (positions in ``template``) with positions in the TOML file."""
    source, where, starts = template.text, template.where, template.starts
    if where is None or not template.exact:
        # Not found as written: point at the key, which is still the right line.
        line, column = lines.position(where.key) if where is not None else (1, 1)
        return replace(diag, line=line, column=column, end_line=line, end_column=column + 1)

    def offset(line: int, column: int) -> int:
        index = starts[min(line, len(starts)) - 1] + column - 1
        return where.chars[max(0, min(index, len(source)))]

    line, column = lines.position(offset(diag.line, diag.column))
    end_line, end_column = lines.position(offset(diag.end_line, diag.end_column))
    return replace(diag, line=line, column=column, end_line=end_line, end_column=end_column)


def check_notification(
    path: str, root: Path | None = None, *, confined: bool = False, reading: bool = False
) -> list[FileDiagnostic]:
    """Check every template of the notification file ``path``; return every defect.

    Its ``body_file`` must be inside ``root`` (None: the notification's folder).
    Raises ``UnreadableFileError`` when the file cannot be read as UTF-8 (with
    ``confined``, as a golden case reads it: see ``_files.text.read_bytes``).
    ``reading``: also where a body could be read back two ways (``check --reading``).
    """
    name = display(path)
    text = read_input(path, "notification", confined=confined)
    try:
        table = load_toml(text)
    except TomlError as exc:
        return [FileDiagnostic(name, _toml_error(exc))]
    spans = locate(text)
    try:
        settings = _settings(table, path, root)
    except ConfigError as exc:
        return [FileDiagnostic(name, _settings_error(text, spans, exc))]
    lines = LineIndex(text)
    found: list[FileDiagnostic] = []
    for key, source, fmt in _templates(settings):
        secret = key is not None and key[0] == "headers" and is_secret_header(key[-1])
        with spelled("notification"):  # hints name the file's keys (body_format = "...")
            options = settings.options.replace(name=name)
            checked = check_with(source, fmt, options, reading=reading)
        template = _source(source, spans.get(key)) if key is not None and checked else None
        for diag in checked:
            if secret:
                # A warning may quote the literal text: the credential.
                diag = mask_diagnostic(diag, source)
            if template is None:
                found.append(FileDiagnostic(settings.body_name, diag))
            else:
                found.append(FileDiagnostic(name, _moved(diag, template, lines)))
    if not any(f.diagnostic.severity == "error" for f in found):
        # What loading refuses beyond the settings and each template on its own: a
        # header whose value must be literal text, or that a notification cannot set.
        try:
            Notification._from_settings(settings)
        except ConfigError as exc:
            found.append(FileDiagnostic(name, _settings_error(text, spans, exc)))
    found.sort(key=lambda f: (f.file != name, f.diagnostic.line, f.diagnostic.column))
    return found
