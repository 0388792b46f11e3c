"""``postback test``: golden cases, each template rendered and compared with its expected file.

Case names and file names are printed through ``printable``: a file name cannot add
a line to the report.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
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
    emit,
    error,
    plural,
    printable,
    project_from,
    template_error_lines,
    warning,
)
from ._errors import PostbackError, TemplateError
from ._messages import spelled
from .testing import Case, CaseError, configured_cases, find_cases

__all__ = ["cmd_test"]


@dataclass
class _Outcome:
    ok: bool
    report: str = ""  # printed on stdout
    input_error: str | None = None  # printed as one stderr line
    rendered: bytes | None = None


def _defect_lines(case: Case, err: TemplateError) -> list[str]:
    """The diagnostics of a template that does not compile, at their place in the file."""
    if case.is_notification:
        from ._cli_notify import check_notification

        root = None if case.body_root is None else Path(case.body_root)
        try:
            found = check_notification(case.template, root, confined=True)
        except CliError:  # pragma: no cover - it was read a moment ago
            found = []
        if found:
            return [diagnostic_line(f.file, f.diagnostic) for f in found]
    return template_error_lines(case.template, err)


def _render_case(case: Case, mask: bool) -> _Outcome:
    name = printable(case.id)
    try:
        if case.is_notification:  # its options are keys of the notification file
            with spelled("notification"):
                rendered = case.render(mask=mask)
        else:
            rendered = case.render(mask=mask)
    except CaseError as exc:
        return _Outcome(False, f"FAIL {name}: unreadable input\n", exc.message)
    except TemplateError as err:
        lines = _defect_lines(case, err)
        return _Outcome(False, f"FAIL {name}\n" + "".join(f"{ln}\n" for ln in lines))
    except PostbackError as exc:
        return _Outcome(False, f"FAIL {name}: cannot render\n", f"{case.id}: {exc}")
    return _Outcome(True, rendered=rendered)


def _run_case(case: Case, update: bool, mask: bool) -> tuple[_Outcome, bool]:
    """Run one case; return its outcome and whether an expected file was (re)written."""
    outcome = _render_case(case, mask)
    if outcome.rendered is None:
        return outcome, False
    rendered = outcome.rendered
    name = printable(case.id)
    if update:
        try:
            written = case.update(rendered, mask=mask)
        except CaseError as exc:
            return _Outcome(False, f"FAIL {name}: cannot update\n", exc.message), False
        if not written:
            return _Outcome(True), False
        return _Outcome(True, f"updated {printable(case.expected)}\n"), True
    try:
        comparison = case.compare(rendered, mask=mask)
    except CaseError as exc:
        return _Outcome(False, f"FAIL {name}: unreadable input\n", exc.message), False
    if comparison.ok:
        return _Outcome(True), False
    if comparison.expected is None:
        return (
            _Outcome(
                False,
                f"FAIL {name}: no expected output {printable(case.expected)}; "
                f"run `postback test --update {printable(case.template)}` to create it\n",
            ),
            False,
        )
    return _Outcome(False, f"FAIL {name}\n{comparison.diff()}"), False


def _cases(args: argparse.Namespace) -> list[Case]:
    project = project_from(args)
    paths: list[str] = list(args.paths) or configured_cases(project)
    if not paths:
        raise CliError("the following arguments are required: DIR (see postback test --help)")
    if STDIN in paths:
        raise CliError("test reads golden cases from a directory, not from stdin (-)")
    try:
        return find_cases(paths, project, args.format)
    except CaseError as exc:
        raise CliError(exc.message) from None


def cmd_test(args: argparse.Namespace) -> int:
    """Run ``postback test``: render every golden case and compare; return the exit status."""
    cases = _cases(args)
    update: bool = args.update
    progress = Progress(len(cases), "testing")
    passed = failed = changed = 0
    input_errors = False
    for index, case in enumerate(cases, 1):
        progress.update(index, case.id)
        outcome, wrote = _run_case(case, update, args.mask)
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
