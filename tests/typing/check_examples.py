"""Every Python example of README.md and docs/*.md, for ``mypy --strict`` (nox -s lint).

Generated from the documents by ``python tests/integration/_docs_blocks.py``; tests/integration/test_docs.py
fails when this file is out of date.  Each document's runnable blocks form one
function, in order, as they share one namespace when the documentation tests run
them.  The last function holds a call that is wrong on purpose: if mypy stopped
seeing the error, ``warn_unused_ignores`` (part of ``--strict``) would fail the check.
"""

from __future__ import annotations

import postback


def readme() -> None:
    # README.md, example 1
    from pathlib import Path

    import postback

    source = Path("examples/action-clearing.json").read_text(encoding="utf-8")
    template = postback.compile(source, format="json")
    body = template.render(postback.Action(campaign_id=123, payout="12.50"))
    body = template.render({"CampaignId": "123", "Payout": "12.50"})  # mappings work too

    for d in postback.check(source, format="json"):  # every defect, with positions
        print(f"{d.line}:{d.column}: {d.code}: {d.message}")

    # A file that CI checks: loaded as `postback check` and `postback test` load it, with the
    # project's [tool.postback] settings and the format they give it (docs/ci.md).
    callback = postback.load("examples/action-clearing.url")  # a Template; a .toml: a Notification

    # The whole postback: URL, headers, body and earliest send time, for an HTTP client.
    n = postback.Notification.from_file("examples/notification.toml")
    req = n.prepare(postback.sample_action())
    print(req)  # the Authorization header's value is shown as '***'
    kwargs = req.to_httpx()  # httpx.Client().request(**kwargs, timeout=10); never follows redirects

    # README.md, example 2
    import postback

    notification = postback.Notification.from_file("examples/notification.toml")
    body_template = notification.body_template
    assert body_template is not None
    received: list[postback.Action] = []  # your database or queue


    def receive(body: bytes) -> tuple[int, str]:
        """Answer a POSTed body: 200 and the success response, or 400 and what is wrong where."""
        try:
            action = body_template.parse(body)
        except postback.ParseError as exc:
            return 400, f"{notification.error_response}: {exc}"
        received.append(action)
        return 200, notification.success_response or "OK"


    sent = notification.prepare(postback.sample_action())
    assert sent.body is not None
    assert receive(sent.body) == (200, "OK") and received[0].action_id == "1000.4636.158133"
    status, text = receive(sent.body.replace(b'"payout"', b'"pay_out"'))
    assert status == 400 and text.startswith('ERROR: expected the key "payout" (template 14:1)')


def docs_architecture() -> None:
    # docs/architecture.md, example 1
    import postback

    template = postback.compile('{"id": "{ActionId}", "payout": {Payout}}')
    assert "encode_basestring(_v) if (_v := a.action_id) and _v.isascii()" in template.code
    assert "write_decimal_or_null(a.payout)" in template.code
    assert "v = g('Payout')" in template.reader_code  # only the template's own fields


def docs_bulk() -> None:
    # docs/bulk.md, example 1
    from pathlib import Path

    import postback

    template = postback.compile(Path("examples/action-clearing.json").read_text("utf-8"))
    lines = [
        b'{"CampaignId": 4636, "ActionId": "1000.4636.158133", "Payout": 12.50}\n',
        b"\n",
        b'{"CampaignId": "4636x"}\n',
        b'["not", "an", "object"]\n',
        b'{"Payout": 12.50,\n',
    ]
    for result in template.render_many(lines):
        if result.ok:
            print(result.line, "ok", len(result.body))
        else:
            print(result.line, result.error.code, result.error.field, result.error.message)
    # 1 ok 864
    # 3 record-error CampaignId CampaignId: expected an integer, got '4636x' (str)
    # 4 not-an-object None a record must be a JSON object, not an array
    # 5 invalid-json None invalid JSON in the record: Expecting property name enclosed in double quotes at character 18

    # docs/bulk.md, example 2
    import json

    with open("actions.jsonl", "w", encoding="utf-8") as out:
        for k in range(1, 1001):
            record = {"CampaignId": 4636, "ActionId": f"1000.4636.{k}", "Payout": "12.50"}
            out.write(json.dumps(record) + "\n")

    failed = 0
    with open("actions.jsonl", "rb") as source, open("bodies.jsonl", "w", encoding="utf-8") as out:
        for result in template.render_many(source):
            out.write(result.to_json() + "\n")
            failed += result.error is not None
    print(failed)  # 0

    # docs/bulk.md, example 3
    from datetime import UTC, datetime

    notification = postback.Notification.from_file("examples/notification.toml")
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with open("actions.jsonl", "rb") as source:
        for prepared in notification.prepare_many(source, now=now):
            if prepared.ok:
                request = prepared.request  # a PreparedRequest: method, url, headers, body, ...
    print(request.url)
    # https://postbacks.example.com/impact/actions/4636?action_id=1000.4636.1000&status=
    print(request.not_before)  # 2026-03-01 12:00:30+00:00: now plus min_delay (30 s)
    print(prepared.to_json()[:80])
    # {"line": 1000, "method": "POST", "url": "https://postbacks.example.com/impact/ac

    # docs/bulk.md, example 4
    import pickle

    shipped = pickle.dumps(notification)
    print(len(shipped) < 3_000)  # True: the settings and the template texts
    same = pickle.loads(shipped)
    print(same == notification, same.body_template is notification.body_template)
    # True True: in this process the copy is the cached template itself

    # docs/bulk.md, example 5
    template_source = Path("examples/action-clearing.json").read_text("utf-8")
    options = {"format": "json", "timezone": "America/New_York"}
    settings = {
        "url": "https://postbacks.example.com/impact/actions/{CampaignId}?action_id={ActionId}",
        "method": "POST",
        "body": template_source,
        "body_format": "json",
        "headers": {"X-Action-Id": "{ActionId}"},
        "max_requests": 10,
    }
    shipped = pickle.dumps((template_source, options, settings))  # what sc.broadcast(...) sends

    # On the executor:
    source_there, options_there, settings_there = pickle.loads(shipped)
    template_there = postback.compile(source_there, **options_there)
    notification_there = postback.Notification.from_dict(settings_there)
    same_template = postback.compile(template_source, "json", timezone="America/New_York")
    print(template_there == same_template)  # True
    print(notification_there.prepare(postback.sample_action()).url)
    # https://postbacks.example.com/impact/actions/4636?action_id=1000.4636.158133


def docs_ci() -> None:
    # docs/ci.md, example 1
    import postback

    tier = postback.load("templates/tier.header")  # a Template
    notification = postback.load("templates/notification.toml")  # a Notification
    assert isinstance(tier, postback.Template)
    assert tier.render({"Tier": "gold", "SubId1": "abc"}) == "tier=gold; sub=abc"

    # docs/ci.md, example 2
    import postback

    legacy = postback.Template.from_file("templates/partners/legacy.tmpl")  # query, by pattern
    record = {"ActionId": "1000.4636.9", "Tier": "gold", "EventDate": "2024-05-01T10:00:00Z"}
    assert legacy.render(record) == "id=1000.4636.9&tier=gold&at=2024-05-01T12%3A00%3A00%2B02%3A00"

    notification = postback.Notification.from_file("templates/notification.toml")
    request = notification.prepare({**record, "CampaignId": 4636, "items": []})
    assert request.header("X-Tier") == "gold"

    # docs/ci.md, example 3
    import postback
    from postback.testing import Snapshot


    def test_refund_body(postback_snapshot: Snapshot) -> None:
        template = postback.compile('{"id": "{ActionId}"}', format="json")
        postback_snapshot.assert_match(template.render({"ActionId": "1000.4636.2"}))
        # a file name of your choice:
        postback_snapshot.assert_match(template.render({"ActionId": "1"}), "first.expected")

    # docs/ci.md, example 4
    from postback.testing import discover

    for case in discover("templates"):  # no path: the settings' cases
        comparison = case.compare()  # renders the template for the record
        if not comparison.ok:
            print(comparison.diff())  # unified diff, expected -> rendered


def docs_index() -> None:
    # docs/index.md, example 1
    import postback

    template = postback.compile('{"id": "{ActionId}", "payout": {Payout}}', format="json")
    body = template.render({"ActionId": "1000.4636.158133", "Payout": "12.50"})
    assert body == '{"id": "1000.4636.158133", "payout": 12.50}'


def docs_language() -> None:
    # docs/language.md, example 1
    import postback

    (warning,) = postback.check('{"p": "{Payout:.2f}"}', format="json")
    assert (warning.severity, warning.code) == ("warning", "placeholder-like")
    assert (warning.column, warning.end_column, warning.suggestion) == (8, 20, "{Payout}")

    # docs/language.md, example 2
    import postback

    url = postback.compile("https://example.com/pb/{ActionId}\n", format="url")
    assert url.source == "https://example.com/pb/{ActionId}"
    body = postback.compile('{"id": "{ActionId}"}\n', format="json")
    assert body.render({"ActionId": "1"}) == '{"id": "1"}\n'
    assert [d.code for d in postback.check("id={ActionId}\n\n", format="query")] == ["invalid-query"]

    # docs/language.md, example 3
    import postback

    found = postback.check("{SubId1}-{SubId2}", format="text", reading=True)
    assert [(d.code, d.line, d.column) for d in found] == [("reading-separator", 1, 9)]
    assert postback.check("a={SubId1},{SubId2}", format="query", reading=True) == []
    try:
        postback.compile("{SubId1}{SubId2}", format="text", reading=True)
    except postback.TemplateFormatError as exc:
        assert exc.code == "reading-adjacent"

    # docs/language.md, example 4
    import postback

    try:
        postback.compile('{"d": "{EventDate}"}', date_format="YYYY-MM-DD")
    except postback.ConfigError as exc:
        assert exc.setting == "date_format"
        assert "did you mean '%Y-%m-%d'?" in exc.message


def docs_notifications() -> None:
    # docs/notifications.md, example 1
    import postback

    n = postback.Notification(
        url="https://example.com/pb?oid={ActionId}",
        method="POST",
        body='{"id": "{ActionId}", "payout": {Payout}}',
        body_format="json",
        headers={"Authorization": "Bearer abc", "X-Action-Id": "{ActionId}"},
        min_delay=30,
        max_requests=10,
        success_response="OK",
        error_response="ERROR",
    )
    req = n.prepare(postback.sample_action())
    req.method  # 'POST'
    req.url  # 'https://example.com/pb?oid=1000.4636.158133'
    req.headers  # (('Authorization', 'Bearer abc'), ('X-Action-Id', '1000.4636.158133'),
    #  ('Content-Type', 'application/json'))
    req.body  # b'{"id": "1000.4636.158133", "payout": 12.50}'
    req.content_type  # 'application/json'
    req.not_before  # datetime(2026, 2, 3, 11, 30, 30, tzinfo=UTC): ClearedDate + 30 s
    req.to_httpx()  # keyword arguments for httpx's client.request(), never following redirects
    repr(req)  # "PreparedRequest(..., headers=(('Authorization', '***'), ...": secrets masked

    n.classify(200, b"OK")  # Outcome(ok=True, reason="status 200 is 2xx and success_response
    #   'OK' found in the response body", rule='success_response', retryable=False, status=200)

    # docs/notifications.md, example 2
    import postback

    n = postback.Notification.from_dict({"url": "https://e.com/pb?at={EventDate}", "day_first": True})
    request = n.prepare({"EventDate": "04.03.2026 15:30"})
    assert request.url == "https://e.com/pb?at=2026-03-04T15%3A30%3A00%2B00%3A00"
    assert n == postback.Notification("https://e.com/pb?at={EventDate}", day_first=True)

    # docs/notifications.md, example 3
    lines = postback.Notification(
        "https://example.com/pb", headers=["X-Token: {SubId1}", "Accept: text/plain"]
    )
    assert lines == postback.Notification(
        "https://example.com/pb", headers={"X-Token": "{SubId1}", "Accept": "text/plain"}
    )

    # docs/notifications.md, example 4
    import os
    from pathlib import Path

    settings = {
        "url": "https://example.com/pb",
        "method": "POST",
        "body_format": "json",
        "body_file": "../examples/action-clearing.json",
    }
    os.makedirs("partners", exist_ok=True)
    try:
        postback.Notification.from_dict(settings, base_dir="partners")
    except postback.ConfigError as exc:
        refused = exc
    else:
        raise AssertionError("a body file outside the folder was read")
    assert refused.setting == "body_file"
    print(refused)  # body_file 'partners/../examples/action-clearing.json' is outside
    #  '/…/partners', the folder body files are read from
    wider = postback.Notification.from_dict(settings, base_dir="partners", body_root=Path.cwd())
    assert wider.body_format == "json"

    # docs/notifications.md, example 5
    action = postback.sample_action()  # or a mapping: {"ActionId": "1000.1", ...}
    req = n.prepare(action, now=None)

    # docs/notifications.md, example 6
    req.to_http()
    # b'POST /pb?oid=1000.4636.158133 HTTP/1.1\r\nHost: example.com\r\n'
    # b'Authorization: Bearer abc\r\nX-Action-Id: 1000.4636.158133\r\n'
    # b'Content-Type: application/json\r\nContent-Length: 43\r\n\r\n'
    # b'{"id": "1000.4636.158133", "payout": 12.50}'
    req.to_http(mask=True)  # the same, with b'Authorization: ***\r\n'

    # docs/notifications.md, example 7
    secret = postback.Notification(
        "https://example.com/pb", headers={"Authorization": "Bearer s3cr3t"}
    ).prepare(action)
    assert "s3cr3t" not in repr(secret)
    assert secret.header("Authorization") == "Bearer s3cr3t"  # the data itself is intact
    assert b"Authorization: ***" in secret.to_http(mask=True)

    # docs/notifications.md, example 8
    outcome = n.classify(302, b"", headers={"Location": "https://elsewhere.example/pb"})
    outcome.ok  # False
    outcome.retryable  # False
    outcome.reason  # "status 302 is not 2xx, a redirect to 'https://elsewhere.example/pb' that
    #   is not followed (success_response 'OK' not found in the response body); do not retry:
    #   redirects are not followed; check the url"
    n.classify(503, b"busy").reason  # "status 503 is not 2xx (success_response 'OK' not found
    #   in the response body); retry later: a server error"

    # docs/notifications.md, example 9
    import time

    pacer = n.pacer()  # postback.Pacer(n.max_requests)
    start = pacer.reserve(time.monotonic())  # the earliest time >= now the next request may start

    # docs/notifications.md, example 10
    p = postback.Pacer(2)
    [p.reserve(0.0) for _ in range(5)]  # [0.0, 0.0, 1.0, 1.0, 2.0]

    # docs/notifications.md, example 11
    import time
    from collections.abc import Iterable
    from datetime import UTC, datetime

    import httpx

    import postback


    def send_httpx(
        client: httpx.Client, n: postback.Notification, req: postback.PreparedRequest
    ) -> postback.Outcome:
        """Send one request, never following a redirect; return how it went."""
        try:
            resp = client.request(**req.to_httpx(), timeout=10)
        except httpx.HTTPError as exc:  # no response at all: DNS, refused, timed out, ...
            return postback.Outcome.no_response(exc)
        return n.classify(resp.status_code, resp.content, headers=resp.headers)


    def wait_until(when: datetime) -> None:
        """Sleep until ``when`` (an aware datetime), the request's ``not_before``."""
        time.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()))


    def run_sync(
        n: postback.Notification,
        actions: Iterable[postback.Action],
        attempts: int = 3,
        backoff: float = 2.0,
    ) -> list[postback.Outcome]:
        pacer = n.pacer()
        # In order of not_before, so that the pacer sees a clock that never goes back.
        pending = sorted((n.prepare(action) for action in actions), key=lambda r: r.not_before)
        results = []
        with httpx.Client() as client:
            for req in pending:
                wait_until(req.not_before)  # minimum delay
                for attempt in range(1, attempts + 1):
                    start = pacer.reserve(time.monotonic())  # retries count as starts too
                    time.sleep(max(0.0, start - time.monotonic()))  # maximum requests
                    outcome = send_httpx(client, n, req)
                    print(req.method, req.url, f"(attempt {attempt}) ->", outcome.reason)
                    if outcome.ok or not outcome.retryable or attempt == attempts:
                        break
                    time.sleep(backoff * 2 ** (attempt - 1))  # 2 s, then 4 s
                results.append(outcome)
        return results


    if __name__ == "__main__":
        run_sync(
            postback.Notification.from_file("examples/notification.toml"), [postback.sample_action()]
        )

    # docs/notifications.md, example 12
    import asyncio
    from collections.abc import Iterable
    from datetime import UTC, datetime

    import httpx

    import postback


    async def send_httpx_async(
        client: httpx.AsyncClient, n: postback.Notification, req: postback.PreparedRequest
    ) -> postback.Outcome:
        """Send one request, never following a redirect; return how it went."""
        try:
            resp = await client.request(**req.to_httpx(), timeout=10)
        except httpx.HTTPError as exc:  # no response at all
            return postback.Outcome.no_response(exc)
        return n.classify(resp.status_code, resp.content, headers=resp.headers)


    async def deliver(
        client: httpx.AsyncClient,
        n: postback.Notification,
        pacer: postback.Pacer,
        req: postback.PreparedRequest,
    ) -> postback.Outcome:
        await asyncio.sleep(max(0.0, (req.not_before - datetime.now(UTC)).total_seconds()))
        loop = asyncio.get_running_loop()
        start = pacer.reserve(loop.time())  # tasks ask in the order they wake up
        await asyncio.sleep(max(0.0, start - loop.time()))
        return await send_httpx_async(client, n, req)


    async def run_async(
        n: postback.Notification, actions: Iterable[postback.Action]
    ) -> list[postback.Outcome]:
        pacer = n.pacer()
        async with httpx.AsyncClient() as client:
            return await asyncio.gather(
                *(deliver(client, n, pacer, n.prepare(action)) for action in actions)
            )


    if __name__ == "__main__":
        notification = postback.Notification.from_file("examples/notification.toml")
        for outcome in asyncio.run(run_async(notification, [postback.sample_action()])):
            print(outcome.reason)

    # docs/notifications.md, example 13
    import multiprocessing
    import sys
    import time
    from collections.abc import Iterable
    from concurrent.futures import ProcessPoolExecutor
    from datetime import UTC, datetime

    import httpx
    from limits import RateLimitItemPerSecond, storage, strategies

    import postback


    class Worker:
        """What one worker process keeps between actions: the notification, an HTTP
        client and its handle on the limiter."""

        def __init__(
            self,
            n: postback.Notification,
            storage_uri: str,
            partner: str,
            share: int | None = None,
        ) -> None:
            self.n = n
            self.client = httpx.Client()
            self.limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
            # The starts per second this worker may take: its share of max_requests when
            # it keeps its window alone, all of them from a window the workers share.
            self.limit = RateLimitItemPerSecond(share or n.max_requests or 1)
            self.partner = partner  # the limiter's key: one window per partner

        def acquire(self) -> None:
            """Wait until the window has room for one more start, and take it."""
            if self.n.max_requests is None:
                return
            while not self.limiter.hit(self.limit, self.partner):
                reset = self.limiter.get_window_stats(self.limit, self.partner).reset_time
                time.sleep(max(0.001, reset - time.time()))

        def deliver(self, action: postback.Action) -> postback.Outcome:
            req = self.n.prepare(action)
            time.sleep(max(0.0, (req.not_before - datetime.now(UTC)).total_seconds()))
            self.acquire()
            try:
                resp = self.client.request(**req.to_httpx(), timeout=10)
            except httpx.HTTPError as exc:
                return postback.Outcome.no_response(exc)
            return self.n.classify(resp.status_code, resp.content, headers=resp.headers)


    WORKERS: list[Worker] = []  # the one Worker of this process, made by init_worker


    def init_worker(
        n: postback.Notification, storage_uri: str, partner: str, share: int | None
    ) -> None:
        WORKERS.append(Worker(n, storage_uri, partner, share))


    def deliver_in_worker(action: postback.Action) -> postback.Outcome:
        return WORKERS[0].deliver(action)


    def pool_size(n: postback.Notification, storage_uri: str, workers: int) -> tuple[int, int | None]:
        """Return the number of workers to start and each one's share of max_requests,
        None where the workers share one window (or there is no limit)."""
        if n.max_requests is None or storage_uri != "memory://":
            return workers, None
        workers = min(workers, n.max_requests)  # so that each share is one start a second or more
        return workers, n.max_requests // workers


    def run_pool(
        n: postback.Notification,
        actions: Iterable[postback.Action],
        storage_uri: str = "memory://",
        partner: str = "partner-4636",
        workers: int = 4,
    ) -> list[postback.Outcome]:
        workers, share = pool_size(n, storage_uri, workers)
        # "spawn" starts each worker afresh: no sockets, locks or threads copied from this
        # process (the default on macOS and Windows; Linux forks).
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(n, storage_uri, partner, share),
        ) as pool:
            return list(pool.map(deliver_in_worker, actions))


    if __name__ == "__main__":
        # python pool.py                           each worker keeps its share of the rate
        # python pool.py redis://localhost:6379/0  the workers share one window in Redis
        storage_uri = sys.argv[1] if len(sys.argv) > 1 else "memory://"
        notification = postback.Notification.from_file("examples/notification.toml")
        for outcome in run_pool(notification, [postback.sample_action()] * 8, storage_uri):
            print(outcome.reason)  # the outcomes come back pickled from the workers

    # docs/notifications.md, example 14
    n10 = postback.Notification("https://postbacks.example.com/pb", max_requests=10)
    print(pool_size(n10, "memory://", 4), pool_size(n10, "memory://", 16))  # (4, 2) (10, 1)
    workers, share = pool_size(n10, "memory://", 4)
    pool = [Worker(n10, "memory://", "partner-4636", share) for _ in range(workers)]
    print(sum(w.limiter.hit(w.limit, w.partner) for w in pool for _ in range(10)))  # 8
    for w in pool:
        w.client.close()
    print(pool_size(n10, "redis://localhost:6379/0", 16))  # (16, None): one window for all

    # docs/notifications.md, example 15
    import urllib.error
    import urllib.request

    import aiohttp
    import requests

    import postback


    def send_requests(
        session: requests.Session, n: postback.Notification, req: postback.PreparedRequest
    ) -> postback.Outcome:
        try:
            resp = session.request(**req.to_requests(), timeout=10)
        except requests.RequestException as exc:
            return postback.Outcome.no_response(exc)
        return n.classify(resp.status_code, resp.content, headers=resp.headers)


    async def send_aiohttp(
        session: aiohttp.ClientSession, n: postback.Notification, req: postback.PreparedRequest
    ) -> postback.Outcome:
        try:
            async with session.request(
                **req.to_aiohttp(), timeout=aiohttp.ClientTimeout(total=10)
            ) as resp:
                body = await resp.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            return postback.Outcome.no_response(exc)
        return n.classify(resp.status, body, headers=resp.headers)


    def send_urllib(n: postback.Notification, req: postback.PreparedRequest) -> postback.Outcome:
        try:
            # A request from to_urllib() is never redirected: a 3xx raises HTTPError.
            with urllib.request.urlopen(req.to_urllib(), timeout=10) as resp:
                return n.classify(resp.status, resp.read(), headers=resp.headers)
        except urllib.error.HTTPError as err:  # 3xx, 4xx and 5xx: headers and a body
            with err:
                return n.classify(err.code, err.read(), headers=err.headers)
        except (urllib.error.URLError, TimeoutError) as exc:  # no response at all
            return postback.Outcome.no_response(exc)


def docs_receiving() -> None:
    # docs/receiving.md, example 1
    from decimal import Decimal

    import postback

    template = postback.compile(
        '{"id": "{ActionId}", "payout": {Payout}, "skus": [{join(items, i, "\\"{i.sku}\\"", ",")}]}',
        format="json",
    )
    body = '{"skus": ["A-1", "B-2"], "payout": 12.50, "id": "1000.4636.158133"}'
    action = template.parse(body)
    assert action.action_id == "1000.4636.158133"
    assert action.payout == Decimal("12.50") and str(action.payout) == "12.50"
    assert [item.sku for item in action.items] == ["A-1", "B-2"]
    assert template.parse(template.render(action)) == action

    # docs/receiving.md, example 2
    from datetime import datetime, timedelta

    import postback

    day = postback.compile("d={EventDate}", format="query", date_format="%d/%m/%Y")
    when = day.parse("d=02%2F01%2F2026").event_date
    assert when is not None and (when.year, when.month, when.day, when.hour) == (2026, 1, 2, 0)

    local = postback.compile(
        "d={EventDate}", format="query", date_format="%Y-%m-%d %H:%M", timezone="America/New_York"
    )
    try:
        local.parse("d=2026-11-01+01%3A30")  # 01:30 happens twice that night
    except postback.ParseError as exc:
        assert exc.field == "EventDate" and "happens once" in exc.message
    zoned = postback.compile(
        "d={EventDate}", format="query", date_format="%Y-%m-%d %H:%M %Z", timezone="America/New_York"
    )
    later = zoned.parse("d=2026-11-01+01%3A30+EST").event_date
    assert later is not None and later.utcoffset() == timedelta(hours=-5)
    assert later == datetime.fromisoformat("2026-11-01T06:30:00+00:00")

    # docs/receiving.md, example 3
    import postback
    from postback import Action, Item

    template = postback.compile('skus={join(items, i, "{i.sku}", ",")}&a={SubId1}', format="query")
    assert template.parse("a=x+y&skus=A%2CB,C") == Action(
        sub_id1="x y", items=[Item(sku="A,B"), Item(sku="C")]
    )

    xml = postback.compile('<a id="{ActionId}" s="{Status}">\n  <b>{SubId1}</b>\n</a>', format="xml")
    assert xml.parse("<a s='ok' id='1'><b>&#233;<![CDATA[<]]></b></a>") == Action(
        action_id="1", status="ok", sub_id1="é<"
    )

    # docs/receiving.md, example 4
    from decimal import Decimal

    import postback

    template = postback.compile('{"p": {Payout}}', format="json")
    body = '{"p": 1, "meta": {"source": "api", "rate": 0.25}}'
    try:
        template.parse(body)
    except postback.ParseError as exc:
        assert exc.found == 'the key "meta"' and (exc.line, exc.column) == (1, 10)
    kept = template.parse(body, extra="keep")
    assert dict(kept.extra) == {"meta": {"source": "api", "rate": Decimal("0.25")}}

    # docs/receiving.md, example 5
    import postback

    template = postback.compile('{"ref": "{SubId1}-{SubId2}"}', format="json")
    assert template.parse('{"ref": "news-hero"}').sub_id2 == "hero"
    try:
        template.parse('{"ref": "news-hero-2"}')
    except postback.ParseError as exc:
        assert exc.readings == (
            '{SubId1}="news" {SubId2}="hero-2"',
            '{SubId1}="news-hero" {SubId2}="2"',
        )

    # docs/receiving.md, example 6
    import postback

    notification = postback.Notification.from_file("examples/notification.toml")
    prepared = notification.prepare(postback.sample_action())
    action = notification.parse(
        prepared.method, prepared.url, headers=prepared.headers, body=prepared.body
    )
    assert action.campaign_id == 4636 and action.action_id == "1000.4636.158133"
    assert len(action.items) == 3

    # docs/receiving.md, example 7
    import postback

    notification = postback.Notification(
        "https://h.example/pb/{CampaignId}", "POST", '{"campaign": {CampaignId}}', "json"
    )
    try:
        notification.parse("POST", "https://h.example/pb/1000", body='{"campaign": 1001}')
    except postback.ParseError as exc:
        assert exc.message == "CampaignId is 1000 in the url but 1001 in the body"
        assert (exc.field, exc.part) == ("CampaignId", "body")

    # docs/receiving.md, example 8
    import postback

    notification = postback.Notification.from_file("examples/notification.toml")
    prepared = notification.prepare(postback.sample_action())
    headers = [(name, value) for name, value in prepared.headers if name != "X-Action-Id"]
    try:
        notification.parse("POST", prepared.url, headers=headers, body=prepared.body)
    except postback.ParseError as exc:
        assert exc.part == "headers.X-Action-Id"
        assert exc.message == "the request has no header 'X-Action-Id', which the notification writes"
    broken = prepared.body.replace(b'"payout"', b'"pay_out"') if prepared.body else b""
    try:
        notification.parse("POST", prepared.url, headers=prepared.headers, body=broken)
    except postback.ParseError as exc:
        assert exc.message.startswith('in the body: expected the key "payout"')
        assert (exc.part, exc.line, exc.column) == ("body", 14, 1)

    # docs/receiving.md, example 9
    from pathlib import Path

    import postback

    template = postback.compile(Path("examples/action-clearing.json").read_text(), format="json")
    body = template.render(postback.sample_action()).replace('"payout"', '"pay_out"')
    try:
        template.parse(body)
    except postback.ParseError as exc:
        assert (exc.template_line, exc.template_column) == (14, 1)
        assert exc.expected == 'the key "payout"' and exc.found == '"pay_out"'
        assert str(exc).endswith('; did you mean "payout"?')

    # docs/receiving.md, example 10
    import postback

    received: list[postback.Action] = []


    def store(action: postback.Action) -> None:
        """Keep a received action: in your receiver, a database or a queue."""
        received.append(action)

    # docs/receiving.md, example 11
    from collections.abc import Callable

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    import postback


    def starlette_receiver(
        notification: postback.Notification, store: Callable[[postback.Action], None]
    ) -> Starlette:
        """An app that reads the notification's bodies POSTed to /postbacks."""
        template = notification.body_template
        if template is None:
            raise ValueError("the notification sends no body")
        ok = notification.success_response or "OK"
        failed = notification.error_response or "ERROR"

        async def receive(request: Request) -> PlainTextResponse:
            try:
                action = template.parse(await request.body())
            except postback.ParseError as exc:
                return PlainTextResponse(f"{failed}: {exc}", status_code=400)
            store(action)
            return PlainTextResponse(ok)

        return Starlette(routes=[Route("/postbacks", receive, methods=["POST"])])


    # Loaded once, when the module is imported.
    starlette_app = starlette_receiver(
        postback.Notification.from_file("examples/notification.toml"), store
    )

    # docs/receiving.md, example 12
    from starlette.testclient import TestClient

    import postback

    sender = postback.Notification.from_file("examples/notification.toml")
    sent = sender.prepare(postback.sample_action())
    assert sent.body is not None
    with TestClient(starlette_app) as client:
        answer = client.post("/postbacks", content=sent.body)
        assert (answer.status_code, answer.text) == (200, "OK")
        assert sender.classify(answer.status_code, answer.content).ok
        assert received[-1].action_id == "1000.4636.158133"

        answer = client.post("/postbacks", content=sent.body.replace(b'"payout"', b'"pay_out"'))
        assert answer.status_code == 400
        assert answer.text.startswith('ERROR: expected the key "payout" (template 14:1)')
        assert not sender.classify(answer.status_code, answer.content).retryable

    # docs/receiving.md, example 13
    from collections.abc import Callable

    from fastapi import FastAPI, Request
    from fastapi.responses import PlainTextResponse

    import postback


    def fastapi_receiver(
        notification: postback.Notification, store: Callable[[postback.Action], None]
    ) -> FastAPI:
        """An app that reads the notification's bodies POSTed to /postbacks."""
        template = notification.body_template
        if template is None:
            raise ValueError("the notification sends no body")
        ok = notification.success_response or "OK"
        failed = notification.error_response or "ERROR"
        app = FastAPI()

        @app.post("/postbacks", response_class=PlainTextResponse)
        async def receive(request: Request) -> PlainTextResponse:
            try:
                action = template.parse(await request.body())
            except postback.ParseError as exc:
                return PlainTextResponse(f"{failed}: {exc}", status_code=400)
            store(action)
            return PlainTextResponse(ok)

        return app


    # Loaded once, when the module is imported.
    fastapi_app = fastapi_receiver(postback.Notification.from_file("examples/notification.toml"), store)

    # docs/receiving.md, example 14
    from collections.abc import Callable

    from flask import Flask, Response, request

    import postback


    def flask_receiver(
        notification: postback.Notification, store: Callable[[postback.Action], None]
    ) -> Flask:
        """An app that reads the notification's bodies POSTed to /postbacks."""
        template = notification.body_template
        if template is None:
            raise ValueError("the notification sends no body")
        ok = notification.success_response or "OK"
        failed = notification.error_response or "ERROR"
        app = Flask(__name__)
        app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # a larger body is answered 413

        @app.post("/postbacks")
        def receive() -> Response:
            try:
                action = template.parse(request.get_data())
            except postback.ParseError as exc:
                return Response(f"{failed}: {exc}", status=400, mimetype="text/plain")
            store(action)
            return Response(ok, mimetype="text/plain")

        return app


    # Loaded once, when the module is imported.
    flask_app = flask_receiver(postback.Notification.from_file("examples/notification.toml"), store)

    # docs/receiving.md, example 15
    from collections.abc import Callable, Iterable
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    import postback


    def wsgi_receiver(
        notification: postback.Notification,
        store: Callable[[postback.Action], None],
        max_body: int = 1024 * 1024,
    ) -> WSGIApplication:
        """A WSGI application that reads the notification's bodies POSTed to it."""
        template = notification.body_template
        if template is None:
            raise ValueError("the notification sends no body")
        ok = notification.success_response or "OK"
        failed = notification.error_response or "ERROR"

        def answer(start_response: StartResponse, status: str, text: str) -> Iterable[bytes]:
            data = text.encode("utf-8")
            headers = [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(data))),
            ]
            start_response(status, headers)
            return [data]

        def receive(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            if environ["REQUEST_METHOD"] != "POST":
                return answer(start_response, "405 Method Not Allowed", "POST only")
            try:
                length = int(environ.get("CONTENT_LENGTH") or "")
            except ValueError:  # missing, or not a number
                length = -1
            if length < 0:
                return answer(start_response, "411 Length Required", "a Content-Length is required")
            if length > max_body:
                return answer(start_response, "413 Content Too Large", f"at most {max_body} bytes")
            try:
                action = template.parse(environ["wsgi.input"].read(length))
            except postback.ParseError as exc:
                return answer(start_response, "400 Bad Request", f"{failed}: {exc}")
            store(action)
            return answer(start_response, "200 OK", ok)

        return receive


    # Loaded once, when the module is imported.
    wsgi_app = wsgi_receiver(postback.Notification.from_file("examples/notification.toml"), store)

    # docs/receiving.md, example 16
    import base64
    from collections.abc import Callable
    from typing import Any

    import postback

    Event = dict[str, Any]


    def lambda_receiver(
        notification: postback.Notification, store: Callable[[postback.Action], None]
    ) -> Callable[[Event, object], Event]:
        """A Lambda handler that reads the notification's bodies POSTed through API Gateway."""
        template = notification.body_template
        if template is None:
            raise ValueError("the notification sends no body")
        ok = notification.success_response or "OK"
        failed = notification.error_response or "ERROR"

        def answer(status: int, text: str) -> Event:
            headers = {"Content-Type": "text/plain; charset=utf-8"}
            return {"statusCode": status, "headers": headers, "body": text, "isBase64Encoded": False}

        def handler(event: Event, context: object) -> Event:
            method = event.get("httpMethod") or event.get("requestContext", {}).get("http", {}).get(
                "method"
            )
            if method != "POST":
                return answer(405, "POST only")
            body = event.get("body") or ""
            if event.get("isBase64Encoded"):
                try:
                    body = base64.b64decode(body, validate=True)
                except ValueError:  # binascii.Error, or a character that is not ASCII
                    return answer(400, f"{failed}: the body is not valid base64")
            try:
                action = template.parse(body)  # bytes, or the text API Gateway decoded
            except postback.ParseError as exc:
                return answer(400, f"{failed}: {exc}")
            store(action)
            return answer(200, ok)

        return handler


    # Loaded once, when the module is imported (for each new execution environment).
    handler = lambda_receiver(postback.Notification.from_file("examples/notification.toml"), store)

    # docs/receiving.md, example 17
    import json
    from pathlib import Path

    import postback

    order = postback.Notification.from_file("templates/notification.toml")  # as the receiver loads it
    order_body = order.body_template
    assert order_body is not None
    cases = sorted(Path("templates").glob("notification.*.record.json"))
    assert len(cases) == 3
    for case in cases:
        sent = order.prepare(json.loads(case.read_text(encoding="utf-8")))
        assert sent.body is not None
        read = order_body.parse(sent.body)
        assert order_body.render(read) == sent.body.decode("utf-8")


def docs_records() -> None:
    # docs/records.md, example 1
    import postback

    template = postback.compile(
        '{"id": {CampaignId}, "payout": "{Payout}", "skus": [{join(items, i, "\\"{i.sku}\\"", ",")}]}',
        format="json",
    )

    # 1. An Action: values are converted and checked when it is built.
    action = postback.Action(campaign_id="4636", payout="12.50", items=[{"sku": "A-1"}])
    body = template.render(action)

    # 2. A mapping: render() reads it itself (see below for what it checks).
    body = template.render({"CampaignId": 4636, "Payout": "12.50", "items": [{"sku": "A-1"}]})

    # 3. JSON text, read exactly: 12.50 stays 12.50.
    body = template.render(postback.Action.from_json(b'{"CampaignId": 4636, "Payout": 12.50}'))
    assert body == '{"id": 4636, "payout": "12.50", "skus": []}'

    # docs/records.md, example 2
    import postback

    try:
        postback.Action.from_dict({"EventDate": "04.03.2026"})
    except postback.RecordError as exc:
        assert exc.field == "EventDate"
        assert "2026-03-04 (4 March) if the day comes first" in exc.message
        assert "2026-04-03 (3 April) if the month does" in exc.message
    action = postback.Action.from_dict({"EventDate": "2026-03-04", "ClearedDate": "4 March 2026"})
    assert action.event_date == action.cleared_date

    # docs/records.md, example 3
    from datetime import datetime

    import postback

    template = postback.compile("{EventDate}", format="text", day_first=True)
    assert template.render({"EventDate": "04.03.2026"}) == "2026-03-04T00:00:00+00:00"
    action = postback.Action.from_json('{"EventDate": "03/04/2026 15:30"}', day_first=False)
    assert action.event_date == datetime(2026, 3, 4, 15, 30)

    try:
        postback.Action.from_dict({"EventDate": "13.03.2026"}, day_first=False)
    except postback.RecordError as exc:
        assert exc.field == "EventDate"
        assert "the settings say the month comes first (day_first=False)" in exc.message
        assert "13.03.2026 has no month 13" in exc.message


def deliberately_wrong() -> None:
    """A call mypy must reject: a template is a str, not bytes."""
    postback.compile(b"{CampaignId}", format="json")  # type: ignore[arg-type]
