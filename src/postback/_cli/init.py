"""``postback init``: start a repository of templates with golden tests and CI.

In ``DIR`` (default: the current folder) it writes what docs/ci.md describes:

- the project settings: a ``[tool.postback]`` table appended to an existing
  ``pyproject.toml`` that has none, else a ``postback.toml``;
- ``templates/`` with an example template (impact.com's example JSON body, fixed),
  its record, and the expected output postback renders for it now, so that
  ``postback test`` and ``pytest`` pass;
- ``*.expected -text`` in ``.gitattributes`` (created, or appended to);
- ``.pre-commit-config.yaml`` with the repository's ``postback-check`` hook and
  ``.github/workflows/postback.yml``.

The content of these files lives in one place, the package data folder
``init_files/``; docs/ci.md shows the same text, and a test compares them.

Nothing is overwritten: when a file it would create exists, when the settings
exist already, or when a path it would use is a symbolic link, it lists every
such path, writes nothing and exits 1.  It follows no symbolic link inside DIR:
paths are checked with ``lstat``, files are created with ``O_EXCL`` (and
``O_NOFOLLOW`` where the system has it), and a failure while writing removes what
was written (``init_write.py``).
"""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

from .._files.text import decode_text, read_bytes
from .._files.toml import TomlError, load_toml, parse_toml
from .._records.action import Action
from .._template import compile
from .init_write import Write, apply_writes
from .io import EXIT_FAILED, EXIT_OK, CliError, emit, err_line

__all__ = [
    "CASE",
    "EXPECTED",
    "GITATTRIBUTES",
    "PRE_COMMIT",
    "RECORD",
    "SETTINGS",
    "TEMPLATE",
    "WORKFLOW",
    "cmd_init",
    "content",
    "plan_init",
]

#: Where each file goes in DIR (relative, with ``/``), by its name in ``init_files/``.
SETTINGS: Final = "postback.toml"
PYPROJECT: Final = "pyproject.toml"
CASE: Final = "templates/action-clearing"
TEMPLATE: Final = f"{CASE}.json"
RECORD: Final = f"{CASE}.record.json"
EXPECTED: Final = f"{CASE}.expected"
GITATTRIBUTES: Final = ".gitattributes"
PRE_COMMIT: Final = ".pre-commit-config.yaml"
WORKFLOW: Final = ".github/workflows/postback.yml"

_SOURCES: Final = {
    SETTINGS: "postback.toml",
    TEMPLATE: "action-clearing.json",
    RECORD: "action-clearing.record.json",
    GITATTRIBUTES: "gitattributes",
    PRE_COMMIT: "pre-commit-config.yaml",
    WORKFLOW: "workflow.yml",
}

_TABLE: Final = "[tool.postback]"


@cache
def content(path: str) -> str:
    """Return the text ``postback init`` writes at ``path`` (one of the constants above)."""
    source = resources.files("postback._cli").joinpath("init_files", _SOURCES[path])
    return source.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# The plan: what to write, and what is in the way
# ---------------------------------------------------------------------------

_Kind = Literal["missing", "link", "folder", "file", "other"]


def _kind(path: Path, shown: str) -> _Kind:
    """What ``path`` is, without following a symbolic link."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        raise CliError(f"cannot look at {shown}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


class _Plan:
    """The files to write in ``root`` and the paths in the way, in the order found."""

    def __init__(self, root: Path, shown: Callable[[str], str]) -> None:
        self.root = root
        self.shown = shown
        self.writes: list[Write] = []
        self.conflicts: list[str] = []

    def in_the_way(self, message: str) -> None:
        if message not in self.conflicts:
            self.conflicts.append(message)

    def kind(self, path: str) -> _Kind:
        return _kind(self.root / path, self.shown(path))

    def can_create(self, path: str) -> bool:
        """Tell whether ``path`` can be created: no file there, no link on the way."""
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            kind = self.kind(folder)
            if kind == "missing":
                return True
            if kind == "link":
                self.in_the_way(f"{self.shown(folder)} is a symbolic link")
                return False
            if kind != "folder":
                self.in_the_way(f"{self.shown(folder)} exists and is not a folder")
                return False
        kind = self.kind(path)
        if kind == "link":
            self.in_the_way(f"{self.shown(path)} is a symbolic link")
        elif kind == "folder":
            self.in_the_way(f"{self.shown(path)} exists (a folder)")
        elif kind != "missing":
            self.in_the_way(f"{self.shown(path)} exists")
        return kind == "missing"

    def create(self, path: str, text: str | bytes) -> None:
        if self.can_create(path):
            data = text.encode("utf-8") if isinstance(text, str) else text
            self.writes.append(Write(path, data, report=f"created {self.shown(path)}"))

    def read(self, path: str) -> tuple[bytes, str] | None:
        """The bytes and text of the regular file ``path``; None (in the way) for a link."""
        kind = self.kind(path)
        if kind == "link":
            self.in_the_way(f"{self.shown(path)} is a symbolic link")
            return None
        if kind != "file":
            self.in_the_way(f"{self.shown(path)} exists and is not a file")
            return None
        data = read_bytes(self.root / path, self.shown(path))
        return data, decode_text(data, self.shown(path))

    def append(self, path: str, data: bytes, addition: str, report: str) -> None:
        """Append ``addition`` to the file ``path``, whose bytes are ``data``."""
        self.writes.append(Write(path, addition.encode("utf-8"), len(data), report))


def _addition(text: str, lines: str) -> str:
    """``lines`` as they are appended to ``text``: on a line of their own, in its line ends."""
    if text and not text.endswith("\n"):
        lines = "\n" + lines
    return lines.replace("\n", "\r\n") if "\r\n" in text else lines


def _settings(plan: _Plan) -> None:
    """Plan the settings: a table appended to pyproject.toml, else postback.toml."""
    body = content(SETTINGS)
    # A postback.toml applies before the pyproject.toml beside it: one is in the way.
    free = plan.can_create(SETTINGS)
    if plan.kind(PYPROJECT) == "missing":
        if free:
            plan.create(SETTINGS, body)
        return
    found = plan.read(PYPROJECT)
    if found is None:
        return
    data, text = found
    shown = plan.shown(PYPROJECT)
    before = parse_toml(text, shown)
    tool = before.get("tool")
    if isinstance(tool, dict) and "postback" in tool:
        plan.in_the_way(f"{shown} already has a {_TABLE} table")
    elif free:
        addition = _addition(text, f"\n{_TABLE}\n{body}" if text.strip() else f"{_TABLE}\n{body}")
        _check_appended(before, text + addition, shown, body)
        plan.append(PYPROJECT, data, addition, f"added a {_TABLE} table to {shown}")


def _check_appended(before: dict[str, Any], after: str, shown: str, body: str) -> None:
    """Refuse to append the table unless the file then reads as before, plus the table."""
    why = f"cannot add a {_TABLE} table at the end of {shown}"
    try:
        data = load_toml(after)
    except TomlError as exc:
        raise CliError(f"{why}: TOML refuses it there ({exc.reason}); add it by hand") from None
    tool = data.get("tool")
    table = tool.pop("postback", None) if isinstance(tool, dict) else None
    if tool == {} and "tool" not in before:
        del data["tool"]
    if table != load_toml(body) or data != before:
        raise CliError(f"{why}: the file would read differently; add it by hand")


def _gitattributes(plan: _Plan) -> None:
    """Plan ``*.expected -text``: a new .gitattributes, or a line appended to one."""
    lines = content(GITATTRIBUTES)
    if plan.kind(GITATTRIBUTES) == "missing":
        plan.create(GITATTRIBUTES, lines)
        return
    found = plan.read(GITATTRIBUTES)
    if found is None:
        return
    data, text = found
    have = {" ".join(line.split()) for line in text.splitlines()}
    wanted = lines.splitlines()
    if all(line in have for line in wanted):
        return
    report = f"added {', '.join(wanted)} to {plan.shown(GITATTRIBUTES)}"
    plan.append(GITATTRIBUTES, data, _addition(text, lines), report)


def _expected() -> bytes:
    """What the example template renders for its record, with the default settings."""
    template = compile(content(TEMPLATE), format="json", name=TEMPLATE)
    return template.render_bytes(Action.from_json(content(RECORD)))


def plan_init(root: Path, shown: Callable[[str], str]) -> _Plan:
    """Return what ``postback init`` would write in ``root``, and what is in the way."""
    plan = _Plan(root, shown)
    _settings(plan)
    plan.create(TEMPLATE, content(TEMPLATE))
    plan.create(RECORD, content(RECORD))
    plan.create(EXPECTED, _expected())
    _gitattributes(plan)
    plan.create(PRE_COMMIT, content(PRE_COMMIT))
    plan.create(WORKFLOW, content(WORKFLOW))
    return plan


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def _shower(directory: str) -> Callable[[str], str]:
    if Path(directory) == Path("."):
        return lambda path: path
    return lambda path: Path(directory, path).as_posix()


def cmd_init(args: argparse.Namespace) -> int:
    """Run ``postback init``."""
    directory: str = args.directory
    root = Path(directory)
    for folder in (root, *root.parents):
        if os.path.lexists(folder):
            if not folder.is_dir():
                raise CliError(f"{folder} exists and is not a folder")
            break
    shown = _shower(directory)
    plan = plan_init(root, shown)
    if plan.conflicts:
        for conflict in plan.conflicts:
            err_line(f"postback: error: {conflict}")
        err_line("postback: init wrote nothing: it overwrites no file and follows no symbolic link")
        return EXIT_FAILED
    apply_writes(root, plan.writes, plan.shown)
    lines = [write.report for write in plan.writes]
    lines.append(
        f"next: in {shown(WORKFLOW)} and {shown(PRE_COMMIT)}, replace OWNER, REF and rev "
        "with where your team keeps postback (postback documentation, page 'Testing templates in "
        "CI', section 'Installing postback')"
    )
    emit("".join(line + "\n" for line in lines))
    return EXIT_OK
