"""``postback check``: every diagnostic of every template, as text, JSON or GitHub annotations."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .._compiler.checking import check_with
from .._files.cases import body_root, drop_body_files, is_notification, walk_templates
from .._files.inputs import read_template
from .._files.project import Project, directory_suffixes, shown_path
from .._files.text import UnreadableFileError
from .._formats import Format, format_for
from .._problems import Code
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    STDIN,
    STDIN_NAME,
    CliError,
    FileDiagnostic,
    Progress,
    diagnostic_line,
    display,
    emit,
    plural,
    printable,
    project_from,
    template_format,
    warning,
)

if TYPE_CHECKING:
    from .._diagnostic import Diagnostic

__all__ = ["cmd_check", "show_settings"]


# Two classes, not one: a class mixing Latin-1 ranges with the separators compiles to a
# table of every BMP character, a millisecond at each start of the command.
_CONTROLS: Final = re.compile("[\x00-\x1f\x7f-\x9f]|[\u2028\u2029]")


def _github_data(text: str) -> str:
    """Escape the message of a GitHub workflow command: ``%``, CR and LF as the runner
    reads them, and every other control character (ESC, BEL, ...) written as ``\\x1b``
    (``\\u2028``), so no terminal sequence or line separator reaches the log."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _CONTROLS.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------


def _same_file(path: str) -> str:
    """Return what tells two spellings of one file argument apart from two files."""
    return path if path == STDIN else os.path.normcase(os.path.abspath(path))


def _collect_check_files(paths: Sequence[str], project: Project) -> tuple[list[str], set[str]]:
    """Return each file to check once, in order, however often and however it is named,
    and those of them found by walking a directory.

    A file that is the ``body_file`` of a notification among them, named or found in a
    directory, is left to the notification, which checks it as it is used.
    """
    files: list[str] = []
    seen: set[str] = set()
    walked: set[str] = set()
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            found = list(walk_templates(path, project))
            walked.update(found)
            if not found:
                warning(
                    f"no templates in {path} (looked for {', '.join(directory_suffixes())} files)"
                )
        else:
            found = [path]
        for file in found:
            key = _same_file(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    if files.count(STDIN) > 1:  # pragma: no cover - deduplicated above
        raise CliError("stdin (-) can be named only once")
    return drop_body_files(files, {f for f in files if not is_notification(f)}), walked


def _configured_paths(project: Project) -> list[str]:
    settings = project.settings_for(None)
    paths = [shown_path(p) for p in (*settings.templates, *settings.cases)]
    if not paths:
        raise CliError("the following arguments are required: TEMPLATE (see postback check --help)")
    return list(dict.fromkeys(paths))


def _unusable(name: str, exc: CliError | UnreadableFileError) -> FileDiagnostic:
    """A file that could not be checked, as a diagnostic like any other."""
    # Loaded with the first defect reported (docs/performance.md, "Cold start").
    from .._diagnostic import Diagnostic

    if isinstance(exc, UnreadableFileError):
        code, line, column = Code.UNREADABLE_FILE, exc.line, exc.column
    else:
        code, line, column = Code.UNKNOWN_FORMAT, 1, 1
    return FileDiagnostic(
        name, Diagnostic("error", code.value, exc.message, line, column, line, column + 1)
    )


def _check_file(
    file: str, project: Project, explicit: Format | None, confined: bool, reading: bool = False
) -> list[FileDiagnostic]:
    """Return every diagnostic of one file (a template or a notification).

    A file found by walking a directory (``confined``) is read only if it is a regular
    file inside its folder, symbolic links resolved, as golden cases are.
    """
    name = display(file)
    if is_notification(file):
        # The notification layer loads only when a notification file is checked: a
        # template's check needs none of it.
        from .notify import check_notification

        return check_notification(
            file, body_root(file, project), confined=confined, reading=reading
        )
    fmt = template_format(project, file, explicit)
    source = read_template(file, confined=confined)
    options = project.compile_options(file, name)
    found = check_with(source, fmt, options, reading=reading)
    return [FileDiagnostic(name, d) for d in found]


class _Tally:
    """What the summary line counts."""

    def __init__(self) -> None:
        self.errors = self.warnings = self.unreadable = self.files_with_errors = 0

    def add(self, found: Sequence[FileDiagnostic]) -> None:
        errors = sum(f.diagnostic.severity == "error" for f in found)
        self.errors += errors
        self.warnings += len(found) - errors
        self.files_with_errors += bool(errors)

    def summary(self, files: int) -> str:
        checked = files - self.unreadable
        found: list[str] = []
        if self.errors:
            found.append(
                f"{plural(self.errors, 'error')} in {plural(self.files_with_errors, 'file')}"
            )
        if self.warnings:
            found.append(plural(self.warnings, "warning"))
        text = ", ".join(found) or "no problems found"
        tail = f"; {self.unreadable} unreadable" if self.unreadable else ""
        return f"checked {plural(checked, 'file')}: {text}{tail}\n"


def _lines(output: str, found: Sequence[FileDiagnostic]) -> list[str]:
    if output == "github":
        return [
            _github_line(f.file if f.file == STDIN_NAME else Path(f.file).as_posix(), f.diagnostic)
            for f in found
        ]
    return [diagnostic_line(f.file, f.diagnostic) for f in found]


def cmd_check(args: argparse.Namespace) -> int:
    """Run ``postback check``: print every diagnostic and a summary; return the exit status."""
    project = project_from(args)
    if args.show_settings is not None:
        emit(show_settings(project, args.show_settings, args.format))
        return EXIT_OK
    files, walked = _collect_check_files(args.paths or _configured_paths(project), project)
    output: str = args.output_format
    progress = Progress(len(files), "checking")
    records: list[dict[str, object]] = []
    tally = _Tally()

    for index, file in enumerate(files, 1):
        progress.update(index, file)
        try:
            found = _check_file(file, project, args.format, file in walked, args.reading)
        except (CliError, UnreadableFileError) as exc:
            tally.unreadable += 1
            found = [_unusable(display(file), exc)]
        else:
            tally.add(found)
        if not found:
            continue
        if output == "json":
            records.extend(_diagnostic_json(f.file, f.diagnostic) for f in found)
            continue
        progress.clear()
        emit("".join(line + "\n" for line in _lines(output, found)))
    progress.clear()

    if output == "json":
        # json loads only for this output: a check of a JSON template needs no decoder.
        import json

        # "##[" only occurs inside strings; written "##\u005b" it reads the same, and
        # no line of the output reads as a GitHub workflow command.
        text = json.dumps(records, indent=2, ensure_ascii=False).replace("##[", "##\\u005b")
        emit(text + "\n")
    elif output == "text":
        emit(tally.summary(len(files)))

    if tally.unreadable:
        return EXIT_USAGE
    if tally.errors or (args.strict and tally.warnings):
        return EXIT_FAILED
    return EXIT_OK


# ---------------------------------------------------------------------------
# --show-settings
# ---------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    # Loaded for --show-settings only, as in the JSON output above.
    import json

    if isinstance(value, frozenset | set | tuple):
        value = sorted(value)
    return json.dumps(value, ensure_ascii=False)


def show_settings(project: Project, file: str, explicit: Format | None) -> str:
    """Return the settings that apply to ``file`` and where each comes from, as TOML."""
    settings = project.settings_for(file)
    if settings.file is not None:
        origin = settings.label
    elif not project.use_config:
        origin = "no settings file (--no-config)"
    else:
        origin = "no settings file: none found"
    out = [f"# settings for {display(file)}", f"# read from {origin}"]
    fmt, why = project.chosen_format(file, explicit)
    if is_notification(file):
        out.append('format = "notification"  # the extension .toml')
        out.append("# a notification's templates use the options in the notification file")
    else:
        if fmt is None:
            fmt = format_for(file)
            if fmt is not None:
                why = f"the extension {Path(file).suffix.lower()}"
            else:
                why = "unknown: pass --format or add a pattern to formats"
        out.append(f"format = {_toml_value(fmt.value if fmt else None)}  # {why}")
        for key, value, source in project.sources(file):
            if key == "timezone" and value is None:
                value = "UTC"
            if key == "day_first" and value is None:
                # TOML has no null: the unset setting is a comment.
                out.append(f"# {key} not set: a date such as 04.03.2026 is refused  # {source}")
                continue
            out.append(f"{key} = {_toml_value(value)}  # {source}")
    if settings.mask is None:
        out.append("mask = false  # default (the pytest plugin masks by default)")
    else:
        out.append(f"mask = {_toml_value(settings.mask)}  # {settings.label}")
    for key in ("templates", "cases"):
        paths = getattr(settings, key)
        if paths:
            shown = [shown_path(p) for p in paths]
            out.append(f"{key} = {_toml_value(shown)}  # {settings.label}")
    # File names and patterns are the user's: each stays on its own line.
    return "".join(printable(line) + "\n" for line in out)
