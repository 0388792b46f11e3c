"""``postback parse-request``: received requests read back into records with a notification,
one from a file or standard input, or many with ``--records``; every bad input one line."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from _in_process import run_main

import postback
from postback._bulk import request_dict

ROOT = Path(__file__).resolve().parents[2]
NOTIFICATION = ROOT / "examples" / "notification.toml"
EXAMPLE = postback.Notification.from_file(NOTIFICATION)


def _request(action: postback.Action | None = None) -> dict[str, object]:
    request = EXAMPLE.prepare(action or postback.sample_action())
    return request_dict(request)


def _write(tmp_path: Path, data: object, name: str = "request.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _python(
    *args: str, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "postback", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _one_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert text.endswith("\n") and text.count("\n") == 1, text
    assert "Traceback" not in text
    return text[:-1]


def test_the_record_printed_prepares_the_same_request_again(tmp_path: Path) -> None:
    path = _write(tmp_path, _request())
    ran = run_main("parse-request", str(NOTIFICATION), str(path))
    assert (ran.status, ran.stderr) == (0, b"")
    record = tmp_path / "record.json"
    record.write_bytes(ran.stdout)
    again = run_main("prepare", str(NOTIFICATION), "--record", str(record))
    sample = run_main("prepare", str(NOTIFICATION), "--sample")
    assert again.status == sample.status == 0
    assert again.stdout == sample.stdout
    data = json.loads(ran.stdout)
    assert data["CampaignId"] == 4636 and data["Payout"] == "12.50"
    assert ran.stdout.endswith(b"}\n") and b'"Caf\xc3\xa9' in ran.stdout  # UTF-8, not escapes


def test_the_request_is_read_from_standard_input_by_default() -> None:
    stdin = json.dumps(_request()).encode()
    for args in ((), ("-",)):
        ran = _python("parse-request", str(NOTIFICATION), *args, stdin=stdin)
        assert ran.returncode == 0, ran.stderr
        assert json.loads(ran.stdout)["ActionId"] == "1000.4636.158133"


def test_a_request_that_does_not_read_back_is_one_line_and_exit_1(tmp_path: Path) -> None:
    request = _request()
    request["headers"] = [[n, "1000.1" if n == "X-Action-Id" else v] for n, v in request["headers"]]  # type: ignore[attr-defined]
    ran = run_main("parse-request", str(NOTIFICATION), str(_write(tmp_path, request)))
    assert (ran.status, ran.stdout) == (1, b"")
    assert _one_line(ran.stderr) == (
        f"{tmp_path / 'request.json'}[headers.X-Action-Id]: ActionId is '1000.4636.158133' "
        "in the url but '1000.1' in header 'X-Action-Id'"
    )
    assert isinstance(request["body"], str)
    request["body"] = request["body"].replace('"payout"', '"pay_out"')
    request["headers"] = _request()["headers"]
    ran = run_main("parse-request", str(NOTIFICATION), str(_write(tmp_path, request)))
    assert ran.status == 1
    assert _one_line(ran.stderr).startswith(
        f'{tmp_path / "request.json"}[body]:14:1: in the body: expected the key "payout"'
    )
    request["method"] = "GET"
    ran = run_main("parse-request", str(NOTIFICATION), str(_write(tmp_path, request)))
    assert _one_line(ran.stderr).endswith(
        "request.json: the request's method is 'GET', but the notification sends POST"
    )


def test_headers_as_an_object_a_base64_body_and_extra_keys(tmp_path: Path) -> None:
    request = _request(postback.Action(campaign_id=1, action_id="A", status="ok"))
    assert isinstance(request["body"], str)
    request["headers"] = {"authorization": "Bearer 3f1c9a0e-example-token", "x-action-id": "A"}
    body = request.pop("body")
    assert isinstance(body, str)
    request["body_base64"] = base64.b64encode(body.encode()).decode()
    request["url"] = f"{request['url']}&utm=news"
    path = _write(tmp_path, request)
    ran = run_main("parse-request", str(NOTIFICATION), str(path))
    assert ran.status == 1 and b'the key "utm"' in ran.stderr
    ran = run_main("parse-request", str(NOTIFICATION), str(path), "--extra", "keep")
    assert ran.status == 0, ran.stderr
    assert json.loads(ran.stdout) == {
        "CampaignId": 1,
        "ActionId": "A",
        "Status": "ok",
        "utm": "news",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"method": "POST",\n "url": }', ":2:9: invalid JSON in the request: Expecting value"),
        ("[1, 2]", ": the request must be a JSON object, not an array"),
        ('{"url": "https://x"}', ": the request has no 'method'"),
        ('{"method": 1, "url": "u"}', ": 'method' must be a string, not a number"),
        ('{"method": "GET", "url": "u", "headers": "X: 1"}', "'headers' must be a list of"),
        ('{"method": "GET", "url": "u", "headers": [["X"]]}', "'header 1' must be a [name"),
        ('{"method": "GET", "url": "u", "headers": {"X": 1}}', "'header 1' must be a [name"),
        ('{"method": "GET", "url": "u", "body": 5}', "'body' must be a string or null"),
        ('{"method": "GET", "url": "u", "bdy": ""}', "unknown key 'bdy' (a request has"),
        ('{"method": "GET", "url": "u", "body": "", "body_base64": ""}', "not both"),
        ('{"method": "GET", "url": "u", "body_base64": "*"}', "'body_base64' must be base64"),
        ('{"method": "GET", "method": "POST", "url": "u"}', "the key 'method' is given twice"),
        ('{"method": "GET", "url": "u", "body": NaN}', "NaN is not JSON"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_a_request_of_the_wrong_shape_is_one_line_and_exit_2(
    tmp_path: Path, text: str, message: str
) -> None:
    ran = run_main("parse-request", str(NOTIFICATION), str(_write(tmp_path, text)))
    assert (ran.status, ran.stdout) == (2, b"")
    line = _one_line(ran.stderr)
    assert line.startswith(f"postback: error: {tmp_path / 'request.json'}")
    assert message in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fail-fast",), "--fail-fast needs --records"),
        (("r.json", "--records", "x"), "not allowed with argument"),
        (("-", "--quiet"), "--quiet needs --records"),
    ],
)
def test_usage_errors_are_one_line(args: tuple[str, ...], message: str) -> None:
    ran = run_main("parse-request", str(NOTIFICATION), *args)
    assert ran.status == 2 and message in _one_line(ran.stderr)


def test_two_inputs_on_standard_input_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    ran = run_main("parse-request", "-", "-")
    assert "the notification and the request cannot both be read from stdin" in _one_line(
        ran.stderr
    )
    ran = run_main("parse-request", "-", "--records", "-")
    assert "the notification and the records cannot both" in _one_line(ran.stderr)
    ran = run_main("parse-request", str(NOTIFICATION), str(tmp_path / "missing.json"))
    assert ran.status == 2 and "cannot read request" in _one_line(ran.stderr)
    (tmp_path / "latin1.json").write_bytes(b'{"method": "caf\xe9"}')
    ran = run_main("parse-request", str(NOTIFICATION), str(tmp_path / "latin1.json"))
    assert ran.status == 2 and "not UTF-8" in _one_line(ran.stderr)
    ran = run_main("parse-request", str(tmp_path / "missing.toml"), str(tmp_path / "r.json"))
    assert ran.status == 2 and "missing.toml" in _one_line(ran.stderr)


def test_many_requests_give_one_line_each_whatever_the_line_holds(tmp_path: Path) -> None:
    good = json.dumps(_request())
    lines = [
        good,
        "",
        "{oops",
        '"a string"',
        '{"method": "POST"}',
        good.replace("/4636?", "/x?"),
        "[" * 5000,
        "\udcff",
        good,
    ]
    path = tmp_path / "requests.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
    ran = run_main("parse-request", str(NOTIFICATION), "--records", str(path))
    assert ran.status == 1
    out = [json.loads(line) for line in ran.stdout.decode().splitlines()]
    assert [o["line"] for o in out] == list(range(1, len(lines) + 1))
    assert out[0]["record"] == out[8]["record"]
    assert out[0]["record"]["CampaignId"] == 4636
    assert out[1] == {"line": 2, "skipped": "blank line"}
    codes = [o["error"]["code"] for o in out[2:8]]
    assert codes == [
        "invalid-json",
        "not-an-object",
        "request-error",
        "parse-error",
        "invalid-json",
        "invalid-json",
    ]
    assert out[2]["error"]["column"] == 2
    error = out[5]["error"]
    assert (error["part"], error["field"], error["line"]) == ("url", "CampaignId", 1)
    assert error["message"].startswith("in the url: expected an integer for {CampaignId}")
    assert _one_line(ran.stderr) == "postback: 6 of 8 records failed"
    ran = run_main("parse-request", str(NOTIFICATION), "--records", str(path), "--fail-fast")
    assert ran.status == 1 and len(ran.stdout.splitlines()) == 3
