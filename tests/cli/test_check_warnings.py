"""``postback check`` and warnings: printed, exit 0 alone, exit 1 with ``--strict``.

Most tests add a warning with a stand-in checker, so that they do not depend on which
templates the checker warns about; the last one uses a warning of the checker itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from postback import Diagnostic
from postback._cli import check as _cli_check
from postback._cli.main import main

WARNING = Diagnostic("warning", "stand-in", "a warning of the stand-in checker", 1, 9, 1, 13)


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    real = _cli_check.check_with

    def with_a_warning(*args: object, **kwargs: bool) -> list[Diagnostic]:
        return [*real(*args, **kwargs), WARNING]  # type: ignore[arg-type]

    monkeypatch.setattr(_cli_check, "check_with", with_a_warning)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "body.json").write_text('{"id": "none"}', "utf-8")
    return tmp_path


def test_warnings_are_printed_and_pass(
    warned: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["check", "body.json", "--no-config"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert out == (
        "body.json:1:9: warning[stand-in]: a warning of the stand-in checker\n"
        "checked 1 file: 1 warning\n"
    )


def test_strict_fails_on_warnings(warned: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["check", "body.json", "--no-config", "--strict"]) == 1
    assert capsysbinary.readouterr().out.decode("utf-8").endswith("checked 1 file: 1 warning\n")


def test_warnings_in_machine_output(
    warned: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["check", "body.json", "--no-config", "--output-format", "json"]) == 0
    (record,) = json.loads(capsysbinary.readouterr().out)
    assert (record["severity"], record["code"]) == ("warning", "stand-in")
    assert main(["check", "body.json", "--no-config", "--output-format", "github", "--strict"]) == 1
    assert capsysbinary.readouterr().out.decode("utf-8") == (
        "::warning file=body.json,line=1,col=9,endLine=1,endColumn=13,"
        "title=postback stand-in::a warning of the stand-in checker\n"
    )


def test_errors_and_warnings_together(
    warned: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    (warned / "body.json").write_text('{"id": "{Nope}"}', "utf-8")
    assert main(["check", "body.json", "--no-config"]) == 1
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert out.splitlines()[-1] == "checked 1 file: 1 error in 1 file, 1 warning"


def test_a_real_warning_from_the_checker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # Another system's macro left in a template is a warning of check() itself.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "body.json").write_text('{"id": "#s2#"}', "utf-8")
    assert main(["check", "body.json", "--no-config"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert out.startswith("body.json:1:9: warning[foreign-macro]: #s2# ")
    assert out.endswith("checked 1 file: 1 warning\n")
    assert main(["check", "body.json", "--no-config", "--strict"]) == 1
