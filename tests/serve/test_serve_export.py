"""The files the playground downloads, and how it shows bodies and requests: the
notification file reads back to exactly the typed settings, and ``postback check``
accepts it; pretty-printing changes whitespace only; ``curl`` quotes every argument."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from _playground import ROOT, SEED
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback._cli.main import main
from postback._serve.export import body_file_name, notification_toml, toml_string
from postback._serve.present import curl_command, pretty_json, pretty_xml
from postback._serve.state import Settings
from strategies import hostile_text

TEXT = hostile_text("'\"\\\n\r\t{}#=[]")
SURROGATE = re.compile("[\ud800-\udfff]")


@given(TEXT)
def test_a_toml_string_reads_back_as_the_text(text: str) -> None:
    if SURROGATE.search(text):
        with pytest.raises(postback.ConfigError, match="lone surrogate") as caught:
            toml_string(text, "url")
        assert caught.value.setting == "url"
        return
    assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text


@given(url=TEXT, body=TEXT, success=TEXT, header=TEXT)
def test_the_notification_file_reads_back_to_the_typed_settings(
    url: str, body: str, success: str, header: str
) -> None:
    header = header.replace("\n", "").replace("\r", "").strip()
    typed = Settings(
        url=url,
        method="POST",
        body=body,
        body_format="json",
        headers=f"X-One: {header}\n\nX-Two: {{ActionId}}",
        min_delay="1.5",
        max_requests="10",
        success_response=success,
        options={"timezone": "Europe/Berlin", "extra_fields": ["Tier"], "day_first": True},
    )
    try:
        text = notification_toml(typed)
    except postback.ConfigError as exc:
        assert "lone surrogate" in exc.message
        return
    table = tomllib.loads(text)
    assert table["url"] == url
    assert table.get("body", "") == (body if body.strip() else "")
    assert table["headers"] == [f"X-One: {header}".strip(), "X-Two: {ActionId}"]
    assert table.get("success_response", "") == success
    assert (table["min_delay"], table["max_requests"]) == (1.5, 10)
    assert table["timezone"] == "Europe/Berlin" and table["day_first"] is True


def test_the_exported_fixed_body_passes_postback_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (ROOT / "examples" / "action-clearing.json").read_text(encoding="utf-8")
    settings = Settings(
        url="https://postbacks.example.com/impact/{CampaignId}",
        body=body,
        headers="X-Action-Id: {ActionId}",
        min_delay="30",
        success_response="OK",
    )
    path = tmp_path / "notification.toml"
    path.write_text(notification_toml(settings), encoding="utf-8")
    assert main(["check", str(path)]) == 0
    capsys.readouterr()
    loaded = postback.Notification.from_file(path)
    assert loaded.body == body and loaded.min_delay == 30
    assert "body = '''\n{\"event\"" in path.read_text(encoding="utf-8")


def test_the_exported_seed_body_fails_postback_check_at_the_same_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "seed.toml"
    path.write_text(notification_toml(Settings(url="https://e.com/", body=SEED)), "utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    # The body starts on the file's line 9, after the comments, the url, the method, the
    # body format and the line that opens the string.
    assert f"{path}:9:30: error[invalid-json]" in out
    assert f"{path}:26:18: error[malformed-placeholder]" in out


def test_a_number_that_is_not_one_is_not_exported() -> None:
    with pytest.raises(postback.ConfigError, match="Minimum Delay must be a number") as caught:
        notification_toml(Settings(url="https://e.com/", min_delay="soon"))
    assert caught.value.setting == "min_delay"


def test_with_get_no_body_is_exported_and_the_template_keeps_its_extension() -> None:
    text = notification_toml(Settings(url="https://e.com/", method="get", body="{}"))
    assert tomllib.loads(text.split("\n", 3)[3]) == {"url": "https://e.com/", "method": "GET"}
    names = [body_file_name(f) for f in ("json", "xml", "query", "Query String")]
    assert names == ["body.json", "body.xml", "body.qs", "body.txt"]


def _squeezed(text: str) -> list[str]:
    return re.findall(r'"(?:[^"\\]|\\.)*"|[^\s"]+', text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=10,
    )
)
def test_pretty_json_changes_whitespace_only(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    shown = pretty_json(text)
    assert json.loads(shown) == value
    assert "".join(_squeezed(shown)) == "".join(_squeezed(text))


def test_pretty_xml_puts_one_element_on_a_line() -> None:
    source = (ROOT / "examples" / "action-clearing.xml").read_text(encoding="utf-8")
    body = postback.compile(source, "xml").render(postback.sample_action())
    shown = pretty_xml(body).split("\n")
    assert '  <CampaignName>Café Müller "Winter" Sale</CampaignName>' in shown
    assert '  <Text2><![CDATA[Gift note: "Happy 30th!" <3 — Ana & José]]></Text2>' in shown
    assert '    <item sku="CM-ESP-01" qty="1" amt="79.50">' in shown
    assert shown[-1] == "</action>"
    assert re.sub(r">\s+<", "><", pretty_xml(body)) == re.sub(r">\s+<", "><", body.strip())


def test_curl_quotes_every_argument_for_the_shell() -> None:
    n = postback.Notification(
        "https://e.com/pb?q={SubId2}",
        method="POST",
        body='{"n": "{MediaPartnerName}"}',
        body_format="json",
        headers={"X-Note": "{Note}", "Authorization": "Bearer it's"},
    )
    request = n.prepare(postback.sample_action())
    words = shlex.split(curl_command(request, mask=False).replace("\\\n", " "))
    assert words[:4] == ["curl", "--request", "POST", request.url]
    assert words[4:10] == [
        "--header", f"X-Note: {request.header('X-Note')}",
        "--header", "Authorization: Bearer it's",
        "--header", "Content-Type: application/json",
    ]  # fmt: skip
    assert words[10:] == ["--data-binary", request.body.decode()] if request.body else False
    masked = shlex.split(curl_command(request, mask=True).replace("\\\n", " "))
    assert "Authorization: ***" in masked
