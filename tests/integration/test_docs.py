"""Every Python code block in README.md and docs/*.md runs, and is type-checked.

The rule for whoever writes documentation:

- A block fenced with ```python is run by this module. The blocks of one document run
  in order in one namespace (a later block may use what an earlier one defined), in a
  fresh temporary directory that holds a copy of examples/ (write paths as from the
  repository's root: ``"examples/notification.toml"``) and the files of the sample
  project of docs/ci.md, tests/fixtures/project (``pyproject.toml``, ``templates/``).
  A block that raises fails the test, which names the document and line.
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
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from _docs_blocks import DOCUMENTS, ROOT, TYPING_FILE, python_blocks, run_blocks, typing_file

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


@pytest.mark.parametrize(
    "document", DOCUMENTS, ids=[path.relative_to(ROOT).as_posix() for path in DOCUMENTS]
)
@pytest.mark.usefixtures("offline")
def test_every_python_block_runs(document: Path, tmp_path: Path) -> None:
    run_blocks(python_blocks(document), tmp_path)


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
