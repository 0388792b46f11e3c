"""``postback.testing``: the public golden-test API that the CLI and the plugin share."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import postback
from postback.testing import Case, CaseError, discover, unified_diff

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "project"


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "acme"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(root)
    return root


def test_import_postback_does_not_import_the_testing_module() -> None:
    code = "import sys, postback; print('postback.testing' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "False\n"


def test_discover_without_paths_uses_the_settings(sample: Path) -> None:
    cases = discover()
    assert [c.id for c in cases] == [
        "templates/notification.toml[partial]",
        "templates/notification.toml[refund]",
        "templates/notification.toml[sale]",
        "templates/tier.header",  # a folder's files, then its subfolders
        "templates/partners/legacy.tmpl",
    ]
    refund = cases[1]
    assert refund.is_notification and refund.format is None
    assert refund.record == "templates/notification.refund.record.json"
    assert refund.expected == "templates/notification.refund.expected"
    legacy = cases[4]
    assert legacy.format is postback.Format.QUERY
    assert legacy.compile_options == {"extra_fields": ["Tier"], "timezone": "Europe/Berlin"}
    assert all(case.compare().ok for case in cases)


def test_discover_with_paths_and_config(sample: Path, tmp_path: Path) -> None:
    (tier,) = discover("templates/tier.header")
    assert tier.name is None and tier.record == "templates/tier.record.json"
    (bare,) = discover("templates/tier.header", config=False)
    assert bare.compile_options == {}
    with pytest.raises(CaseError, match="unknown field 'Tier'"):
        bare.render()  # without the settings the record's Tier is not a field
    other = tmp_path / "postback.toml"
    other.write_text('extra_fields = ["Tier"]\n', "utf-8")
    (configured,) = discover(Path("templates/tier.header"), config=other)
    assert configured.render() == b"tier=gold; sub=abc"


def test_update_writes_only_what_differs(sample: Path) -> None:
    case = next(c for c in discover() if c.name == "sale")
    assert case.update() is False
    Path(case.expected).write_bytes(b"stale")
    comparison = case.compare()
    assert not comparison.ok
    assert comparison.diff().startswith(
        "--- templates/notification.sale.expected\n"
        "+++ templates/notification.toml[sale] (rendered)\n"
    )
    assert case.update() is True
    assert case.compare().ok


def test_case_errors(sample: Path) -> None:
    with pytest.raises(CaseError, match="cannot read test directory nowhere"):
        discover("nowhere")
    with pytest.raises(CaseError, match="is not a test case"):
        discover("pyproject.toml")
    broken = Case(
        "templates/tier.header",
        "x.expected",
        "missing.record.json",
        None,
        postback.Format.HEADER,
        {"extra_fields": ["Tier"]},
    )
    with pytest.raises(CaseError, match=r"cannot read record missing\.record\.json"):
        broken.render()
    assert isinstance(CaseError("x"), postback.PostbackError)


def test_unified_diff() -> None:
    assert unified_diff(b"a\n", b"a\n", "e", "r") == ""
    assert unified_diff(b"a\r\n", b"a\n", "e", "r").endswith(
        "(the files differ only in line endings, CRLF against LF)\n"
    )
    assert unified_diff(b"a", b"b", "e", "r") == (
        "--- e\n+++ r\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n"
        "\\ No newline at end of file\n"
    )


def test_masked_comparison_and_update(sample: Path) -> None:
    case = next(c for c in discover() if c.name == "sale")
    assert b"Authorization: Bearer tok-sale\r\n" in case.render()
    masked = case.render(mask=True)
    assert b"Authorization: ***\r\n" in masked and b"tok-sale" not in masked
    # The expected file holds the token: compared masked, it matches and is kept.
    comparison = case.compare(mask=True)
    assert comparison.ok and comparison.expected == masked
    assert case.update(mask=True) is False
    assert b"tok-sale" in Path(case.expected).read_bytes()
    # Stale, it is rewritten masked, and the diff shows no token.
    Path(case.expected).write_bytes(b"stale\r\nAuthorization: Bearer tok-old\r\n")
    stale = case.compare(mask=True)
    assert not stale.ok and "tok-" not in stale.diff()
    assert case.update(mask=True) is True
    assert Path(case.expected).read_bytes() == masked
    assert not case.compare().ok  # unmasked, the token is compared
    # A template case renders no request: mask changes nothing.
    tier = next(c for c in discover() if c.template.endswith("tier.header"))
    assert tier.render(mask=True) == tier.render() and tier.compare(mask=True).ok
