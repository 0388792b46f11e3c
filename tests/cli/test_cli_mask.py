"""``--mask`` on ``postback prepare`` and ``postback test``: secrets written as ``***``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from postback._cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "notification.toml"
TOKEN = "3f1c9a0e-example-token"


def prepare(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["prepare", str(EXAMPLE), "--sample", *args]) == 0
    return capsys.readouterr().out


def test_prepare_prints_the_secret_unless_masked(capsys: pytest.CaptureFixture[str]) -> None:
    plain = prepare(capsys)
    masked = prepare(capsys, "--mask")
    assert f"Authorization: Bearer {TOKEN}\r\n" in plain
    assert TOKEN not in masked
    assert "Authorization: ***\r\n" in masked
    # Everything but the secret is the same request.
    assert masked == plain.replace(f"Bearer {TOKEN}", "***")


def test_golden_notification_with_mask_keeps_the_secret_out_of_the_expected_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("notification.toml", "action-clearing.json"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    (tmp_path / "action-clearing.json").rename(tmp_path / "body.json.txt")
    toml = (tmp_path / "notification.toml").read_text("utf-8")
    (tmp_path / "notification.toml").write_text(
        toml.replace('"action-clearing.json"', '"body.json.txt"'), "utf-8"
    )
    assert main(["test", str(tmp_path), "--update", "--mask"]) == 0
    expected = (tmp_path / "notification.expected").read_bytes()
    assert TOKEN.encode() not in expected
    assert b"Authorization: ***\r\n" in expected
    capsys.readouterr()
    assert main(["test", str(tmp_path), "--mask"]) == 0
    # Unmasked, the rendering differs from the masked expected file: the test fails.
    assert main(["test", str(tmp_path)]) == 1
    assert TOKEN in capsys.readouterr().out
