"""Every HTTP client, fed by its hand-off, delivers the prepared request byte for byte.

urllib (``urlopen(req.to_urllib())``), httpx sync and async
(``to_httpx``), requests (``to_requests``) and aiohttp (``to_aiohttp``) each send to a
loopback server (``_http_server``), which records the request line, the raw header
octets and the body.  Checked: the target is the prepared URL's path and query
exactly (``%2E%2E%2E`` stays escaped), every prepared header arrives once with its UTF-8
octets (a non-ASCII value included), the client adds only transport headers, and the
body (10,000 items, empty, or none) is identical.  A 302 is never followed.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime

import aiohttp
import httpx
import pytest
import requests
from _http_server import LANDED, REPLY, LoopbackServer, assert_received_exactly

import postback
from postback import Action, Item, Notification, PreparedRequest

Response = tuple[int, Mapping[str, str], bytes]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loopback server is reached directly, whatever proxy the environment names."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


def via_urllib(req: PreparedRequest) -> Response:
    try:
        with urllib.request.urlopen(req.to_urllib(), timeout=30) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:  # 3xx (refused), 4xx and 5xx
        with err:
            return err.code, dict(err.headers.items()), err.read()


def via_httpx(req: PreparedRequest) -> Response:
    with httpx.Client(timeout=30) as client:
        resp = client.request(**req.to_httpx())
        return resp.status_code, resp.headers, resp.content


def via_httpx_async(req: PreparedRequest) -> Response:
    async def send() -> Response:
        async with httpx.AsyncClient(timeout=30) as client:
            resp = await client.request(**req.to_httpx())
            return resp.status_code, resp.headers, resp.content

    return asyncio.run(send())


def via_requests(req: PreparedRequest) -> Response:
    with requests.Session() as session:
        resp = session.request(**req.to_requests(), timeout=30)
        return resp.status_code, resp.headers, resp.content


def via_aiohttp(req: PreparedRequest) -> Response:
    async def send() -> Response:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
            session.request(**req.to_aiohttp()) as resp,
        ):
            return resp.status, dict(resp.headers.items()), await resp.read()

    return asyncio.run(send())


CLIENTS: dict[str, Callable[[PreparedRequest], Response]] = {
    "urllib": via_urllib,
    "httpx": via_httpx,
    "httpx-async": via_httpx_async,
    "requests": via_requests,
    "aiohttp": via_aiohttp,
}

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def tricky_action(items: int = 3) -> Action:
    return Action(
        action_id="1000.1",
        campaign_id=4636,
        # A value of dots alone in a path segment: '.' and '..' are refused when
        # rendered (WHATWG parsers read %2E as a dot), three dots are written %2E%2E%2E.
        sub_id1="...",
        sub_id2="a b/c~d",
        sub_id3="x&y=z+ü%2E",
        ref_customer_city="東京",
        campaign_name='Café "Winter"',
        payout="12.50",  # type: ignore[arg-type]
        items=[Item(sku=f"SKU-{k}", qty=k, name=f"Ärmel {k}") for k in range(items)],
    )


def notification(base: str, **settings: object) -> Notification:
    return Notification(
        base + "/pb/{SubId1}/{SubId2}/x?oid={ActionId}&q={SubId3}&n={CampaignName}#f",
        headers={
            "Authorization": "Bearer abc",
            "X-City": "{RefCustomerCity}",
            "X-Name": "{CampaignName}",
        },
        **settings,  # type: ignore[arg-type]
    )


JSON_BODY = (
    '{"id": "{ActionId}", "city": "{RefCustomerCity}", "items": '
    '[{join(items, i, "{\\"sku\\": \\"{i.sku}\\", \\"name\\": \\"{i.name}\\"}", ", ")}]}'
)


def cases(base: str) -> dict[str, PreparedRequest]:
    get = notification(base)
    post = notification(base, method="POST", body=JSON_BODY, body_format="json")
    no_body = notification(base, method="POST")
    large = post.prepare(tricky_action(10_000), now=NOW)
    assert large.body is not None and len(large.body) > 400_000
    empty = PreparedRequest(
        "POST",
        base + "/empty",
        (("Content-Type", "application/x-www-form-urlencoded"), ("X-City", "東京")),
        b"",
        "application/x-www-form-urlencoded",
        NOW,
    )
    return {
        "get": get.prepare(tricky_action(), now=NOW),
        "post": post.prepare(tricky_action(), now=NOW),
        "post-10000-items": large,
        "post-empty-body": empty,
        "post-no-body": no_body.prepare(tricky_action(), now=NOW),
    }


@pytest.mark.parametrize("client", list(CLIENTS))
def test_every_client_delivers_the_prepared_request_exactly(client: str) -> None:
    send = CLIENTS[client]
    with LoopbackServer() as server:
        prepared = cases(server.url)
        for label, req in prepared.items():
            status, _headers, body = send(req)
            assert (status, body) == (200, REPLY), label
        assert len(server.received) == len(prepared)
        for (label, req), seen in zip(prepared.items(), server.received, strict=True):
            try:
                assert_received_exactly(seen, req)
            except AssertionError as exc:
                raise AssertionError(f"{client}, {label}: {exc}") from exc
    get = server.received[0]
    assert get.target.startswith(
        "/pb/%2E%2E%2E/a%20b%2Fc~d/x?oid=1000.1&q=x%26y%3Dz%2B%C3%BC%252E&"
    )
    assert get.header_values(b"X-City") == ["東京".encode()]
    assert get.header_values(b"X-Name") == ['Café "Winter"'.encode()]


@pytest.mark.parametrize("client", list(CLIENTS))
def test_no_client_follows_a_redirect(client: str) -> None:
    send = CLIENTS[client]
    with LoopbackServer(redirect=True) as server:
        n = notification(
            server.url, method="POST", body=JSON_BODY, body_format="json", success_response="OK"
        )
        req = n.prepare(tricky_action(), now=NOW)
        status, headers, body = send(req)
        outcome = n.classify(status, body, headers=headers)
    assert status == 302
    assert not outcome.ok
    assert outcome.reason == (
        f"status 302 is not 2xx, a redirect to '{server.url}{LANDED}' that is not followed "
        "(success_response 'OK' not found in the response body); "
        "do not retry: redirects are not followed; check the url"
    )
    assert (outcome.retryable, outcome.status) == (False, 302)
    assert len(server.received) == 1
    assert server.landed == []


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("opener", ["urlopen", "build_opener"])
def test_urllib_does_not_follow_a_redirect_of_a_request_from_to_urllib(
    method: str, status: int, opener: str
) -> None:
    """``urlopen(req.to_urllib())`` used to follow a 302 by re-sending the POST as a
    GET without its body; the 200 it then got passed ``classify``, and the postback
    was lost.  Every 3xx raises ``HTTPError`` with the status, the ``Location``
    and the body, whichever opener sends the request."""
    body = JSON_BODY if method == "POST" else None
    with LoopbackServer(redirect=status) as server:
        n = notification(server.url, method=method, body=body, body_format=body and "json")
        req = n.prepare(tricky_action(), now=NOW)
        open_request = (
            urllib.request.urlopen if opener == "urlopen" else urllib.request.build_opener().open
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            open_request(req.to_urllib(), timeout=30)
        with info.value as err:
            outcome = n.classify(err.code, err.read(), headers=err.headers)
    assert err.code == status
    assert not outcome.ok
    assert outcome.reason.startswith(
        f"status {status} is not 2xx, a redirect to '{server.url}{LANDED}' that is not followed"
    )
    assert server.landed == []
    (seen,) = server.received
    assert_received_exactly(seen, req)
    if method == "POST":
        assert seen.body == req.body and len(seen.body) > 100


def test_hand_offs_are_plain_keyword_arguments() -> None:
    req = postback.Notification(
        "https://e.com/a/{SubId1}?q=1",
        method="POST",
        body='{"c": "{RefCustomerCity}"}',
        body_format="json",
        headers=["X-City: {RefCustomerCity}", "Authorization: Bearer abc"],
    ).prepare(tricky_action(), now=NOW)
    city = "東京".encode()
    assert req.header_items() == [
        (b"X-City", city),
        (b"Authorization", b"Bearer abc"),
        (b"Content-Type", b"application/json"),
    ]
    assert req.header_items("utf-16-le")[0] == (b"X-City", "東京".encode("utf-16-le"))
    with pytest.raises(UnicodeEncodeError):
        req.header_items("latin-1")
    body = '{"c": "東京"}'.encode()
    assert req.body == body
    assert req.to_httpx() == {
        "method": "POST",
        "url": "https://e.com/a/%2E%2E%2E?q=1",
        "headers": req.header_items(),
        "content": body,
        "follow_redirects": False,
    }
    kwargs = req.to_requests()
    hook = kwargs.pop("auth")  # type: ignore[misc]
    assert kwargs == {
        "method": "POST",
        "url": "https://e.com/a/%2E%2E%2E?q=1",
        "headers": {
            "X-City": city,
            "Authorization": b"Bearer abc",
            "Content-Type": b"application/json",
        },
        "data": body,
        "allow_redirects": False,
    }
    assert callable(hook)
    aio = req.to_aiohttp()
    assert str(aio.pop("url")) == "https://e.com/a/%2E%2E%2E?q=1"  # type: ignore[misc]
    assert aio == {
        "method": "POST",
        "headers": list(req.headers),
        "data": body,
        "allow_redirects": False,
        "skip_auto_headers": ("Content-Type",),
    }


def test_the_requests_hook_restores_what_requests_re_quotes() -> None:
    req = PreparedRequest("GET", "http://bücher.example/%2E%2E/%7E?a=%2E#f", (), None, None, NOW)
    alone = requests.Request(method="GET", url=req.url).prepare()
    assert alone.url == "http://xn--bcher-kva.example/../~?a=.#f"
    hooked = requests.Request(method="GET", url=req.url, auth=req.to_requests()["auth"]).prepare()
    assert hooked.url == "http://xn--bcher-kva.example/%2E%2E/%7E?a=%2E#f"


def iter_reasons() -> Iterator[tuple[int, object, str]]:
    location = {"Location": "https://other.example/x"}
    redirect = "; do not retry: redirects are not followed; check the url"
    yield (
        302,
        location,
        "status 302 is not 2xx, a redirect to 'https://other.example/x' that is not followed"
        + redirect,
    )
    yield (
        301,
        [("location", "/moved")],
        "status 301 is not 2xx, a redirect to '/moved' that is not followed" + redirect,
    )
    yield 307, {}, "status 307 is not 2xx" + redirect
    yield 302, None, "status 302 is not 2xx" + redirect
    yield 200, location, "status 200 is 2xx"
    yield (
        404,
        location,
        "status 404 is not 2xx; do not retry: the receiver refused the request",
    )


@pytest.mark.parametrize(("status", "headers", "reason"), list(iter_reasons()))
def test_classify_names_the_location_of_a_redirect(
    status: int, headers: object, reason: str
) -> None:
    n = Notification("https://e.com/")
    outcome = n.classify(status, b"", headers=headers)  # type: ignore[arg-type]
    assert outcome.reason == reason
    assert outcome.ok is (status == 200)


def test_classify_with_error_response_in_a_redirect_names_the_location_too() -> None:
    n = Notification("https://e.com/", error_response="ERR")
    assert n.classify(302, "ERR", headers={"Location": "/x"}).reason == (
        "error_response 'ERR' found in the response body "
        "(status 302 is not 2xx, a redirect to '/x' that is not followed); "
        "do not retry: the receiver reported an error"
    )
    assert n.classify(302, "ERR").reason == (
        "error_response 'ERR' found in the response body (status 302 is not 2xx); "
        "do not retry: the receiver reported an error"
    )
