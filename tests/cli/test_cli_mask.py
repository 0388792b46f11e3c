"""``--mask`` on ``postback prepare`` and ``postback test``, and the ``mask`` setting:
secrets written as ``***``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from postback._cli.main import main

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


def test_mask_neither_compares_nor_prints_the_secret_of_an_expected_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """postback test --mask against an expected file written without --mask failed and
    printed the token the file holds, on the expected side of the diff."""
    for name in ("notification.toml", "action-clearing.json"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    assert main(["test", str(tmp_path), "--update"]) == 0  # the file holds the token
    expected = tmp_path / "notification.expected"
    assert f"Authorization: Bearer {TOKEN}\r\n".encode() in expected.read_bytes()
    capsys.readouterr()
    assert main(["test", str(tmp_path), "--mask"]) == 0
    assert main(["test", str(tmp_path), "--mask", "--update"]) == 0  # nothing else differs
    assert TOKEN.encode() in expected.read_bytes()

    expected.write_bytes(
        expected.read_bytes().replace(b"HTTP/1.1\r\n", b"HTTP/1.1\r\nX-Old: 1\r\n")
    )
    capsys.readouterr()
    assert main(["test", str(tmp_path), "--mask"]) == 1
    out = capsys.readouterr().out
    assert TOKEN not in out
    assert "\n Authorization: ***\r\n" in out
    assert "\n-X-Old: 1\r\n" in out
    # Updated, the file is the masked request.
    assert main(["test", str(tmp_path), "--mask", "--update"]) == 0
    assert TOKEN.encode() not in expected.read_bytes()
    assert b"Authorization: ***\r\n" in expected.read_bytes()


def _notification_folder(folder: Path) -> Path:
    folder.mkdir()
    for name in ("notification.toml", "action-clearing.json"):
        shutil.copy(ROOT / "examples" / name, folder / name)
    return folder / "notification.expected"


def test_the_mask_setting_applies_to_the_cases_it_covers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # the settings are looked for up to here
    masked = _notification_folder(tmp_path / "masked")
    plain = _notification_folder(tmp_path / "plain")
    (tmp_path / "masked" / "postback.toml").write_text("mask = true\n", "utf-8")
    assert main(["test", "masked", "plain", "--update"]) == 0
    assert TOKEN.encode() not in masked.read_bytes()
    assert b"Authorization: ***\r\n" in masked.read_bytes()
    assert f"Authorization: Bearer {TOKEN}\r\n".encode() in plain.read_bytes()
    capsys.readouterr()
    assert main(["test", "masked", "plain"]) == 0
    # The flags override it, both ways.
    assert main(["test", "masked", "--no-mask"]) == 1
    assert f"+Authorization: Bearer {TOKEN}\r\n" in capsys.readouterr().out
    assert main(["test", "plain", "--mask"]) == 0


def test_mask_and_no_mask_together_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "x", "--mask", "--no-mask"]) == 2
    assert capsys.readouterr().err == (
        "postback: error: argument --no-mask: not allowed with argument --mask "
        "(see postback test --help)\n"
    )
