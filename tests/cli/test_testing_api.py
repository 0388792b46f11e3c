"""``postback.testing``: the public golden-test API that the CLI and the plugin share."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
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


# ---------------------------------------------------------------------------
# The files of a case: nothing outside its folder is read, nothing is written through
# ---------------------------------------------------------------------------

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
OUTSIDE = b"PATH=/secret\x00HOME=/root\x00"


def _fifo(path: Path) -> None:
    """Make a FIFO at ``path``; if something opens it to read, a writer comes after 5 s
    and goes, so a reader that waits fails instead of hanging the test run."""
    os.mkfifo(path)

    def release() -> None:
        time.sleep(5)
        with contextlib.suppress(OSError):  # no reader: nothing waits
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=release, daemon=True).start()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the sample repository, as ``/proc/self/environ`` or ``~/.bashrc``."""
    target = tmp_path / "home" / "environ"
    target.parent.mkdir()
    target.write_bytes(OUTSIDE)
    return target


@needs_symlinks
def test_an_expected_file_linked_out_of_its_folder_is_neither_read_nor_written(
    sample: Path, outside: Path
) -> None:
    """``templates/cb.expected -> /proc/self/environ`` made the diff print the CI's
    environment, and updating it wrote the rendering through the link."""
    expected = Path("templates/tier.expected")
    expected.unlink()
    expected.symlink_to(outside)
    (case,) = discover("templates/tier.header")
    message = f"cannot read {expected}: it is a symbolic link to {str(outside)!r}, outside "
    with pytest.raises(CaseError, match=re.escape(message)) as info:
        case.compare()
    assert "PATH" not in str(info.value)
    with pytest.raises(CaseError) as info:
        case.update()
    assert info.value.message == (
        f"cannot write {expected}: it is a symbolic link, and postback never writes through one"
    )
    assert outside.read_bytes() == OUTSIDE
    assert expected.is_symlink()
    assert [p.name for p in expected.parent.iterdir() if p.name.startswith(".")] == []


@needs_symlinks
def test_a_template_or_record_linked_out_of_its_folder_is_not_read(
    sample: Path, outside: Path
) -> None:
    record = Path("templates/tier.record.json")
    record.unlink()
    record.symlink_to(outside)
    (case,) = discover("templates/tier.header")
    with pytest.raises(CaseError, match=r"cannot read record templates/tier\.record\.json: it is"):
        case.render()
    template = Path("templates/tier.header")
    template.unlink()
    template.symlink_to(outside)
    with pytest.raises(CaseError, match=r"cannot read template templates/tier\.header: it is a sy"):
        case.render()
    notification = Path("templates/notification.toml")
    notification.unlink()
    notification.symlink_to(outside)
    with pytest.raises(CaseError, match=r"cannot read notification file .* is a symbolic link"):
        next(c for c in discover() if c.name == "sale").render()


@needs_symlinks
def test_links_inside_the_folder_are_read_but_not_written_through(sample: Path) -> None:
    folder = Path("templates")
    (folder / "tier.expected").rename(folder / "tier.golden")
    (folder / "tier.expected").symlink_to("tier.golden")
    (case,) = discover("templates/tier.header")
    assert case.compare().ok
    assert case.update() is False  # nothing to write
    (folder / "tier.golden").write_bytes(b"stale")
    with pytest.raises(CaseError, match="is a symbolic link"):
        case.update()
    assert (folder / "tier.golden").read_bytes() == b"stale"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_expected_file_that_is_a_fifo_is_refused_without_waiting(sample: Path) -> None:
    expected = Path("templates/tier.expected")
    expected.unlink()
    _fifo(expected)
    (case,) = discover("templates/tier.header")
    with pytest.raises(CaseError, match=r"is not a regular file \(a FIFO\)"):
        case.compare()
    with pytest.raises(CaseError, match=r"cannot write .* is not a regular file \(a FIFO\)"):
        case.update()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_update_replaces_the_file_and_keeps_its_permissions(sample: Path) -> None:
    expected = Path("templates/tier.expected")
    good = expected.read_bytes()
    expected.write_bytes(b"stale")
    expected.chmod(0o640)
    inode = expected.stat().st_ino
    (case,) = discover("templates/tier.header")
    assert case.update() is True
    assert expected.read_bytes() == good
    assert expected.stat().st_mode & 0o777 == 0o640
    assert expected.stat().st_ino != inode  # a new file, renamed over the old one
    assert sorted(p.name for p in expected.parent.iterdir() if p.name.startswith(".")) == []


def test_a_notification_case_reads_its_body_file_from_the_project(sample: Path) -> None:
    """Golden cases read a body_file inside the project's root (the folder of its
    settings), not only beside the notification; nothing outside it."""
    bodies = sample / "bodies"
    bodies.mkdir()
    Path("templates/order.json").rename(bodies / "order.json")
    toml = Path("templates/notification.toml")
    toml.write_text(toml.read_text("utf-8").replace('"order.json"', '"../bodies/order.json"'))
    cases = [c for c in discover() if c.is_notification]
    assert {c.body_root for c in cases} == {str(sample.resolve())}
    assert all(c.compare().ok for c in cases)
    with pytest.raises(CaseError, match=r"body_file .* is outside "):
        replace(cases[0], body_root=None).render()
    toml.write_text(toml.read_text("utf-8").replace('"../bodies/', '"../../'))
    with pytest.raises(CaseError, match=r"body_file .* is outside "):
        discover()[0].render()


def test_unified_diff_keeps_every_line_a_line() -> None:
    """A carriage return, an escape or a line separator in a file name or in the files
    wrote lines of their own into the report (a forged ``::error::`` in a CI log)."""
    diff = unified_diff(
        b"a\r::error::forged\n\x1b[2Jb\r\n ::warning::x\n##[error]y\n",
        b"a\n\x1b[2Jb\r\n ::warning::x\n##[error]y\n",
        "e\n::error::name",
        "r\u2028",
    )
    lines = diff.split("\n")
    assert lines[:3] == ["--- e\\n::error::name", "+++ r\\u2028", "@@ -1,4 +1,4 @@"]
    assert lines[3:] == [
        "-a\\r::error::forged",
        "+a",
        " \\x1b[2Jb\r",  # a CRLF line ending is written as it is
        "  \\x3a:warning::x",
        " ##\\x5berror]y",
        "",
    ]
    assert unified_diff(b"\ta\n", b"\tb\n", "e", "r").splitlines()[3:] == ["-\ta", "+\tb"]


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
