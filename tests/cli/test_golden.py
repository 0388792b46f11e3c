"""The examples as golden cases: ``postback test`` passes on them with the expected files.

The templates are the files of ``examples/``; their expected renderings for the
built-in sample live once, in ``tests/cases/`` (``action-clearing.EXT.expected``),
where the format tests check each against the format's own parser.  This test lays
them out as ``postback test`` reads them and runs the command.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
