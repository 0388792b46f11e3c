"""``postback test``: golden cases, each template rendered and compared with its expected file."""

from __future__ import annotations

import argparse
import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._cli_io import (
    DIRECTORY_SUFFIXES,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    EXPECTED_SUFFIX,
    RECORD_SUFFIX,
    STDIN,
    CliError,
    Progress,
    emit,
    error,
    format_for,
    is_directory_template,
    load_record,
    plural,
    read_template,
    template_error_lines,
    walk_templates,
    warning,
)
from ._errors import PostbackError, TemplateError
from ._record import sample_action
from ._template import compile

__all__ = ["cmd_test"]


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
        if path == STDIN:
            raise CliError("test reads golden cases from a directory, not from stdin (-)")
        if os.path.isdir(path):
            found = list(walk_templates(path))
        elif os.path.isfile(path):
            if not is_directory_template(os.path.basename(path)):
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
        fmt = format_for(case.template, None)
        source = read_template(case.template, fmt)
        action = load_record(case.record) if case.record else sample_action()
    except CliError as exc:
        return _Outcome(False, f"FAIL {case.template}: unreadable input\n", exc.message)
    try:
        template = compile(source, format=fmt, name=case.template)
    except TemplateError as err:
        lines = template_error_lines(case.template, err)
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


def cmd_test(args: argparse.Namespace) -> int:
    """Run ``postback test``: render every golden case and compare; return the exit status."""
    cases = _collect_cases(args.paths)
    update: bool = args.update
    progress = Progress(len(cases), "testing")
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
            error(outcome.input_error)
        if outcome.report:
            emit(outcome.report)
    progress.clear()

    if update:
        tail = f" ({plural(failed, 'case')} could not be rendered)" if failed else ""
        emit(f"updated {changed} of {plural(len(cases), 'expected file')}{tail}\n")
    else:
        emit(f"{passed} passed, {failed} failed\n")
    if input_errors:
        return EXIT_USAGE
    if failed:
        return EXIT_FAILED
    if not cases:
        if update:
            warning("no test cases found")
            return EXIT_OK
        error(
            "no test cases found (templates ending in "
            + ", ".join(DIRECTORY_SUFFIXES)
            + "); an empty test run fails"
        )
        return EXIT_FAILED
    return EXIT_OK
