"""The playground's HTTP API over a real socket, and the rules that keep it safe: the
Host and Origin checks, the body bound, the files it may read, and threads that keep a
large template from stalling other requests."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from _playground import ROOT, SEED, Client, playground, settings

from postback._serve import server as server_module
from postback._serve.guard import MAX_BODY_BYTES, allowed_hosts, is_loopback

NOTIFICATION = "examples/notification.toml"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.chdir(ROOT)
    with playground([NOTIFICATION, "examples/action-clearing.xml"]) as c:
        yield c


def test_the_page_and_its_files_are_served_with_a_strict_policy(client: Client) -> None:
    page = client.get("/")
    assert page.status == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert b'<label for="url">Server URL</label>' in page.data
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["server"] == "postback-playground"
    assert client.get("/app.js").headers["content-type"] == "text/javascript; charset=utf-8"
    assert client.get("/app.css").status == 200
    assert client.get("/missing").status == 404


def test_start_gives_the_first_state_and_the_named_files(client: Client) -> None:
    start = client.get("/api/start").data
    assert start["files"] == [
        {"name": NOTIFICATION, "kind": "notification"},
        {"name": "examples/action-clearing.xml", "kind": "template"},
    ]
    state = start["state"]["settings"]
    assert state["url"].startswith("https://postbacks.example.com/impact/actions/")
    assert state["body_format"] == "xml"  # the template named last
    assert (
        state["headers"] == "Authorization: Bearer 3f1c9a0e-example-token\nX-Action-Id: {ActionId}"
    )
    assert '"CampaignId": 4636' in start["sample"]
    assert start["body_formats"] == {"query": "Query String", "json": "JSON", "xml": "XML"}


def test_evaluate_answers_with_the_defects(client: Client) -> None:
    answer = client.post("/api/evaluate", {"settings": settings(body=SEED), "record": "{}"})
    assert answer.status == 200
    found = [(f["line"], f["column"]) for f in answer.data["findings"]]
    assert found == [(1, 30), (18, 18)]


def test_import_reads_only_files_named_on_the_command_line(client: Client) -> None:
    loaded = client.post("/api/import", {"name": NOTIFICATION})
    assert loaded.status == 200
    assert loaded.data["settings"]["min_delay"] == "30"
    assert loaded.data["settings"]["body"].startswith('{"event": "Action Life Cycle Postback"')
    for other in ("examples/action-clearing.json", str(ROOT / NOTIFICATION), "/etc/passwd"):
        refused = client.post("/api/import", {"name": other})
        assert refused.status == 403
        assert refused.data["error"] == f"refused: {other!r} was not named on the command line"
    assert client.post("/api/import", {"file": NOTIFICATION}).status == 422


def test_export_gives_the_notification_file_and_the_template(client: Client) -> None:
    answer = client.post("/api/export", {"settings": settings(body_format="xml", body="<a/>")})
    assert answer.status == 200
    assert answer.data["notification_name"] == "notification.toml"
    assert "body = '''\n<a/>'''" in answer.data["notification"]
    assert (answer.data["template"], answer.data["template_name"]) == ("<a/>", "body.xml")


@pytest.mark.parametrize(
    "host",
    ["evil.example:80", "attacker.test", "127.0.0.1", "127.0.0.1:1", "", "localhost.evil.test"],
)
def test_a_request_for_another_host_is_refused(client: Client, host: str) -> None:
    """DNS rebinding: a page elsewhere reaches 127.0.0.1 under a name of its own."""
    for answer in (
        client.get("/", headers={"Host": host}),
        client.post("/api/evaluate", {}, headers={"Host": host}),
    ):
        assert answer.status == 421
        assert "refused: this server answers only for" in answer.data["error"]


def test_the_loopback_names_of_the_address_are_accepted(client: Client) -> None:
    port = client.server.port
    for host in (f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        assert client.get("/api/start", headers={"Host": host}).status == 200


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({"Origin": "http://evil.example"}, 403, "comes from another site"),
        ({"Origin": ""}, 403, "comes from another site (Origin None)"),
        ({"Origin": "null"}, 403, "comes from another site"),
        ({"Origin": "https://127.0.0.1:{port}"}, 403, "comes from another site"),
        ({"Sec-Fetch-Site": "cross-site"}, 403, "another site (cross-site)"),
        ({"Content-Type": "text/plain"}, 415, "must be JSON"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "must be JSON"),
    ],
)
def test_a_state_changing_request_from_elsewhere_is_refused(
    client: Client, headers: dict[str, str], status: int, reason: str
) -> None:
    port = str(client.server.port)
    sent = {name: value.replace("{port}", port) for name, value in headers.items()}
    for path in ("/api/evaluate", "/api/import", "/api/export"):
        answer = client.post(path, {"name": NOTIFICATION}, headers=sent)
        assert answer.status == status
        assert reason in answer.data["error"]


def test_an_oversize_body_is_refused_before_it_is_read(client: Client) -> None:
    headers = {"Content-Length": str(MAX_BODY_BYTES + 1)}
    answer = client.request("POST", "/api/evaluate", b"{}", headers=headers)
    assert answer.status == 413
    assert answer.data["error"] == "refused: the request body is larger than 8,388,608 bytes"
    unstated = client.request("POST", "/api/evaluate", b"", headers={"Content-Length": ""})
    assert unstated.status == 411
    chunked = client.request(
        "POST", "/api/evaluate", b"", headers={"Content-Length": "", "Transfer-Encoding": "chunked"}
    )
    assert chunked.status == 411


def test_a_body_that_is_not_json_or_of_the_wrong_shape_is_a_clear_error(client: Client) -> None:
    answer = client.request("POST", "/api/evaluate", b"{not json")
    assert answer.status == 400
    assert answer.data["error"].startswith("the request body is not JSON: ")
    wrong = client.post("/api/evaluate", {"settings": {"body": ["x"]}})
    assert wrong.status == 422
    assert wrong.data == {"error": "settings.body must be a string, not list", "setting": "body"}
    assert client.request("POST", "/api/evaluate", b"\xff\xfe").status == 400


def test_when_every_worker_is_busy_the_server_says_so_at_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client.server, "working", threading.BoundedSemaphore(1))
    client.server.working.acquire()
    try:
        answer = client.post("/api/evaluate", {})
    finally:
        client.server.working.release()
    assert answer.status == 503
    assert answer.data["error"] == "busy: the server is working on other requests"
    assert server_module.MAX_WORKING >= 2


def _big_template() -> str:
    """A JSON body template of about 0.3 MiB, which takes seconds to check."""
    members = ",\n".join(f'"key{n}": "{{SubId1}}"' for n in range(15_000))
    return "{" + members + "}"


def test_a_large_template_does_not_stall_other_requests(client: Client) -> None:
    """While a large template is checked in one thread, the page and a small check are
    answered in a small fraction of the time the large check takes."""
    big = {"settings": settings(body=_big_template()), "record": "{}"}
    small = {"settings": settings(), "record": "{}"}
    client.post("/api/evaluate", small)  # warm up
    done: list[float] = []

    def heavy() -> None:
        started = time.perf_counter()
        assert client.post("/api/evaluate", big, timeout=300).status == 200
        done.append(time.perf_counter() - started)

    worker = threading.Thread(target=heavy)
    worker.start()
    time.sleep(0.3)
    started = time.perf_counter()
    assert client.get("/").status == 200
    assert client.post("/api/evaluate", small).status == 200
    meanwhile = time.perf_counter() - started
    worker.join(timeout=300)
    assert done, "the large check did not finish"
    assert meanwhile < done[0] / 4, (meanwhile, done[0])


def test_the_rules_for_host_names() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.3.4.5")
    assert not is_loopback("192.0.2.1") and not is_loopback("example.com")
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert allowed_hosts("192.0.2.7", 80) == {"192.0.2.7:80"}
    assert allowed_hosts("fe80::1", 80) == {"[fe80::1]:80"}


def test_a_named_file_that_became_unreadable_is_a_clear_error(tmp_path: Path) -> None:
    template = tmp_path / "body.json"
    template.write_text('{"id": "{ActionId}"}', encoding="utf-8")
    with playground([str(template)]) as c:
        template.write_bytes(b"\xff")
        answer = c.post("/api/import", {"name": str(template)})
    assert answer.status == 422
    assert answer.data["error"] == (
        f"cannot read template {template}: not UTF-8 text (byte 0xff at offset 0, line 1, column 1)"
    )
