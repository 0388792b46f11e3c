"""``postback init``: a new repository of templates that passes its own checks at once.

``postback init`` runs in a real process in a temporary folder, and then what a team
runs on the repository it made: ``postback test``, ``postback check`` and ``pytest``
(the plugin collects the golden case).  It never overwrites a file, never follows a
symbolic link, and writes nothing when anything is in the way.  docs/ci.md shows the
settings, the pre-commit configuration and the workflow it writes, byte for byte.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import postback
from postback._cli import init_write
from postback._cli.init import (
    CASE,
    EXPECTED,
    GITATTRIBUTES,
    PRE_COMMIT,
    RECORD,
    SETTINGS,
    TEMPLATE,
    WORKFLOW,
    content,
)
from postback._cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
#: Every file init writes in an empty folder, in the order it reports them.
WRITTEN = [SETTINGS, TEMPLATE, RECORD, EXPECTED, GITATTRIBUTES, PRE_COMMIT, WORKFLOW]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("POSTBACK_DEBUG", None)
    return env


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m postback ARGS`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "postback", *args],
        capture_output=True,
        cwd=cwd,
        env=_env(),
        timeout=120,
        check=False,
        encoding="utf-8",
    )


def tree(folder: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry under ``folder``: its kind, its bytes (a link: its target), its mtime."""
    found: dict[str, tuple[str, bytes | str, int]] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        mtime = path.lstat().st_mtime_ns
        if path.is_symlink():
            found[name] = ("link", os.readlink(path), mtime)
        elif path.is_dir():
            found[name] = ("folder", b"", mtime)
        else:
            found[name] = ("file", path.read_bytes(), mtime)
    return found


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


# ---------------------------------------------------------------------------
# A new repository passes its own checks
# ---------------------------------------------------------------------------


def test_init_in_an_empty_folder_then_test_check_and_pytest_pass(tmp_path: Path) -> None:
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    reported = result.stdout.splitlines()
    assert reported[:-1] == [f"created {name}" for name in WRITTEN]
    assert reported[-1].startswith(f"next: in {WORKFLOW} and {PRE_COMMIT}, replace OWNER")
    assert sorted(name for name, entry in tree(tmp_path).items() if entry[0] == "file") == sorted(
        WRITTEN
    )

    tested = run("test", cwd=tmp_path)
    assert (tested.returncode, tested.stdout) == (0, "1 passed, 0 failed\n"), tested.stderr
    checked = run("check", "--strict", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == "checked 1 file: no problems found\n"

    before = tree(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        capture_output=True,
        cwd=tmp_path,
        env=_env(),
        timeout=300,
        check=False,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^1 passed", done.stdout, re.M), done.stdout
    assert tree(tmp_path) == before


def test_the_expected_file_is_what_postback_renders_for_the_record(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    template = postback.compile((tmp_path / TEMPLATE).read_text("utf-8"), format="json")
    record = postback.Action.from_json_file(tmp_path / RECORD)
    assert (tmp_path / EXPECTED).read_bytes() == template.render_bytes(record)
    # The example is impact.com's example body, fixed, as examples/ holds it.
    assert content(TEMPLATE) == (ROOT / "examples" / "action-clearing.json").read_text("utf-8")


def test_a_second_run_refuses_lists_every_file_and_changes_nothing(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).returncode == 0
    before = tree(tmp_path)
    again = run("init", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stdout == ""
    # .gitattributes already says what init would add to it: it is not in the way.
    assert again.stderr.splitlines() == [
        *(f"postback: error: {name} exists" for name in WRITTEN if name != GITATTRIBUTES),
        "postback: init wrote nothing: it overwrites no file and follows no symbolic link",
    ]
    assert tree(tmp_path) == before


def test_a_folder_is_created_and_named_in_what_is_printed(tmp_path: Path) -> None:
    result = run("init", "team/postbacks", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"created team/postbacks/{SETTINGS}"
    assert run("test", cwd=tmp_path / "team" / "postbacks").returncode == 0


def test_what_docs_ci_md_shows_init_printing(tmp_path: Path) -> None:
    (block,) = [b for b in _blocks("console") if "$ postback init" in b]
    command, *shown = block.splitlines()
    result = run(*command.split()[2:], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == shown


# ---------------------------------------------------------------------------
# The files' content is in one place, and docs/ci.md shows it
# ---------------------------------------------------------------------------


def test_docs_ci_md_shows_the_workflow_the_hook_and_the_settings_init_writes() -> None:
    blocks = _blocks("yaml")
    assert content(WORKFLOW) in blocks
    assert content(PRE_COMMIT) in blocks
    assert content(SETTINGS) in _blocks("toml")
    assert f"```\n{content(GITATTRIBUTES)}```" in DOC


def test_the_settings_are_valid_and_name_the_example_folder() -> None:
    settings = tomllib.loads(content(SETTINGS))
    assert settings == {"templates": ["templates"], "cases": ["templates"]}
    assert CASE.startswith("templates/")
    hook = re.search(r"files: (.+)", content(PRE_COMMIT))
    assert hook is not None
    assert re.search(hook.group(1), TEMPLATE)


# ---------------------------------------------------------------------------
# pyproject.toml: the table is appended, the file kept
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "original",
    [
        b'[project]\nname = "acme"\n',
        b'[project]\r\nname = "acme"\r\n\r\n[tool.ruff]\r\nline-length = 100',
        b'\xef\xbb\xbf[project]\nname = "acme"',
        b"",
        b"# only a comment\n",
    ],
    ids=["lf", "crlf-no-final-newline", "bom", "empty", "comment"],
)
def test_a_pyproject_without_the_table_gets_it_at_its_end(tmp_path: Path, original: bytes) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_bytes(original)
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "added a [tool.postback] table to pyproject.toml"
    assert not (tmp_path / SETTINGS).exists()
    data = pyproject.read_bytes()
    assert data.startswith(original)
    added = data[len(original) :]
    if b"\r\n" in original:
        assert added.count(b"\n") == added.count(b"\r\n")
    text = data.decode("utf-8-sig")
    table = tomllib.loads(text)
    assert table["tool"].pop("postback") == tomllib.loads(content(SETTINGS))
    if not table["tool"]:
        del table["tool"]
    assert table == tomllib.loads(original.decode("utf-8-sig"))
    shown = run("check", "--show-settings", TEMPLATE, cwd=tmp_path)
    assert "# read from pyproject.toml [tool.postback]\n" in shown.stdout
    assert run("test", cwd=tmp_path).returncode == 0


def test_a_pyproject_with_the_table_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.postback]\ncases = ["golden"]\n', "utf-8")
    before = tree(tmp_path)
    result = run("init", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "postback: error: pyproject.toml already has a [tool.postback] table"
    )
    assert tree(tmp_path) == before


def test_a_postback_toml_is_in_the_way_even_beside_a_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "acme"\n', "utf-8")
    (tmp_path / SETTINGS).write_text("", "utf-8")
    before = tree(tmp_path)
    result = run("init", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"postback: error: {SETTINGS} exists"
    assert tree(tmp_path) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[project\nname = "acme"\n',
            "postback: error: pyproject.toml:1:9: invalid TOML: "
            "Expected ']' at the end of a table declaration",
        ),
        (
            "tool = { ruff = { line-length = 100 } }\n",
            "postback: error: cannot add a [tool.postback] table at the end of pyproject.toml: "
            "TOML refuses it there (Cannot declare ('tool', 'postback') twice); add it by hand",
        ),
    ],
    ids=["invalid-toml", "tool-is-an-inline-table"],
)
def test_a_pyproject_the_table_cannot_go_in_is_one_error(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text, "utf-8")
    before = tree(tmp_path)
    result = run("init", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n")
    assert tree(tmp_path) == before


def test_a_pyproject_saved_as_utf16_is_named_as_such(tmp_path: Path) -> None:
    """It was "not UTF-8 text (byte 0xff at offset 0)", which says nothing of what to do."""
    (tmp_path / "pyproject.toml").write_bytes('[project]\nname = "x"\n'.encode("utf-16"))
    before = tree(tmp_path)
    result = run("init", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.endswith(
        "pyproject.toml: the file is UTF-16 (byte-order mark); save it as UTF-8\n"
    )
    assert tree(tmp_path) == before


# ---------------------------------------------------------------------------
# .gitattributes
# ---------------------------------------------------------------------------


def test_an_existing_gitattributes_gets_the_line_once(tmp_path: Path) -> None:
    attributes = tmp_path / GITATTRIBUTES
    attributes.write_bytes(b"*.png binary")
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "added *.expected -text to .gitattributes" in result.stdout.splitlines()
    assert attributes.read_bytes() == b"*.png binary\n*.expected -text\n"


def test_a_gitattributes_that_has_the_line_is_not_touched(tmp_path: Path) -> None:
    attributes = tmp_path / GITATTRIBUTES
    attributes.write_bytes(b"*.expected   -text\r\n")
    before = attributes.stat().st_mtime_ns
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert GITATTRIBUTES not in result.stdout
    assert attributes.read_bytes() == b"*.expected   -text\r\n"
    assert attributes.stat().st_mtime_ns == before


# ---------------------------------------------------------------------------
# Nothing outside DIR: no symbolic link is followed
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    ["templates", ".github", ".github/workflows", WORKFLOW, PRE_COMMIT, GITATTRIBUTES, SETTINGS],
)
@pytest.mark.parametrize("target", ["folder", "dangling"])
def test_a_symbolic_link_on_the_way_is_refused(tmp_path: Path, link: str, target: str) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    outside.mkdir()
    aim = outside if target == "folder" else outside / "nothing"
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(aim)
    before = tree(tmp_path)
    result = run("init", "repo", cwd=tmp_path)
    assert result.returncode == 1
    assert f"postback: error: repo/{link} is a symbolic link" in result.stderr.splitlines()
    assert tree(tmp_path) == before


def test_a_pyproject_that_is_a_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.toml"
    real.write_text('[project]\nname = "acme"\n', "utf-8")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "pyproject.toml").symlink_to(real)
    before = tree(tmp_path)
    result = run("init", "repo", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[0] == "postback: error: repo/pyproject.toml is a symbolic link"
    )
    assert tree(tmp_path) == before


def test_a_file_where_a_folder_goes_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "templates").write_text("", "utf-8")
    result = run("init", cwd=tmp_path)
    assert result.returncode == 1
    assert "postback: error: templates exists and is not a folder" in result.stderr.splitlines()


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_a_dir_that_is_a_file_is_a_usage_error(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("", "utf-8")
    result = run("init", where, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "postback: error: file exists and is not a folder\n"


def test_a_failed_write_takes_back_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A disk that fills up at the last file leaves the folder as it was."""
    repo = tmp_path / "repo"
    repo.mkdir()
    original = b'[project]\nname = "acme"\n'
    (repo / "pyproject.toml").write_bytes(original)
    before = tree(tmp_path)
    write = init_write._write

    def full_disk(root: Path, planned: init_write.Write, undo: init_write._Undo) -> None:
        write(root, planned, undo)
        if planned.path == WORKFLOW:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(init_write, "_write", full_disk)
    assert main(["init", str(repo)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"postback: error: cannot write {repo.as_posix()}/{WORKFLOW}: "
        "No space left on device; nothing was written\n"
    )
    assert (repo / "pyproject.toml").read_bytes() == original
    assert {k: v[:2] for k, v in tree(tmp_path).items()} == {k: v[:2] for k, v in before.items()}
