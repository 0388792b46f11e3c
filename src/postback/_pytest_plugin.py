"""The pytest plugin: golden cases as test items, ``--postback-update``, ``postback_snapshot``.

pytest loads it through the ``pytest11`` entry point when postback is installed; it
is never imported otherwise.  It collects golden cases only from the ``cases``
directories named by the project settings found from pytest's rootdir (the
``[tool.postback]`` table of ``pyproject.toml``, or ``postback.toml``): in a project
that names none it collects nothing.  Each record of each template is one item; a
failing item shows the unified diff, and ``pytest --postback-update`` rewrites the
expected files that are missing or differ.  The values of secret headers are masked
as ``postback test --mask`` masks them (not shown, written or compared), unless
``--postback-show-secrets`` or the ini option ``postback_show_secrets`` asks for
them.  See docs/ci.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ._cli_io import printable, printable_lines
from ._errors import ConfigError, PostbackError, TemplateError
from ._project import Project, find_settings_file, read_settings
from .testing import Case, CaseError, Snapshot, find_cases, unified_diff

__all__ = ["CaseItem", "TemplateFile", "postback_snapshot"]


@dataclass
class _State:
    update: bool
    mask: bool
    cases: dict[Path, list[Case]] = field(default_factory=dict)
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
        "by default they are ***, as postback test --mask writes them"
    )
    group.addoption("--postback-show-secrets", action="store_true", default=False, help=show)
    parser.addini("postback_show_secrets", show, type="bool", default=False)


def _case_directories(rootpath: Path) -> list[Path]:
    file = find_settings_file(rootpath)
    if file is None:
        return []
    settings = read_settings(file, required=False)
    return list(settings.cases) if settings is not None else []


def _under(path: Path, parents: list[Path]) -> bool:
    return any(path == p or p in path.parents for p in parents)


def pytest_configure(config: pytest.Config) -> None:
    """Find the case directories of the project and every case in them."""
    show = config.getoption("postback_show_secrets") or config.getini("postback_show_secrets")
    state = _State(update=bool(config.getoption("postback_update")), mask=not show)
    config.stash[_STATE] = state
    try:
        directories = _case_directories(config.rootpath)
        cases = find_cases([str(d) for d in directories], Project()) if directories else []
    except (ConfigError, CaseError) as exc:
        raise pytest.UsageError(f"postback: {exc}") from None
    for case in cases:
        state.cases.setdefault(Path(case.template).resolve(), []).append(case)
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

    def __init__(self, *, cases: list[Case], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cases = cases

    def collect(self) -> Iterator[CaseItem]:
        """Yield one item per record, named after its expected file."""
        for case in self.cases:
            name = printable(os.path.basename(case.expected))
            yield CaseItem.from_parent(self, name=name, case=case)


class _Mismatch(Exception):
    """A case that failed with a report to show as it is."""


class CaseItem(pytest.Item):
    """One golden case: the template rendered for one record against its expected file."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        """Render the case and compare (or with ``--postback-update``, write) it."""
        state = self.config.stash[_STATE]
        try:
            rendered = self.case.render(mask=state.mask)
        except TemplateError as exc:
            shown = self._shown(self.case.template)
            raise _Mismatch(f"{shown} does not compile:\n{exc}") from None
        except PostbackError as exc:
            raise _Mismatch(f"{self._shown(self.case.template)}: {exc}") from None
        expected = self._shown(self.case.expected)
        if state.update:
            if self.case.update(rendered, mask=state.mask):
                state.written.append(expected)
            return
        comparison = self.case.compare(rendered, mask=state.mask)
        if comparison.expected is None:
            raise _Mismatch(
                f"no expected output {expected}; run pytest with --postback-update to create it"
            )
        if not comparison.ok:
            case = self._shown(self.case.template)
            if self.case.name is not None:
                case += f"[{self.case.name}]"
            diff = unified_diff(comparison.expected, rendered, expected, f"{case} (rendered)")
            raise _Mismatch(
                f"{case} renders differently from {expected} "
                f"(run pytest with --postback-update to accept it):\n{diff}"
            )

    def _shown(self, path: str) -> str:
        """Name ``path`` relative to the rootdir, as pytest names the items."""
        try:
            return Path(os.path.relpath(path, self.config.rootpath)).as_posix()
        except ValueError:  # another drive on Windows
            return path

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """Show a case's own report (a diff, the diagnostics) without a traceback."""
        if isinstance(excinfo.value, _Mismatch | CaseError):
            # File names and template text are the project's: each line stays a line.
            return printable_lines(str(excinfo.value))
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Name the case in reports."""
        name = os.path.basename(self.case.expected)
        shown = printable(f"{self._shown(self.case.template)}::{name}")
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
    snapshot = Snapshot(directory, _UNSAFE.sub("_", node.name).strip("_"), update, mask=mask)
    yield_written = state.written if state is not None else []
    request.addfinalizer(lambda: yield_written.extend(str(p) for p in snapshot.written))
    return snapshot
