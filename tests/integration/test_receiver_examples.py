"""The receivers of docs/receiving.md, run as the page writes them and driven by each
framework's own test client, with no network: Starlette's and FastAPI's ``TestClient``,
Flask's ``test_client()``, a WSGI environ made by ``wsgiref.util.setup_testing_defaults``,
and API Gateway proxy events for the Lambda handler.

A body postback renders is answered 200 with the notification's success response, and
the record it holds is stored; a tampered body is answered 400 with the error response
and the place where it stops matching, and nothing is stored; no body makes a receiver
answer anything but 200 or 400, and every answer is plain text.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from _docs_blocks import ROOT, python_blocks, run_blocks
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

import postback
from reading._expected import actions, restrict

PAGE = ROOT / "docs" / "receiving.md"
# The place a ParseError names, as its message ends it: "found ... at LINE:COLUMN".
PLACE = re.compile(r" at \d+:\d+")


@dataclass(frozen=True)
class Reply:
    """A receiver's answer: its status, its body as text and its content type."""

    status: int
    text: str
    content_type: str


Send = Callable[[str, bytes], Reply]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The names docs/receiving.md's blocks define, run in order as test_docs.py runs them."""
    return run_blocks(python_blocks(PAGE), tmp_path_factory.mktemp("receiving"))


@pytest.fixture(scope="module")
def notification() -> postback.Notification:
    """The notification the receivers load: examples/notification.toml."""
    loaded = postback.Notification.from_file(ROOT / "examples" / "notification.toml")
    assert loaded.success_response == "OK" and loaded.error_response == "ERROR"
    return loaded


@pytest.fixture(scope="module")
def template(notification: postback.Notification) -> postback.Template:
    body = notification.body_template
    assert body is not None
    return body


def _asgi(app: Any) -> Send:
    client = TestClient(app)

    def send(method: str, body: bytes) -> Reply:
        answer = client.request(method, "/postbacks", content=body)
        return Reply(answer.status_code, answer.text, answer.headers["content-type"])

    return send


def _flask(app: Flask) -> Send:
    client = app.test_client()

    def send(method: str, body: bytes) -> Reply:
        answer = client.open("/postbacks", method=method, data=body)
        return Reply(answer.status_code, answer.get_data(as_text=True), answer.content_type)

    return send


def _wsgi_call(app: Any, environ: dict[str, Any]) -> Reply:
    setup_testing_defaults(environ)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, headers))
        return lambda data: None

    chunks: Iterable[bytes] = app(environ, start_response)
    text = b"".join(chunks).decode("utf-8")
    (status, headers), *_ = started
    named = dict(headers)
    assert named["Content-Length"] == str(len(text.encode("utf-8")))
    return Reply(int(status.split()[0]), text, named["Content-Type"])


def _wsgi(app: Any) -> Send:
    def send(method: str, body: bytes) -> Reply:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": "/postbacks",
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "wsgi.input": io.BytesIO(body),
        }
        return _wsgi_call(app, environ)

    return send


def rest_event(method: str, body: bytes) -> dict[str, Any]:
    """An API Gateway REST API proxy event (version 1.0), its body in base64."""
    return {
        "resource": "/postbacks",
        "path": "/postbacks",
        "httpMethod": method,
        "headers": {
            "Authorization": "Bearer 3f1c9a0e-example-token",
            "Content-Type": "application/json",
            "Host": "receiver.example.com",
            "X-Action-Id": "1000.4636.158133",
        },
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None,
        "pathParameters": None,
        "requestContext": {"httpMethod": method, "path": "/prod/postbacks", "stage": "prod"},
        "body": base64.b64encode(body).decode("ascii"),
        "isBase64Encoded": True,
    }


def http_event(method: str, body: str | None) -> dict[str, Any]:
    """An API Gateway HTTP API proxy event (version 2.0), its body as text."""
    return {
        "version": "2.0",
        "routeKey": "POST /postbacks",
        "rawPath": "/postbacks",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "receiver.example.com"},
        "requestContext": {"http": {"method": method, "path": "/postbacks"}, "stage": "$default"},
        "body": body,
        "isBase64Encoded": False,
    }


def _lambda_call(handler: Any, event: dict[str, Any]) -> Reply:
    answer = handler(event, None)
    assert answer["isBase64Encoded"] is False
    return Reply(answer["statusCode"], answer["body"], answer["headers"]["Content-Type"])


def _lambda(handler: Any) -> Send:
    def send(method: str, body: bytes) -> Reply:
        return _lambda_call(handler, rest_event(method, body))

    return send


RECEIVERS: dict[str, Callable[[dict[str, Any]], Send]] = {
    "starlette": lambda page: _asgi(page["starlette_app"]),
    "fastapi": lambda page: _asgi(page["fastapi_app"]),
    "flask": lambda page: _flask(page["flask_app"]),
    "wsgi": lambda page: _wsgi(page["wsgi_app"]),
    "lambda": lambda page: _lambda(page["handler"]),
}


@pytest.fixture(scope="module")
def senders(page: dict[str, Any]) -> dict[str, Send]:
    """Every receiver of the page, driven by its framework's test client, by name."""
    return {name: drive(page) for name, drive in RECEIVERS.items()}


@pytest.fixture(params=list(RECEIVERS))
def send(request: pytest.FixtureRequest, senders: dict[str, Send]) -> Send:
    """Each receiver of the page in turn."""
    return senders[request.param]


def _received(page: dict[str, Any]) -> list[postback.Action]:
    received: list[postback.Action] = page["received"]
    return received


def test_the_page_defines_every_receiver(page: dict[str, Any]) -> None:
    assert isinstance(page["flask_app"], Flask)
    for name in ("starlette_app", "fastapi_app", "wsgi_app", "handler"):
        assert callable(page[name]), name


def test_a_body_postback_renders_is_answered_ok_and_its_record_stored(
    page: dict[str, Any],
    send: Send,
    notification: postback.Notification,
    template: postback.Template,
) -> None:
    sample = postback.sample_action()
    sent = notification.prepare(sample)
    assert sent.body is not None
    reply = send("POST", sent.body)
    assert reply == Reply(200, "OK", reply.content_type)
    assert reply.content_type.startswith("text/plain")
    stored = _received(page)[-1]
    assert stored == restrict(template, sample)
    assert stored.action_id == "1000.4636.158133" and stored.payout == Decimal("12.50")
    assert [item.sku for item in stored.items] == [item.sku for item in sample.items]
    assert notification.classify(reply.status, reply.text).ok


def test_a_tampered_body_is_answered_400_with_the_place_and_nothing_stored(
    page: dict[str, Any], send: Send, notification: postback.Notification
) -> None:
    sent = notification.prepare(postback.sample_action())
    assert sent.body is not None
    count = len(_received(page))
    reply = send("POST", sent.body.replace(b'"payout"', b'"pay_out"'))
    assert (reply.status, reply.text) == (
        400,
        'ERROR: expected the key "payout" (template 14:1), found "pay_out" at 14:1; '
        'did you mean "payout"?',
    )
    assert reply.content_type.startswith("text/plain")
    assert len(_received(page)) == count
    outcome = notification.classify(reply.status, reply.text)
    assert (outcome.ok, outcome.rule, outcome.retryable) == (False, "error_response", False)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "expected a JSON value, found the end of the text at 1:1"),
        (b"\xff{}", "the body is not UTF-8 at 1:1"),
        (b'{"event": "Action', "found a string without its closing quote at 1:11"),
        (b"<a>1</a>", "at 1:1"),
        (b'{"event": "Action Life Cycle Postback"}', "found an object without it at 1:1"),
    ],
    ids=["empty", "not-utf-8", "truncated", "xml", "keys-missing"],
)
def test_a_body_that_does_not_read_back_is_answered_400(
    page: dict[str, Any], send: Send, body: bytes, says: str
) -> None:
    count = len(_received(page))
    reply = send("POST", body)
    assert reply.status == 400 and reply.text.startswith("ERROR: ")
    assert says in reply.text and PLACE.search(reply.text)
    assert "Traceback" not in reply.text
    assert len(_received(page)) == count


def test_another_method_is_refused(page: dict[str, Any], send: Send) -> None:
    count = len(_received(page))
    assert send("GET", b"").status == 405
    assert len(_received(page)) == count


@given(action=actions('"\\,:{}[]'), name=st.sampled_from(list(RECEIVERS)))
def test_every_record_reads_back_through_every_receiver(
    page: dict[str, Any],
    senders: dict[str, Send],
    template: postback.Template,
    action: postback.Action,
    name: str,
) -> None:
    """Hostile records (every field empty, missing or hostile text, 0 to 5 items), each
    rendered by the notification's body template and posted to a receiver, are stored as
    they read back: no framework changes a byte of the body on its way to ``parse``."""
    reply = senders[name]("POST", template.render_bytes(action))
    assert (reply.status, reply.text) == (200, "OK")
    assert _received(page)[-1] == restrict(template, action)


@given(data=st.data(), name=st.sampled_from(list(RECEIVERS)))
def test_no_body_makes_a_receiver_answer_anything_but_200_or_400(
    page: dict[str, Any],
    senders: dict[str, Send],
    template: postback.Template,
    data: st.DataObject,
    name: str,
) -> None:
    """Any bytes, and a rendered body with bytes changed, cut or inserted: the answer is
    plain text, 200 exactly when the body reads back, 400 with a place otherwise."""
    rendered = template.render_bytes(postback.sample_action())
    body = data.draw(
        st.one_of(
            st.binary(max_size=64),
            st.builds(
                lambda at, junk, cut: rendered[:at] + junk + rendered[at + cut :],
                st.integers(0, len(rendered)),
                st.binary(max_size=4),
                st.integers(0, 4),
            ),
        )
    )
    try:
        expected = template.parse(body)
    except postback.ParseError:
        expected = None
    reply = senders[name]("POST", body)
    assert reply.content_type.startswith("text/plain")
    if expected is None:
        assert reply.status == 400 and reply.text.startswith("ERROR: ")
        assert PLACE.search(reply.text)
    else:
        assert (reply.status, reply.text) == (200, "OK")
        assert _received(page)[-1] == expected


# ---------------------------------------------------------------------------
# What each framework leaves to the application
# ---------------------------------------------------------------------------


class _Unread(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")


@pytest.mark.parametrize(
    ("length", "status"),
    [(None, 411), ("", 411), ("abc", 411), ("-1", 411), ("1.5", 411), ("1048577", 413)],
)
def test_the_wsgi_receiver_answers_a_bad_length_without_reading_the_body(
    page: dict[str, Any], length: str | None, status: int
) -> None:
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "wsgi.input": _Unread(b"{}")}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    reply = _wsgi_call(page["wsgi_app"], environ)
    assert reply.status == status and reply.content_type.startswith("text/plain")


def test_the_flask_receiver_refuses_a_body_over_its_limit(page: dict[str, Any]) -> None:
    reply = _flask(page["flask_app"])("POST", b" " * (1024 * 1024 + 1))
    assert reply.status == 413


def test_the_lambda_handler_reads_an_http_api_event_with_a_text_body(
    page: dict[str, Any], template: postback.Template
) -> None:
    sample = postback.sample_action()
    reply = _lambda_call(page["handler"], http_event("POST", template.render(sample)))
    assert (reply.status, reply.text) == (200, "OK")
    assert _received(page)[-1] == restrict(template, sample)
    assert _lambda_call(page["handler"], http_event("GET", None)).status == 405


@pytest.mark.parametrize(
    ("event", "says"),
    [
        ({"body": "%%%", "isBase64Encoded": True}, "ERROR: the body is not valid base64"),
        ({"body": "é", "isBase64Encoded": True}, "ERROR: the body is not valid base64"),
        ({"body": None, "isBase64Encoded": False}, "ERROR: expected a JSON value"),
        (
            {"body": "{}", "headers": None, "isBase64Encoded": False},
            'ERROR: expected the key "event"',
        ),
        ({"body": "\ud800", "isBase64Encoded": False}, "ERROR: "),
    ],
    ids=["not-base64", "not-ascii", "no-body", "no-headers", "lone-surrogate"],
)
def test_the_lambda_handler_answers_a_bad_body_400(
    page: dict[str, Any], event: dict[str, Any], says: str
) -> None:
    count = len(_received(page))
    reply = _lambda_call(page["handler"], {**rest_event("POST", b""), **event})
    assert reply.status == 400 and reply.text.startswith(says)
    assert len(_received(page)) == count
