"""The examples as golden cases: ``postback test`` passes on them with the expected files.

The templates are the files of ``examples/``; their expected renderings for the
built-in sample live once, in ``tests/cases/`` (``action-clearing.EXT.expected``),
where the format tests check each against the format's own parser.  This test lays
them out as ``postback test`` reads them and runs the command.  A case folder with
a symbolic link out of it makes ``postback test`` print nothing of the file it
points to, and ``--update`` write nothing through it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import postback

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases"
EXTENSIONS = ("json", "xml", "qs", "url")


def test_every_example_has_its_expected_rendering() -> None:
    for ext in EXTENSIONS:
        assert (EXAMPLES / f"action-clearing.{ext}").is_file(), ext
        assert (CASES / f"action-clearing.{ext}.expected").is_file(), ext
    body = (CASES / "action-clearing.json.expected").read_text("utf-8")
    template = postback.compile((EXAMPLES / "action-clearing.json").read_text("utf-8"))
    assert json.loads(body) == json.loads(template.render(postback.sample_action()))
    assert len(json.loads(body)["items"]) == 3


def test_postback_test_passes_on_the_examples(tmp_path: Path) -> None:
    # One case a template: CASE.EXT beside CASE.expected, so each example gets a
    # stem of its own.
    for ext in EXTENSIONS:
        shutil.copy(EXAMPLES / f"action-clearing.{ext}", tmp_path / f"action-clearing-{ext}.{ext}")
        shutil.copy(
            CASES / f"action-clearing.{ext}.expected", tmp_path / f"action-clearing-{ext}.expected"
        )
    script = shutil.which("postback", path=str(Path(sys.executable).parent)) or "postback"
    result = subprocess.run(
        [script, "test", str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "4 passed, 0 failed"


def _postback_test(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = shutil.which("postback", path=str(Path(sys.executable).parent)) or "postback"
    return subprocess.run(
        [script, "test", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_an_expected_file_linked_out_of_the_case_folder(tmp_path: Path) -> None:
    """``cb.expected -> /proc/self/environ`` printed the CI's environment in the diff,
    and ``postback test --update`` wrote the rendering through the link."""
    cases = tmp_path / "templates"
    cases.mkdir()
    shutil.copy(EXAMPLES / "action-clearing.url", cases / "cb.url")
    home = tmp_path / "home"
    home.mkdir()
    bashrc = home / ".bashrc"
    bashrc.write_text("export SECRET_TOKEN=abc\n")
    (cases / "cb.expected").symlink_to(bashrc)

    result = _postback_test("templates", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SECRET_TOKEN" not in result.stdout + result.stderr
    assert result.stdout == "FAIL templates/cb.url: unreadable input\n0 passed, 1 failed\n"
    assert result.stderr == (
        "postback: error: cannot read templates/cb.expected: it is a symbolic link to "
        f"{str(bashrc.resolve())!r}, outside 'templates'\n"
    )

    updated = _postback_test("templates", "--update", cwd=tmp_path)
    assert updated.returncode == 2
    assert updated.stderr == (
        "postback: error: cannot write templates/cb.expected: it is a symbolic link, and "
        "postback never writes through one\n"
    )
    assert bashrc.read_text() == "export SECRET_TOKEN=abc\n"
    assert (cases / "cb.expected").is_symlink()
    assert sorted(p.name for p in cases.iterdir()) == ["cb.expected", "cb.url"]

    (cases / "cb.expected").unlink()  # a regular file is written, and then passes
    assert _postback_test("templates", "--update", cwd=tmp_path).returncode == 0
    assert not (cases / "cb.expected").is_symlink()
    assert _postback_test("templates", cwd=tmp_path).stdout == "1 passed, 0 failed\n"


def test_a_case_whose_expected_output_does_not_read_back_fails(tmp_path: Path) -> None:
    """An expected output that ``Template.parse`` cannot read back to its record fails
    with the reader's message and its place in the expected file."""
    cases = tmp_path / "templates"
    cases.mkdir()
    # A pair join whose separator lands inside the next item's key: rendered, not read.
    (cases / "skus.qs").write_text('{join(items, i, "k={i.sku}&", "z")}a=1')
    assert _postback_test("templates", "--update", cwd=tmp_path).returncode == 0
    result = _postback_test("templates", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == (
        "FAIL templates/skus.qs: the expected output does not read back\n"
        "templates/skus.expected: the pairs of the join at template 1:1 cannot be read: "
        "its separator lands inside a key of the next item\n"
        "0 passed, 1 failed\n"
    )


def test_a_case_is_read_back_with_its_place_in_the_expected_file(tmp_path: Path) -> None:
    cases = tmp_path / "templates"
    cases.mkdir()
    (cases / "id.qs").write_text("id={CampaignId}&n={SubId1}")
    (cases / "id.record.json").write_text('{"CampaignId": 7, "SubId1": "a"}')
    (cases / "id.expected").write_text("id=7&n=a")
    case = postback_testing().discover(cases)[0]
    assert case.read_back(b"id=7&n=a") is None
    failure = case.read_back(b"id=x&n=a")
    assert failure is not None
    assert (failure.line, failure.column, failure.field) == (1, 4, "CampaignId")
    assert _postback_test("templates", cwd=tmp_path).stdout == "1 passed, 0 failed\n"


def test_a_template_that_may_read_two_ways_is_not_read_back(tmp_path: Path) -> None:
    cases = tmp_path / "templates"
    cases.mkdir()
    (cases / "ref.header").write_text("X {SubId1}-{SubId2}")
    (cases / "ref.record.json").write_text('{"SubId1": "a-b", "SubId2": "c"}')
    (cases / "ref.expected").write_text("X a-b-c")
    case = postback_testing().discover(cases)[0]
    assert case.read_back(b"X a-b-c") is None
    assert _postback_test("templates", cwd=tmp_path).stdout == "1 passed, 0 failed\n"


def postback_testing() -> ModuleType:
    import postback.testing

    return postback.testing
