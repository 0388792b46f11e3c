"""The senders of docs/notifications.md, run as written against a loopback server.

The blocks of the document are run (as tests/test_docs.py runs them) and the functions
they define are called with a notification whose URL points at a server on
127.0.0.1 (``_http_server``).  Each sender delivers every request byte for byte; when
the server answers 302, each reports a failure naming the ``Location``, not worth
retrying, and nothing reaches the address it names; when it answers 503, the
synchronous sender tries three times and reports a failure worth retrying.  The pool
runs in worker processes as written, with limits' in-memory storage (its default)
instead of Redis.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import requests
from _docs_blocks import ROOT, python_blocks, run_blocks
from _http_server import LANDED, REPLY, LoopbackServer, assert_received_exactly

import postback
from postback import Action, Item, Notification, Outcome

DOCUMENT = ROOT / "docs" / "notifications.md"

DELIVERED = Outcome(
    True,
    "status 200 is 2xx and success_response 'OK' found in the response body",
    "success_response",
    False,
    200,
)


def redirected(server: LoopbackServer) -> Outcome:
    return Outcome(
        False,
        f"status 302 is not 2xx, a redirect to '{server.url}{LANDED}' that is not followed "
        "(success_response 'OK' not found in the response body); "
        "do not retry: redirects are not followed; check the url",
        "success_response",
        False,
        302,
    )


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The namespace the document's blocks leave behind."""
    return run_blocks(python_blocks(DOCUMENT), tmp_path_factory.mktemp("docs"))


@pytest.fixture
def pool_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The pool block as an importable module: worker processes import it by name."""
    (block,) = [b for b in python_blocks(DOCUMENT) if "def run_pool(" in b.code]
    (tmp_path / "documented_pool.py").write_text(block.code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("documented_pool")
    try:
        yield module
    finally:
        sys.modules.pop("documented_pool", None)


def actions() -> list[Action]:
    sample = postback.sample_action()
    items = [Item(sku=f"SKU-{k}", qty=1, name=f"Ärmel {k}") for k in range(40)]
    return [
        sample,
        Action.from_dict({**sample.to_dict(), "ActionId": "1000.2"}),
        Action(
            action_id="1000.3",
            ref_customer_city="東京",
            cleared_date=sample.cleared_date,
            items=items,
        ),
    ]


def notification(server: LoopbackServer) -> Notification:
    return Notification(
        server.url + "/impact/{CampaignId}?action_id={ActionId}",
        method="POST",
        body='{"id": "{ActionId}", "city": "{RefCustomerCity}", '
        '"skus": [{join(items, i, "\\"{i.sku}\\"", ", ")}]}',
        body_format="json",
        headers=["Authorization: Bearer abc", "X-City: {RefCustomerCity}"],
        max_requests=50,
        success_response="OK",
        error_response="ERROR",
    )


def sync_with(
    send_name: str, docs: dict[str, Any]
) -> Callable[[Notification, list[Action]], list[Outcome]]:
    """The synchronous loop, with the documented ``send`` step of another client."""
    send = docs[send_name]

    def run(n: Notification, batch: list[Action]) -> list[Outcome]:
        if send_name == "send_urllib":
            return [send(n, n.prepare(a)) for a in batch]
        with requests.Session() as session:
            return [send(session, n, n.prepare(a)) for a in batch]

    return run


def async_with_aiohttp(
    docs: dict[str, Any],
) -> Callable[[Notification, list[Action]], list[Outcome]]:
    send = docs["send_aiohttp"]

    def run(n: Notification, batch: list[Action]) -> list[Outcome]:
        async def main() -> list[Outcome]:
            async with aiohttp.ClientSession() as session:
                return [await send(session, n, n.prepare(a)) for a in batch]

        return asyncio.run(main())

    return run


def senders(
    docs: dict[str, Any],
) -> dict[str, Callable[[Notification, list[Action]], list[Outcome]]]:
    return {
        "run_sync": docs["run_sync"],
        "run_async": lambda n, batch: asyncio.run(docs["run_async"](n, batch)),
        "send_requests": sync_with("send_requests", docs),
        "send_urllib": sync_with("send_urllib", docs),
        "send_aiohttp": async_with_aiohttp(docs),
    }


SENDERS = ["run_sync", "run_async", "send_requests", "send_urllib", "send_aiohttp"]


@pytest.mark.parametrize("name", SENDERS)
def test_a_documented_sender_delivers_every_request_exactly(
    name: str, docs: dict[str, Any]
) -> None:
    batch = actions()
    with LoopbackServer() as server:
        n = notification(server)
        results = senders(docs)[name](n, batch)
    assert results == [DELIVERED] * 3
    expected = {r.url: r for r in (n.prepare(a) for a in batch)}
    assert len(server.received) == 3
    for seen in server.received:
        req = expected.pop(server.url + seen.target)
        assert_received_exactly(seen, req)
    assert REPLY.startswith(b"OK")


@pytest.mark.parametrize("name", SENDERS)
def test_a_documented_sender_reports_a_redirect_and_does_not_follow_it(
    name: str, docs: dict[str, Any]
) -> None:
    with LoopbackServer(redirect=True) as server:
        n = notification(server)
        results = senders(docs)[name](n, actions()[:2])
    assert results == [redirected(server)] * 2
    assert len(server.received) == 2  # not retried
    assert server.landed == []


def test_the_documented_synchronous_sender_retries_what_is_retryable(
    docs: dict[str, Any],
) -> None:
    with LoopbackServer(status=503, reply=b"busy") as server:
        n = notification(server)
        results = docs["run_sync"](n, actions()[:2], attempts=3, backoff=0.0)
    assert (
        results
        == [
            Outcome(
                False,
                "status 503 is not 2xx (success_response 'OK' not found in the response body); "
                "retry later: a server error",
                "success_response",
                True,
                503,
            )
        ]
        * 2
    )
    assert len(server.received) == 6
    with LoopbackServer(status=404, reply=b"no such partner") as server:
        results = docs["run_sync"](notification(server), actions()[:1], backoff=0.0)
    assert [(r.ok, r.retryable, r.status) for r in results] == [(False, False, 404)]
    assert len(server.received) == 1


@pytest.mark.parametrize("name", SENDERS)
def test_a_documented_sender_reports_no_response_as_retryable(
    name: str, docs: dict[str, Any]
) -> None:
    with LoopbackServer() as server:
        n = notification(server)
    # The server has stopped: its port refuses connections.
    results = senders(docs)[name](n, actions()[:1])
    assert [(r.ok, r.retryable, r.rule, r.status) for r in results] == [
        (False, True, "no_response", None)
    ]
    assert results[0].reason.startswith("no response: ")
    assert results[0].reason.endswith("; retry later")


def test_the_documented_pool_delivers_from_worker_processes(pool_module: Any) -> None:
    batch = actions()
    with LoopbackServer() as server:
        n = notification(server)
        results = pool_module.run_pool(n, batch, storage_uri="memory://", workers=2)
    assert results == [DELIVERED] * 3
    assert sorted(r.target for r in server.received) == sorted(postback_target(n, a) for a in batch)
    for seen in server.received:
        (req,) = [n.prepare(a) for a in batch if postback_target(n, a) == seen.target]
        assert_received_exactly(seen, req)


def test_the_documented_pool_reports_a_redirect_and_does_not_follow_it(pool_module: Any) -> None:
    with LoopbackServer(redirect=True) as server:
        n = notification(server)
        results = pool_module.run_pool(n, actions(), storage_uri="memory://", workers=2)
    assert results == [redirected(server)] * 3
    assert server.landed == []


def postback_target(n: Notification, action: Action) -> str:
    url = n.prepare(action).url
    return url[url.index("/impact/") :]


class ScriptedLimiter:
    """Stands in for limits' limiter: refuses ``refusals`` hits, then grants every one."""

    def __init__(self, refusals: int, log: list[str]) -> None:
        self.refusals = refusals
        self.log = log

    def hit(self, item: Any, key: str) -> bool:
        self.log.append(f"hit {item.amount} {key}")
        if self.refusals:
            self.refusals -= 1
            return False
        return True

    def get_window_stats(self, item: Any, key: str) -> Any:
        import time

        return SimpleNamespace(reset_time=time.time(), remaining=0)


def test_a_pool_worker_takes_a_start_from_the_shared_limiter_before_each_request(
    docs: dict[str, Any],
) -> None:
    log: list[str] = []
    with LoopbackServer() as server:
        worker = docs["Worker"](notification(server), "memory://", "partner-7")
        worker.limiter = ScriptedLimiter(2, log)
        assert worker.deliver(actions()[0]).ok
        assert log == ["hit 50 partner-7"] * 3  # refused twice, then granted
        log.clear()
        assert worker.deliver(actions()[1]).ok
        assert log == ["hit 50 partner-7"]
        worker.client.close()
        unlimited = docs["Worker"](Notification(server.url + "/x"), "memory://", "partner-7")
        unlimited.limiter = ScriptedLimiter(0, log)
        assert unlimited.deliver(actions()[0]) == Outcome(
            True, "status 200 is 2xx", "status", False, 200
        )
        unlimited.client.close()
    assert log == ["hit 50 partner-7"]  # no max_requests: the limiter is not asked
    assert len(server.received) == 3


def test_the_pool_limiter_is_the_moving_window_of_limits(docs: dict[str, Any]) -> None:
    """With the in-memory storage, two hits fill a window of max_requests=2 at once."""
    worker = docs["Worker"](Notification("https://e.com/", max_requests=2), "memory://", "k")
    try:
        assert worker.limiter.hit(worker.limit, "k")
        assert worker.limiter.hit(worker.limit, "k")
        assert not worker.limiter.hit(worker.limit, "k")
        assert worker.limiter.hit(worker.limit, "another partner")
    finally:
        worker.client.close()


def test_without_a_shared_store_the_pool_splits_the_rate_between_its_workers(
    docs: dict[str, Any],
) -> None:
    """The pool needed Redis, and with limits' in-memory storage each worker kept a
    window of its own, so the pool sent workers × max_requests per second; without a
    shared store each worker takes its share, and the pool at most max_requests."""
    pool_size = docs["pool_size"]
    for max_requests in range(1, 61):
        n = Notification("https://e.com/", max_requests=max_requests)
        for asked in range(1, 17):
            workers, share = pool_size(n, "memory://", asked)
            assert 1 <= workers <= asked and share >= 1
            assert workers * share <= max_requests < workers * (share + 1)
        # One window for every worker: each may take all of max_requests.
        assert pool_size(n, "redis://localhost:6379/0", 16) == (16, None)
    assert pool_size(Notification("https://e.com/"), "memory://", 16) == (16, None)
    # All at once, the workers' windows grant the shares and no more.
    for max_requests, asked, granted in ((10, 4, 8), (10, 16, 10), (3, 2, 2), (1, 4, 1)):
        n = Notification("https://e.com/", max_requests=max_requests)
        workers, share = pool_size(n, "memory://", asked)
        pool = [docs["Worker"](n, "memory://", "k", share) for _ in range(workers)]
        try:
            assert sum(w.limiter.hit(w.limit, "k") for w in pool for _ in range(20)) == granted
        finally:
            for w in pool:
                w.client.close()
