"""``postback parse``: a received body read back into its record, printed as JSON."""

from __future__ import annotations

import io
import json
import select
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _in_process import Ran
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback._cli.main import main
from postback._cli.parse import record_json
from strategies import hostile_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# A template of every format, each with a value that its format escapes.
TEMPLATES = {
    "action-clearing.json": None,
    "action-clearing.xml": None,
    "action-clearing.qs": None,
    "action-clearing.url": None,
    "auth.header": "Bearer {SubId1}; id={ActionId}\n",
    "note.txt": "Action {ActionId}: {Payout} for {SubId1} on {EventDate}\n",
}


def run(*args: str | Path, stdin: bytes = b"") -> Ran:
    """Run ``postback ARGS`` in this process with ``stdin`` as standard input."""
    out, err = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
    )
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        status = main([str(arg) for arg in args])
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        for stream in streams:
            stream.flush()
            stream.detach()
    return Ran(status, out.getvalue(), err.getvalue())


def _one_error_line(result: Ran, text: str) -> None:
    """A usage error or unreadable input: exit 2, one line, no traceback."""
    assert result.status == 2, result
    assert result.stdout == b""
    assert result.stderr.decode() == f"postback: error: {text}\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the templates of every format, and no project settings above it."""
    for name, text in TEMPLATES.items():
        target = tmp_path / name
        if text is None:
            target.write_bytes((EXAMPLES / name).read_bytes())
        else:
            target.write_text(text, "utf-8")
    (tmp_path / "postback.toml").write_text("", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------------------
# One body
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_render_of_the_parsed_record_gives_the_body_back(folder: Path, name: str) -> None:
    rendered = run("render", name, "--sample")
    assert rendered.status == 0, rendered
    (folder / "received").write_bytes(rendered.stdout)
    parsed = run("parse", name, "received")
    assert parsed.status == 0, parsed
    assert parsed.stderr == b""
    (folder / "record.json").write_bytes(parsed.stdout)
    again = run("render", name, "--record", "record.json")
    assert again.status == 0, again
    assert again.stdout == rendered.stdout
    # The record is the sample's fields that the template writes, as render reads them.
    record = json.loads(parsed.stdout)
    template = postback.Template.from_file(name)
    assert postback.Action.from_dict(record) == template.parse(rendered.stdout)
    assert record["ActionId"] == "1000.4636.158133"


def test_the_record_is_printed_as_to_dict_with_two_spaces(folder: Path) -> None:
    (folder / "t.json").write_text('{"p": {Payout}, "n": "{CampaignName}"}', "utf-8")
    result = run("parse", "t.json", "-", stdin='{"n": "Café \\"x\\"", "p": 1.50}'.encode())
    assert result.status == 0, result
    # In catalog order, as Action.to_dict() gives them.
    assert result.stdout.decode() == '{\n  "CampaignName": "Café \\"x\\"",\n  "Payout": "1.50"\n}\n'


@pytest.mark.parametrize("body", [[], ["-"]])
def test_the_body_is_read_from_stdin_without_a_file_or_with_a_dash(
    folder: Path, body: list[str]
) -> None:
    (folder / "t.qs").write_text("a={SubId1}&p={Payout}", "utf-8")
    result = run("parse", "t.qs", *body, stdin=b"p=2.5&a=x+y")
    assert result.status == 0, result
    assert json.loads(result.stdout) == {"Payout": "2.5", "SubId1": "x y"}


def test_a_decimal_extra_field_is_a_json_number_so_it_renders_back_bare(folder: Path) -> None:
    """Written as Action.to_dict() gives it to json (a string), an extra field read from a
    JSON number rendered back quoted: {"t": "0.25"} for {"t": 0.25}."""
    (folder / "t.json").write_text('{"t": {Tier}, "p": {Payout}}', "utf-8")
    (folder / "received").write_text('{"t": 0.250, "p": 1}', "utf-8")
    parsed = run("parse", "t.json", "received", "--extra-field", "Tier")
    assert parsed.status == 0, parsed
    assert parsed.stdout.decode() == '{\n  "Payout": "1",\n  "Tier": 0.250\n}\n'
    (folder / "record.json").write_bytes(parsed.stdout)
    again = run("render", "t.json", "--record", "record.json", "--extra-field", "Tier")
    assert again.stdout == b'{"t": 0.250, "p": 1}'


def test_record_json_writes_every_value_parse_keeps() -> None:
    action = postback.Action(
        payout=Decimal("1.50"),
        extra={"meta": {"a": [1, Decimal("2E+3"), True, None, "x\n"], "b": {}}, "c": []},
    )
    text = record_json(action)
    assert text == (
        '{"Payout": "1.50", "meta": {"a": [1, 2E+3, true, null, "x\\n"], "b": {}}, "c": []}'
    )
    assert json.loads(text)["meta"]["a"][1] == 2000
    assert json.loads(record_json(action, indent=2)) == json.loads(text)


def test_extra_keep_prints_the_keys_the_template_does_not_have(folder: Path) -> None:
    (folder / "t.json").write_text('{"p": {Payout}}', "utf-8")
    (folder / "received").write_text('{"p": 1, "meta": {"source": "api", "rate": 0.25}}', "utf-8")
    refused = run("parse", "t.json", "received")
    assert refused.status == 1
    assert refused.stdout == b""
    # The hint names the flag: it said parse(..., extra='keep'), the Python call.
    assert refused.stderr.decode() == (
        "received:1:10: expected only the template's keys (template 1:1), found the key "
        '"meta" at 1:10 (--extra keep keeps other keys in the record)\n'
        "t.json:1:1: the template expects only the template's keys here\n"
    )
    kept = run("parse", "t.json", "received", "--extra", "keep")
    assert kept.status == 0, kept
    assert json.loads(kept.stdout) == {"Payout": "1", "meta": {"source": "api", "rate": 0.25}}


def test_a_parse_error_names_the_body_and_the_template_places(folder: Path) -> None:
    body = run("render", "action-clearing.json", "--sample").stdout
    (folder / "received.json").write_bytes(body.replace(b'"payout"', b'"pay_out"'))
    result = run("parse", "action-clearing.json", "received.json")
    assert result.status == 1
    assert result.stdout == b""
    assert result.stderr.decode() == (
        'received.json:14:1: expected the key "payout" (template 14:1), found "pay_out" at '
        '14:1; did you mean "payout"?\n'
        'action-clearing.json:14:1: the template expects the key "payout" here\n'
    )


def test_bytes_that_are_not_utf8_are_a_parse_error_at_their_place(folder: Path) -> None:
    (folder / "t.qs").write_text("a={SubId1}", "utf-8")
    result = run("parse", "t.qs", stdin=b"a=x\n\xff")
    assert result.status == 1
    assert result.stderr.decode() == (
        "<stdin>:2:1: the body is not UTF-8 at 2:1: not UTF-8 text (byte 0xff at offset 4)\n"
    )


def test_a_message_holding_control_characters_stays_on_one_line(folder: Path) -> None:
    (folder / "t.txt").write_text("id={ActionId}", "utf-8")
    result = run("parse", "t.txt", stdin=b"\x1b[31mno\r\n::error::x")
    assert result.status == 1
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 2
    assert all("\x1b" not in line and "\r" not in line for line in lines)
    assert lines[0].startswith("<stdin>:1:1: expected ")


def test_the_compile_options_and_the_project_settings_apply(folder: Path) -> None:
    (folder / "t.qs").write_text("d={EventDate}", "utf-8")
    flags = run(
        "parse",
        "t.qs",
        "--date-format",
        "%d.%m.%Y %H:%M",
        "--timezone",
        "Europe/Berlin",
        stdin=b"d=02.01.2026+10%3A30",
    )
    assert flags.status == 0, flags
    assert json.loads(flags.stdout) == {"EventDate": "2026-01-02T10:30:00+01:00"}
    (folder / "postback.toml").write_text('date_format = "unix"\n', "utf-8")
    settings = run("parse", "t.qs", stdin=b"d=1767225600")
    assert json.loads(settings.stdout) == {"EventDate": "2026-01-01T00:00:00+00:00"}
    ignored = run("parse", "t.qs", "--no-config", stdin=b"d=1767225600")
    assert ignored.status == 1
    assert "a date" in ignored.stderr.decode()


def test_a_defective_template_is_reported_as_render_reports_it(folder: Path) -> None:
    (folder / "t.json").write_text('{"a": {Campaignid}}', "utf-8")
    result = run("parse", "t.json", stdin=b'{"a": 1}')
    assert result.status == 1
    assert result.stderr.decode() == (
        "t.json:1:7: error[unknown-field]: unknown field {Campaignid}; did you mean {CampaignId}?\n"
    )


def test_usage_errors_and_unreadable_input_are_one_line(folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "t.bin").write_text("{ActionId}", "utf-8")
    _one_error_line(
        run("parse", "action-clearing.json", "missing.json"),
        "cannot read body missing.json: No such file or directory",
    )
    _one_error_line(
        run("parse", "action-clearing.json", "sub"), "cannot read body sub: Is a directory"
    )
    _one_error_line(
        run("parse", "missing.json", "-"),
        "cannot read template missing.json: No such file or directory",
    )
    _one_error_line(
        run("parse", "-", "--format", "text"),
        "the template and the body cannot both be read from stdin (-): name the body file",
    )
    _one_error_line(
        run("parse", "-", "--records", "-", "--format", "text"),
        "the template and the records cannot both be read from stdin (-)",
    )
    _one_error_line(
        run("parse", "action-clearing.json", "b.json", "--records", "r.jsonl"),
        "BODY and --records cannot both be given: --records reads the bodies",
    )
    _one_error_line(run("parse", "action-clearing.json", "--quiet"), "--quiet needs --records")
    _one_error_line(
        run("parse", "t.bin"),
        "cannot tell the format of t.bin from its extension: pass --format (json, xml, query, "
        "url, header, text) or use one of .json, .xml, .qs, .query, .url, .header, .txt",
    )
    _one_error_line(
        run("parse", "t.bin", "--format", "text", "--timezone", "Mars/Olympus"),
        "unknown timezone 'Mars/Olympus': use an IANA name such as 'UTC' or 'America/New_York'",
    )
    for flag in ("--unknown-keys", "--day-first", "--sample", "--record"):
        result = run("parse", "action-clearing.json", flag)
        assert result.status == 2
        assert result.stderr.decode().count("\n") == 1, result


# ---------------------------------------------------------------------------
# --records
# ---------------------------------------------------------------------------


def _lines(result: Ran) -> list[dict[str, Any]]:
    text = result.stdout.decode()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def _error(code: str, message: str, **place: object) -> dict[str, object]:
    keys = ("line", "column", "template_line", "template_column", "expected", "found", "field")
    return {"code": code, "message": message, **dict.fromkeys(keys), "readings": [], **place}


def test_records_gives_one_line_per_input_line(folder: Path) -> None:
    (folder / "t.qs").write_text("a={SubId1}&p={Payout}", "utf-8")
    lines = [
        b'"a=x&p=1.50"',
        b"",
        b' \t"a=%C3%A9&p=2" ',
        b'"a=y&p=zz"',
        b'{"a": 1}',
        b"[1, 2",
        b"12",
        b"null",
        b'"unterminated',
        b'"a=1" x',
        b"\xff",
        b'"a=\\ud800&p=1"',
    ]
    (folder / "bodies.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = run("parse", "t.qs", "--records", "bodies.jsonl")
    assert result.status == 1
    assert result.stderr.decode() == "postback: 8 of 11 bodies failed\n"
    zz = 'expected a decimal number for {Payout} (template 1:14), found "zz" at 1:7'
    assert _lines(result) == [
        {"line": 1, "record": {"Payout": "1.50", "SubId1": "x"}},
        {"line": 2, "skipped": "blank line"},
        {"line": 3, "record": {"Payout": "2", "SubId1": "é"}},
        {
            "line": 4,
            "error": _error(
                "parse-error",
                zz,
                line=1,
                column=7,
                template_line=1,
                template_column=14,
                expected="a decimal number for {Payout}",
                found='"zz"',
                field="Payout",
            ),
        },
        {
            "line": 5,
            "error": _error(
                "not-a-string", "a line must be a JSON string holding one body, not an object"
            ),
        },
        {
            "line": 6,
            "error": _error(
                "not-a-string", "a line must be a JSON string holding one body, not an array"
            ),
        },
        {
            "line": 7,
            "error": _error(
                "not-a-string", "a line must be a JSON string holding one body, not a number"
            ),
        },
        {
            "line": 8,
            "error": _error(
                "not-a-string", "a line must be a JSON string holding one body, not null"
            ),
        },
        {
            "line": 9,
            "error": _error(
                "invalid-json", "invalid JSON: Unterminated string starting at character 1"
            ),
        },
        {
            "line": 10,
            "error": _error(
                "invalid-json", "invalid JSON: extra data after the value at character 6"
            ),
        },
        {
            "line": 11,
            "error": _error("invalid-json", "the line is not UTF-8 text (byte 0xff at offset 0)"),
        },
        {"line": 12, "record": {"Payout": "1", "SubId1": "\ud800"}},
    ]


def test_a_line_of_any_number_is_not_a_string_and_the_run_goes_on(folder: Path) -> None:
    """A line holding an int of 5,000 digits stopped ``parse --records`` with "internal
    error" and exit 2: converting it raised the interpreter's ValueError on long ints."""
    (folder / "t.qs").write_text("a={SubId1}", "utf-8")
    lines = [b"1" * 5000, b"-1.5e999999 ", b"NaN", b'"a=1"']
    result = run("parse", "t.qs", "--records", "-", stdin=b"\n".join(lines))
    assert result.status == 1
    number = "a line must be a JSON string holding one body, not a number"
    assert _lines(result) == [
        {"line": 1, "error": _error("not-a-string", number)},
        {"line": 2, "error": _error("not-a-string", number)},
        {"line": 3, "error": _error("not-a-string", number)},
        {"line": 4, "record": {"SubId1": "1"}},
    ]


def test_records_fail_fast_and_quiet(folder: Path) -> None:
    (folder / "t.qs").write_text("a={SubId1}", "utf-8")
    (folder / "bodies.jsonl").write_text('"a=1"\n"b=2"\n"a=3"\n', "utf-8")
    result = run("parse", "t.qs", "--records", "bodies.jsonl", "--fail-fast")
    assert result.status == 1
    assert [line["line"] for line in _lines(result)] == [1, 2]
    assert result.stderr.decode() == "postback: 1 of 2 bodies failed (stopped by --fail-fast)\n"
    quiet = run("parse", "t.qs", "--records", "-", "-q", stdin=b'"a=1"\n"b=2"\n')
    assert quiet.status == 1
    assert quiet.stderr == b""
    kept = run("parse", "t.qs", "--records", "-", "--extra", "keep", stdin=b'"a=1&b=2"\n')
    assert kept.status == 0
    assert _lines(kept) == [{"line": 1, "record": {"SubId1": "1", "b": "2"}}]


def test_records_file_that_cannot_be_read_is_one_line(folder: Path) -> None:
    _one_error_line(
        run("parse", "action-clearing.qs", "--records", "missing.jsonl"),
        "cannot read records missing.jsonl: No such file or directory",
    )
    (folder / "utf16.jsonl").write_bytes('"a=1"\n'.encode("utf-16"))
    _one_error_line(
        run("parse", "action-clearing.qs", "--records", "utf16.jsonl"),
        "cannot read records utf16.jsonl: the file is UTF-16 (byte-order mark); save it as UTF-8",
    )


def test_each_record_of_records_renders_its_body_back(folder: Path) -> None:
    bodies = [run("render", "action-clearing.xml", "--sample").stdout.decode()]
    bodies.append(bodies[0].replace("4636", "77"))
    (folder / "bodies.jsonl").write_text("".join(json.dumps(b) + "\n" for b in bodies), "utf-8")
    result = run("parse", "action-clearing.xml", "--records", "bodies.jsonl")
    assert result.status == 0, result
    for line, body in zip(_lines(result), bodies, strict=True):
        (folder / "record.json").write_text(json.dumps(line["record"]), "utf-8")
        again = run("render", "action-clearing.xml", "--record", "record.json")
        assert again.stdout.decode() == body


@given(hostile_text('"\\&=+%\n'))
def test_records_print_what_template_parse_reads(text: str) -> None:
    template = postback.compile((EXAMPLES / "action-clearing.qs").read_text("utf-8"), "query")
    body = template.render({"SubId1": text, "Payout": "1.50"})
    line = json.dumps(body).encode() + b"\n"
    path = EXAMPLES / "action-clearing.qs"
    result = run("parse", path, "--records", "-", "--no-config", stdin=line)
    assert result.status == 0, result
    (out,) = _lines(result)
    assert out == {"line": 1, "record": json.loads(record_json(template.parse(body)))}
    assert template.render(postback.Action.from_dict(out["record"])) == body


LINES = st.one_of(
    st.binary(max_size=40),
    hostile_text('"\\{}[]&=%').map(lambda text: json.dumps(text).encode()),
    st.sampled_from([b"", b" \t", b"[" * 5000, b"9" * 5000, b'"\\ud800"', b"\xef\xbb\xbf"]),
).map(lambda line: line.replace(b"\n", b" "))


@given(st.lists(LINES, max_size=6))
def test_any_lines_give_one_line_of_json_each(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    path = EXAMPLES / "action-clearing.qs"
    result = run("parse", path, "--records", "-", "--no-config", "-q", stdin=data)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] == b"\x00\x00\xfe\xff":
        assert result.status == 2  # a UTF-16 or UTF-32 file, refused before any line
        return
    assert result.status in (0, 1), result
    count = 0 if not data else len(data.split(b"\n")) - data.endswith(b"\n")
    out = _lines(result) if count else []
    assert [line["line"] for line in out] == list(range(1, count + 1))
    assert all(len(line) == 2 for line in out)
    assert (result.status == 1) == any("error" in line for line in out)


@given(
    st.binary(max_size=200) | hostile_text('{}&=%<>"').map(lambda t: t.encode("utf-8", "replace"))
)
def test_any_body_reads_back_or_is_one_parse_error(body: bytes) -> None:
    for name in ("action-clearing.json", "action-clearing.xml", "action-clearing.url"):
        result = run("parse", EXAMPLES / name, "--no-config", stdin=body)
        assert result.status in (0, 1), result
        if result.status == 0:
            assert isinstance(json.loads(result.stdout), dict)
        else:
            assert result.stdout == b""
            assert result.stderr.decode().startswith("<stdin>:")
            assert 1 <= result.stderr.count(b"\n") <= 2


def test_records_from_a_pipe_come_out_as_they_are_made(folder: Path) -> None:
    (folder / "t.qs").write_text("a={SubId1}", "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "postback", "parse", "t.qs", "--records", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    with proc.stdin, proc.stdout:
        for k in (1, 2):
            proc.stdin.write(b'"a=x"\n')
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no output before the input ended"
            assert json.loads(proc.stdout.readline()) == {"line": k, "record": {"SubId1": "x"}}
    assert proc.wait(timeout=60) == 0


# ---------------------------------------------------------------------------
# The reading side loads only for parse
# ---------------------------------------------------------------------------


def test_import_postback_and_check_do_not_load_the_reading_side() -> None:
    """Only ``postback parse`` needs ``postback._reading``: ``import postback`` and the
    other commands must not pay for loading it."""
    code = (
        "import sys, postback\n"
        "from postback._cli.main import main\n"
        "loaded = lambda: 'postback._reading' in sys.modules\n"
        "print(loaded())\n"
        f"main(['check', {str(EXAMPLES / 'action-clearing.json')!r}])\n"
        "print(loaded())\n"
        f"main(['parse', {str(EXAMPLES / 'action-clearing.qs')!r}, '--no-config'])\n"
        "print(loaded())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, input="", check=False
    )
    assert result.stdout.splitlines() == [
        "False",
        "checked 1 file: no problems found",
        "False",
        "True",
    ]
