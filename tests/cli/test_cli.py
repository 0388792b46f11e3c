"""The ``postback`` command line (§6), run as the installed console script in a subprocess.

Every test goes through a real process, so exit statuses, stdout bytes and the
one-line stderr reports are exactly what a shell or a CI job sees.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _terminal import with_terminal_stderr
from hypothesis import given

import postback
from postback._files.project import directory_suffixes
from strategies import hostile_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cli"
PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "project"
SEED_BODY = Path(__file__).resolve().parents[1] / "data" / "seed_body.json.txt"


def _find_script() -> str | None:
    beside = Path(sys.executable).parent / ("postback.exe" if os.name == "nt" else "postback")
    if beside.is_file():
        return str(beside)
    return shutil.which("postback")


SCRIPT = _find_script()

requires_script = pytest.mark.skipif(
    SCRIPT is None,
    reason="the postback console script is not installed (pip install -e . creates it)",
)
pytestmark = requires_script


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("POSTBACK_DEBUG", None)
    return env


def run(
    *args: str | Path,
    stdin: bytes | str | None = None,
    cwd: Path | None = None,
    module: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``postback ARGS`` (or ``python -m postback ARGS``) and capture its output."""
    assert SCRIPT is not None
    head: list[str] = [sys.executable, "-m", "postback"] if module else [SCRIPT]
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run(
        [*head, *map(str, args)],
        input=data if data is not None else b"",
        capture_output=True,
        cwd=cwd,
        env=_env(),
        timeout=120,
        check=False,
    )


def out(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode("utf-8")


def err(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode("utf-8")


def assert_one_line_error(
    result: subprocess.CompletedProcess[bytes], *fragments: str, status: int = 2
) -> str:
    """Exit ``status``, exactly one ``postback: error:`` line on stderr, no traceback."""
    stderr = err(result)
    assert result.returncode == status, (result.returncode, stderr, out(result))
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("postback: error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def _formats_missing(result: subprocess.CompletedProcess[bytes]) -> bool:
    return "No module named 'postback._contexts" in err(result)


# ---------------------------------------------------------------------------
# --version, python -m postback, usage errors
# ---------------------------------------------------------------------------


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert out(result) == f"postback {postback.__version__}\n"


def test_python_dash_m_runs_the_same_command_line() -> None:
    result = run("--version", module=True)
    assert result.returncode == 0
    assert out(result) == f"postback {postback.__version__}\n"
    script = run("render", EXAMPLES / "action-clearing.json", "--sample")
    module = run("render", EXAMPLES / "action-clearing.json", "--sample", module=True)
    assert module.returncode == script.returncode == 0
    assert module.stdout == script.stdout


def test_python_dash_m_usage_error_is_one_line() -> None:
    assert_one_line_error(run("--bogus", module=True), "unrecognized arguments: --bogus")


def test_help_exits_zero() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("render", "check", "prepare", "fields", "test"):
        assert command in out(result)
    assert run("render", "--help").returncode == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--bogus",), "unrecognized arguments: --bogus"),
        (("render", "x.json", "--sample", "--bogus"), "unrecognized arguments: --bogus"),
        ((), "a command is required"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
        (("render", "x.json"), "one of the arguments --record --sample --records is required"),
        (("render", "x.json", "--sample", "--record", "r.json"), "not allowed with"),
        (("render",), "TEMPLATE"),
        (("check",), "TEMPLATE"),
        (("check", "x.json", "--output-format", "xml"), "invalid choice: 'xml'"),
        (("prepare", "n.toml"), "one of the arguments --record --sample --records is required"),
        (("test",), "DIR"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args: tuple[str, ...], fragment: str) -> None:
    line = assert_one_line_error(run(*args), fragment)
    assert line.endswith("--help)")


# ---------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------


def test_render_example_with_sample_is_valid_json() -> None:
    result = run("render", EXAMPLES / "action-clearing.json", "--sample")
    assert result.returncode == 0, err(result)
    assert result.stderr == b""
    data = json.loads(out(result))
    assert data["event"] == "Action Life Cycle Postback"
    assert data["delta_amount"] == "-12.50"
    assert [item["sku"] for item in data["items"]] == ["CM-ESP-01", "TKY-MUG-2", "GIFT-OKEEFE"]
    # Exactly the body, byte for byte: no newline added, none taken away.
    source = (EXAMPLES / "action-clearing.json").read_text(encoding="utf-8")
    template = postback.compile(source, format="json")
    assert result.stdout == template.render_bytes(postback.sample_action())


def test_example_is_the_seed_body_with_its_two_defects_fixed() -> None:
    seed = SEED_BODY.read_text(encoding="utf-8")
    fixed = seed.replace(
        '{"Action Life Cycle Postback",', '{"event": "Action Life Cycle Postback",', 1
    ).replace("{DeltaAmo\nunt}", "{DeltaAmount}", 1)
    assert (EXAMPLES / "action-clearing.json").read_text(encoding="utf-8") == fixed


def test_render_with_a_record_file(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text(
        json.dumps({"ActionId": "1.2.3", "payout": 12.50, "SubId1": 'a "b" & <c>'}),
        encoding="utf-8",
    )
    template = tmp_path / "t.json"
    template.write_text('{"id": "{ActionId}", "payout": {Payout}, "s": "{SubId1}"}')
    result = run("render", template, "--record", record)
    assert result.returncode == 0, err(result)
    assert json.loads(out(result)) == {"id": "1.2.3", "payout": 12.5, "s": 'a "b" & <c>'}


def test_render_keeps_the_scale_of_json_numbers_in_a_record(tmp_path: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text('{"payout": {Payout}}')
    result = run("render", template, "--record", "-", stdin='{"Payout": 12.50}')
    assert result.returncode == 0, err(result)
    assert out(result) == '{"payout": 12.50}'


def test_render_template_from_stdin_needs_format() -> None:
    result = run("render", "-", "--sample", "--format", "json", stdin='{"c": {CampaignId}}')
    assert result.returncode == 0, err(result)
    assert out(result) == '{"c": 4636}'
    assert_one_line_error(run("render", "-", "--sample", stdin="{}"), "--format")


def test_render_template_and_record_cannot_both_be_stdin() -> None:
    assert_one_line_error(
        run("render", "-", "--record", "-", "--format", "json", stdin="{}"), "stdin"
    )


def test_render_text_template_and_format_override(tmp_path: Path) -> None:
    template = tmp_path / "t.txt"
    template.write_text("{CampaignName}|{ActionId}")
    result = run("render", template, "--sample")
    assert result.returncode == 0, err(result)
    assert out(result) == 'Café Müller "Winter" Sale|1000.4636.158133'
    other = tmp_path / "t.body"
    other.write_text('{"n": "{CampaignName}"}')
    result = run("render", other, "--sample", "--format", "JSON")
    assert json.loads(out(result)) == {"n": 'Café Müller "Winter" Sale'}


def test_render_infers_the_format_from_the_extension(tmp_path: Path) -> None:
    import urllib.parse
    import xml.etree.ElementTree as ET

    (tmp_path / "t.qs").write_text("sub={SubId3}&name={MediaPartnerName}")
    (tmp_path / "t.query").write_text("sub={SubId3}")
    (tmp_path / "t.url").write_text("https://example.com/pb/{SubId3}?n={MediaPartnerName}")
    (tmp_path / "t.xml").write_text('<a n="{SubId2}">{MediaPartnerName}</a>')
    sample = postback.sample_action()
    result = run("render", "t.qs", "--sample", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    assert urllib.parse.parse_qsl(out(result), keep_blank_values=True) == [
        ("sub", sample.sub_id3),
        ("name", sample.media_partner_name),
    ]
    result = run("render", "t.query", "--sample", cwd=tmp_path)
    assert urllib.parse.parse_qsl(out(result)) == [("sub", sample.sub_id3)]
    result = run("render", "t.url", "--sample", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    parts = urllib.parse.urlsplit(out(result))
    assert urllib.parse.unquote(parts.path) == f"/pb/{sample.sub_id3}"
    assert urllib.parse.parse_qsl(parts.query) == [("n", sample.media_partner_name)]
    result = run("render", "t.xml", "--sample", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    root = ET.fromstring(out(result))
    assert (root.text, root.get("n")) == (sample.media_partner_name, sample.sub_id2)


def test_render_timezone(tmp_path: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text('{"d": "{EventDate}"}')
    assert json.loads(out(run("render", template, "--sample"))) == {
        "d": "2026-01-02T11:04:05+00:00"
    }
    result = run("render", template, "--sample", "--timezone", "Asia/Tokyo")
    assert json.loads(out(result)) == {"d": "2026-01-02T20:04:05+09:00"}
    assert_one_line_error(
        run("render", template, "--sample", "--timezone", "Mars/Olympus"), "Mars/Olympus"
    )


def test_render_missing_template_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert_one_line_error(run("render", missing, "--sample"), str(missing))


def test_render_missing_record_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.record.json"
    assert_one_line_error(
        run("render", EXAMPLES / "action-clearing.json", "--record", missing), str(missing)
    )


def test_render_unreadable_record(tmp_path: Path) -> None:
    # A directory where a file is expected, and bytes that are not UTF-8.
    assert_one_line_error(
        run("render", EXAMPLES / "action-clearing.json", "--record", tmp_path), str(tmp_path)
    )
    binary = tmp_path / "binary.json"
    binary.write_bytes(b'{"CampaignId": "\xff\xfe"}')
    assert_one_line_error(
        run("render", EXAMPLES / "action-clearing.json", "--record", binary), "UTF-8"
    )


def test_render_invalid_json_record(tmp_path: Path) -> None:
    record = tmp_path / "bad.json"
    record.write_text('{\n  "CampaignId": 5,\n  oops\n}\n')
    line = assert_one_line_error(
        run("render", EXAMPLES / "action-clearing.json", "--record", record)
    )
    assert f"{record}:3:3: invalid JSON" in line


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        ("[1, 2]", "must be a JSON object"),
        ('{"CampaignId": "abc"}', "CampaignId"),
        ('{"NoSuchField": 1}', "NoSuchField"),
        ('{"items": [{"sku": "x", "qty": "lots"}]}', "qty"),
    ],
)
def test_render_bad_record_is_exit_2(record: str, fragment: str) -> None:
    result = run("render", EXAMPLES / "action-clearing.json", "--record", "-", stdin=record)
    assert_one_line_error(result, "<stdin>", fragment)


def test_render_reads_a_records_dates_as_day_first_or_month_first_says(tmp_path: Path) -> None:
    """--day-first and --month-first say how a record's 04.03.2026 is read; without
    either it is refused, and a date with no reading in the flag's order is refused
    naming the field and the flag."""
    template = tmp_path / "t.json"
    template.write_text('{"at": "{EventDate}"}', encoding="utf-8")
    record = tmp_path / "r.json"
    record.write_text('{"EventDate": "04.03.2026 10:15"}', encoding="utf-8")
    day = run("render", template, "--record", record, "--day-first")
    assert (day.returncode, out(day)) == (0, '{"at": "2026-03-04T10:15:00+00:00"}')
    month = run("render", template, "--record", record, "--month-first")
    assert (month.returncode, out(month)) == (0, '{"at": "2026-04-03T10:15:00+00:00"}')
    assert_one_line_error(
        run("render", template, "--record", record),
        "EventDate: expected a date whose month is certain",
    )
    both = run("render", template, "--record", record, "--day-first", "--month-first")
    assert_one_line_error(both, "argument --month-first: not allowed with argument --day-first")
    record.write_text('{"EventDate": "13.03.2026"}', encoding="utf-8")
    line = assert_one_line_error(run("render", template, "--record", record, "--month-first"))
    assert line.endswith(
        "EventDate: expected a date, got '13.03.2026' (str): the settings say the month comes "
        "first (--month-first), and 13.03.2026 has no month 13; read with the day first it "
        "would be 2026-03-13 (13 March)"
    )


def test_check_and_test_take_the_day_first_flags(tmp_path: Path) -> None:
    (tmp_path / "cb.url").write_text("https://e.com/pb?at={EventDate}\n", encoding="utf-8")
    (tmp_path / "cb.record.json").write_text('{"EventDate": "03/04/2026"}', encoding="utf-8")
    (tmp_path / "cb.expected").write_text(
        "https://e.com/pb?at=2026-03-04T00%3A00%3A00%2B00%3A00", encoding="utf-8"
    )
    checked = run("check", tmp_path, "--no-config", "--month-first")
    assert checked.returncode == 0, out(checked)
    tested = run("test", tmp_path, "--no-config", "--month-first")
    assert (tested.returncode, out(tested)) == (0, "1 passed, 0 failed\n")
    failed = run("test", tmp_path, "--no-config", "--day-first")
    assert failed.returncode == 1
    assert "+https://e.com/pb?at=2026-04-03T00%3A00%3A00%2B00%3A00" in out(failed).splitlines()


def test_render_advice_names_the_flags_of_the_command_line(tmp_path: Path) -> None:
    """The command line passed on the Python API's advice: "pass unknown_keys='ignore'"
    for a record's unknown key, and nothing but "invalid JSON" for a URL template in a
    .json file; it names its own flags, and following the advice works."""
    record = tmp_path / "r.json"
    record.write_text('{"CampaignId": 1, "Zzqx": 2}', encoding="utf-8")
    template = tmp_path / "t.json"
    template.write_text('{"c": {CampaignId}}', encoding="utf-8")
    line = assert_one_line_error(run("render", template, "--record", record))
    assert line.endswith(
        "to accept other keys, use --unknown-keys ignore (skip them) or "
        "--unknown-keys extra (keep them as extra fields)"
    )
    ignored = run("render", template, "--record", record, "--unknown-keys", "ignore")
    assert (ignored.returncode, out(ignored)) == (0, '{"c": 1}')
    url = tmp_path / "pb.json"
    url.write_text("https://e.com/pb?c={CampaignId}", encoding="utf-8")
    result = run("render", url, "--record", record, "--unknown-keys", "ignore")
    assert result.returncode == 1
    assert err(result).splitlines()[0].endswith("this looks like a URL, not JSON: use --format url")
    fixed = run("render", url, "--record", record, "--unknown-keys", "ignore", "--format", "url")
    assert (fixed.returncode, out(fixed)) == (0, "https://e.com/pb?c=1")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_render_names_a_utf16_file(tmp_path: Path, encoding: str) -> None:
    """A file saved as UTF-16 was "not UTF-8 text (byte 0xff at offset 0)"; the
    byte-order mark says what the file is and what to do."""
    kind = "UTF-32" if encoding == "utf-32" else "UTF-16"
    bom = "" if encoding != "utf-16-le" else "\ufeff"
    template = tmp_path / "t.json"
    template.write_bytes((bom + '{"c": {CampaignId}}').encode(encoding))
    line = assert_one_line_error(run("render", template, "--sample"))
    assert line == (
        f"postback: error: cannot read template {template}: the file is {kind} "
        "(byte-order mark); save it as UTF-8"
    )
    record = tmp_path / "r.json"
    record.write_bytes((bom + '{"CampaignId": 1}').encode(encoding))
    line = assert_one_line_error(
        run("render", EXAMPLES / "action-clearing.json", "--record", record)
    )
    assert line.endswith(f"the file is {kind} (byte-order mark); save it as UTF-8")
    result = run(
        "render", EXAMPLES / "action-clearing.json", "--record", "-", stdin=record.read_bytes()
    )
    assert assert_one_line_error(result).endswith(
        f"the input is {kind} (byte-order mark); save it as UTF-8"
    )


def test_render_unknown_format(tmp_path: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text("{}")
    assert_one_line_error(run("render", template, "--sample", "--format", "yaml"), "'yaml'")


def test_render_unknown_extension(tmp_path: Path) -> None:
    template = tmp_path / "t.tmpl"
    template.write_text("{}")
    assert_one_line_error(run("render", template, "--sample"), "t.tmpl", "--format")


def test_render_defective_template_prints_diagnostics_and_exits_1(tmp_path: Path) -> None:
    template = tmp_path / "seed.json"
    shutil.copy(SEED_BODY, template)
    result = run("render", "seed.json", "--sample", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == b""
    stderr = err(result)
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["seed.json:1:30", "seed.json:18:18"]
    assert "error[invalid-json]" in lines[0]
    assert "error[malformed-placeholder]" in lines[1]
    assert "{DeltaAmount}" in lines[1]


@pytest.mark.parametrize(
    ("name", "fmt", "source"),
    [
        ("cb.url", "url", "https://example.com/pb/{ActionId}?s={Status}"),
        ("tier.header", "header", "Bearer {SubId1}"),
        ("pb.qs", "query", "id={ActionId}&s={Status}"),
    ],
)
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_one_line_template_file_ending_in_a_newline_reads_as_the_library_reads_it(
    tmp_path: Path, name: str, fmt: str, source: str, ending: str
) -> None:
    """A .url, .header or .qs file ending in a newline passed ``postback check`` and
    ``postback render`` dropped the newline, but the README's own pattern,
    ``postback.compile(Path(f).read_text(), format="url")``, raised on it.  The command
    line and the library read it by one rule; a second newline is an error for both,
    at the same place."""
    (tmp_path / name).write_bytes((source + ending).encode("utf-8"))
    result = run("check", name, cwd=tmp_path)
    assert (result.returncode, out(result)) == (0, "checked 1 file: no problems found\n")
    result = run("render", name, "--sample", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    text = (tmp_path / name).read_bytes().decode("utf-8")
    template = postback.compile(text, format=fmt)
    assert result.stdout == template.render_bytes(postback.sample_action())
    assert not result.stdout.endswith(b"\n")

    (tmp_path / name).write_bytes((source + ending * 2).encode("utf-8"))
    result = run("check", name, cwd=tmp_path)
    assert result.returncode == 1
    text = (tmp_path / name).read_bytes().decode("utf-8")
    with pytest.raises(postback.TemplateFormatError) as info:
        postback.compile(text, format=fmt)
    assert _diagnostics(out(result))[0] == (name, 1, len(source) + 1, info.value.code)
    assert (info.value.line, info.value.column) == (1, len(source) + 1)


# ---------------------------------------------------------------------------
# check
# ---------------------------------------------------------------------------

_DIAG_RE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>[a-z-]+)\]: .+$"
)


def _diagnostics(stdout: str) -> list[tuple[str, int, int, str]]:
    found = []
    for line in stdout.splitlines():
        match = _DIAG_RE.match(line)
        if match:
            found.append(
                (
                    Path(match["file"]).as_posix(),
                    int(match["line"]),
                    int(match["col"]),
                    match["code"],
                )
            )
    return found


def test_check_a_folder_reports_every_error_in_every_file() -> None:
    result = run("check", "check", cwd=FIXTURES)
    assert result.returncode == 1, err(result)
    assert result.stderr == b""
    assert sorted(_diagnostics(out(result))) == sorted(
        [
            ("check/seed.json", 1, 30, "invalid-json"),
            ("check/seed.json", 18, 18, "malformed-placeholder"),
            ("check/unknown_field.json", 1, 15, "unknown-field"),
            ("check/nested/malformed.json", 1, 10, "malformed-placeholder"),
        ]
    )
    stdout = out(result)
    # Records, expected outputs, .txt notes and hidden folders are not templates.
    for skipped in ("case.record.json", "case.expected", "notes.txt", ".hidden"):
        assert skipped not in stdout
    assert stdout.splitlines()[-1] == "checked 4 files: 4 errors in 3 files"


def test_check_a_folder_finds_every_template_extension(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    for name in ("a.json", "b.xml", "c.qs", "d.query", "e.url"):
        (folder / name).write_text("{Nope}")
    (folder / "f.txt").write_text("{Nope}")  # text templates only when named
    (folder / "g.record.json").write_text("{Nope}")
    (folder / "g.expected").write_text("{Nope}")
    result = run("check", "t", cwd=tmp_path)
    assert result.returncode == 1
    files = {Path(d[0]).name for d in _diagnostics(out(result))}
    assert files == {"a.json", "b.xml", "c.qs", "d.query", "e.url"}
    unknown = {Path(d[0]).name for d in _diagnostics(out(result)) if d[3] == "unknown-field"}
    assert unknown == files


def test_check_clean_files_exit_0(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"id": "{ActionId}"}')
    (tmp_path / "b.txt").write_text("{ActionId} {Payout}")
    result = run("check", "a.json", "b.txt", cwd=tmp_path)
    assert result.returncode == 0, out(result) + err(result)
    assert out(result) == "checked 2 files: no problems found\n"
    assert result.stderr == b""


def _broken_project(tmp_path: Path) -> Path:
    """A copy of the sample repository whose notification's body file has an error."""
    root = tmp_path / "acme"
    shutil.copytree(PROJECT, root)
    body = root / "templates" / "order.json"
    body.write_text(body.read_text("utf-8").replace("{ActionId}", "{ActionID}"), "utf-8")
    return root


_BODY_ERROR = (
    "templates/order.json:2:17: error[unknown-field]: unknown field {ActionID}; "
    "did you mean {ActionId}?\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ("templates/notification.toml", "templates/order.json"),
        ("templates/order.json", "templates/notification.toml"),
        ("templates/notification.toml", "./templates/order.json", "templates/order.json"),
        ("templates/notification.toml", "templates", "templates/notification.toml"),
    ],
)
def test_check_reports_a_body_file_named_beside_its_notification_once(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """``postback check templates/notification.toml templates/order.json``, as pre-commit
    calls it when both changed, reported each error of the notification's body file
    twice: once through the notification and once as a template of its own.  The body
    file is checked once, through the notification that uses it, and its diagnostics
    name the body file; a file named twice is checked once."""
    root = _broken_project(tmp_path)
    result = run("check", *args, cwd=root)
    assert result.returncode == 1, err(result)
    files = 3 if "templates" in args else 1
    assert (
        out(result) == f"{_BODY_ERROR}checked {files} file{'s' * (files > 1)}: 1 error in 1 file\n"
    )
    assert result.stderr == b""
    result = run("check", "--output-format", "json", *args, cwd=root)
    assert [(d["file"], d["line"], d["column"]) for d in json.loads(out(result))] == [
        ("templates/order.json", 2, 17)
    ]


def test_check_a_body_file_alone_checks_it_as_a_template(tmp_path: Path) -> None:
    root = _broken_project(tmp_path)
    result = run("check", "templates/order.json", cwd=root)
    assert (result.returncode, out(result)) == (
        1,
        f"{_BODY_ERROR}checked 1 file: 1 error in 1 file\n",
    )


def test_check_missing_file_reports_it_and_checks_the_others(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"c": "{Campaignid}"}')
    (tmp_path / "good.json").write_text('{"c": "{CampaignId}"}')
    result = run("check", "bad.json", "missing.json", "good.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == b""
    # The file that cannot be read is a diagnostic like the others, in order.
    assert _diagnostics(out(result)) == [
        ("bad.json", 1, 8, "unknown-field"),
        ("missing.json", 1, 1, "unreadable-file"),
    ]
    assert out(result).splitlines()[1] == (
        "missing.json:1:1: error[unreadable-file]: "
        "cannot read template missing.json: No such file or directory"
    )
    assert out(result).splitlines()[-1] == "checked 2 files: 1 error in 1 file; 1 unreadable"


def test_check_unknown_extension_without_format_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.tmpl").write_text("{}")
    result = run("check", "a.tmpl", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == b""
    ((file, line, column, code),) = _diagnostics(out(result))
    assert (file, line, column, code) == ("a.tmpl", 1, 1, "unknown-format")
    assert "--format" in out(result).splitlines()[0]
    result = run("check", "a.tmpl", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, out(result) + err(result)


def test_check_unknown_format(tmp_path: Path) -> None:
    assert_one_line_error(run("check", "a.json", "--format", "yaml", cwd=tmp_path), "'yaml'")


def test_check_stdin() -> None:
    result = run("check", "-", "--format", "json", stdin='{"a": "{Nope}"}')
    assert result.returncode == 1
    assert _diagnostics(out(result)) == [("<stdin>", 1, 8, "unknown-field")]
    result = run("check", "-", stdin="{}")
    assert result.returncode == 2
    assert _diagnostics(out(result)) == [("<stdin>", 1, 1, "unknown-format")]
    assert "pass --format" in out(result)


def test_check_json_output_parses() -> None:
    result = run("check", "check", "--output-format", "json", cwd=FIXTURES)
    assert result.returncode == 1
    data = json.loads(out(result))
    assert isinstance(data, list)
    assert len(data) == 4
    keys = {
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "suggestion",
    }
    assert all(set(entry) == keys for entry in data)
    by_code = {(Path(e["file"]).name, e["code"]): e for e in data}
    unknown = by_code[("unknown_field.json", "unknown-field")]
    assert unknown["suggestion"] == "{CampaignId}"
    assert (unknown["line"], unknown["column"], unknown["end_line"], unknown["end_column"]) == (
        1,
        15,
        1,
        27,
    )
    malformed = by_code[("seed.json", "malformed-placeholder")]
    assert (malformed["line"], malformed["end_line"]) == (18, 19)


def test_check_json_output_is_an_empty_list_when_clean(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    result = run("check", "a.json", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(out(result)) == []


def _github_property(text: str) -> str:
    return (
        text.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def test_check_github_output_is_exactly_workflow_commands(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    source = '{"c": "{Campaignid}"}'
    (folder / "a,b:c.json").write_text(source)
    seed = SEED_BODY.read_text(encoding="utf-8")
    (folder / "seed.json").write_text(seed, encoding="utf-8")
    result = run("check", "templates", "--output-format", "github", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == b""

    (unknown,) = postback.check(source, format="json")
    seed_diags = postback.check(seed, format="json")
    assert [d.code for d in seed_diags] == ["invalid-json", "malformed-placeholder"]
    expected = [
        "::error file=templates/a%2Cb%3Ac.json,line=1,col=8,endLine=1,endColumn=20,"
        f"title=postback unknown-field::{unknown.message}",
        "::error file=templates/seed.json,line=1,col=30,endLine=1,endColumn=31,"
        f"title=postback invalid-json::{seed_diags[0].message}",
        "::error file=templates/seed.json,line=18,col=18,endLine=19,endColumn=5,"
        f"title=postback malformed-placeholder::{seed_diags[1].message}",
    ]
    assert out(result).splitlines() == expected
    assert "%" not in unknown.message and "\n" not in unknown.message


def test_github_escaping_rules() -> None:
    from postback._cli import check as _cli_check

    assert _cli_check._github_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert _cli_check._github_property("50% a:b,c\n") == "50%25 a%3Ab%2Cc%0A"
    assert _cli_check._github_property("a:b,c%") == _github_property("a:b,c%")
    diag = postback.Diagnostic("warning", "some-code", "x%y\nz", 2, 3, 2, 5)
    assert (
        _cli_check._github_line("d/f.json", diag)
        == "::warning file=d/f.json,line=2,col=3,endLine=2,endColumn=5,"
        "title=postback some-code::x%25y%0Az"
    )


# ---------------------------------------------------------------------------
# progress line
# ---------------------------------------------------------------------------


def _many_templates(folder: Path, count: int = 25) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"t{n:02}.json").write_text('{"id": "{ActionId}"}')


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    _many_templates(tmp_path / "many")
    result = run("check", "many", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == b""
    assert out(result) == "checked 25 files: no problems found\n"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_progress_line_on_a_terminal(tmp_path: Path) -> None:
    _many_templates(tmp_path / "many")
    assert SCRIPT is not None
    script = SCRIPT

    def start(terminal: int) -> subprocess.Popen[bytes]:
        # The one line of standard output fits in the pipe while the process runs.
        return subprocess.Popen(
            [script, "check", "many"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            cwd=tmp_path,
            env=_env(),
        )

    proc, shown = with_terminal_stderr(start)
    assert proc.stdout is not None
    with proc.stdout:
        output = proc.stdout.read()
    assert proc.returncode == 0
    assert "checking 25/25" in shown
    assert "\r" in shown
    assert shown.endswith("\r")  # the line is cleared at the end
    assert output.decode() == "checked 25 files: no problems found\n"


# ---------------------------------------------------------------------------
# test (golden files)
# ---------------------------------------------------------------------------


@pytest.fixture
def golden(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "golden", tmp_path / "golden")
    return tmp_path


def test_golden_fixture_passes(golden: Path) -> None:
    result = run("test", "golden", cwd=golden)
    assert result.returncode == 0, out(result) + err(result)
    assert out(result) == "3 passed, 0 failed\n"
    assert result.stderr == b""


def test_golden_failure_shows_a_readable_diff(golden: Path) -> None:
    record = golden / "golden" / "custom.record.json"
    record.write_text(record.read_text().replace('"19.90"', '"20.00"'))
    result = run("test", "golden", cwd=golden)
    assert result.returncode == 1
    stdout = out(result)
    lines = stdout.splitlines()
    assert lines[-1] == "2 passed, 1 failed"
    assert "FAIL golden/custom.json" in lines
    assert "--- golden/custom.expected" in lines
    assert "+++ golden/custom.json (rendered)" in lines
    assert any(line.startswith("-") and '"amount": 19.90' in line for line in lines)
    assert any(line.startswith("+") and '"amount": 20.00' in line for line in lines)
    assert result.stderr == b""


def test_golden_update_then_pass_then_nothing_to_update(golden: Path) -> None:
    record = golden / "golden" / "custom.record.json"
    record.write_text(record.read_text().replace('"19.90"', '"20.00"'))
    (golden / "golden" / "sample.expected").unlink()

    failing = run("test", "golden", cwd=golden)
    assert failing.returncode == 1
    assert "--update" in out(failing)
    assert out(failing).splitlines()[-1] == "1 passed, 2 failed"

    updated = run("test", "golden", "--update", cwd=golden)
    assert updated.returncode == 0, out(updated) + err(updated)
    assert out(updated).splitlines()[-1] == "updated 2 of 3 expected files"
    assert '"amount": 20.00' in (golden / "golden" / "custom.expected").read_text()

    passing = run("test", "golden", cwd=golden)
    assert passing.returncode == 0
    assert out(passing) == "3 passed, 0 failed\n"

    again = run("test", "golden", "--update", cwd=golden)
    assert again.returncode == 0
    assert out(again) == "updated 0 of 3 expected files\n"


def test_golden_compares_bytes(golden: Path) -> None:
    expected = golden / "golden" / "sample.expected"
    expected.write_bytes(expected.read_bytes().replace(b"\n", b"\r\n"))
    result = run("test", "golden", cwd=golden)
    assert result.returncode == 1
    assert "line endings" in out(result)


def test_golden_template_that_does_not_compile_fails(golden: Path) -> None:
    shutil.copy(SEED_BODY, golden / "golden" / "seed.json")
    result = run("test", "golden", cwd=golden)
    assert result.returncode == 1
    stdout = out(result)
    assert "FAIL golden/seed.json" in stdout.splitlines()
    assert ("golden/seed.json", 18, 18, "malformed-placeholder") in _diagnostics(stdout)
    assert stdout.splitlines()[-1] == "3 passed, 1 failed"
    update = run("test", "golden", "--update", cwd=golden)
    assert update.returncode == 1
    assert not (golden / "golden" / "seed.expected").exists()


def test_golden_invalid_record_is_exit_2(golden: Path) -> None:
    (golden / "golden" / "custom.record.json").write_text('{"Amount": ')
    result = run("test", "golden", cwd=golden)
    assert_one_line_error(result, "custom.record.json", "invalid JSON")
    assert out(result).splitlines()[-1] == "2 passed, 1 failed"


def test_golden_missing_directory_is_exit_2(tmp_path: Path) -> None:
    assert_one_line_error(run("test", "nowhere", cwd=tmp_path), "nowhere")


def test_golden_empty_directory_fails(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("test", "empty", cwd=tmp_path)
    assert result.returncode == 1
    assert out(result) == "0 passed, 0 failed\n"
    assert_one_line_error(result, "no test cases", status=1)


# ---------------------------------------------------------------------------
# prepare
# ---------------------------------------------------------------------------


def _split_request(raw: bytes) -> tuple[str, http.client.HTTPMessage, list[str], bytes]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, raw
    request_line, _, header_block = head.partition(b"\r\n")
    message = http.client.parse_headers(io.BytesIO(header_block + b"\r\n\r\n"))
    assert not message.defects, message.defects
    names = [line.split(b":", 1)[0].decode() for line in header_block.split(b"\r\n")]
    return request_line.decode(), message, names, body


def _prepare_or_skip(
    *args: str | Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    result = run("prepare", *args, cwd=cwd)
    if _formats_missing(result):
        pytest.skip("the url/xml/query formats (postback._contexts) are not written yet")
    return result


def test_prepare_example_notification() -> None:
    example = EXAMPLES / "notification.toml"
    if not example.is_file():
        pytest.skip("examples/notification.toml does not exist yet")
    result = _prepare_or_skip(example, "--sample")
    assert result.returncode == 0, err(result)
    request_line, headers, names, body = _split_request(result.stdout)
    assert re.fullmatch(r"(GET|POST) /\S* HTTP/1\.1", request_line), request_line
    assert names[0] == "Host"
    assert headers["Host"]
    if request_line.startswith("POST"):
        assert int(headers["Content-Length"]) == len(body)
        assert headers["Content-Type"]
    else:
        assert body == b""


def test_prepare_post_request(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text(
        'url = "https://example.com:8443/pb/{CampaignId}?oid={ActionId}&x=1#frag"\n'
        'method = "POST"\n'
        'body = \'{"id": "{ActionId}", "name": "{CampaignName}"}\'\n'
        'body_format = "json"\n'
        "[headers]\n"
        'Authorization = "Bearer abc"\n'
        'X-Sub = "{SubId1}"\n',
        encoding="utf-8",
    )
    result = _prepare_or_skip("n.toml", "--sample", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    request_line, headers, names, body = _split_request(result.stdout)
    assert request_line == "POST /pb/4636?oid=1000.4636.158133&x=1 HTTP/1.1"
    assert names[0] == "Host"
    assert headers["Host"] == "example.com:8443"
    assert headers["Authorization"] == "Bearer abc"
    assert headers["X-Sub"] == "newsletter"
    assert headers["Content-Type"].startswith("application/json")
    assert int(headers["Content-Length"]) == len(body)
    assert json.loads(body) == {"id": "1000.4636.158133", "name": 'Café Müller "Winter" Sale'}


def test_prepare_get_request_has_no_body(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text('url = "https://example.com/pb?oid={ActionId}"\n')
    result = _prepare_or_skip("n.toml", "--sample", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    assert result.stdout == (b"GET /pb?oid=1000.4636.158133 HTTP/1.1\r\nHost: example.com\r\n\r\n")


def test_prepare_get_request_from_stdin_record(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text('url = "https://example.com?oid={ActionId}"\n')
    assert SCRIPT is not None
    result = subprocess.run(
        [SCRIPT, "prepare", "n.toml", "--record", "-"],
        input=b'{"ActionId": "a b&c"}',
        capture_output=True,
        cwd=tmp_path,
        env=_env(),
        timeout=120,
        check=False,
    )
    if _formats_missing(result):
        pytest.skip("the url format (postback._contexts.url) is not written yet")
    assert result.returncode == 0, err(result)
    assert result.stdout == b"GET /?oid=a+b%26c HTTP/1.1\r\nHost: example.com\r\n\r\n"


def test_prepare_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(run("prepare", "missing.toml", "--sample", cwd=tmp_path), "missing.toml")


def test_prepare_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text('url = "https://example.com/\nmethod = [\n')
    assert_one_line_error(run("prepare", "n.toml", "--sample", cwd=tmp_path), "n.toml", "TOML")


def test_prepare_invalid_setting(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text(
        'url = "https://example.com/"\nmethod = "GET"\nbody = "x"\nbody_format = "json"\n'
    )
    result = _prepare_or_skip("n.toml", "--sample", cwd=tmp_path)
    assert_one_line_error(result, "n.toml", "GET")


def test_prepare_defective_template_is_exit_1(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text(
        'url = "https://example.com/"\nmethod = "POST"\nbody = \'{"c": "{Campaignid}"}\'\n'
        'body_format = "json"\n'
    )
    result = _prepare_or_skip("n.toml", "--sample", cwd=tmp_path)
    assert result.returncode == 1, err(result)
    assert "Traceback" not in err(result)
    assert _diagnostics(err(result)) == [("n.toml[body]", 1, 8, "unknown-field")]


def test_prepare_bad_record(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text('url = "https://example.com/"\n')
    result = run("prepare", "n.toml", "--record", "-", stdin="not json", cwd=tmp_path)
    if _formats_missing(result):
        pytest.skip("the url format (postback._contexts.url) is not written yet")
    assert_one_line_error(result, "<stdin>:1:1", "invalid JSON")


def test_prepare_prints_exactly_to_http(tmp_path: Path) -> None:
    """The command line's HTTP text is PreparedRequest.to_http(), byte for byte."""
    from postback._sending.notification import Notification

    record = {"ActionId": "a b&c", "CampaignId": 7, "SubId1": "東京", "Payout": "1.50"}
    (tmp_path / "record.json").write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "n.toml").write_text(
        'url = "https://u@example.com:8443/pb/{CampaignId}?oid={ActionId}#top"\n'
        'method = "POST"\n'
        "body = '<a id=\"{ActionId}\">{Payout}</a>'\n"
        'body_format = "xml"\n'
        "[headers]\n"
        'X-Sub = "{SubId1}"\n',
        encoding="utf-8",
    )
    cases = [
        (EXAMPLES / "notification.toml", "--sample", postback.sample_action()),
        (tmp_path / "n.toml", "--sample", postback.sample_action()),
        (tmp_path / "n.toml", "--record", record),
    ]
    for path, *options, action in cases:
        if options == ["--record"]:
            options.append(str(tmp_path / "record.json"))
        result = _prepare_or_skip(path, *options, cwd=tmp_path)
        assert result.returncode == 0, err(result)
        expected = Notification.from_file(path).prepare(action).to_http()
        assert result.stdout == expected
    assert expected.startswith(b"POST /pb/7?oid=a+b%26c HTTP/1.1\r\nHost: example.com:8443\r\n")


def test_prepare_notification_from_stdin(tmp_path: Path) -> None:
    text = 'url = "https://example.com/pb?oid={ActionId}"\n[headers]\nX-A = "{CampaignId}"\n'
    (tmp_path / "n.toml").write_text(text, encoding="utf-8")
    from_file = _prepare_or_skip("n.toml", "--sample", cwd=tmp_path)
    from_stdin = run("prepare", "-", "--sample", stdin=text, cwd=tmp_path)
    assert from_stdin.returncode == 0, err(from_stdin)
    assert from_stdin.stdout == from_file.stdout
    assert from_stdin.stdout == (
        b"GET /pb?oid=1000.4636.158133 HTTP/1.1\r\nHost: example.com\r\nX-A: 4636\r\n\r\n"
    )


def test_prepare_notification_from_stdin_errors(tmp_path: Path) -> None:
    def stderr_of(stdin: bytes | str) -> str:
        return assert_one_line_error(run("prepare", "-", "--sample", stdin=stdin, cwd=tmp_path))

    assert re.fullmatch(
        r"postback: error: <stdin>: invalid TOML: .+ \(at line 2, column 10\)",
        stderr_of('url = "x"\nurl = "y"\n'),
    )
    assert stderr_of('url = "https://e.com/"\nmin_delay = -3\n') == (
        "postback: error: <stdin>: min_delay must be 0 or more seconds, not -3"
    )
    assert stderr_of('url = "https://e.com/"\nretries = 3\n') == (
        "postback: error: <stdin>: unknown setting 'retries': did you mean 'extra_fields'?"
    )
    assert stderr_of(b'url = "https://e.com/\xff"\n') == (
        "postback: error: cannot read notification <stdin>: not UTF-8 text "
        "(byte 0xff at offset 21, line 1, column 22)"
    )
    assert stderr_of('url = "https://e.com/"\nmethod = "POST"\nbody_file = "nope.json"\n') == (
        "postback: error: <stdin>: cannot read body_file 'nope.json': No such file or directory"
    )
    both = run("prepare", "-", "--record", "-", stdin="", cwd=tmp_path)
    assert assert_one_line_error(both) == (
        "postback: error: the notification and the record cannot both be read from stdin (-)"
    )


def test_prepare_notification_from_stdin_template_error(tmp_path: Path) -> None:
    result = run(
        "prepare", "-", "--sample", stdin='url = "https://e.com/{ActoinId}"\n', cwd=tmp_path
    )
    if _formats_missing(result):
        pytest.skip("the url format (postback._contexts.url) is not written yet")
    assert result.returncode == 1, err(result)
    assert err(result) == (
        "<stdin>[url]:1:15: error[unknown-field]: unknown field {ActoinId}; "
        "did you mean {ActionId}?\n"
    )


def test_prepare_advice_names_the_keys_of_the_notification_file(tmp_path: Path) -> None:
    """``prepare`` takes its options from the notification file, not from flags: its
    advice names the file's keys, and following it works."""
    (tmp_path / "r.json").write_text('{"CampaignId": 1, "Zzqx": 2}', encoding="utf-8")
    (tmp_path / "n.toml").write_text('url = "https://e.com/{CampaignId}"\n', encoding="utf-8")
    line = assert_one_line_error(run("prepare", "n.toml", "--record", "r.json", cwd=tmp_path))
    assert line.endswith(
        'to accept other keys, use unknown_keys = "ignore" (skip them) or '
        'unknown_keys = "extra" (keep them as extra fields)'
    )
    (tmp_path / "n.toml").write_text(
        'url = "https://e.com/{CampaignId}"\nunknown_keys = "ignore"\n', encoding="utf-8"
    )
    result = run("prepare", "n.toml", "--record", "r.json", cwd=tmp_path)
    assert result.returncode == 0, err(result)
    assert out(result).startswith("GET /1 HTTP/1.1\r\n")
    (tmp_path / "n.toml").write_text(
        'url = "https://e.com/"\nmethod = "POST"\nbody_format = "json"\n'
        'body = "a={CampaignId}&b=2"\n',
        encoding="utf-8",
    )
    result = run("prepare", "n.toml", "--record", "r.json", cwd=tmp_path)
    assert result.returncode == 1
    assert 'this looks like a query string, not JSON: use body_format = "query"' in err(result)


def test_prepare_file_errors_are_exact(tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text('url = "https://e.com/"\nmethod = \n', encoding="utf-8")
    assert re.fullmatch(
        r"postback: error: n\.toml:2:10: invalid TOML: [^()]+",
        assert_one_line_error(run("prepare", "n.toml", "--sample", cwd=tmp_path)),
    )
    (tmp_path / "n.toml").write_bytes(b'url = "https://e.com/\xff"\n')
    assert assert_one_line_error(run("prepare", "n.toml", "--sample", cwd=tmp_path)) == (
        "postback: error: cannot read notification file 'n.toml': not UTF-8 text "
        "(byte 0xff at offset 21, line 1, column 22)"
    )
    assert assert_one_line_error(run("prepare", "nope.toml", "--sample", cwd=tmp_path)) == (
        "postback: error: cannot read notification file 'nope.toml': No such file or directory"
    )


# ---------------------------------------------------------------------------
# fields
# ---------------------------------------------------------------------------


def test_fields_json_lists_all_fields() -> None:
    result = run("fields", "--json")
    assert result.returncode == 0
    data = json.loads(out(result))
    assert [f["name"] for f in data["fields"]] == [f.name for f in postback.FIELDS]
    assert [f["name"] for f in data["item_fields"]] == [f.name for f in postback.ITEM_FIELDS]
    first = data["fields"][0]
    assert first == {
        "placeholder": "{CampaignId}",
        "name": "CampaignId",
        "attribute": "campaign_id",
        "type": "int",
        "description": postback.FIELDS[0].description,
    }
    assert data["item_fields"][0]["placeholder"] == "{i.sku}"
    assert data["collection"] == "items"


def test_fields_text_table() -> None:
    result = run("fields")
    assert result.returncode == 0
    stdout = out(result)
    for spec in postback.FIELDS:
        assert re.search(
            rf"^\{{{spec.name}\}}\s+{spec.attribute}\s+{spec.type_name}\s+", stdout, re.M
        )
    for spec in postback.ITEM_FIELDS:
        assert f"{{i.{spec.name}}}" in stdout
    # Aligned: every row's attribute column starts at the same offset.
    rows = [
        line for line in stdout.splitlines() if line.startswith("{") and not line.startswith("{i.")
    ]
    starts = {line.index(spec.attribute) for line, spec in zip(rows, postback.FIELDS, strict=True)}
    assert len(starts) == 1


# ---------------------------------------------------------------------------
# docs
# ---------------------------------------------------------------------------


def test_docs_describe_every_command_and_option() -> None:
    import argparse

    from postback._cli.main import build_parser

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == {
        "render",
        "check",
        "prepare",
        "parse",
        "parse-request",
        "fields",
        "test",
        "init",
        "serve",
        "completion",
    }
    for name, sub in commands.choices.items():
        assert f"## `postback {name}`" in text
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, (name, option)
    assert "--version" in text


def test_pre_commit_hook_definition() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: postback-check" in text
    assert "entry: postback check" in text
    assert "language: python" in text
    files = re.search(r"^  files: (.+)$", text, re.M)
    assert files is not None
    pattern = re.compile(files.group(1))
    for suffix in directory_suffixes():
        assert pattern.search(f"t/a{suffix}"), suffix
    assert not pattern.search("notes.txt")


# ---------------------------------------------------------------------------
# File names and other user text: each line of the output is one line
# ---------------------------------------------------------------------------

FORGED = "x\n::error title=forged::boom\n"  # a file name that wrote a workflow command


def _forges_nothing(text: str) -> None:
    """No line reads as a GitHub workflow command (``::cmd::`` after white space, or
    ``##[cmd]`` anywhere), and no control character is printed raw."""
    for line in text.split("\n"):
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", line), line


def test_printable_escapes_control_characters_and_command_markers() -> None:
    from postback._files.shown import printable, printable_lines

    assert printable("templates/a.json") == "templates/a.json"
    assert printable(r"C:\templates\a.json") == r"C:\templates\a.json"  # backslashes stay
    assert printable(FORGED + ".url") == "x\\n::error title=forged::boom\\n.url"
    assert printable("a\rb\tc\x00d\x1be\x7ff\x85g\x9fh\u2028i\u2029") == (
        "a\\rb\\tc\\x00d\\x1be\\x7ff\\x85g\\x9fh\\u2028i\\u2029"
    )
    assert printable("a\tb", keep_tabs=True) == "a\tb"
    assert printable("x##[error]y ###[z") == "x##\\x5berror]y ###\\x5bz"
    assert printable("::error::x") == "\\x3a:error::x"
    assert printable(" \u3000::x") == " \u3000\\x3a:x"
    assert printable("a::b") == "a::b"  # only at the start of a line
    assert printable("é東京") == "é東京"
    assert printable_lines("a\r\n::b\rc\r\n\td") == "a\r\n\\x3a:b\\rc\r\n\td"


@given(hostile_text("\n\r\t\x1b\x85\u2028\u2029:#[ ", ["::error::x", "##[error]x", " ::x"]))
def test_printable_output_is_one_line_that_is_no_command(text: str) -> None:
    from postback._files.shown import printable

    shown = printable(text)
    assert len(shown.splitlines()) <= 1
    _forges_nothing(shown)
    assert printable(shown) == shown  # escaping what is printable changes nothing
    if re.fullmatch(r"[\w./ -]*", text) and not text.lstrip().startswith("::"):
        assert shown == text


@pytest.mark.skipif(sys.platform == "win32", reason="file names with line breaks")
def test_check_and_test_text_output_cannot_be_forged_by_a_file_name(tmp_path: Path) -> None:
    """A template named ``x\\n::error title=…::…\\n.url`` printed forged GitHub workflow
    commands in the text output of check and test (docs/ci.md's workflow runs
    ``postback test`` in text)."""
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / f"{FORGED}.url").write_text("")  # an empty URL: one error
    (folder / "y##[error]z.url").write_text("")
    shown = "t/x\\n::error title=forged::boom\\n.url"
    check = run("check", "t", cwd=tmp_path)
    assert check.returncode == 1
    assert out(check).splitlines() == [
        f"{shown}:1:1: error[invalid-url]: the URL is empty",
        "t/y##\\x5berror]z.url:1:1: error[invalid-url]: the URL is empty",
        "checked 2 files: 2 errors in 2 files",
    ]
    _forges_nothing(out(check))

    test = run("test", "t", cwd=tmp_path)
    assert test.returncode == 1
    assert out(test).splitlines()[:2] == [
        f"FAIL {shown}",
        f"{shown}:1:1: error[invalid-url]: the URL is empty",
    ]
    _forges_nothing(out(test) + err(test))

    (folder / f"{FORGED}.url").write_text("https://example.com/{ActionId}")
    update = run("test", "t", "--update", cwd=tmp_path)
    assert "updated t/x\\n::error title=forged::boom\\n.expected" in out(update).splitlines()
    _forges_nothing(out(update) + err(update))
    (folder / f"{FORGED}.expected").write_text("stale")
    stale = run("test", "t", cwd=tmp_path)
    assert "--- t/x\\n::error title=forged::boom\\n.expected" in out(stale).splitlines()
    _forges_nothing(out(stale) + err(stale))


@pytest.mark.skipif(sys.platform == "win32", reason="file names with line breaks")
def test_github_and_json_output_escape_a_forged_file_name(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / f"{FORGED}.url").write_text("")
    (folder / "y##[error]z.url").write_text("")
    github = run("check", "t", "--output-format", "github", cwd=tmp_path)
    assert out(github).splitlines() == [
        "::error file=t/x%0A%3A%3Aerror title=forged%3A%3Aboom%0A.url,line=1,col=1,endLine=1,"
        "endColumn=1,title=postback invalid-url::the URL is empty",
        # The line is a workflow command, so the runner never reads "##[" in it.
        "::error file=t/y##[error]z.url,line=1,col=1,endLine=1,endColumn=1,"
        "title=postback invalid-url::the URL is empty",
    ]
    text = out(run("check", "t", "--output-format", "json", cwd=tmp_path))
    assert "##[" not in text and "##\\u005b" in text
    assert [d["file"] for d in json.loads(text)] == [f"t/{FORGED}.url", "t/y##[error]z.url"]


def test_github_output_escapes_terminal_controls_in_file_names(tmp_path: Path) -> None:
    """An ESC or BEL in a file name reached the GitHub output raw: a terminal sequence
    in the CI log."""
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "a\x1b[31mb\x07.url").write_text("")
    github = out(run("check", "t", "--output-format", "github", cwd=tmp_path))
    assert "\x1b" not in github and "\x07" not in github
    assert github.startswith("::error file=t/a\\x1b[31mb\\x07.url,line=1,col=1,")


@pytest.mark.skipif(sys.platform == "win32", reason="file names with line breaks")
def test_render_and_prepare_error_lines_cannot_be_forged(tmp_path: Path) -> None:
    (tmp_path / f"{FORGED}.json").write_text('{"a": "{Nope}"}')
    render = run("render", f"{FORGED}.json", "--sample", cwd=tmp_path)
    assert render.returncode == 1
    assert err(render).startswith(
        "x\\n::error title=forged::boom\\n.json:1:8: error[unknown-field]"
    )
    _forges_nothing(err(render))
    missing = run("render", f"{FORGED}.url", "--sample", cwd=tmp_path)
    assert_one_line_error(missing, "cannot read template x ::error title=forged::boom .url")
    _forges_nothing(err(missing))

    (tmp_path / f"{FORGED}.toml").write_text('url = "https://example.com/{Nope}"\n')
    prepare = _prepare_or_skip(f"{FORGED}.toml", "--sample", cwd=tmp_path)
    assert prepare.returncode == 1
    assert err(prepare).startswith("x\\n::error title=forged::boom\\n.toml[url]:1:")
    _forges_nothing(err(prepare))
    (tmp_path / "n.toml").write_text('url = "https://example.com/"\n\x1b = 1\n')
    bad = _prepare_or_skip("n.toml", "--sample", cwd=tmp_path)
    _forges_nothing(assert_one_line_error(bad, "invalid TOML"))


# ---------------------------------------------------------------------------
# body_file on the command line: the notification's folder, or the project's root
# ---------------------------------------------------------------------------

BODY_NOTIFICATION = (
    'url = "https://example.com/pb"\nmethod = "POST"\nbody_format = "json"\nbody_file = "{}"\n'
)


def test_check_and_prepare_refuse_a_body_file_outside(tmp_path: Path) -> None:
    """``body_file = "../../secrets.json"`` made that file the body sent to the partner."""
    (tmp_path / "secrets.json").write_text('{"token": "SECRET"}')
    folder = tmp_path / "partner"
    folder.mkdir()
    (folder / "n.toml").write_text(BODY_NOTIFICATION.format("../secrets.json"))
    prepare = _prepare_or_skip("n.toml", "--sample", cwd=folder)
    line = assert_one_line_error(prepare, "body_file", "is outside")
    assert "SECRET" not in line and result_is_empty(prepare)
    check = run("check", "n.toml", cwd=folder)
    assert check.returncode == 1
    assert out(check).splitlines()[0] == (
        f"n.toml:4:1: error[invalid-notification]: body_file "
        f"{str(Path('../secrets.json'))!r} is outside {str(folder)!r}, the folder body files "
        "are read from"
    )


def result_is_empty(result: subprocess.CompletedProcess[bytes]) -> bool:
    return result.stdout == b""


def test_project_settings_let_a_body_file_be_anywhere_in_the_project(tmp_path: Path) -> None:
    (tmp_path / "postback.toml").write_text('templates = ["partners"]\n')
    (tmp_path / "bodies").mkdir()
    (tmp_path / "bodies" / "order.json").write_text('{"id": "{ActionId}"}')
    (tmp_path / "partners").mkdir()
    (tmp_path / "partners" / "n.toml").write_text(BODY_NOTIFICATION.format("../bodies/order.json"))
    prepare = _prepare_or_skip("partners/n.toml", "--sample", cwd=tmp_path)
    assert prepare.returncode == 0, err(prepare)
    assert prepare.stdout.endswith(b'{"id": "1000.4636.158133"}')
    assert run("check", cwd=tmp_path).returncode == 0
    (tmp_path / "outside.json").write_text("{}")
    (tmp_path / "partners" / "n.toml").write_text(BODY_NOTIFICATION.format("../../outside.json"))
    assert_one_line_error(
        _prepare_or_skip("partners/n.toml", "--sample", cwd=tmp_path), "is outside"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs symbolic links and FIFOs")
def test_check_reads_no_file_a_walked_folder_links_out_of(tmp_path: Path) -> None:
    """A template folder holding ``a.json -> /etc/passwd`` made check quote the file's
    characters in its diagnostics, and a FIFO made it wait for a writer forever."""
    folder = tmp_path / "t"
    folder.mkdir()
    secret = tmp_path / "secret.json"
    secret.write_text("root:x:0:0")
    (folder / "a.json").symlink_to(secret)
    os.mkfifo(folder / "p.json")
    result = run("check", "t", cwd=tmp_path)
    assert result.returncode == 2
    assert out(result).splitlines() == [
        "t/a.json:1:1: error[unreadable-file]: cannot read template t/a.json: it is a symbolic "
        f"link to {str(secret.resolve())!r}, outside 't'",
        "t/p.json:1:1: error[unreadable-file]: cannot read template t/p.json: it is not a "
        "regular file (a FIFO)",
        "checked 0 files: no problems found; 2 unreadable",
    ]
    named = run("check", "t/a.json", cwd=tmp_path)  # a file named is read as named
    assert named.returncode == 1
    assert "error[invalid-json]" in out(named)
