"""The code blocks of README.md and docs/*.md: Python blocks found, run, and gathered for
mypy; console blocks of ``postback`` commands run and their output compared.

The rules these helpers implement are written at the top of tests/integration/test_docs.py.
``python tests/integration/_docs_blocks.py`` rewrites tests/typing/check_examples.py from the
documents.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DOCUMENTS",
    "EXAMPLES",
    "PROJECT",
    "ROOT",
    "TYPING_FILE",
    "Block",
    "Command",
    "ConsoleBlock",
    "checkout_status",
    "console_blocks",
    "python_blocks",
    "run_blocks",
    "run_console_blocks",
    "typing_file",
]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# The sample project of docs/ci.md: pyproject.toml and a templates/ folder.
PROJECT = ROOT / "tests" / "fixtures" / "project"
TYPING_FILE = ROOT / "tests" / "typing" / "check_examples.py"
# Files the console blocks of one page use on top of the sample project: docs/cli.md's
# commands run with tests/fixtures/docs/cli/ copied over it.
CONSOLE_FIXTURES = ROOT / "tests" / "fixtures" / "docs"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<info>[^`]*)$")
PYTHON_INFOS = {"python"}
# Spellings of Python a reader might use for a fence; the runner asks for "python" so
# that no block is skipped by accident.
OTHER_PYTHON_INFOS = {"py", "python3", "py3", "pycon", "pyi", "ipython"}


@dataclass(frozen=True)
class _Fenced:
    """One fenced block of any language: its info word, its lines and its marker."""

    path: Path
    line: int  # the 1-based line of the first line of content
    info: str
    lines: list[str]
    not_run: str | None


@dataclass(frozen=True)
class Block:
    """One fenced Python block: where it starts, its code, and why it is not run."""

    path: Path
    line: int  # the 1-based line of the first line of code
    code: str
    not_run: str | None

    @property
    def where(self) -> str:
        return f"{_shown(self.path)}:{self.line}"


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _fenced_blocks(path: Path) -> list[_Fenced]:
    """Return every fenced block of the Markdown file ``path``, in order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks: list[_Fenced] = []
    k = 0
    while k < len(lines):
        opening = FENCE.match(lines[k])
        if opening is None:
            k += 1
            continue
        info = opening.group("info").strip().split(" ")[0].lower()
        end = k + 1
        while end < len(lines) and not lines[end].strip().startswith("```"):
            end += 1
        marker = NOT_RUN.match(lines[k - 1]) if k > 0 else None
        reason = marker.group("reason") if marker else None
        blocks.append(_Fenced(path, k + 2, info, lines[k + 1 : end], reason))
        k = end + 1
    return blocks


def python_blocks(path: Path) -> list[Block]:
    """Return the ```python blocks of the Markdown file ``path``, in order."""
    blocks: list[Block] = []
    for fenced in _fenced_blocks(path):
        if fenced.info in OTHER_PYTHON_INFOS:
            raise AssertionError(
                f"{_shown(path)}:{fenced.line - 1}: write ```python for a Python block "
                f"(not ```{fenced.info}) so that the documentation tests run it"
            )
        if fenced.info in PYTHON_INFOS:
            code = textwrap.dedent("\n".join(fenced.lines)) + "\n"
            blocks.append(Block(path, fenced.line, code, fenced.not_run))
    return blocks


def checkout_status(root: Path = ROOT) -> set[str] | None:
    """Return what ``git status`` says of the checkout ``root``, a line a changed file.

    Files git ignores are left out; untracked ones are listed one by one.  None when
    ``root`` is not a git checkout (an unpacked source archive) or git is not installed.
    """
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return set(done.stdout.decode("utf-8", "replace").splitlines())


def run_blocks(blocks: list[Block], workdir: Path) -> dict[str, Any]:
    """Run ``blocks`` in order in one namespace, in ``workdir``; return the namespace.

    ``workdir`` gets a copy of examples/ and of the sample project's files (its
    pyproject.toml and templates/).  Blocks marked not-run are skipped.
    """
    shutil.copytree(EXAMPLES, workdir / "examples")
    shutil.copytree(PROJECT, workdir, dirs_exist_ok=True)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        for block in blocks:
            if block.not_run is not None:
                continue
            # Padding with blank lines makes a traceback name the document's own lines.
            code = compile("\n" * (block.line - 1) + block.code, str(block.path), "exec")
            try:
                exec(code, namespace)
            except Exception as exc:
                raise AssertionError(f"the block at {block.where} raised {exc!r}") from exc
    finally:
        os.chdir(previous)
    return namespace


# ---------------------------------------------------------------------------
# Console blocks: postback commands and what they print
# ---------------------------------------------------------------------------

PROMPT = "$ "
# An output line of exactly this stands for any number of lines left out.
ELISION = "..."


@dataclass(frozen=True)
class Command:
    """One ``$ `` line of a console block and the output lines shown under it."""

    line: int  # the 1-based line of the command
    command: str
    output: tuple[str, ...]


@dataclass(frozen=True)
class ConsoleBlock:
    """A ```console block whose first line runs ``postback``."""

    path: Path
    line: int
    commands: tuple[Command, ...]
    not_run: str | None

    @property
    def where(self) -> str:
        return f"{_shown(self.path)}:{self.line}"


def console_blocks(path: Path) -> list[ConsoleBlock]:
    """Return the ```console blocks of ``path`` whose first line is ``$ postback ...``.

    Other console blocks (``$ python -m pip install ...``, ``$ pytest``) are left alone.
    """
    blocks: list[ConsoleBlock] = []
    for fenced in _fenced_blocks(path):
        if fenced.info != "console" or not fenced.lines:
            continue
        if not fenced.lines[0].startswith(PROMPT + "postback "):
            continue
        commands: list[Command] = []
        for offset, text in enumerate(fenced.lines):
            if text.startswith(PROMPT):
                commands.append(Command(fenced.line + offset, text[len(PROMPT) :], ()))
            else:
                last = commands[-1]
                commands[-1] = Command(last.line, last.command, (*last.output, text))
        blocks.append(ConsoleBlock(path, fenced.line, tuple(commands), fenced.not_run))
    return blocks


def _shown_matches(shown: tuple[str, ...], printed: list[str]) -> bool:
    """Whether ``printed`` is ``shown``, where a ``...`` line stands for any lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == ELISION else re.escape(line) + r"\n" for line in shown
    )
    return re.fullmatch(pattern, "".join(f"{line}\n" for line in printed)) is not None


def _shims(folder: Path) -> dict[str, str]:
    """The environment the commands run in: ``postback`` and ``python`` are this checkout's."""
    folder.mkdir()
    for name, argv in (("postback", "-m postback"), ("python", "")):
        shim = folder / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {argv} "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTBACK_")}
    env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_console_blocks(blocks: list[ConsoleBlock], tmp: Path) -> None:
    """Run the commands of ``blocks`` in order with ``bash``, comparing what they print.

    They run in one folder, ``tmp/page``, holding a copy of examples/, of the sample
    project and of the page's own files (tests/fixtures/docs/PAGE/), so a command sees
    the files earlier ones wrote; ``$?`` is the status of the command before.  Standard
    output and standard error are read together, CRLF as LF, and a missing final newline
    is not told apart.  Blocks marked not-run are skipped.
    """
    workdir = tmp / "page"
    shutil.copytree(EXAMPLES, workdir / "examples")
    shutil.copytree(PROJECT, workdir, dirs_exist_ok=True)
    own = {CONSOLE_FIXTURES / block.path.stem for block in blocks}
    for folder in sorted(own):
        if folder.is_dir():
            shutil.copytree(folder, workdir, dirs_exist_ok=True)
    env = _shims(tmp / "bin")
    status = 0
    for block in blocks:
        if block.not_run is not None:
            continue
        for command in block.commands:
            done = subprocess.run(
                ["bash", "-c", f"(exit {status}); {command.command}"],
                cwd=workdir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=120,
                check=False,
            )
            status = done.returncode
            printed = done.stdout.decode("utf-8").replace("\r\n", "\n").split("\n")
            if printed[-1] == "":
                printed.pop()
            if not _shown_matches(command.output, printed):
                diff = "\n".join(
                    difflib.unified_diff(
                        list(command.output), printed, "shown", "printed", lineterm=""
                    )
                )
                raise AssertionError(
                    f"{_shown(block.path)}:{command.line}: `{command.command}` prints "
                    f"something else than the page shows:\n{diff}"
                )


def _function_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    return re.sub(r"\W", "_", str(relative).lower())


TYPING_HEADER = '''\
"""Every Python example of README.md and docs/*.md, for ``mypy --strict`` (nox -s lint).

Generated from the documents by ``python tests/integration/_docs_blocks.py``; tests/integration/test_docs.py
fails when this file is out of date.  Each document's runnable blocks form one
function, in order, as they share one namespace when the documentation tests run
them.  The last function holds a call that is wrong on purpose: if mypy stopped
seeing the error, ``warn_unused_ignores`` (part of ``--strict``) would fail the check.
"""

from __future__ import annotations

import postback
'''

TYPING_FOOTER = '''

def deliberately_wrong() -> None:
    """A call mypy must reject: a template is a str, not bytes."""
    postback.compile(b"{CampaignId}", format="json")  # type: ignore[arg-type]
'''


def typing_file() -> str:
    """Return the text tests/typing/check_examples.py must have."""
    parts = [TYPING_HEADER]
    for path in DOCUMENTS:
        blocks = [b for b in python_blocks(path) if b.not_run is None]
        if not blocks:
            continue
        # Numbered, not placed by line, so that editing the prose does not make
        # this file out of date.
        body = "\n".join(
            f"# {_shown(path)}, example {number}\n{block.code}"
            for number, block in enumerate(blocks, 1)
        )
        parts.append(f"\n\ndef {_function_name(path)}() -> None:\n" + textwrap.indent(body, "    "))
    parts.append(TYPING_FOOTER)
    return "".join(parts)


if __name__ == "__main__":
    TYPING_FILE.parent.mkdir(exist_ok=True)
    TYPING_FILE.write_text(typing_file(), encoding="utf-8")
    print(f"wrote {TYPING_FILE.relative_to(ROOT)}", file=sys.stderr)
