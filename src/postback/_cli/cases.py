"""``postback test``: golden cases, each template rendered and compared with its expected file.

``run_case`` runs and reports one case; the pytest plugin reports its items with it.
Case names and file names are printed through ``printable``: a file name cannot add
a line to the report.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from .._errors import PostbackError, TemplateError
from .._files.project import Project, directory_suffixes
from .._files.text import UnreadableFileError
from .._messages import spelled
from ..testing import Case, CaseError, configured_cases, find_cases
from .io import (
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
from .notify import check_notification

__all__ = ["Outcome", "case_mask", "cmd_test", "run_case"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What running one golden case gave, as ``postback test`` and the pytest plugin report it.

    ``report`` is the text for standard output (``FAIL CASE`` and the diagnostics or
    the diff, or ``updated CASE.expected``), ``input_error`` the one line saying why a
    case's input cannot be used (None when it can), ``differs`` whether the report is
    a diff from an expected file, ``written`` whether an expected file was (re)written.
    """

    ok: bool
    report: str = ""
    input_error: str | None = None
    rendered: bytes | None = None
    differs: bool = False
    written: bool = False


def _defect_lines(case: Case, err: TemplateError) -> list[str]:
    """The diagnostics of a template that does not compile, at their place in the file."""
    if case.is_notification:
        try:
            found = check_notification(case.template)
        except UnreadableFileError:  # pragma: no cover - it was read a moment ago
            found = []
        if found:
            return [diagnostic_line(f.file, f.diagnostic) for f in found]
    return template_error_lines(case.template, err)


def _render_case(case: Case, mask: bool) -> Outcome:
    name = printable(case.id)
    try:
        if case.is_notification:  # its options are keys of the notification file
            with spelled("notification"):
                rendered = case.render(mask=mask)
        else:
            rendered = case.render(mask=mask)
    except CaseError as exc:
        return Outcome(False, f"FAIL {name}: unreadable input\n", exc.message)
    except TemplateError as err:
        lines = _defect_lines(case, err)
        return Outcome(False, f"FAIL {name}\n" + "".join(f"{ln}\n" for ln in lines))
    except PostbackError as exc:
        return Outcome(False, f"FAIL {name}: cannot render\n", f"{case.id}: {exc}")
    return Outcome(True, rendered=rendered)


def _command_update(case: Case) -> str:
    return f"`postback test --update {printable(case.template)}`"


def run_case(
    case: Case, *, update: bool, mask: bool, how_to_update: Callable[[Case], str] = _command_update
) -> Outcome:
    """Run one case: render it, then compare it with its expected file or update that.

    ``how_to_update`` names what writes a missing expected file, in the report.
    """
    name = printable(case.id)
    outcome = _render_case(case, mask)
    if outcome.rendered is None:
        return outcome
    rendered = outcome.rendered
    if update:
        try:
            written = case.update(rendered, mask=mask)
        except CaseError as exc:
            return Outcome(False, f"FAIL {name}: cannot update\n", exc.message)
        if not written:
            return Outcome(True)
        return Outcome(True, f"updated {printable(case.expected)}\n", written=True)
    try:
        comparison = case.compare(rendered, mask=mask)
    except CaseError as exc:
        return Outcome(False, f"FAIL {name}: unreadable input\n", exc.message)
    if comparison.ok:
        return _read_back(case, rendered)
    if comparison.expected is None:
        return Outcome(
            False,
            f"FAIL {name}: no expected output {printable(case.expected)}; "
            f"run {how_to_update(case)} to create it\n",
        )
    return Outcome(False, f"FAIL {name}\n{comparison.diff()}", differs=True)


def _read_back(case: Case, expected: bytes) -> Outcome:
    """Pass a case whose expected output reads back (``Case.read_back``); fail one that
    does not, with the ``ParseError``'s message at its place in the expected file."""
    try:
        failure = case.read_back(expected)
    except CaseError as exc:  # pragma: no cover - it was read a moment ago
        return Outcome(False, f"FAIL {printable(case.id)}: unreadable input\n", exc.message)
    if failure is None:
        return Outcome(True)
    where = printable(case.expected)
    if failure.line is not None:
        where += f":{failure.line}:{failure.column}"
    return Outcome(
        False,
        f"FAIL {printable(case.id)}: the expected output does not read back\n"
        f"{where}: {printable(failure.message)}\n",
    )


def case_mask(project: Project, case: Case, flag: bool | None, default: bool) -> bool:
    """Whether ``case`` runs masked: ``flag`` (None: not given), else the ``mask``
    setting of the project settings of its template, else ``default``."""
    if flag is not None:
        return flag
    setting = project.settings_for(case.template).mask
    return default if setting is None else setting


def _cases(args: argparse.Namespace, project: Project) -> list[Case]:
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
    project = project_from(args)
    cases = _cases(args, project)
    update: bool = args.update
    # Every case's settings are read before the first is run: a malformed file is one
    # usage error, not a failure halfway through.
    masks = [case_mask(project, case, args.mask, False) for case in cases]
    progress = Progress(len(cases), "testing")
    passed = failed = changed = 0
    input_errors = False
    for index, (case, mask) in enumerate(zip(cases, masks, strict=True), 1):
        progress.update(index, case.id)
        outcome = run_case(case, update=update, mask=mask)
        changed += outcome.written
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
            + ", ".join(directory_suffixes())
            + "); an empty test run fails"
        )
        return EXIT_FAILED
    return EXIT_OK
