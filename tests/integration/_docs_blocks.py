"""The Python code blocks of README.md and docs/*.md: found, run, and gathered for mypy.

The rules these helpers implement are written at the top of tests/test_docs.py.
``python tests/integration/_docs_blocks.py`` rewrites tests/typing/check_examples.py from the
documents.
"""

from __future__ import annotations

import os
import re
import shutil
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
    "python_blocks",
    "run_blocks",
    "typing_file",
]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# The sample project of docs/ci.md: pyproject.toml and a templates/ folder.
PROJECT = ROOT / "tests" / "fixtures" / "project"
TYPING_FILE = ROOT / "tests" / "typing" / "check_examples.py"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<info>[^`]*)$")
PYTHON_INFOS = {"python"}
# Spellings of Python a reader might use for a fence; the runner asks for "python" so
# that no block is skipped by accident.
OTHER_PYTHON_INFOS = {"py", "python3", "py3", "pycon", "pyi", "ipython"}


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


def python_blocks(path: Path) -> list[Block]:
    """Return the ```python blocks of the Markdown file ``path``, in order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks: list[Block] = []
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
        if info in OTHER_PYTHON_INFOS:
            raise AssertionError(
                f"{_shown(path)}:{k + 1}: write ```python for a Python block "
                f"(not ```{info}) so that the documentation tests run it"
            )
        if info in PYTHON_INFOS:
            marker = NOT_RUN.match(lines[k - 1]) if k > 0 else None
            code = textwrap.dedent("\n".join(lines[k + 1 : end])) + "\n"
            reason = marker.group("reason") if marker else None
            blocks.append(Block(path, k + 2, code, reason))
        k = end + 1
    return blocks


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
