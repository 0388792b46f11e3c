"""``postback render --records`` and ``postback prepare --records``, run in real processes."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _in_process import run_main
from _terminal import with_terminal_stderr
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback._cli.bulk import _Source
from strategies import hostile_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# One line of JSON; each record renders three items.
SMALL = (
    '{"id": "{ActionId}", "payout": {Payout}, "items": [{join(items, i, '
    '"\\{\\"sku\\": \\"{i.sku}\\", \\"qty\\": {i.qty}\\}", ",")}]}'
)
ITEMS = [{"sku": "S1", "qty": 1}, {"sku": "S2", "qty": 2}, {"sku": "S3", "qty": 3}]

# The malformed lines a generated file holds, in turn: the line and the code it gets.
MALFORMED = [
    ('{"ActionId": "B", "Payout": "12.5.0"}', "record-error", "Payout"),
    ('{"ActionId": "B", "Paiout": "1.00"}', "record-error", "Paiout"),
    ('["ActionId", "B"]', "not-an-object", None),
    ('{"ActionId": "B", "Payout": 1.00', "invalid-json", None),
]
EVERY = 997  # one malformed line in this many


def _command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "postback", *map(str, args)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("POSTBACK_DEBUG", None)
    return env


def run(
    *args: str | Path, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        _command(*args), input=stdin, capture_output=True, env=_env(), cwd=cwd, timeout=300
    )


def _good(k: int) -> str:
    return json.dumps({"ActionId": f"A-{k}", "Payout": f"{k % 100}.50", "items": ITEMS})


def _generate(path: Path, count: int, malformed: bool) -> dict[int, tuple[str, str | None]]:
    """Write ``count`` records; return the malformed ones' codes and fields by line."""
    bad: dict[int, tuple[str, str | None]] = {}
    with path.open("w", encoding="utf-8") as out:
        for line in range(1, count + 1):
            if malformed and line % EVERY == 0:
                text, code, field = MALFORMED[(line // EVERY) % len(MALFORMED)]
                bad[line] = (code, field)
                out.write(text + "\n")
            else:
                out.write(_good(line) + "\n")
    return bad


def _run_measured(args: list[str], stdout: Path) -> tuple[int, int, bytes]:
    """Run the command with stdout to a file; return its exit status, peak RSS and stderr."""
    with stdout.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env=_env())
        assert proc.stderr is not None
        with proc.stderr:
            stderr = proc.stderr.read()
        # wait4 gives this child's own resource usage (RUSAGE_CHILDREN would be the
        # largest of every child this test process ever waited for).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss, stderr


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "small.json"
    path.write_text(SMALL + "\n", encoding="utf-8")
    return path


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 (POSIX)")
def test_a_hundred_thousand_records_every_failure_by_line_in_flat_memory(
    tmp_path: Path, small: Path
) -> None:
    template = postback.compile(SMALL + "\n", format="json")
    big, little = tmp_path / "100k.jsonl", tmp_path / "10k.jsonl"
    bad = _generate(big, 100_000, malformed=True)
    _generate(little, 10_000, malformed=True)
    assert len(bad) == 100 and {code for code, _ in bad.values()} == {
        "record-error",
        "not-an-object",
        "invalid-json",
    }

    status, rss_big, stderr = _run_measured(
        _command("render", small, "--records", big), tmp_path / "big.out"
    )
    assert status == 1, stderr
    assert stderr.decode() == "postback: 100 of 100,000 records failed\n"
    lines = (tmp_path / "big.out").read_bytes().split(b"\n")
    assert lines.pop() == b""  # every line ends with a newline
    assert len(lines) == 100_000
    errors = {}
    for k, raw in enumerate(lines, start=1):
        result = json.loads(raw)
        assert result["line"] == k
        if k in bad:
            errors[k] = (result["error"]["code"], result["error"]["field"])
        elif k % 25_000 == 1:  # the body is the template's rendering, checked in full
            assert result == {"line": k, "body": template.render(json.loads(_good(k)))}
        else:
            assert set(result) == {"line", "body"}
    assert errors == bad

    status, rss_little, stderr = _run_measured(
        _command("render", small, "--records", little), tmp_path / "little.out"
    )
    assert status == 1, stderr
    # Holding the results would take tens of megabytes more at 100,000 records.
    assert rss_big - rss_little < 4 * 1024, (rss_little, rss_big)  # ru_maxrss is in KiB


def test_only_good_records_exit_0(tmp_path: Path, small: Path) -> None:
    good = tmp_path / "good.jsonl"
    _generate(good, 100_000, malformed=False)
    result = run("render", small, "--records", good, "--output-format", "raw", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    bodies = result.stdout.split(b"\n")
    assert bodies.pop() == b""
    assert len(bodies) == 100_000
    assert json.loads(bodies[41]) == json.loads(
        postback.compile(SMALL, format="json").render(json.loads(_good(42)))
    )


def test_a_blank_line_gives_a_skipped_line_and_a_bom_is_skipped(
    tmp_path: Path, small: Path
) -> None:
    """Blank lines were counted but gave no output line, so the output had fewer lines
    than the input; each gives ``{"line": N, "skipped": "blank line"}`` now, in its
    place, and the exit status and the summary stay those of the records."""
    records = tmp_path / "r.jsonl"
    records.write_bytes(b"\xef\xbb\xbf" + b'{"ActionId": "x"}\n\n  \r\n\t\n{"ActionId": "y"}\n')
    notification = EXAMPLES / "notification.toml"
    for command in (("render", small), ("prepare", notification)):
        result = run(*command, "--records", records)
        assert result.returncode == 0, result.stderr
        assert result.stderr == b""
        lines = [json.loads(line) for line in result.stdout.decode().split("\n")[:-1]]
        assert [line["line"] for line in lines] == [1, 2, 3, 4, 5]
        assert lines[1:4] == [{"line": k, "skipped": "blank line"} for k in (2, 3, 4)]
        assert json.loads(lines[4]["body"])["id" if command[0] == "render" else "action_id"] == "y"


def test_a_vertical_tab_or_form_feed_line_is_invalid_json(small: Path) -> None:
    """A line of nothing but ``\\x0b`` or ``\\x0c`` was skipped without a word like a
    blank line, though neither is JSON whitespace: it is an ``invalid-json`` error line."""
    stdin = b'\x0b\n\x0c\r\n \x0b\t\n{"ActionId": 4}\n'
    result = run("render", small, "--records", "-", stdin=stdin)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.decode().split("\n")[:-1]]
    assert [line["line"] for line in lines] == [1, 2, 3, 4]
    assert [line["error"]["code"] for line in lines[:3]] == ["invalid-json"] * 3
    assert lines[2]["error"]["message"].endswith("at character 2")
    assert result.stderr.decode() == "postback: 3 of 4 records failed\n"


def test_raw_output_writes_a_blank_line_on_stderr_with_the_failures() -> None:
    """With ``--output-format raw`` standard output holds only bodies: a blank line's
    line goes to standard error, where failures go, so that the two streams together
    hold one line per input line (and the summary)."""
    url = EXAMPLES / "action-clearing.url"
    stdin = b'{"CampaignId": 1}\n\n{"CampaignId": "x"}\n \n{"CampaignId": 3}\n'
    result = run("render", url, "--records", "-", "--output-format", "raw", stdin=stdin)
    assert result.returncode == 1
    assert len(result.stdout.decode().split("\n")[:-1]) == 2
    *others, summary = result.stderr.decode().split("\n")[:-1]
    assert [json.loads(line)["line"] for line in others] == [2, 3, 4]
    assert json.loads(others[0]) == {"line": 2, "skipped": "blank line"}
    assert summary == "postback: 1 of 3 records failed"


def test_fail_fast_does_not_stop_at_a_blank_line(small: Path) -> None:
    result = run("render", small, "--records", "-", "--fail-fast", stdin=b"{}\n\n{}\n")
    assert result.returncode == 0
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 2, 3]


def test_records_from_stdin(small: Path) -> None:
    result = run("render", small, "--records", "-", stdin=b'{"ActionId": 1}\n[]\n')
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.decode().splitlines())
    assert json.loads(first["body"])["id"] == "1"
    assert second["error"]["code"] == "not-an-object"
    assert second["line"] == 2


def test_results_from_a_pipe_come_out_as_they_are_made(small: Path) -> None:
    proc = subprocess.Popen(
        _command("render", small, "--records", "-"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    with proc.stdin, proc.stdout:
        for k in (1, 2):
            proc.stdin.write(b'{"ActionId": "A"}\n')
            proc.stdin.flush()
            # The record's result is out while the input is still open.
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no output before the input ended"
            assert json.loads(proc.stdout.readline())["line"] == k
    assert proc.wait(timeout=60) == 0


def test_a_hostile_line_is_one_error_line_and_the_run_goes_on(tmp_path: Path, small: Path) -> None:
    """``{"Payout": 1e1000000000000000000}`` stopped ``render --records`` at that line
    with "internal error" and exit 2 (decimal.InvalidOperation), and the lines after it
    were never read."""
    records = tmp_path / "r.jsonl"
    hostile = [
        b'{"Payout": 1e1000000000000000000}',
        b'{"items": [{"amt": 5E-' + b"9" * 100_000 + b"}]}",
        b'{"X": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"SubId1": "\xc3\x28"}',
        b"\xff\xfe\x00\x01",
    ]
    records.write_bytes(b"".join(line + b'\n{"ActionId": "ok"}\n' for line in hostile))
    notification = EXAMPLES / "notification.toml"
    for command in (("render", small), ("prepare", notification)):
        result = run(*command, "--records", records)
        assert result.returncode == 1, result.stderr
        assert result.stderr.decode() == "postback: 5 of 10 records failed\n"
        lines = [json.loads(line) for line in result.stdout.decode().split("\n")[:-1]]
        assert [line["line"] for line in lines] == list(range(1, 11))
        assert [line.get("error", {}).get("code") for line in lines] == [
            "record-error",
            None,
            "record-error",
            None,
            "invalid-json",
            None,
            "invalid-json",
            None,
            "invalid-json",
            None,
        ]


_EXPONENTS = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.integers(1, 50_000).map(lambda k: "9" * k),
    st.integers(1, 5).map(lambda k: "-" + "0" * k + "1"),
)
_NUMBERS = st.builds(
    lambda sign, whole, fraction, exponent: f"{sign}{whole}{fraction}e{exponent}",
    st.sampled_from(["", "-"]),
    st.sampled_from(["0", "1", "9" * 1001]) | st.integers(0, 10**30).map(str),
    st.sampled_from(["", ".5", "." + "0" * 999 + "1"]),
    _EXPONENTS,
) | st.integers(1, 6000).map(lambda k: "9" * k)
_NESTING = st.integers(0, 3000)
_LINES: st.SearchStrategy[bytes] = st.one_of(
    _NUMBERS.map(lambda n: f'{{"Payout": {n}}}'.encode()),
    _NUMBERS.map(lambda n: f'{{"CampaignId": {n}, "items": [{{"qty": {n}}}]}}'.encode()),
    _NUMBERS.map(lambda n: f'{{"Payout": "{n}", "SubId1": {n}}}'.encode()),
    _NESTING.map(lambda n: b'{"X": ' + b"[" * n + b"]" * n + b"}"),
    _NESTING.map(lambda n: b'{"items": ' + b"[{" * n + b'"a": 1' + b"}]" * n + b"}"),
    _NESTING.map(lambda n: b"[" * n),
    hostile_text('"\\{}[]:,').map(lambda t: json.dumps({"SubId1": t, "ActionId": t[:5]}).encode()),
    st.binary().map(lambda b: b.replace(b"\n", b"")),
    st.binary(min_size=1).map(lambda b: b'{"SubId1": "' + b.replace(b"\n", b"") + b'"}'),
    st.sampled_from(
        [
            b"",
            b"   ",
            b"\r",
            b"\t \r",
            b"\x0b",
            b"\x0c",
            b" \x0b\t",
            b"\xef\xbb\xbf",
            b'{"ActionId": "A-1", "Payout": 12.50}',
            b"\xef\xbb\xbf{}",
        ]
    ),
)


@given(st.lists(_LINES, min_size=1, max_size=6), st.booleans())
def test_every_line_of_any_records_file_gives_one_line(lines: list[bytes], end: bool) -> None:
    """Whatever the lines hold (numbers of any size and exponent, nesting thousands
    deep, bytes that are not UTF-8, lone surrogates, nothing but whitespace),
    ``render --records`` and ``prepare --records`` write exactly one JSON line per
    input line, in order, a blank one included (a final newline ends the last line and
    is not one), and exit 0 or 1, 1 exactly when a line has an error: never an internal
    error."""
    data = b"\n".join(lines) + (b"\n" if end else b"")
    count = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    read = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")[:count]
    blank = [k for k, line in enumerate(read, 1) if not line.strip(b" \t\r")]
    with tempfile.TemporaryDirectory() as base:
        records = Path(base) / "records.jsonl"
        records.write_bytes(data)
        for command in (
            ("render", str(EXAMPLES / "action-clearing.json")),
            ("prepare", str(EXAMPLES / "notification.toml"), "--now", "2026-03-01T00:00:00Z"),
        ):
            ran = run_main(*command, "--records", str(records), "--quiet")
            assert ran.stdout.count(b"\n") == count and ran.stdout.endswith(b"\n" if count else b"")
            results = [json.loads(line) for line in ran.stdout.split(b"\n")[:-1]]
            assert [result["line"] for result in results] == list(range(1, count + 1)), ran.stderr
            skipped = [result["line"] for result in results if "skipped" in result]
            assert skipped == blank
            failed = sum("error" in result for result in results)
            assert ran.status == (1 if failed else 0), ran.stderr
            assert b"internal error" not in ran.stderr


def test_fail_fast_stops_at_the_first_failure(small: Path) -> None:
    stdin = b'{"ActionId": 1}\n{"Bogus": 1}\n{"ActionId": 3}\n'
    result = run("render", small, "--records", "-", "--fail-fast", stdin=stdin)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [line["line"] for line in lines] == [1, 2]
    assert lines[1]["error"] == {
        "code": "record-error",
        "message": lines[1]["error"]["message"],
        "field": "Bogus",
    }
    assert result.stderr.decode() == "postback: 1 of 2 records failed (stopped by --fail-fast)\n"


def test_raw_output_writes_bodies_and_failures_on_stderr(tmp_path: Path) -> None:
    url = EXAMPLES / "action-clearing.url"
    stdin = b'{"CampaignId": 1}\n{"CampaignId": "x"}\n{"CampaignId": 3}\n'
    result = run("render", url, "--records", "-", "--output-format", "raw", stdin=stdin)
    assert result.returncode == 1
    template = postback.compile(url.read_text("utf-8").rstrip("\n"), format="url")
    assert result.stdout.decode() == (
        template.render({"CampaignId": 1}) + "\n" + template.render({"CampaignId": 3}) + "\n"
    )
    failure, summary = result.stderr.decode().splitlines()
    assert json.loads(failure)["line"] == 2
    assert json.loads(failure)["error"]["field"] == "CampaignId"
    assert summary == "postback: 1 of 3 records failed"


def test_raw_output_of_a_one_line_json_template_with_a_final_newline(small: Path) -> None:
    result = run("render", small, "--records", "-", "--output-format", "raw", stdin=b"{}\n{}\n")
    assert result.returncode == 0
    lines = result.stdout.decode().split("\n")
    assert lines == ['{"id": "", "payout": null, "items": []}'] * 2 + [""]


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("seed.json", (EXAMPLES / "action-clearing.json").read_text("utf-8"), "a line break"),
        ("body.xml", "<a>{Text1}</a>", "a value's line breaks"),
        ("crlf.json", '{"a": "{Text1}"}\r\n', "a line break"),
        ("body.txt", "{Text1}", "a value's line breaks"),
    ],
)
def test_raw_output_is_refused_when_a_body_can_have_a_line_break(
    tmp_path: Path, name: str, text: str, reason: str
) -> None:
    template = tmp_path / name
    template.write_text(text, encoding="utf-8", newline="")
    result = run("render", template, "--records", "-", "--output-format", "raw", stdin=b"{}\n")
    assert result.returncode == 2
    assert result.stdout == b""
    message = result.stderr.decode()
    assert message.startswith("postback: error: --output-format raw needs bodies without")
    assert reason in message and message.endswith("use --output-format jsonl\n")


@pytest.mark.parametrize(
    "flags",
    [
        ("--output-format", "jsonl"),
        ("--fail-fast",),
        ("--quiet",),
    ],
)
def test_bulk_flags_need_records(small: Path, flags: tuple[str, ...]) -> None:
    result = run("render", small, "--sample", *flags)
    assert result.returncode == 2
    assert result.stderr.decode() == f"postback: error: {flags[0]} needs --records\n"


def test_records_and_a_record_are_exclusive_and_stdin_is_read_once(small: Path) -> None:
    both = run("render", small, "--sample", "--records", "-")
    assert both.returncode == 2 and b"not allowed with argument" in both.stderr
    twice = run("render", "-", "--format", "json", "--records", "-")
    assert twice.returncode == 2
    assert twice.stderr.decode() == (
        "postback: error: the template and the records cannot both be read from stdin (-)\n"
    )
    prepare_twice = run("prepare", "-", "--records", "-")
    assert prepare_twice.returncode == 2
    assert b"the notification and the records cannot both" in prepare_twice.stderr
    missing = run("render", small, "--records", "no-such.jsonl")
    assert missing.returncode == 2
    assert missing.stderr.decode() == (
        "postback: error: cannot read records no-such.jsonl: No such file or directory\n"
    )


def test_a_utf16_records_file_is_named_as_such(tmp_path: Path, small: Path) -> None:
    """A JSON Lines file saved as UTF-16 gave one "not UTF-8" failure per line (its
    lines split at newline bytes); it is one error that says what the file is."""
    records = tmp_path / "r.jsonl"
    records.write_bytes('{"ActionId": "1"}\n{"ActionId": "2"}\n'.encode("utf-16"))
    for command in (("render", small), ("prepare", EXAMPLES / "notification.toml")):
        result = run(*command, "--records", records)
        assert result.returncode == 2
        assert result.stdout == b""
        assert result.stderr.decode() == (
            f"postback: error: cannot read records {records}: the file is UTF-16 "
            "(byte-order mark); save it as UTF-8\n"
        )
    piped = run("render", small, "--records", "-", stdin=records.read_bytes())
    assert piped.stderr.decode().endswith(
        "the input is UTF-16 (byte-order mark); save it as UTF-8\n"
    )


def test_a_record_failure_advises_the_flag(tmp_path: Path, small: Path) -> None:
    """The advice in a record's failure named the Python argument unknown_keys='ignore'."""
    result = run("render", small, "--records", "-", stdin=b'{"Zzqx": 1}\n')
    assert result.returncode == 1
    (line,) = result.stdout.decode().splitlines()
    assert json.loads(line)["error"]["message"].endswith(
        "use --unknown-keys ignore (skip them) or --unknown-keys extra (keep them as extra fields)"
    )


def test_render_records_reads_dates_as_the_day_first_flags_say(tmp_path: Path) -> None:
    """Each line is read with --day-first or --month-first; a date the flag's order
    cannot read is that line's failure, naming the field and the flag."""
    template = tmp_path / "at.json"
    template.write_text('{"at": "{EventDate}"}', encoding="utf-8")
    stdin = b'{"EventDate": "04.03.2026"}\n{"EventDate": "13.03.2026"}\n'
    day = run("render", template, "--records", "-", "--day-first", stdin=stdin)
    assert day.returncode == 0, day.stderr
    lines = [json.loads(line) for line in day.stdout.decode().splitlines()]
    assert [json.loads(line["body"])["at"] for line in lines] == [
        "2026-03-04T00:00:00+00:00",
        "2026-03-13T00:00:00+00:00",
    ]
    month = run("render", template, "--records", "-", "--month-first", stdin=stdin)
    assert month.returncode == 1
    first, second = (json.loads(line) for line in month.stdout.decode().splitlines())
    assert json.loads(first["body"]) == {"at": "2026-04-03T00:00:00+00:00"}
    assert second["error"]["code"] == "record-error"
    assert second["error"]["field"] == "EventDate"
    assert "the settings say the month comes first (--month-first)" in second["error"]["message"]
    unset = run("render", template, "--records", "-", stdin=stdin)
    assert unset.returncode == 1
    assert all('"record-error"' in line for line in unset.stdout.decode().splitlines())


def test_a_defective_template_reads_no_record(tmp_path: Path) -> None:
    template = tmp_path / "bad.json"
    template.write_text('{"a": {Bogus}}', encoding="utf-8")
    result = run("render", template, "--records", "-", stdin=b"{}\n")
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"unknown-field" in result.stderr


def test_prepare_records_writes_requests(tmp_path: Path) -> None:
    notification = EXAMPLES / "notification.toml"
    sample = postback.sample_action()
    stdin = (
        json.dumps(sample.to_dict(), ensure_ascii=False) + '\n{"ActionId": "A-2"}\n{"AdId": "x"}\n'
    ).encode()
    result = run(
        "prepare", notification, "--records", "-", "--now", "2026-03-01T12:00:00Z", stdin=stdin
    )
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    loaded = postback.Notification.from_file(notification)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    expected = loaded.prepare_many([sample, {"ActionId": "A-2"}, {"AdId": "x"}], now=now)
    assert lines == [r.to_json() for r in expected]
    second = json.loads(lines[1])
    assert second["not_before"] == "2026-03-01T12:00:30+00:00"
    assert second["body"].startswith('{"event": "Action Life Cycle Postback"')
    assert json.loads(lines[2])["error"]["code"] == "record-error"


def test_prepare_records_masks_secret_headers() -> None:
    stdin = b'{"ActionId": "A-1"}\n'
    plain = run("prepare", EXAMPLES / "notification.toml", "--records", "-", stdin=stdin)
    masked = run("prepare", EXAMPLES / "notification.toml", "--records", "-", "--mask", stdin=stdin)
    assert plain.returncode == masked.returncode == 0
    plain_line, masked_line = json.loads(plain.stdout), json.loads(masked.stdout)
    assert ["Authorization", "Bearer 3f1c9a0e-example-token"] in plain_line["headers"]
    assert ["Authorization", "***"] in masked_line["headers"]
    assert ["X-Action-Id", "A-1"] in masked_line["headers"]
    del plain_line["headers"], masked_line["headers"]
    plain_line["not_before"] = masked_line["not_before"] = None
    assert plain_line == masked_line


def test_prepare_now_must_be_iso_8601() -> None:
    result = run("prepare", EXAMPLES / "notification.toml", "--records", "-", "--now", "soon")
    assert result.returncode == 2
    assert b"not an ISO 8601 date and time: 'soon'" in result.stderr


def test_the_reader_tells_how_far_into_a_regular_file_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"{}\n" * 100)
    source = _Source(str(path))
    lines = source.lines()
    assert source.done() == " (0%)"
    for _ in range(100):
        next(lines)
    assert source.done() == " (100%)"
    source.close()
    with path.open("rb") as redirected:  # --records - < r.jsonl
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(redirected))
        assert _Source("-").size == 300
    read, write = os.pipe()
    with os.fdopen(read, "rb") as pipe, os.fdopen(write, "wb"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(pipe))
        assert _Source("-").done() == ""  # a pipe has no size


# ---------------------------------------------------------------------------
# The progress line
# ---------------------------------------------------------------------------


def _slow_records() -> Iterator[bytes]:
    """Records in two bursts, half a second apart, so a progress tick must fall between."""
    burst = b"".join(_good(k).encode() + b"\n" for k in range(2_000))
    yield burst
    time.sleep(0.6)
    yield burst


def _run_with_stderr(args: list[str], stderr: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr, env=_env()
    )
    assert proc.stdin is not None
    for chunk in _slow_records():
        proc.stdin.write(chunk)
        proc.stdin.flush()
    proc.stdin.close()
    return proc


def _progress_on_a_terminal(args: list[str]) -> tuple[int, str]:
    proc, shown = with_terminal_stderr(lambda terminal: _run_with_stderr(args, terminal))
    return proc.returncode, shown


def test_progress_line_on_a_terminal(small: Path) -> None:
    status, shown = _progress_on_a_terminal(_command("render", small, "--records", "-"))
    assert status == 0
    assert "\rrendering <stdin>: " in shown
    assert " records, " in shown and "/s, 0 failed" in shown
    assert shown.endswith("\r")  # the line is cleared at the end
    assert shown.rstrip("\r ").count("\n") == 0  # never more than the one line


def test_no_progress_line_with_quiet_or_when_not_a_terminal(small: Path) -> None:
    status, shown = _progress_on_a_terminal(_command("render", small, "--records", "-", "-q"))
    assert status == 0
    assert shown == ""
    proc = _run_with_stderr(_command("render", small, "--records", "-"), subprocess.PIPE)
    assert proc.stderr is not None
    with proc.stderr:
        piped = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert piped == b""
