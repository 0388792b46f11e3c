"""The golden cases under tests/golden: the examples rendered for the built-in sample."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import postback

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = ROOT / "examples"
CASES = ROOT / "tests" / "cases"


def test_golden_templates_are_the_examples() -> None:
    for ext in ("json", "xml", "qs", "url"):
        golden = (GOLDEN / f"action-clearing-{ext}.{ext}").read_bytes()
        assert golden == (EXAMPLES / f"action-clearing.{ext}").read_bytes(), ext


def test_golden_outputs_match_the_parser_verified_cases() -> None:
    for ext in ("xml", "qs", "url"):
        golden = (GOLDEN / f"action-clearing-{ext}.expected").read_bytes()
        assert golden == (CASES / f"action-clearing.{ext}.expected").read_bytes(), ext
    body = (GOLDEN / "action-clearing-json.expected").read_text("utf-8")
    template = postback.compile((EXAMPLES / "action-clearing.json").read_text("utf-8"))
    assert json.loads(body) == json.loads(template.render(postback.sample_action()))
    assert len(json.loads(body)["items"]) == 3


def test_postback_test_passes_on_the_golden_folder() -> None:
    script = shutil.which("postback", path=str(Path(sys.executable).parent)) or "postback"
    result = subprocess.run(
        [script, "test", str(GOLDEN)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "4 passed, 0 failed"
