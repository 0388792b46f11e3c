"""The pytest plugin: golden cases as test items, ``--postback-update``, ``postback_snapshot``.

pytest loads it through the ``pytest11`` entry point when postback is installed; it
is never imported otherwise.  It collects golden cases only from the ``cases``
directories named by the project settings found from pytest's rootdir (the
``[tool.postback]`` table of ``pyproject.toml``, or ``postback.toml``): in a project
that names none it collects nothing.  Each record of each template is one item, run
and reported by the code of ``postback test`` (``_cli_test.run_case``) with the
rootdir as the current directory: a failing item shows what ``postback test`` run
there prints for the case (the unified diff, every diagnostic at its place in the
file), and ``pytest --postback-update`` rewrites the expected files that are missing
or differ.  The values of secret headers are masked as ``postback test --mask``
masks them (not shown, written or compared), unless ``--postback-show-secrets``, the
ini option ``postback_show_secrets`` or the setting ``mask = false`` asks for them.
See docs/ci.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ._cli.cases import Outcome, case_mask, run_case
from ._errors import ConfigError
from ._files.project import Project, ProjectSettings, find_settings_file, read_settings
from ._files.shown import one_line, printable, printable_lines
from .testing import Case, CaseError, Snapshot, find_cases

__all__ = ["CaseItem", "TemplateFile", "postback_snapshot"]


@dataclass
class _State:
    update: bool
    root: Path
    mask: bool  # for snapshots: the cases have their own
    cases: dict[Path, list[tuple[Case, bool]]] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)


_STATE = pytest.StashKey[_State]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--postback-update`` and ``--postback-show-secrets`` (ini ``postback_show_secrets``)."""
    group = parser.getgroup("postback", "postback golden cases and snapshots")
    group.addoption(
        "--postback-update",
        action="store_true",
        default=False,
        help="write the expected files of postback golden cases and snapshots that are "
        "missing or differ, instead of failing",
    )
    show = (
        "show, compare and write the values of secret headers (Authorization, Cookie, "
        "names with token, secret or key) in notification cases and request snapshots; "
        "by default they are ***, as postback test --mask writes them, unless the "
        "project settings say mask = false"
    )
    group.addoption("--postback-show-secrets", action="store_true", default=False, help=show)
    parser.addini("postback_show_secrets", show, type="bool", default=False)


def _root_settings(rootpath: Path) -> ProjectSettings | None:
    file = find_settings_file(rootpath)
    return read_settings(file, required=False) if file is not None else None


def _under(path: Path, parents: list[Path]) -> bool:
    return any(path == p or p in path.parents for p in parents)


def _relative(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return str(path)


@contextmanager
def _in_directory(directory: Path) -> Iterator[None]:
    """Work in ``directory``: cases are found, run and named relative to the rootdir,
    as ``postback test`` run there finds, runs and names them."""
    before = os.getcwd()
    if Path(before) == directory:
        yield
        return
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def pytest_configure(config: pytest.Config) -> None:
    """Find the case directories of the project and every case in them."""
    show = config.getoption("postback_show_secrets") or config.getini("postback_show_secrets")
    root = config.rootpath
    project = Project()
    try:
        settings = _root_settings(root)
        directories = list(settings.cases) if settings is not None else []
        with _in_directory(root):
            names = [_relative(d, root) for d in directories]
            cases = find_cases(names, project) if names else []
            # The option asks for the values in so many words, and so does mask = false.
            masks = [case_mask(project, c, False if show else None, True) for c in cases]
    except (ConfigError, CaseError) as exc:
        raise pytest.UsageError(f"postback: {exc}") from None
    setting = settings.mask if settings is not None else None
    mask = not show and (setting is None or setting)
    state = _State(update=bool(config.getoption("postback_update")), root=root, mask=mask)
    config.stash[_STATE] = state
    for case, case_masked in zip(cases, masks, strict=True):
        state.cases.setdefault((root / case.template).resolve(), []).append((case, case_masked))
    if directories and config.args_source != pytest.Config.ArgsSource.ARGS:
        # A plain ``pytest`` (testpaths or the current directory) runs the cases too,
        # wherever the settings put them; named paths stay exactly what was asked for.
        chosen = [Path(a).resolve() for a in config.args]
        config.args.extend(str(d) for d in directories if not _under(d.resolve(), chosen))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> TemplateFile | None:
    """Collect a template of a case directory as a file of golden cases."""
    state = parent.config.stash.get(_STATE, None)
    if state is None or not state.cases:
        return None
    cases = state.cases.get(file_path.resolve())
    if not cases:
        return None
    return TemplateFile.from_parent(parent, path=file_path, cases=cases)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """List the expected files ``--postback-update`` wrote."""
    state = config.stash.get(_STATE, None)
    if state is None or not state.written:
        return
    terminalreporter.section("postback")
    for path in state.written:
        terminalreporter.line(f"updated {printable(path)}")
    count = len(state.written)
    terminalreporter.line(f"updated {count} expected file{'s' if count != 1 else ''}")


class TemplateFile(pytest.File):
    """A template (or notification file) whose records are golden cases."""

    def __init__(self, *, cases: list[tuple[Case, bool]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cases = cases

    def collect(self) -> Iterator[CaseItem]:
        """Yield one item per record, named after its expected file."""
        for case, mask in self.cases:
            name = printable(os.path.basename(case.expected))
            yield CaseItem.from_parent(self, name=name, case=case, mask=mask)


class _Mismatch(Exception):
    """A case that failed with a report to show as it is."""


def _with_pytest(case: Case) -> str:
    return "pytest with --postback-update"


def _report(outcome: Outcome) -> str:
    """The report ``postback test`` prints for a failed case, its error line included."""
    report = outcome.report
    if outcome.input_error is not None:
        report += one_line(outcome.input_error) + "\n"
    if outcome.differs:
        report += "(run pytest with --postback-update to accept the rendering)\n"
    return report.removesuffix("\n")


class CaseItem(pytest.Item):
    """One golden case: the template rendered for one record against its expected file."""

    def __init__(self, *, case: Case, mask: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.mask = mask

    def runtest(self) -> None:
        """Render the case and compare (or with ``--postback-update``, write) it."""
        state = self.config.stash[_STATE]
        with _in_directory(state.root):
            outcome = run_case(
                self.case, update=state.update, mask=self.mask, how_to_update=_with_pytest
            )
        if outcome.written:
            state.written.append(self.case.expected)
        if not outcome.ok:
            raise _Mismatch(_report(outcome))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """Show a case's own report (a diff, the diagnostics) without a traceback."""
        if isinstance(excinfo.value, _Mismatch | CaseError):
            # File names and template text are the project's: each line stays a line.
            return printable_lines(str(excinfo.value))
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Name the case in reports."""
        name = os.path.basename(self.case.expected)
        shown = printable(f"{Path(self.case.template).as_posix()}::{name}")
        return self.path, None, f"postback case {shown}"


_UNSAFE = re.compile(r"[^\w.-]+")


@pytest.fixture
def postback_snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """Compare renderings with files in ``snapshots/MODULE/`` beside the test module.

    ``postback_snapshot.assert_match(body)`` compares with ``TEST.expected`` (further
    calls ``TEST.2.expected``, ...), ``assert_match(body, "refund.expected")`` with a
    named file; ``pytest --postback-update`` writes them instead.  A ``PreparedRequest``
    has the values of its secret headers masked, as the golden cases do.
    """
    node = request.node
    module = Path(str(node.path))
    directory = module.parent / "snapshots" / module.stem
    state = request.config.stash.get(_STATE, None)
    update = bool(request.config.getoption("postback_update"))
    mask = state.mask if state is not None else True
    root = request.config.rootpath
    name = _UNSAFE.sub("_", node.name).strip("_")
    snapshot = Snapshot(directory, name, update, mask=mask, root=root)
    written = state.written if state is not None else []
    request.addfinalizer(lambda: written.extend(_relative(p, root) for p in snapshot.written))
    return snapshot
