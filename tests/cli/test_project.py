"""A team's template repository under test: project settings, notifications, many records.

tests/fixtures/project is such a repository: a pyproject.toml with a [tool.postback]
table (an extra field, a time zone, a format pattern, the template and case folders),
a notification file with a body_file, a header template, and a notification tested
with three records.  ``postback check`` and ``postback test`` run on it as a team's CI
would, from its root and from a folder inside it, and on copies broken one way at a
time.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _in_process import run_main
from hypothesis import given

import postback
from postback import Action, ConfigError
from postback._files.project import OPTION_KEYS, ProjectSettings, read_settings, shown_path
from postback._sending.config import KEYS as NOTIFICATION_KEYS
from postback.testing import discover
from strategies import toml_documents

if TYPE_CHECKING:
    from postback._options import UnknownKeys

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "project"
TEMPLATES = "templates"

_DIAG_RE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>[a-z-]+)\]: "
    r"(?P<message>.+)$"
)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m postback ARGS`` in ``cwd``, as a CI job would (output as UTF-8 text,
    line ends untouched)."""
    env = dict(os.environ)
    env.pop("POSTBACK_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "postback", *map(str, args)],
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    )


def diagnostics(stdout: str) -> list[tuple[str, int, int, str]]:
    found = []
    for line in stdout.splitlines():
        match = _DIAG_RE.match(line)
        if match:
            file = Path(match["file"]).as_posix()
            found.append((file, int(match["line"]), int(match["col"]), match["code"]))
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the sample repository that a test may break."""
    root = tmp_path / "acme"
    shutil.copytree(FIXTURE, root)
    return root


def test_the_fixture_holds_what_it_claims() -> None:
    import tomllib

    settings = tomllib.loads((FIXTURE / "pyproject.toml").read_text("utf-8"))["tool"]["postback"]
    assert settings["extra_fields"] == ["Tier"]
    notification = tomllib.loads((FIXTURE / TEMPLATES / "notification.toml").read_text("utf-8"))
    assert notification["body_file"] == "order.json"
    records = sorted(p.name for p in (FIXTURE / TEMPLATES).glob("notification.*.record.json"))
    assert records == [
        "notification.partial.record.json",
        "notification.refund.record.json",
        "notification.sale.record.json",
    ]
    assert (FIXTURE / TEMPLATES / "tier.header").is_file()


# ---------------------------------------------------------------------------
# The repository passes, from its root and from a folder inside it
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", [".", "templates", "templates/partners"])
def test_check_passes_without_arguments_from_anywhere_in_the_repository(where: str) -> None:
    result = run("check", cwd=FIXTURE / where)
    assert result.returncode == 0, result.stdout + result.stderr
    # The notification (with its body file), the header template and the .tmpl
    # template the formats pattern names; the body file is checked through the
    # notification only.
    assert result.stdout == "checked 3 files: no problems found\n"
    assert result.stderr == ""


@pytest.mark.parametrize("where", [".", "templates/partners"])
def test_test_passes_without_arguments_from_anywhere_in_the_repository(where: str) -> None:
    result = run("test", cwd=FIXTURE / where)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "5 passed, 0 failed\n"


def test_named_paths_work_too() -> None:
    result = run("check", "templates/notification.toml", "templates/tier.header", cwd=FIXTURE)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "checked 2 files: no problems found\n"
    result = run("test", "templates", cwd=FIXTURE)
    assert result.stdout == "5 passed, 0 failed\n"


def test_a_notification_case_is_the_whole_request_as_http() -> None:
    expected = (FIXTURE / TEMPLATES / "notification.refund.expected").read_bytes()
    head, _, body = expected.partition(b"\r\n\r\n")
    lines = head.decode("utf-8").split("\r\n")
    assert lines[0] == "POST /postback/4636?action=1000.4636.2&status=REVERSED HTTP/1.1"
    assert "Authorization: Bearer tok-refund" in lines
    assert "X-Tier: gold" in lines  # the extra field, from the record
    assert f"Content-Length: {len(body)}" in lines
    data = json.loads(body)
    assert data["amount"] == -120.5
    # The notification's time zone: 16:30 UTC is 18:30 in Berlin in May.
    assert data["event_date"] == "2024-05-03T18:30:00+02:00"
    prepared = subprocess.run(
        [
            sys.executable,
            "-m",
            "postback",
            "prepare",
            "templates/notification.toml",
            "--record",
            "templates/notification.refund.record.json",
        ],
        capture_output=True,
        cwd=FIXTURE,
        timeout=120,
        check=False,
    )
    assert prepared.stdout == expected


def test_the_project_settings_reach_plain_templates() -> None:
    # The header template uses {Tier}, known only through extra_fields; the .tmpl
    # template is a query string by the formats pattern, its date in Europe/Berlin.
    assert (FIXTURE / TEMPLATES / "tier.expected").read_bytes() == b"tier=gold; sub=abc"
    assert (FIXTURE / TEMPLATES / "partners" / "legacy.expected").read_bytes() == (
        b"id=1000.4636.9&tier=bronze+%26+co&at=2024-05-01T12%3A00%3A00%2B02%3A00"
    )


# ---------------------------------------------------------------------------
# Broken one way at a time
# ---------------------------------------------------------------------------


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_broken_url_in_the_notification_is_located_in_the_toml_file(project: Path) -> None:
    notification = project / TEMPLATES / "notification.toml"
    _replace(notification, "action={ActionId}", "action={ActionID}")
    line_no = next(
        n
        for n, line in enumerate(notification.read_text("utf-8").splitlines(), 1)
        if "{ActionID}" in line
    )
    column = notification.read_text("utf-8").splitlines()[line_no - 1].index("{ActionID}") + 1
    result = run("check", cwd=project)
    assert result.returncode == 1
    assert diagnostics(result.stdout) == [
        ("templates/notification.toml", line_no, column, "unknown-field")
    ]
    assert "did you mean {ActionId}?" in result.stdout
    tested = run("test", cwd=project)
    assert tested.returncode == 1
    assert tested.stdout.splitlines()[-1] == "2 passed, 3 failed"
    assert "FAIL templates/notification.toml[sale]" in tested.stdout.splitlines()
    assert ("templates/notification.toml", line_no, column, "unknown-field") in diagnostics(
        tested.stdout
    )


def test_a_broken_header_in_the_notification(project: Path) -> None:
    notification = project / TEMPLATES / "notification.toml"
    _replace(notification, 'X-Tier = "{Tier}"', 'X-Tier = "\\u00e9 {Tierr}"')
    result = run("check", "--output-format", "json", cwd=project)
    assert result.returncode == 1
    (record,) = json.loads(result.stdout)
    lines = notification.read_text("utf-8").splitlines()
    line_no = next(n for n, line in enumerate(lines, 1) if line.startswith("X-Tier"))
    # After the six characters of the escape \u00e9 and a space.
    assert (record["line"], record["column"]) == (line_no, lines[line_no - 1].index("{") + 1)
    assert (record["end_line"], record["end_column"]) == (line_no, record["column"] + 7)
    assert record["code"] == "unknown-field"
    assert record["suggestion"] == "{Tier}"


def test_a_broken_body_file_is_located_in_the_body_file(project: Path) -> None:
    _replace(project / TEMPLATES / "order.json", '"status": "{Status}"', '"status": "{Stat us}"')
    result = run("check", "--output-format", "github", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error file=templates/order.json,line=3,col=14,endLine=3,endColumn=23,"
        "title=postback malformed-placeholder::malformed placeholder {Stat us}"
    )
    assert len(result.stdout.splitlines()) == 1  # the body file is not checked twice


def test_a_broken_multi_line_body_in_the_toml_file(project: Path) -> None:
    notification = project / TEMPLATES / "notification.toml"
    _replace(
        notification,
        'body_file = "order.json"',
        'body = """\n{"a": "{ActionId}",\n "b": \\\n   "{Bad}"}"""',
    )
    result = run("check", "templates/notification.toml", cwd=project)
    assert result.returncode == 1
    lines = notification.read_text("utf-8").splitlines()
    line_no = next(n for n, line in enumerate(lines, 1) if "{Bad}" in line)
    assert diagnostics(result.stdout) == [
        (
            "templates/notification.toml",
            line_no,
            lines[line_no - 1].index("{Bad}") + 1,
            "unknown-field",
        )
    ]


def test_invalid_notification_settings_are_a_diagnostic_at_the_key(project: Path) -> None:
    notification = project / TEMPLATES / "notification.toml"
    _replace(notification, 'method = "POST"', 'method = "PUT"')
    result = run("check", cwd=project)
    assert result.returncode == 1
    assert diagnostics(result.stdout) == [
        ("templates/notification.toml", 3, 1, "invalid-notification")
    ]
    assert "method must be 'GET' or 'POST'" in result.stdout
    _replace(notification, 'method = "PUT"', 'method = "POST"\nmethod = "GET"')
    result = run("check", "--output-format", "json", cwd=project)
    (record,) = json.loads(result.stdout)
    assert record["code"] == "invalid-notification"
    assert record["message"].startswith("invalid TOML: ")
    assert record["line"] == 4


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('X-Forwarded-For = "{SubId2}"', "header 'X-Forwarded-For' cannot be set"),
        ('Content-Encoding = "gzip"', "header 'Content-Encoding' cannot be set"),
        ('X-HTTP-Method-Override = "{SubId2}"', "header 'X-HTTP-Method-Override' must be literal"),
        ('Content-Type = "{SubId2}"', "header 'Content-Type' must be literal"),
    ],
)
def test_a_header_the_notification_refuses_is_a_diagnostic_at_its_key(
    project: Path, header: str, message: str
) -> None:
    """postback check passed a notification whose Content-Type or method override held
    a placeholder, or that set a header only proxies write: it checked the settings and
    each template, but not what loading the notification refuses."""
    notification = project / TEMPLATES / "notification.toml"
    _replace(notification, 'X-Tier = "{Tier}"', header)
    result = run("check", cwd=project)
    assert result.returncode == 1
    assert diagnostics(result.stdout) == [
        ("templates/notification.toml", 11, 1, "invalid-notification")
    ]
    assert message in result.stdout


def test_a_broken_header_template(project: Path) -> None:
    (project / TEMPLATES / "tier.header").write_text("tier={Tier}\r\nsub={SubId1}\n", "utf-8")
    result = run("check", cwd=project)
    assert result.returncode == 1
    # The line break after {Tier}, at line 1 column 12 (only the final LF is the file's).
    found = diagnostics(result.stdout)
    assert found[0] == ("templates/tier.header", 1, 12, "invalid-header")
    assert {d[0] for d in found} == {"templates/tier.header"}


def test_a_stale_expected_file_fails_with_a_diff(project: Path) -> None:
    expected = project / TEMPLATES / "notification.refund.expected"
    expected.write_bytes(expected.read_bytes().replace(b"tok-refund", b"tok-old"))
    assert run("check", cwd=project).returncode == 0  # the templates are fine
    result = run("test", cwd=project)
    assert result.returncode == 1
    out = result.stdout.split("\n")
    assert out[0] == "FAIL templates/notification.toml[refund]"
    assert out[1] == "--- templates/notification.refund.expected"
    assert out[2] == "+++ templates/notification.toml[refund] (rendered)"
    assert "-Authorization: Bearer tok-old\r" in out
    assert "+Authorization: Bearer tok-refund\r" in out
    assert out[-2:] == ["4 passed, 1 failed", ""]
    updated = run("test", "--update", cwd=project)
    assert updated.stdout == (
        "updated templates/notification.refund.expected\nupdated 1 of 5 expected files\n"
    )
    assert (
        expected.read_bytes() == (FIXTURE / TEMPLATES / "notification.refund.expected").read_bytes()
    )


def test_a_missing_expected_file_for_one_record(project: Path) -> None:
    (project / TEMPLATES / "notification.partial.expected").unlink()
    result = run("test", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "FAIL templates/notification.toml[partial]: no expected output "
        "templates/notification.partial.expected; run `postback test --update "
        "templates/notification.toml` to create it"
    )


def test_a_broken_record_is_unreadable_input(project: Path) -> None:
    (project / TEMPLATES / "notification.sale.record.json").write_text('{"Amount": ', "utf-8")
    result = run("test", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("postback: error: templates/notification.sale.record.json:1:")
    assert "FAIL templates/notification.toml[sale]: unreadable input" in result.stdout


def test_a_record_named_after_another_template_is_that_templates(project: Path) -> None:
    templates = project / TEMPLATES
    (templates / "tier.gold.header").write_text("{Tier}", "utf-8")
    (templates / "tier.gold.record.json").write_text('{"Tier": "gold"}', "utf-8")
    (templates / "tier.gold.expected").write_text("gold", "utf-8")
    result = run("test", cwd=project)
    assert result.stdout == "6 passed, 0 failed\n", result.stdout + result.stderr


# ---------------------------------------------------------------------------
# Flags over settings
# ---------------------------------------------------------------------------


def test_flags_override_the_settings(project: Path) -> None:
    # The legacy template writes its date in the settings' Europe/Berlin; --timezone wins.
    result = run("test", "--timezone", "UTC", cwd=project)
    assert result.returncode == 1
    assert "+id=1000.4636.9&tier=bronze+%26+co&at=2024-05-01T10%3A00%3A00%2B00%3A00" in (
        result.stdout.splitlines()
    )
    # A notification keeps its own settings: its three cases still pass.
    assert result.stdout.splitlines()[-1] == "4 passed, 1 failed"
    shown = run(
        "check", "--show-settings", "templates/tier.header", "--timezone", "UTC", cwd=project
    )
    assert 'timezone = "UTC"  # --timezone' in shown.stdout.splitlines()


def test_extra_field_flags_replace_the_settings_list(project: Path) -> None:
    result = run("check", "templates/tier.header", "--extra-field", "Other", cwd=project)
    assert result.returncode == 1
    assert [d[3] for d in diagnostics(result.stdout)] == ["unknown-field"]
    result = run(
        "check",
        "templates/tier.header",
        "--extra-field",
        "Other",
        "--extra-field",
        "Tier",
        cwd=project,
    )
    assert result.returncode == 0, result.stdout


def test_no_config_ignores_the_settings(project: Path) -> None:
    result = run("check", "--no-config", "templates/tier.header", cwd=project)
    assert result.returncode == 1
    assert diagnostics(result.stdout) == [("templates/tier.header", 1, 6, "unknown-field")]
    # Without the settings there are no configured paths either.
    usage = run("test", "--no-config", cwd=project)
    assert usage.returncode == 2
    assert usage.stderr.startswith("postback: error: the following arguments are required: DIR")
    rendered = run(
        "render",
        "templates/tier.header",
        "--record",
        "templates/tier.record.json",
        "--no-config",
        "--extra-field",
        "Tier",
        cwd=project,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == "tier=gold; sub=abc"


def test_config_names_the_settings_file(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "postback.toml"
    other.write_text('extra_fields = ["Tier"]\ntimezone = "Asia/Tokyo"\n', "utf-8")
    result = run(
        "render",
        "templates/partners/legacy.tmpl",
        "--format",
        "query",
        "--record",
        "templates/partners/legacy.record.json",
        "--config",
        other,
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("at=2024-05-01T19%3A00%3A00%2B09%3A00")
    both = run("check", "--config", other, "--no-config", cwd=project)
    assert both.returncode == 2
    assert "not allowed with" in both.stderr


def test_render_uses_the_settings(project: Path) -> None:
    result = run(
        "render",
        "templates/partners/legacy.tmpl",
        "--record",
        "templates/partners/legacy.record.json",
        cwd=project / ".",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (FIXTURE / TEMPLATES / "partners" / "legacy.expected").read_text()


def test_a_postback_toml_is_found_before_pyproject(project: Path) -> None:
    (project / TEMPLATES / "postback.toml").write_text('timezone = "UTC"\n', "utf-8")
    shown = run("check", "--show-settings", "templates/tier.header", cwd=project)
    assert shown.stdout.splitlines()[:2] == [
        "# settings for templates/tier.header",
        "# read from templates/postback.toml",
    ]
    # That file holds no extra_fields: {Tier} is unknown below it.
    result = run("check", "templates/tier.header", cwd=project)
    assert result.returncode == 1


def test_show_settings(project: Path) -> None:
    result = run("check", "--show-settings", "templates/partners/legacy.tmpl", cwd=project)
    assert result.returncode == 0
    assert result.stdout == (
        "# settings for templates/partners/legacy.tmpl\n"
        "# read from pyproject.toml [tool.postback]\n"
        "format = \"query\"  # formats['templates/partners/*.tmpl'] in pyproject.toml "
        "[tool.postback]\n"
        'extra_fields = ["Tier"]  # pyproject.toml [tool.postback]\n'
        'missing = "empty"  # default\n'
        'timezone = "Europe/Berlin"  # pyproject.toml [tool.postback]\n'
        'date_format = "iso"  # default\n'
        'unknown_keys = "error"  # default\n'
        "# day_first not set: a date such as 04.03.2026 is refused  # default\n"
        "mask = false  # default (the pytest plugin masks by default)\n"
        'templates = ["templates"]  # pyproject.toml [tool.postback]\n'
        'cases = ["templates"]  # pyproject.toml [tool.postback]\n'
    )
    bare = run("check", "--show-settings", "x.json", "--no-config", cwd=project)
    assert bare.stdout.splitlines()[1:3] == [
        "# read from no settings file (--no-config)",
        'format = "json"  # the extension .json',
    ]


def test_the_day_first_setting_reads_the_dates_of_records(project: Path) -> None:
    """``day_first`` in the settings reads a case record's 01.05.2024 as 1 May for
    ``test`` and ``render``; ``--month-first`` overrides it; ``--show-settings`` says
    where the value comes from."""
    record = project / TEMPLATES / "partners" / "legacy.record.json"
    record.write_text(
        record.read_text("utf-8").replace("2024-05-01T10:00:00Z", "01.05.2024 10:00 +00:00"),
        "utf-8",
    )
    refused = run("test", cwd=project)
    assert refused.returncode != 0
    assert "EventDate: expected a date whose month is certain" in refused.stdout + refused.stderr
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace(
            "[tool.postback]\n", "[tool.postback]\nday_first = true\n"
        ),
        "utf-8",
    )
    passed = run("test", cwd=project)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout == "5 passed, 0 failed\n"
    legacy = "templates/partners/legacy.tmpl"
    rendered = run("render", legacy, "--record", record, cwd=project)
    assert rendered.stdout == (FIXTURE / TEMPLATES / "partners" / "legacy.expected").read_text()
    month_first = run("render", legacy, "--record", record, "--month-first", cwd=project)
    assert month_first.returncode == 0, month_first.stderr
    assert month_first.stdout.endswith("&at=2024-01-05T11%3A00%3A00%2B01%3A00")
    shown = run("check", "--show-settings", legacy, cwd=project).stdout.splitlines()
    assert "day_first = true  # pyproject.toml [tool.postback]" in shown
    shown = run("check", "--show-settings", legacy, "--month-first", cwd=project).stdout
    assert "day_first = false  # --month-first" in shown.splitlines()
    shown = run("check", "--show-settings", legacy, "--no-config", "--day-first", cwd=project)
    assert "day_first = true  # --day-first" in shown.stdout.splitlines()


def test_a_day_first_that_is_not_true_or_false_is_a_usage_error(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace(
            "[tool.postback]\n", '[tool.postback]\nday_first = "yes"\n'
        ),
        "utf-8",
    )
    result = run("check", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        "postback: error: pyproject.toml [tool.postback]: day_first must be true "
        "(04.03.2026 is 4 March) or false (3 April), not 'yes' (str)\n"
    )


def test_show_settings_shows_the_mask_setting(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace("[tool.postback]\n", "[tool.postback]\nmask = true\n"),
        "utf-8",
    )
    for file in ("templates/notification.toml", "templates/tier.header"):
        result = run("check", "--show-settings", file, cwd=project)
        assert "mask = true  # pyproject.toml [tool.postback]\n" in result.stdout
    result = run("check", "--show-settings", "templates/tier.header", "--no-config", cwd=project)
    assert "mask = false  # default (the pytest plugin masks by default)\n" in result.stdout


@pytest.mark.parametrize(
    ("table", "fragments"),
    [
        ('missing = "never"', ["missing must be 'empty' or 'error'"]),
        ('extra_field = ["Tier"]', ["unknown key 'extra_field'", "did you mean 'extra_fields'?"]),
        ("extra_fields = 3", ["extra_fields must be a list of strings"]),
        ('timezone = "Mars/Olympus"', ["unknown timezone 'Mars/Olympus'"]),
        ('date_format = "YYYY-MM-DD"', ["no strftime directive", "did you mean '%Y-%m-%d'?"]),
        ('cases = "templates"', ["cases must be a list of directories"]),
        ('mask = "yes"', ["mask must be true or false, not 'yes'"]),
        ("mask = 1", ["mask must be true or false, not 1"]),
        ('[tool.postback.formats]\n"*.x" = "yaml"', ["formats['*.x']", "unknown format 'yaml'"]),
    ],
)
def test_a_malformed_table_is_one_usage_error(
    project: Path, table: str, fragments: list[str]
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.postback]\n{table}\n", "utf-8")
    for command in (("check",), ("test",), ("check", "templates/tier.header")):
        result = run(*command, cwd=project)
        assert result.returncode == 2, result.stdout
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("postback: error: pyproject.toml [tool.postback]: ")
        for fragment in fragments:
            assert fragment in lines[0]


def test_a_settings_file_that_is_not_toml(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.postback\n", "utf-8")
    result = run("check", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("postback: error: pyproject.toml:1:")
    assert "invalid TOML" in result.stderr


def test_a_settings_file_saved_as_utf16(project: Path) -> None:
    """It was "not UTF-8 text (invalid byte at offset 0)"."""
    text = (project / "pyproject.toml").read_text("utf-8")
    (project / "pyproject.toml").write_bytes(text.encode("utf-16"))
    result = run("check", "--config", "pyproject.toml", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        "postback: error: cannot read settings file pyproject.toml: the file is UTF-16 "
        "(byte-order mark); save it as UTF-8\n"
    )


def test_a_missing_config_file(project: Path) -> None:
    result = run("check", "--config", "nope.toml", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        "postback: error: cannot read settings file nope.toml: No such file or directory\n"
    )
    (project / "other").mkdir()
    (project / "other" / "pyproject.toml").write_text("[project]\nname = 'x'\n", "utf-8")
    result = run("check", "--config", "other/pyproject.toml", cwd=project)
    assert result.stderr == "postback: error: other/pyproject.toml has no [tool.postback] table\n"


@pytest.mark.parametrize("name", ["pyproject.toml", "postback.toml"])
@pytest.mark.parametrize(
    ("value", "column", "reason"),
    [
        ("[" * 1000, 116, "arrays and inline tables nested more than 100 levels deep"),
        ("9" * 5000, 16, "a number of more than 1,000 digits"),
    ],
)
def test_settings_nested_too_deep_or_too_long_a_number_are_one_usage_error(
    project: Path, name: str, value: str, column: int, reason: str
) -> None:
    """Such a [tool.postback] table raised RecursionError or ValueError: "internal
    error" from the command line, INTERNALERROR from the pytest plugin."""
    (project / "pyproject.toml").unlink()
    (project / name).write_text(
        ("[tool.postback]\n" if name == "pyproject.toml" else "\n") + f"extra_fields = {value}\n",
        "utf-8",
    )
    for command in (("check",), ("test",)):
        result = run(*command, cwd=project)
        assert result.returncode == 2, result.stderr
        assert result.stderr == f"postback: error: {name}:2:{column}: {reason}\n"


def test_a_notification_nested_too_deep_or_with_too_long_a_number_is_a_diagnostic(
    project: Path,
) -> None:
    """``postback check`` of such a notification file stopped with "internal error"."""
    notification = project / TEMPLATES / "notification.toml"
    original = notification.read_text("utf-8")
    for extra, column, reason in [
        ("[" * 1000, 105, "arrays and inline tables nested more than 100 levels deep"),
        ("{ a = " * 1000, 605, "arrays and inline tables nested more than 100 levels deep"),
        ("-" + "9" * 5000, 6, "a number of more than 1,000 digits"),
    ]:
        notification.write_text(f"x = {extra}\n" + original, "utf-8")
        result = run("check", "--output-format", "json", cwd=project)
        assert result.returncode == 1, result.stderr
        (record,) = json.loads(result.stdout)
        assert record["file"] == "templates/notification.toml"
        assert (record["code"], record["line"], record["column"]) == (
            "invalid-notification",
            1,
            column,
        )
        assert record["message"] == reason


_PROJECT_KEYS = [*OPTION_KEYS, "formats", "templates", "cases"]


@given(toml_documents(_PROJECT_KEYS))
def test_any_settings_file_is_read_or_is_a_config_error(text: str) -> None:
    """postback.toml, or the [tool.postback] table of pyproject.toml, holding any TOML
    text (nested thousands deep, numbers of thousands of digits, lone surrogates written
    as escapes): settings, or a ConfigError naming the file."""
    data = text.encode("utf-8", "backslashreplace")
    with tempfile.TemporaryDirectory() as base:
        for name, head in (("postback.toml", b""), ("pyproject.toml", b"[tool.postback]\n")):
            path = Path(base) / name
            path.write_bytes(head + data)
            try:
                settings = read_settings(path, required=False)
            except ConfigError as exc:
                assert exc.message.startswith(shown_path(path)), exc.message
                continue
            assert settings is None or isinstance(settings, ProjectSettings)


@given(toml_documents(list(NOTIFICATION_KEYS)))
def test_check_of_any_notification_file_exits_0_or_1(text: str) -> None:
    """Any TOML text in a notification file (lone surrogates written as escapes) is
    checked: exit 0, or 1 with its diagnostics; never 2 and never an internal error."""
    with tempfile.TemporaryDirectory() as base:
        path = Path(base) / "n.toml"
        path.write_bytes(text.encode("utf-8", "backslashreplace"))
        ran = run_main("check", str(path), "--no-config", "--output-format", "json")
        assert ran.status in (0, 1), ran.stderr
        found = json.loads(ran.stdout)
        assert (ran.status == 1) == any(d["severity"] == "error" for d in found)


def _notification_of(keys: int) -> str:
    """A notification whose [headers] table has ``keys`` keys, then as many keys again
    in tables of an array of tables (about 50 bytes a key)."""
    lines = ['url = "https://e.com/{ActionId}"', "[headers]"]
    lines += [f'X-Header-{k:07d} = "v{k}"' for k in range(keys)]
    for k in range(0, keys, 4):
        lines.append("[[more]]")
        lines += [f'key{j:07d} = "v{j}"' for j in range(k, k + 4)]
    return "\n".join(lines) + "\n"


def test_check_of_a_notification_file_takes_time_linear_in_its_size(tmp_path: Path) -> None:
    """A table of 32k keys and an array of tables of 32k keys (0.7 MB) took 6.4 s, four
    times the size 13 times as long.  From 128 KiB to 1 MiB, the time per byte may grow
    at most 1.5 times per doubling of the file, on average (quadratic time doubles it):
    each size the shortest of three rounds, the sizes measured in turn in each round so
    that the load of the machine weighs on all of them alike."""
    paths = []
    for keys in (2_600, 5_200, 10_400, 20_800):
        path = tmp_path / f"n{keys}.toml"
        path.write_text(_notification_of(keys), "utf-8")
        paths.append(path)
    seconds = [float("inf")] * len(paths)
    for _ in range(3):
        for k, path in enumerate(paths):
            gc.collect()
            start = time.perf_counter()
            ran = run_main("check", str(path), "--no-config")
            seconds[k] = min(seconds[k], time.perf_counter() - start)
            assert ran.status == 1 and b"unknown setting 'more'" in ran.stdout, ran.stdout
    sizes = [path.stat().st_size for path in paths]
    assert sizes[0] > 120 * 1024 and sizes[-1] < 1.1 * 1024 * 1024, sizes
    per_byte = [t / size for t, size in zip(seconds, sizes, strict=True)]
    growth = (per_byte[-1] / per_byte[0]) ** (1 / (len(paths) - 1))
    assert growth <= 1.5, list(zip(sizes, seconds, strict=True))


def test_check_of_a_body_with_an_error_on_every_line_takes_linear_time(tmp_path: Path) -> None:
    """An inline body of ``{"a": {Bad}}`` lines took 11 s at 118 KB and 186 s at 475 KB:
    the line starts of the body were found again for each diagnostic.  From about 30 KB
    to 240 KB, the time per byte may grow at most 1.5 times per doubling, on average."""
    paths = []
    for count in (2_500, 5_000, 10_000, 20_000):
        path = tmp_path / f"b{count}.toml"
        body = '{"a": {Bad}}\n' * count
        path.write_text(
            f'url = "https://e.com/"\nmethod = "POST"\nbody_format = "json"\nbody = """\n{body}"""\n',
            "utf-8",
        )
        paths.append(path)
    seconds = [float("inf")] * len(paths)
    for _ in range(3):
        for k, path in enumerate(paths):
            gc.collect()
            start = time.process_time()
            ran = run_main("check", str(path), "--no-config")
            seconds[k] = min(seconds[k], time.process_time() - start)
            assert ran.status == 1 and ran.stdout.count(b"unknown-field") >= 2_500, ran.stdout[:400]
    sizes = [path.stat().st_size for path in paths]
    per_byte = [t / size for t, size in zip(seconds, sizes, strict=True)]
    growth = (per_byte[-1] / per_byte[0]) ** (1 / (len(paths) - 1))
    assert growth <= 1.5, list(zip(sizes, seconds, strict=True))


def test_the_search_stops_at_the_repository_root(project: Path) -> None:
    inner = project / "vendored"
    inner.mkdir()
    (inner / ".git").mkdir()
    (inner / "t.header").write_text("{Tier}", "utf-8")
    result = run("check", "vendored/t.header", cwd=project)
    assert result.returncode == 1  # the outer pyproject.toml (with Tier) does not apply
    (inner / ".git").rmdir()
    assert run("check", "vendored/t.header", cwd=project).returncode == 0


# ---------------------------------------------------------------------------
# A file that cannot be read never hides in machine output
# ---------------------------------------------------------------------------


def test_an_undecodable_file_is_a_diagnostic_in_every_output_format(project: Path) -> None:
    bad = project / TEMPLATES / "bad.json"
    bad.write_bytes(b'{"a":\n "\xff"}')
    text = run("check", cwd=project)
    assert text.returncode == 2
    assert text.stderr == ""
    assert text.stdout == (
        "templates/bad.json:2:3: error[unreadable-file]: cannot read template "
        "templates/bad.json: not UTF-8 text (byte 0xff at offset 8, line 2, column 3)\n"
        "checked 3 files: no problems found; 1 unreadable\n"
    )
    as_json = run("check", "--output-format", "json", cwd=project)
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout) == [
        {
            "file": "templates/bad.json",
            "line": 2,
            "column": 3,
            "end_line": 2,
            "end_column": 4,
            "severity": "error",
            "code": "unreadable-file",
            "message": "cannot read template templates/bad.json: not UTF-8 text "
            "(byte 0xff at offset 8, line 2, column 3)",
            "suggestion": None,
        }
    ]
    github = run("check", "--output-format", "github", cwd=project)
    assert github.returncode == 2
    assert github.stdout == (
        "::error file=templates/bad.json,line=2,col=3,endLine=2,endColumn=4,"
        "title=postback unreadable-file::cannot read template templates/bad.json: "
        "not UTF-8 text (byte 0xff at offset 8, line 2, column 3)\n"
    )


def test_an_undecodable_notification_is_a_diagnostic_too(project: Path) -> None:
    (project / TEMPLATES / "notification.toml").write_bytes(b'url = "\xc3("\n')
    result = run("check", "--output-format", "json", cwd=project)
    assert result.returncode == 2
    (record,) = json.loads(result.stdout)
    assert (record["file"], record["code"], record["line"], record["column"]) == (
        "templates/notification.toml",
        "unreadable-file",
        1,
        8,
    )


def test_format_applies_to_templates_not_to_notifications() -> None:
    result = run("check", "--format", "json", "templates/notification.toml", cwd=FIXTURE)
    assert result.returncode == 0, result.stdout
    result = run("test", "--format", "text", "templates/notification.toml", cwd=FIXTURE)
    assert result.stdout == "3 passed, 0 failed\n"
    # A header template checked as JSON is not valid JSON.
    result = run("check", "--format", "json", "templates/tier.header", cwd=FIXTURE)
    assert [d[3] for d in diagnostics(result.stdout)][:1] == ["invalid-json"]


# ---------------------------------------------------------------------------
# Production loads exactly what CI checked: postback.load
# ---------------------------------------------------------------------------


def _record_action(record: str | None, extra: Iterable[str], unknown_keys: UnknownKeys) -> Action:
    if record is None:
        return postback.sample_action()
    text = Path(record).read_bytes()
    return Action.from_json(text, extra=extra, unknown_keys=unknown_keys)


def _production_bytes(template: str, record: str | None) -> bytes:
    """What a production process that loads ``template`` makes of ``record``."""
    loaded = postback.load(template)
    if isinstance(loaded, postback.Template):
        action = _record_action(record, loaded.extra_fields, loaded.unknown_keys)
        return loaded.render_bytes(action)
    action = _record_action(record, loaded.extra_fields, loaded.unknown_keys)
    return loaded.prepare(action).to_http()


def _cli_bytes(template: str, record: str | None, cwd: Path) -> bytes:
    """What ``postback render`` (a template) or ``postback prepare`` (a notification) prints."""
    command = "prepare" if template.endswith(".toml") else "render"
    source = ["--record", record] if record is not None else ["--sample"]
    done = subprocess.run(
        [sys.executable, "-m", "postback", command, template, *source],
        capture_output=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8")
    return done.stdout


def test_ci_and_production_render_the_same_bytes_for_every_golden_case(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CI and production disagreed: ``check``, ``test`` and the pytest plugin applied the
    ``[tool.postback]`` settings (an extra field, a time zone, a format pattern), while
    production code compiling the same file got the defaults: ``{Tier}`` was an unknown
    field, ``legacy.tmpl`` had no format and dates were in UTC.  ``postback.load``
    applies the settings as the command line does: for every template and notification
    of the sample repository and each of its golden records, what ``postback test``
    compares, what ``postback render``/``prepare`` prints and what a production process
    gets from ``postback.load(path)`` from another folder are the same bytes."""
    cases = discover(FIXTURE / TEMPLATES)
    assert {Path(c.template).name for c in cases} == {
        "notification.toml",
        "tier.header",
        "legacy.tmpl",
    }
    assert len(cases) == 5
    monkeypatch.chdir(tmp_path)  # production runs from anywhere, with absolute paths
    for case in cases:
        expected = case.read_expected()
        assert expected is not None, case.id
        assert case.compare().ok, case.id  # what `postback test` checks
        cli = _cli_bytes(case.template, case.record, FIXTURE)
        production = _production_bytes(case.template, case.record)
        assert production == cli == expected, case.id


def test_load_applies_each_setting_of_the_project(project: Path) -> None:
    tier = postback.load(project / TEMPLATES / "tier.header")
    assert isinstance(tier, postback.Template)
    assert tier.format is postback.Format.HEADER
    assert tier.extra_fields == {"Tier"}
    legacy = postback.Template.from_file(project / TEMPLATES / "partners" / "legacy.tmpl")
    assert legacy.format is postback.Format.QUERY  # the formats pattern
    record = {"ActionId": "1", "EventDate": "2024-05-01T10:00:00Z", "Tier": "x"}
    assert legacy.render(record) == "id=1&tier=x&at=2024-05-01T12%3A00%3A00%2B02%3A00"
    _replace(project / "pyproject.toml", 'timezone = "Europe/Berlin"', 'date_format = "unix"')
    legacy = postback.Template.from_file(project / TEMPLATES / "partners" / "legacy.tmpl")
    assert legacy.render(record) == "id=1&tier=x&at=1714557600"


def test_load_takes_the_command_lines_choices_of_settings(project: Path, tmp_path: Path) -> None:
    header = project / TEMPLATES / "tier.header"
    with pytest.raises(postback.UnknownFieldError, match=r"\{Tier\}"):
        postback.load(header, project=False)  # --no-config: the defaults
    other = tmp_path / "postback.toml"
    other.write_text('extra_fields = ["Tier"]\ntimezone = "Asia/Tokyo"\n', "utf-8")
    legacy = project / TEMPLATES / "partners" / "legacy.tmpl"
    record = {"ActionId": "1", "EventDate": "2024-05-01T10:00:00Z", "Tier": "x"}
    # --config FILE: that file's settings, and no formats pattern, so format= is needed.
    with pytest.raises(postback.ConfigError, match="cannot tell the format") as info:
        postback.load(legacy, project=other)
    assert info.value.setting == "format"
    tokyo = postback.load(legacy, project=str(other), format="query")
    assert isinstance(tokyo, postback.Template)
    assert tokyo.render(record).endswith("at=2024-05-01T19%3A00%3A00%2B09%3A00")
    # Flags win: options given to load replace the settings' values.
    utc = postback.Template.from_file(legacy, timezone="UTC", extra_fields=["Tier", "Region"])
    assert utc.render(record).endswith("at=2024-05-01T10%3A00%3A00%2B00%3A00")
    assert utc.extra_fields == {"Tier", "Region"}
    with pytest.raises(postback.UnknownFieldError):
        postback.Template.from_file(legacy, extra_fields=[])
    # day_first= as --day-first: over the settings' day_first, or the settings' value.
    dotted = {**record, "EventDate": "01.05.2024 10:00 +00:00"}
    with pytest.raises(postback.RecordError, match="month is certain"):
        utc.render(dotted)
    may = postback.Template.from_file(legacy, timezone="UTC", day_first=True)
    assert may.day_first is True
    assert may.render(dotted).endswith("at=2024-05-01T10%3A00%3A00%2B00%3A00")
    _replace(project / "pyproject.toml", 'timezone = "Europe/Berlin"', "day_first = false")
    january = postback.load(legacy)
    assert isinstance(january, postback.Template) and january.day_first is False
    assert january.render(dotted).endswith("at=2024-01-05T10%3A00%3A00%2B00%3A00")
    may_again = postback.load(legacy, day_first=True)
    assert isinstance(may_again, postback.Template)
    assert may_again.render(dotted).endswith("at=2024-05-01T10%3A00%3A00%2B00%3A00")


def test_load_finds_the_settings_from_the_files_folder_up_to_the_repository_root(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / TEMPLATES / "partners")
    tier = postback.load("../tier.header")
    assert isinstance(tier, postback.Template)
    assert tier.render({"Tier": "gold", "SubId1": "abc"}) == "tier=gold; sub=abc"
    inner = project / "vendored"
    inner.mkdir()
    (inner / "t.header").write_text("{Tier}\n", "utf-8")
    assert postback.Template.from_file(inner / "t.header").source == "{Tier}"
    # A repository root: the search stops there, so the outer pyproject.toml (with Tier)
    # does not apply.
    (inner / ".git").mkdir()
    with pytest.raises(postback.UnknownFieldError):
        postback.Template.from_file(inner / "t.header")


def test_a_notification_is_loaded_with_its_own_settings(project: Path, tmp_path: Path) -> None:
    path = project / TEMPLATES / "notification.toml"
    loaded = postback.load(path)
    assert isinstance(loaded, postback.Notification)
    assert loaded == postback.Notification.from_file(path)
    other = tmp_path / "postback.toml"
    other.write_text('timezone = "Asia/Tokyo"\n', "utf-8")
    assert postback.load(path, project=other) == loaded  # as on the command line
    for option, value in [
        ("timezone", "UTC"),
        ("format", "json"),
        ("extra_fields", ["X"]),
        ("day_first", True),
    ]:
        with pytest.raises(postback.ConfigError, match=f"leave {option} out") as info:
            postback.load(path, **{option: value})
        assert info.value.setting == option


@pytest.mark.parametrize(
    ("name", "content", "kwargs", "message"),
    [
        ("missing.json", None, {}, r"cannot read template .*missing\.json: No such file"),
        (
            "bad.json",
            b'{"a":\n "\xff"}',
            {},
            r"not UTF-8 text \(byte 0xff at offset 8, line 2, column 3\)",
        ),
        (
            "utf16.json",
            '{"a": 1}'.encode("utf-16"),
            {},
            r"utf16\.json: the file is UTF-16 \(byte-order mark\); save it as UTF-8$",
        ),
        ("t.tmpl", b"a=1", {}, r"cannot tell the format of .*t\.tmpl from its extension"),
        ("t.json", b"{}", {"format": "yaml"}, "unknown format 'yaml'"),
        ("t.json", b"{}", {"project": 3}, "project must be True"),
        ("t.json", b"{}", {"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ("t.json", b"{}", {"project": "nowhere.toml"}, "cannot read settings file"),
        ("pyproject.toml", None, {}, "is a settings file, not a notification file"),
    ],
)
def test_load_errors_are_config_errors_that_say_what_to_do(
    project: Path, name: str, content: bytes | None, kwargs: dict[str, Any], message: str
) -> None:
    path = project / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(postback.ConfigError, match=message):
        postback.load(path, **kwargs)


def test_load_refuses_a_path_with_a_nul_character(project: Path) -> None:
    """pathlib's ``ValueError: embedded null byte`` escaped ``load`` and ``from_file``."""
    for load in (postback.load, postback.Template.from_file):
        with pytest.raises(postback.ConfigError, match="embedded null byte") as info:
            load(project / "t\0.json")
        assert info.value.setting == "path"
        assert info.value.__cause__ is None


def test_load_refuses_what_is_not_a_path() -> None:
    with pytest.raises(postback.ConfigError, match="path must be a file path") as info:
        postback.load(b"t.json")  # type: ignore[arg-type]
    assert info.value.setting == "path"
