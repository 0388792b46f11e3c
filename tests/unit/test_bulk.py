"""Template.render_many and Notification.prepare_many: one result per record, in order."""

from __future__ import annotations

import base64
import itertools
import json
import pickle
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback import Action, Notification, Prepared, PreparedRequest, RecordFailure, Rendered
from postback._bulk import (
    ERROR_CODES,
    Reading,
    Skipped,
    prepare_lines,
    read_line,
    render_lines,
    render_many,
    request_dict,
)
from postback._compiler.pipeline import body_renderer
from strategies import hostile_chars

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "examples" / "action-clearing.json").read_text(encoding="utf-8")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed() -> postback.Template:
    return postback.compile(SEED, format="json")


def test_every_kind_of_record_and_every_failure_in_order(seed: postback.Template) -> None:
    sample = postback.sample_action()
    records: list[object] = [
        sample,
        {"CampaignId": "12", "Payout": "1.50"},
        '{"Payout": 1.50, "items": [{"sku": "A", "qty": 2}]}\n',
        b"   \n",  # blank: counted, not yielded
        b'{"Payout": "1.2.3"}\n',
        "[1, 2]\n",
        '{"Payout": 1, "Payout": 2}\n',
        '{"Payout": NaN}\n',
        '{"Payot": 1}\n',
        b"\xff{}\n",
        "{not json\n",
        42,
    ]
    results = list(seed.render_many(records))
    assert [r.line for r in results] == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]
    assert [r.index for r in results] == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    assert all(isinstance(r, Rendered) for r in results)

    good = results[:3]
    assert all(r.ok and r.error is None for r in good)
    assert good[0].body == seed.render(sample)
    assert good[1].body == seed.render(Action(campaign_id=12, payout=Decimal("1.50")))
    third = Action(payout=Decimal("1.50"), items=({"sku": "A", "qty": 2},))  # type: ignore[arg-type]
    assert good[2].body == seed.render(third)
    # The body is valid JSON, so the scale of the decimal went through exactly.
    assert json.loads(good[2].body or "")["payout"] == "1.50"

    failures = [(r.line, r.body, r.error) for r in results[3:]]
    assert all(body is None for _, body, _ in failures)
    codes = [(line, error.code if error else None) for line, _, error in failures]
    assert codes == [
        (5, "record-error"),
        (6, "not-an-object"),
        (7, "record-error"),
        (8, "record-error"),
        (9, "record-error"),
        (10, "invalid-json"),
        (11, "invalid-json"),
        (12, "not-an-object"),
    ]
    errors = {line: error for line, _, error in failures}
    assert errors[5] == RecordFailure(
        "record-error", "Payout: expected a decimal number, got '1.2.3' (str)", "Payout"
    )
    assert errors[6] == RecordFailure(
        "not-an-object", "a record must be a JSON object, not an array", None
    )
    assert errors[7] == RecordFailure(
        "record-error", "Payout: the key 'Payout' is given twice in one JSON object", "Payout"
    )
    assert errors[8] is not None and errors[8].field == "Payout" and "NaN" in errors[8].message
    assert errors[9] is not None and errors[9].field == "Payot"
    assert "did you mean 'Payout'?" in errors[9].message
    assert errors[10] is not None and "not UTF-8 text (byte 0xff at offset 0)" in errors[10].message
    assert errors[11] is not None and "at character 2" in errors[11].message
    assert errors[12] is not None and "not int" in errors[12].message
    assert {e.code for e in errors.values() if e} <= set(ERROR_CODES)


def test_a_render_error_is_a_result_with_its_field() -> None:
    template = postback.compile('{"p": "{Payout}"}', format="json", missing="error")
    (ok, missing) = template.render_many(['{"Payout": 1.5}', "{}"])
    assert ok.body == '{"p": "1.5"}'
    assert missing.error is not None
    assert missing.error.code == "render-error"
    assert missing.error.field == "Payout"
    with pytest.raises(postback.RenderError) as raised:
        template.render({})
    assert missing.error.message == str(raised.value)


def test_results_are_made_as_they_are_asked_for(seed: postback.Template) -> None:
    made: list[int] = []

    def endless() -> Iterator[str]:
        for k in itertools.count():
            made.append(k)
            yield f'{{"CampaignId": {k}}}'

    results = seed.render_many(endless())
    assert made == []  # nothing is read before the first result is asked for
    first = list(itertools.islice(results, 3))
    assert [r.index for r in first] == [0, 1, 2]
    assert made == [0, 1, 2]


def test_start_numbers_the_records(seed: postback.Template) -> None:
    results = list(seed.render_many(["{}", "", "{}"], start=1000))
    assert [(r.index, r.line) for r in results] == [(1000, 1001), (1002, 1003)]


# JSON whitespace (RFC 8259): the only characters a blank line holds.
_JSON_SPACE = " \t\r\n"


def test_a_blank_line_holds_json_whitespace_only(seed: postback.Template) -> None:
    """A line of nothing but a vertical tab or a form feed (or, given as ``str``, a
    Unicode space such as U+3000) was taken for a blank line and dropped without a
    word, though JSON whitespace is space, tab, CR and LF only: it is an
    ``invalid-json`` failure, and only JSON whitespace makes a line blank."""
    blank: list[object] = [b"", b"\n", b" \t\r\n", "\r\n", " \t ", bytearray(b"\r")]
    not_blank: list[object] = [b"\x0b\n", b"\x0c", "\x0b", " \x0c \n", "\u3000\n", "\x1c", "\x85"]
    results = list(seed.render_many([*blank, *not_blank]))
    assert [r.line for r in results] == list(range(7, 14))
    assert {r.error.code if r.error else None for r in results} == {"invalid-json"}
    assert results[0].error == RecordFailure(
        "invalid-json", "invalid JSON in the record: Expecting value at character 1"
    )


@given(st.text(st.sampled_from(_JSON_SPACE)), st.text(hostile_chars(_JSON_SPACE), min_size=1))
def test_only_json_whitespace_is_blank(space: str, text: str) -> None:
    """A line of JSON whitespace yields nothing; any other line yields one result."""
    template = postback.compile("{ActionId}", format="text")
    assert list(template.render_many([space, space.encode()])) == []
    if text.strip(_JSON_SPACE):
        assert [r.line for r in template.render_many([text])] == [1]


def test_render_lines_and_prepare_lines_give_a_result_for_every_line(
    seed: postback.Template,
) -> None:
    """What the command line reads through: ``render_many``'s results, and a
    ``Skipped`` where ``render_many`` yields nothing."""
    lines = [b'{"ActionId": "a"}\n', b"\n", b"  \r\n", b"\x0c\n", b"[]\n", b"\t"]
    reading = Reading(seed.extra_fields, seed.unknown_keys, seed.day_first)
    rendered = list(render_lines(body_renderer(seed.render, seed.format), lines, reading))
    assert [r.line for r in rendered] == [1, 2, 3, 4, 5, 6]
    assert rendered[1] == Skipped(1)
    assert [r for r in rendered if not isinstance(r, Skipped)] == list(seed.render_many(lines))
    assert [json.loads(r.to_json()) for r in rendered if isinstance(r, Skipped)] == [
        {"line": k, "skipped": "blank line"} for k in (2, 3, 6)
    ]
    notification = Notification("https://example.com/{ActionId}")
    prepared = list(prepare_lines(notification.prepare, lines, reading, NOW))
    assert [type(r).__name__ for r in prepared] == [
        "PreparedOk",
        "Skipped",
        "Skipped",
        "PreparedFailed",
        "PreparedFailed",
        "Skipped",
    ]
    assert [r for r in prepared if not isinstance(r, Skipped)] == list(
        notification.prepare_many(lines, now=NOW)
    )
    with pytest.raises(TypeError, match="now must be a datetime"):
        prepare_lines(notification.prepare, lines, reading, "today")  # type: ignore[arg-type]


def test_the_loop_takes_any_function_that_renders_a_record() -> None:
    """The bulk loop knows neither templates nor notifications: it reads each record
    as the ``Reading`` says and calls the function it is given."""
    seen: list[object] = []

    def render(record: Action | Mapping[str, object]) -> str:
        seen.append(record)
        if isinstance(record, Action) and record.extra.get("Tier") == "bad":
            raise postback.RenderError("a bad tier", field="Tier")
        return "body"

    reading = Reading(("Tier",), "error", None)
    lines = ['{"Tier": "gold"}', '{"Tier": "bad"}', "  ", '{"Other": 1}', {"Tier": "x"}]
    results = list(render_many(render, lines, reading, start=10))
    assert [(r.index, r.body) for r in results] == [
        (10, "body"),
        (11, None),
        (13, None),
        (14, "body"),
    ]
    assert results[1].error == RecordFailure("render-error", "a bad tier", "Tier")
    assert results[2].error is not None and results[2].error.code == "record-error"
    assert seen == [Action(extra={"Tier": "gold"}), Action(extra={"Tier": "bad"}), {"Tier": "x"}]


def test_arguments_are_checked_when_called_not_when_iterated(seed: postback.Template) -> None:
    with pytest.raises(TypeError, match="start must be an int"):
        seed.render_many([], start="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="start must be an int"):
        seed.render_many([], start=True)
    notification = Notification("https://example.com/{CampaignId}")
    with pytest.raises(TypeError, match="now must be a datetime"):
        notification.prepare_many([], now="today")  # type: ignore[arg-type]


def test_an_unexpected_exception_is_not_hidden(seed: postback.Template) -> None:
    class Broken(dict[str, object]):
        def items(self):  # type: ignore[no-untyped-def,override]
            raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        list(seed.render_many([Broken()]))


def test_to_json_lines(seed: postback.Template) -> None:
    ok, bad = seed.render_many([postback.sample_action(), "[]"])
    line = ok.to_json()
    assert "\n" not in line
    assert "東京" in line  # non-ASCII text is written as it is
    assert json.loads(line) == {"line": 1, "body": ok.body}
    assert json.loads(bad.to_json()) == {
        "line": 2,
        "error": {
            "code": "not-an-object",
            "message": "a record must be a JSON object, not an array",
            "field": None,
        },
    }


def test_text_bodies_carry_no_lone_surrogate() -> None:
    template = postback.compile("<{Text1}>", format="text")
    (result,) = template.render_many([{"Text1": "a\ud800b"}])
    assert result.body == "<a\ufffdb>"
    assert result.body.encode("utf-8") == template.render_bytes({"Text1": "a\ud800b"})
    result.to_json().encode("utf-8")  # writable as UTF-8


def test_prepare_many_matches_prepare_with_one_now() -> None:
    notification = Notification.from_file(ROOT / "examples" / "notification.toml")
    sample = postback.sample_action()
    records = [sample, '{"ActionId": "A-1"}', '{"AdId": "x7"}', "null"]
    results = list(notification.prepare_many(records, now=NOW))
    assert all(isinstance(r, Prepared) for r in results)
    assert [r.ok for r in results] == [True, True, False, False]
    assert results[0].request == notification.prepare(sample, now=NOW)
    second = results[1].request
    assert second == notification.prepare(Action(action_id="A-1"), now=NOW)
    assert second is not None and second.not_before == NOW + timedelta(seconds=30)
    assert results[2].error == RecordFailure(
        "record-error", "AdId: expected an integer, got 'x7' (str)", "AdId"
    )
    assert results[3].error is not None and results[3].error.code == "not-an-object"


def test_prepare_many_fixes_now_once_per_call() -> None:
    notification = Notification("https://example.com/{ActionId}")
    before = datetime.now(UTC)
    results = list(notification.prepare_many(["{}"] * 3))
    after = datetime.now(UTC)
    times = {r.request.not_before for r in results if r.request}
    assert len(times) == 1
    (only,) = times
    assert before <= only <= after


def test_prepared_to_json() -> None:
    notification = Notification.from_file(ROOT / "examples" / "notification.toml")
    (result,) = notification.prepare_many([postback.sample_action()], now=NOW)
    request = result.request
    assert request is not None
    data = json.loads(result.to_json())
    assert data == {
        "line": 1,
        "method": "POST",
        "url": request.url,
        "headers": [list(pair) for pair in request.headers],
        "body": (request.body or b"").decode("utf-8"),
        "not_before": "2026-02-03T11:30:30+00:00",
    }
    assert ["Content-Type", "application/json"] in data["headers"]


def test_a_prepared_line_can_mask_secret_headers() -> None:
    notification = Notification.from_file(ROOT / "examples" / "notification.toml")
    (result,) = notification.prepare_many([postback.sample_action()], now=NOW)
    masked = json.loads(result.to_json(mask=True))
    assert masked["headers"][0] == ["Authorization", "***"]
    assert {**masked, "headers": None} == {**json.loads(result.to_json()), "headers": None}


def test_request_dict_bodies() -> None:
    base = {"method": "GET", "url": "https://e.com/", "headers": (), "content_type": None}
    when = datetime(2026, 1, 1, tzinfo=UTC)
    none = request_dict(PreparedRequest(**base, body=None, not_before=when))  # type: ignore[arg-type]
    assert none["body"] is None and "body_base64" not in none
    assert none["not_before"] == "2026-01-01T00:00:00+00:00"
    raw = b"\xff\x00binary"
    binary = request_dict(PreparedRequest(**base, body=raw, not_before=when))  # type: ignore[arg-type]
    assert "body" not in binary
    assert base64.b64decode(binary["body_base64"]) == raw


def test_a_line_is_read_as_action_from_json_reads_it() -> None:
    line = b'{"Payout": 1.10, "items": [{"sku": "A", "amt": 2.5e3}], "Note": "\\u00e9"}\n'
    action = read_line(line, (), "error")
    assert action == postback.Action.from_json(line)
    assert isinstance(action, Action)
    assert str(action.payout) == "1.10" and action.note == "é"
    assert read_line('{"Tier": "gold"}', ("Tier",), "error") == Action(extra={"Tier": "gold"})
    assert read_line('{"Tier": "gold"}', (), "ignore") == Action()
    for bad, code, field, fragment in [
        ("Infinity", "not-an-object", None, "not a number"),
        ('{"Payout": -Infinity}', "record-error", "Payout", "-Infinity"),
        ('{"items": [{"sku": 1, "sku": 2}]}', "record-error", "items[0].sku", "given twice"),
        ("1 2", "invalid-json", None, "Extra data at character 3"),
        ("[" * 100_000, "invalid-json", None, "nested more than 100 levels deep"),
        ('"text"', "not-an-object", None, "not a string"),
        ('{"Payout": ' + "9" * 1_001 + "}", "record-error", "Payout", "at most 1000 digits"),
        ('{"Tier": "gold"}', "record-error", "Tier", "unknown field"),
    ]:
        failure = read_line(bad, (), "error")
        assert isinstance(failure, RecordFailure), bad
        assert (failure.code, failure.field) == (code, field), (bad, failure)
        assert fragment in failure.message, (bad, failure.message)


HOSTILE_LINES = [
    b'{"Payout": 1e1000000000000000000}\n',
    b'{"items": [{"amt": -1E-99999999999999999999999}]}\n',
    b'{"Payout": 1e' + b"9" * 100_000 + b"}\n",
    b'{"Payout": "1e1000000000000000000"}\n',
    b'{"X": ' + b"[" * 5_000 + b"]" * 5_000 + b"}\n",
    b'{"SubId1": "\xff\xfe"}\n',
    b'{"SubId1": "\xed\xa0\x80"}\n',  # a surrogate in UTF-8: not UTF-8
]


def test_a_hostile_line_is_a_failure_and_the_run_goes_on(seed: postback.Template) -> None:
    """``{"Payout": 1e1000000000000000000}`` raised decimal.InvalidOperation out of
    render_many and prepare_many, and the lines after it were never read."""
    good = b'{"ActionId": "A-1", "Payout": 1.50}\n'
    lines = [line for hostile in HOSTILE_LINES for line in (hostile, good)]
    notification = Notification("https://example.com/{ActionId}", min_delay=1)
    for results in (
        list(seed.render_many(lines)),
        list(notification.prepare_many(lines, now=NOW)),
    ):
        assert [r.line for r in results] == list(range(1, len(lines) + 1))
        assert [r.ok for r in results] == [False, True] * len(HOSTILE_LINES)
        codes = [(r.error.code, r.error.field) for r in results if r.error is not None]
        assert codes == [
            ("record-error", "Payout"),
            ("record-error", "items[0].amt"),
            ("record-error", "Payout"),
            ("record-error", "Payout"),
            ("invalid-json", None),
            ("invalid-json", None),
            ("invalid-json", None),
        ]


def test_a_json_error_is_placed_the_same_with_or_without_the_line_end() -> None:
    messages = set()
    for line in ('{"Payout": 1.5', '{"Payout": 1.5\n', b'{"Payout": 1.5\r\n'):
        failure = read_line(line, (), "error")
        assert isinstance(failure, RecordFailure)
        messages.add((failure.code, failure.message))
    assert messages == {
        ("invalid-json", "invalid JSON in the record: Expecting ',' delimiter at character 15")
    }


def test_results_pickle_and_compare(seed: postback.Template) -> None:
    results = list(seed.render_many(["{}", "[]"]))
    assert pickle.loads(pickle.dumps(results)) == results
    assert Rendered(0, "x") == Rendered(0, "x", None)
    assert Rendered(0, "x").ok and not Rendered(0, None, RecordFailure("render-error", "m")).ok


def test_results_stay_what_they_were_at_run_time(seed: postback.Template) -> None:
    """Success and failure are two classes (for type checkers' narrowing); at run time
    ``Rendered`` and ``Prepared`` make, show and recognise every result."""
    ok, failed = seed.render_many(["{}", "[]"])
    assert isinstance(ok, Rendered) and isinstance(failed, Rendered)
    assert (ok.ok, failed.ok) == (True, False)
    assert repr(ok).startswith("Rendered(index=0, body='{")
    assert repr(failed) == (
        "Rendered(index=1, body=None, error=RecordFailure(code='not-an-object', "
        "message='a record must be a JSON object, not an array', field=None))"
    )
    assert type(Rendered(1, None, failed.error)) is type(failed)
    assert Rendered(1, None, failed.error) == failed
    assert pickle.loads(pickle.dumps(Rendered)) is Rendered
    request = Notification("https://e.com/").prepare({}, now=NOW)
    done, refused = Notification("https://e.com/").prepare_many([{}, []], now=NOW)
    assert isinstance(done, Prepared) and isinstance(refused, Prepared)
    assert done == Prepared(0, request) and repr(done).startswith("Prepared(index=0, request=")
    assert (done.ok, refused.ok, refused.request, refused.line) == (True, False, None, 2)


def test_mypy_narrows_results_on_ok(tmp_path: Path) -> None:
    """After ``if result.ok:`` mypy still took ``body`` and ``request`` for Optional (the
    documentation wrote ``result.body or ""``), and ``format="jsn"`` type-checked.
    tests/typing/check_results.py holds what must type-check and what must not."""
    api = pytest.importorskip("mypy.api")
    out, err, status = api.run(
        [
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(ROOT / "tests" / "typing" / "check_results.py"),
        ]
    )
    assert status == 0, out + err


def test_the_multiprocessing_example_writes_what_prepare_many_writes(tmp_path: Path) -> None:
    sample = postback.sample_action()
    lines = [
        json.dumps({**sample.to_dict(), "CampaignId": k, "ActionId": f"A-{k}"}) + "\n"
        for k in range(1, 2_001)
    ]
    lines[99] = '{"Payout": "1.2.3"}\n'
    lines[100] = "\n"
    lines[1999] = "[]\n"
    source = tmp_path / "actions.jsonl"
    source.write_text("".join(lines), encoding="utf-8")
    requests, errors = tmp_path / "requests.jsonl", tmp_path / "errors.jsonl"
    notification_file = ROOT / "examples" / "notification.toml"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "bulk_multiprocessing.py"),
            str(notification_file),
            str(source),
            str(requests),
            str(errors),
            "--workers",
            "2",
            "--chunk-size",
            "150",
            "--now",
            NOW.isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr  # two actions failed
    assert proc.stderr.strip() == "1997 requests, 2 failures"
    notification = Notification.from_file(notification_file)
    expected = list(notification.prepare_many(lines, now=NOW))
    assert requests.read_text("utf-8").splitlines() == [r.to_json() for r in expected if r.ok]
    assert errors.read_text("utf-8").splitlines() == [r.to_json() for r in expected if not r.ok]
    assert [json.loads(e)["line"] for e in errors.read_text("utf-8").splitlines()] == [100, 2000]


@given(st.text(), st.integers(min_value=0, max_value=10**9))
def test_a_body_line_is_what_json_dumps_writes(body: str, index: int) -> None:
    assert Rendered(index, body).to_json() == json.dumps(
        {"line": index + 1, "body": body}, ensure_ascii=False
    )


def test_lines_are_read_with_the_unknown_key_policy_of_the_template_or_notification() -> None:
    line = '{"ActionId": "A-1", "Tier": "gold"}'
    strict = postback.compile("{ActionId}", format="text")
    lenient = postback.compile("{ActionId}", format="text", unknown_keys="ignore")
    (refused,) = strict.render_many([line])
    (kept,) = lenient.render_many([line])
    assert refused.error is not None and refused.error.field == "Tier"
    assert kept.body == "A-1"
    notification = Notification("https://example.com/{ActionId}", unknown_keys="ignore")
    (prepared,) = notification.prepare_many([line], now=NOW)
    assert prepared.request is not None
    assert prepared.request.url == "https://example.com/A-1"
