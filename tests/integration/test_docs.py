"""Every Python code block in README.md and docs/*.md runs, and is type-checked; every
``postback`` command shown in a console block prints what the page shows.

The rule for whoever writes documentation:

- A block fenced with ```python is run by this module. The blocks of one document run
  in order in one namespace (a later block may use what an earlier one defined), in a
  fresh temporary directory that holds a copy of examples/ (write paths as from the
  repository's root: ``"examples/notification.toml"``) and the files of the sample
  project of docs/ci.md, tests/fixtures/project (``pyproject.toml``, ``templates/``).
  A block that raises fails the test, which names the document and line. So does a
  page whose blocks leave a file in the checkout (``git status`` before and after), as
  a path written from the repository's root would.
- A block that is not meant to run (a signature, a fragment) has, on the line right
  before its opening fence, the marker ``<!-- not-run: why it cannot run -->``. It is
  neither run nor type-checked. Other fences (```toml, ```sh, ```json) are not Python
  and are left alone; ```py, ```python3 and the like are refused, so that no Python
  block is skipped by accident.
- Nothing here reaches the network: host names other than the loopback ones do not
  resolve while the blocks run. The part of an example that would talk to a real
  server goes under ``if __name__ == "__main__":`` (blocks run as a module named
  ``__docs__``, so that part does not run here); tests/test_documented_senders.py calls
  the functions such blocks define against a server on 127.0.0.1.
- Every runnable block is also copied into tests/typing/check_examples.py, which
  ``mypy --strict`` checks (``nox -s lint``, so .ci/run). When a block changes,
  regenerate it with ``python tests/integration/_docs_blocks.py``;
  ``test_the_typing_file_holds_every_example`` fails until then.
- A block fenced with ```console whose first line is ``$ postback ...`` is run too: each
  ``$ `` line is a command for ``bash``, and the lines under it, up to the next ``$ ``,
  are what it prints (standard output and standard error together). A line that is
  exactly ``...`` stands for any number of lines left out. The blocks of one page run in
  order in one fresh folder holding a copy of examples/, of the sample project and of
  the page's own files, tests/fixtures/docs/PAGE/ (docs/cli.md's are in
  tests/fixtures/docs/cli/), so a command sees the files earlier ones wrote and
  ``echo $?`` prints the status of the command before. ``postback`` and ``python`` are
  this checkout's. A console block that starts with another command
  (``$ python -m pip install ...``) is not run here; the marker ``<!-- not-run: why -->``
  skips one that starts with ``postback``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from _docs_blocks import (
    DOCUMENTS,
    ROOT,
    TYPING_FILE,
    checkout_status,
    console_blocks,
    python_blocks,
    run_blocks,
    run_console_blocks,
    typing_file,
)

import postback

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse to resolve any host but the loopback ones, so no block reaches the network."""
    real = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK_HOSTS:
            raise OSError(f"the documentation tests do not reach the network ({name!r})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


def test_the_documents_are_found() -> None:
    names = [path.relative_to(ROOT).as_posix() for path in DOCUMENTS]
    assert names[0] == "README.md"
    assert "docs/notifications.md" in names
    # The documents with Python in them: a block lost by the extraction would show here.
    counted = {name: len(python_blocks(ROOT / name)) for name in names}
    assert counted["README.md"] >= 1
    assert counted["docs/notifications.md"] >= 10


@contextmanager
def leaves_the_checkout_as_it_was(document: Path, root: Path = ROOT) -> Iterator[None]:
    """Fail if running ``document``'s blocks adds or changes a file of the checkout ``root``.

    Nothing is compared where ``root`` is not a git checkout.
    """
    before = checkout_status(root)
    yield
    after = checkout_status(root)
    if before is not None and after is not None:
        left = sorted(after - before)
        assert not left, f"the blocks of {document.name} left {left} in the checkout"


@pytest.mark.parametrize(
    "document", DOCUMENTS, ids=[path.relative_to(ROOT).as_posix() for path in DOCUMENTS]
)
@pytest.mark.usefixtures("offline")
def test_every_python_block_runs(document: Path, tmp_path: Path) -> None:
    """docs/bulk.md's blocks write actions.jsonl and bodies.jsonl where they run: in a
    temporary folder, never in the checkout."""
    with leaves_the_checkout_as_it_was(document):
        run_blocks(python_blocks(document), tmp_path)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_file_left_in_the_checkout_is_reported(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    subprocess.run(["git", "init", "--quiet"], cwd=checkout, check=True)
    (checkout / ".gitignore").write_text("*.log\n", encoding="utf-8")
    left = checkout / "left.jsonl"
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```python\n"
        'open("relative.jsonl", "w").close()\n'  # in the folder the blocks run in
        'open("ignored.log", "w").close()\n'
        f"open({str(left)!r}, 'w').close()\n"
        "```\n",
        encoding="utf-8",
    )
    with (
        pytest.raises(AssertionError, match=r"doc\.md left \['\?\? left\.jsonl'\] in the checkout"),
        leaves_the_checkout_as_it_was(doc, checkout),
    ):
        run_blocks(python_blocks(doc), tmp_path / "run")
    assert (tmp_path / "run" / "relative.jsonl").exists()
    assert checkout_status(tmp_path) is None  # not a checkout: nothing to compare


CONSOLE_DOCUMENTS = [path for path in DOCUMENTS if console_blocks(path)]


def test_the_console_blocks_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in CONSOLE_DOCUMENTS}
    assert {"docs/cli.md", "docs/ci.md"} <= names
    commands = [c.command for b in console_blocks(ROOT / "docs" / "cli.md") for c in b.commands]
    assert "postback fields" in commands
    assert any(c.startswith("postback check --show-settings") for c in commands)


@pytest.mark.parametrize(
    "document",
    CONSOLE_DOCUMENTS,
    ids=[path.relative_to(ROOT).as_posix() for path in CONSOLE_DOCUMENTS],
)
def test_every_console_block_prints_what_the_page_shows(document: Path, tmp_path: Path) -> None:
    """docs/cli.md showed 39 fields where ``postback fields`` printed 52, and another code
    for an unreadable file; docs/ci.md marked settings its page sets as defaults."""
    with leaves_the_checkout_as_it_was(document):
        run_console_blocks(console_blocks(document), tmp_path)


def test_a_stale_console_block_is_reported_with_its_place(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```console\n$ postback fields\nFields (39)\n...\n```\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match=r"doc\.md:2: `postback fields` prints") as info:
        run_console_blocks(console_blocks(doc), tmp_path / "run")
    assert "-Fields (39)" in str(info.value)
    assert f"+Fields ({len(postback.FIELDS)})" in str(info.value)


def test_console_blocks_keep_state_and_elide(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```console\n"
        "$ postback render missing.json --sample\n"
        "postback: error: cannot read template missing.json: No such file or directory\n"
        "$ echo $?\n"
        "2\n"
        "```\n\n"
        "```console\n"
        "$ python -m pip --version\n"
        "not run: the block does not start with postback\n"
        "```\n\n"
        "```console\n"
        "$ postback fields > fields.txt\n"
        "$ head -3 fields.txt\n"
        "...\n"
        "PLACEHOLDER           ATTRIBUTE             TYPE      DESCRIPTION\n"
        "...\n"
        "```\n\n"
        "<!-- not-run: shows a failure -->\n"
        "```console\n"
        "$ postback fields\n"
        "nothing like it\n"
        "```\n",
        encoding="utf-8",
    )
    blocks = console_blocks(doc)
    assert [(b.line, b.not_run) for b in blocks] == [(2, None), (14, None), (23, "shows a failure")]
    assert [c.line for c in blocks[0].commands] == [2, 4]
    run_console_blocks(blocks, tmp_path / "run")


def test_the_typing_file_holds_every_example() -> None:
    assert TYPING_FILE.read_text(encoding="utf-8") == typing_file(), (
        "tests/typing/check_examples.py is out of date: run python tests/integration/_docs_blocks.py"
    )


def test_a_failing_block_is_reported_with_its_place(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Text.\n\n```python\nx = 1\n```\n\n"
        "<!-- not-run: a fragment -->\n```python\nundefined_name\n```\n\n"
        "```toml\nnot = python\n```\n\n"
        "```python\nassert x == 2, 'x is 1'\n```\n",
        encoding="utf-8",
    )
    blocks = python_blocks(doc)
    assert [(b.line, b.code, b.not_run) for b in blocks] == [
        (4, "x = 1\n", None),
        (9, "undefined_name\n", "a fragment"),
        (17, "assert x == 2, 'x is 1'\n", None),
    ]
    with pytest.raises(AssertionError, match=r"raised AssertionError\('x is 1'\)") as info:
        run_blocks(blocks, tmp_path / "run")
    traceback = info.value.__cause__.__traceback__  # type: ignore[union-attr]
    frames = []
    while traceback is not None:
        frames.append((traceback.tb_frame.f_code.co_filename, traceback.tb_lineno))
        traceback = traceback.tb_next
    assert frames[-1] == (str(doc), 17)


def test_a_python_block_in_another_spelling_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("```py\nx = 1\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="write ```python"):
        python_blocks(doc)


@pytest.mark.usefixtures("offline")
def test_the_network_is_out_of_reach_while_blocks_run() -> None:
    with pytest.raises(OSError, match="do not reach the network"):
        socket.getaddrinfo("example.com", 443)
