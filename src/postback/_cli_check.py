"""``postback check``: every diagnostic of every template, as text, JSON or GitHub annotations."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

from ._cli_io import (
    DIRECTORY_SUFFIXES,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    STDIN,
    CliError,
    Progress,
    diagnostic_line,
    display,
    emit,
    error,
    format_for,
    plural,
    read_template,
    walk_templates,
    warning,
)
from ._errors import Diagnostic, PostbackError
from ._template import check

__all__ = ["cmd_check"]


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


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------


def _collect_check_files(paths: Sequence[str]) -> list[str]:
    files: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            found = list(walk_templates(path))
            if not found:
                warning(
                    f"no templates in {path} (looked for {', '.join(DIRECTORY_SUFFIXES)} files)"
                )
        else:
            found = [path]
        for file in found:
            if file not in seen:
                seen.add(file)
                files.append(file)
    if files.count(STDIN) > 1:  # pragma: no cover - deduplicated above
        raise CliError("stdin (-) can be named only once")
    return files


def cmd_check(args: argparse.Namespace) -> int:
    """Run ``postback check``: print every diagnostic and a summary; return the exit status."""
    files = _collect_check_files(args.paths)
    output: str = args.output_format
    progress = Progress(len(files), "checking")
    records: list[dict[str, object]] = []
    errors = warnings = unreadable = files_with_errors = 0

    for index, file in enumerate(files, 1):
        progress.update(index, file)
        name = display(file)
        try:
            fmt = format_for(file, args.format)
            source = read_template(file, fmt)
            diagnostics = check(source, format=fmt, name=name)
        except CliError as exc:
            progress.clear()
            error(exc.message)
            unreadable += 1
            continue
        except PostbackError as exc:
            progress.clear()
            error(f"{name}: {exc}")
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
        shown = Path(name).as_posix() if output == "github" and file != STDIN else name
        if output == "json":
            records.extend(_diagnostic_json(name, d) for d in diagnostics)
            continue
        if output == "github":
            lines = [_github_line(shown, d) for d in diagnostics]
        else:
            lines = [diagnostic_line(name, d) for d in diagnostics]
        progress.clear()
        emit("".join(line + "\n" for line in lines))
    progress.clear()

    if output == "json":
        emit(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    elif output == "text":
        checked = len(files) - unreadable
        found: list[str] = []
        if errors:
            found.append(f"{plural(errors, 'error')} in {plural(files_with_errors, 'file')}")
        if warnings:
            found.append(plural(warnings, "warning"))
        summary = ", ".join(found) or "no problems found"
        tail = f"; {unreadable} unreadable" if unreadable else ""
        emit(f"checked {plural(checked, 'file')}: {summary}{tail}\n")

    if unreadable:
        return EXIT_USAGE
    return EXIT_FAILED if errors else EXIT_OK
