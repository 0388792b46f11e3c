"""What the playground shows for its fields: every defect at its place, the body, the
request, the earliest send time and what ``classify`` says (``postback._serve.evaluate``)."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
from _playground import ROOT, SEED, settings

import postback
from postback._serve.evaluate import evaluate
from postback._serve.state import state_from

SAMPLE = json.dumps(postback.sample_action().to_dict(), ensure_ascii=False)


def run(record: str = SAMPLE, **fields: Any) -> dict[str, Any]:
    options = fields.pop("options", {})
    response = fields.pop("response", {})
    received = fields.pop("received", {})
    flags = {key: fields.pop(key) for key in ("pretty", "mask") if key in fields}
    payload = {"settings": settings(**fields) | {"options": options}, "record": record}
    return evaluate(state_from(payload | {"response": response, "received": received} | flags))


def places(answer: dict[str, Any]) -> list[tuple[str, str, int | None, int | None]]:
    return [(f["field"], f["code"], f["line"], f["column"]) for f in answer["findings"]]


def test_the_help_page_body_shows_both_defects_at_their_places() -> None:
    answer = run(body=SEED)
    assert places(answer) == [
        ("body", "invalid-json", 1, 30),
        ("body", "malformed-placeholder", 18, 18),
    ]
    first, second = answer["findings"]
    assert first["message"] == "invalid JSON: expected ':' after an object key, found ','"
    assert second["message"].startswith("malformed placeholder {DeltaAmo\\nunt}")
    assert second["suggestion"] == "{DeltaAmount}"
    assert (second["end_line"], second["end_column"]) == (19, 5)
    assert answer["body"] is None and answer["request"] is None


def test_as_xml_the_same_body_shows_the_xml_defects() -> None:
    answer = run(body=SEED, body_format="xml")
    assert places(answer) == [
        ("body", "invalid-xml", 1, 1),
        ("body", "malformed-placeholder", 18, 18),
    ]
    assert "text cannot stand before the root element" in answer["findings"][0]["message"]


def test_the_fixed_body_renders_as_postback_render_does() -> None:
    source = (ROOT / "examples" / "action-clearing.json").read_text(encoding="utf-8")
    answer = run()
    assert answer["findings"] == []
    expected = postback.compile(source, "json").render(postback.sample_action())
    assert answer["body"]["text"] == expected
    assert answer["body"]["shown"] == expected  # exact unless asked to pretty-print
    assert answer["body"]["size"] == len(expected.encode("utf-8"))
    pretty = run(pretty=True)["body"]
    assert json.loads(pretty["shown"]) == json.loads(expected) and "\n  " in pretty["shown"]


def test_editing_the_record_changes_the_body() -> None:
    record = postback.sample_action().to_dict() | {"CampaignId": 777}
    answer = run(json.dumps(record))
    assert '"campaign_id": "777"' in answer["body"]["text"]
    assert "/impact/777?" in answer["request"]["http"]


def test_the_request_as_http_and_curl_with_secrets_hidden_or_shown() -> None:
    request = run()["request"]
    head = request["http"].split("\r\n\r\n")[0].split("\r\n")
    assert head[0] == "POST /impact/4636?action_id=1000.4636.158133 HTTP/1.1"
    assert "Authorization: ***" in head and "X-Action-Id: 1000.4636.158133" in head
    words = shlex.split(request["curl"].replace("\\\n", " "))
    assert words[:4] == [
        "curl",
        "--request",
        "POST",
        "https://postbacks.example.com/impact/4636?action_id=1000.4636.158133",
    ]
    assert "Authorization: ***" in words
    assert words[-2] == "--data-binary" and words[-1] == json.loads(json.dumps(words[-1]))
    shown = run(mask=False)["request"]
    assert "Authorization: Bearer s3cr3t" in shown["http"]
    assert "Authorization: Bearer s3cr3t" in shlex.split(shown["curl"].replace("\\\n", " "))


def test_the_earliest_send_time_is_the_cleared_date_plus_the_delay() -> None:
    request = run()["request"]
    assert request["not_before"] == "2026-02-03T11:30:30+00:00"
    assert request["not_before_basis"] == "the action's ClearedDate"
    record = postback.sample_action().to_dict()
    del record["ClearedDate"]
    other = run(json.dumps(record))["request"]
    assert other["not_before_basis"].startswith("the action's EventDate")


def test_every_setting_is_checked_at_once() -> None:
    answer = run(
        url="https://example.com/{ActoinId}",
        headers="X-Action-Id: {ActionId}\nno colon here\nX-Sub: {SubId9}",
        min_delay="soon",
        max_requests="2.5",
        method="PUT",
    )
    assert places(answer) == [
        ("url", "unknown-field", 1, 21),
        ("headers", "invalid-notification", 2, 1),
        ("headers", "unknown-field", 3, 8),
        ("min_delay", "invalid-notification", None, None),
        ("max_requests", "invalid-notification", None, None),
        ("method", "invalid-notification", None, None),
    ]
    messages = [f["message"] for f in answer["findings"]]
    assert "header line 2 has no colon" in messages[1]
    assert messages[3] == "Minimum Delay must be a number of seconds, such as 30 or 1.5, not 'soon'"
    assert messages[4] == "Maximum Requests must be a whole number, such as 10, not '2.5'"
    assert answer["request"] is None
    assert answer["body"] is not None  # the body holds: it is rendered all the same


def test_a_header_refused_by_the_notification_is_marked_at_its_line() -> None:
    answer = run(headers="X-Action-Id: {ActionId}\nHost: example.org")
    assert places(answer) == [("headers", "invalid-notification", 2, 1)]
    assert "Host" in answer["findings"][0]["message"]
    assert answer["request"] is None


def test_a_record_that_is_not_json_is_marked_at_its_place() -> None:
    answer = run('{"CampaignId": 5,\n "Payout": }')
    assert places(answer) == [("record", "invalid-record", 2, 12)]
    assert answer["body"] is None and answer["request"] is None
    wrong = run('{"CampaignId": "abc"}')
    assert places(wrong) == [("record", "invalid-record", None, None)]
    assert "CampaignId" in wrong["findings"][0]["message"]
    assert run("  ")["findings"][0]["message"] == "the record is empty: write a JSON object"


def test_a_missing_value_under_missing_error_is_a_record_defect() -> None:
    answer = run('{"CampaignId": 5}', options={"missing": "error"})
    assert [f["code"] for f in answer["findings"]] == ["render-error", "render-error"]
    assert {f["field"] for f in answer["findings"]} == {"record"}


def test_the_options_of_a_notification_file_apply_and_bad_ones_are_listed() -> None:
    answer = run(
        '{"Tier": "gold", "EventDate": "2026-03-04T05:06:07Z"}',
        body='{"tier": "{Tier}", "at": "{EventDate}"}',
        url="https://example.com/pb",
        headers="",
        options={"extra_fields": ["Tier"], "timezone": "Europe/Berlin"},
    )
    assert answer["findings"] == []
    assert answer["body"]["text"] == '{"tier": "gold", "at": "2026-03-04T06:06:07+01:00"}'
    bad = run(options={"timezone": "Mars/Olympus"})
    assert places(bad)[0] == ("options", "invalid-notification", None, None)


@pytest.mark.parametrize(
    ("status", "body", "ok", "rule"),
    [
        ("200", "OK", True, "success_response"),
        ("200", "ERROR: duplicate", False, "error_response"),
        ("503", "", False, "success_response"),
    ],
)
def test_classify_judges_a_pasted_response(status: str, body: str, ok: bool, rule: str) -> None:
    verdict = run(response={"status": status, "body": body})["classify"]
    assert (verdict["ok"], verdict["rule"]) == (ok, rule)


def test_classify_names_a_redirect_and_refuses_a_status_that_is_no_number() -> None:
    verdict = run(response={"status": "302", "headers": "Location: https://elsewhere.example/"})
    assert "a redirect to 'https://elsewhere.example/'" in verdict["classify"]["reason"]
    answer = run(response={"status": "two hundred"})
    assert places(answer) == [("response_status", "invalid-response", None, None)]
    assert answer["classify"] is None


def test_with_get_the_body_is_not_sent_and_without_a_body_nothing_is_rendered() -> None:
    answer = run(method="GET")
    assert answer["findings"] == []
    assert answer["request"]["http"].startswith("GET /impact/4636?")
    assert "Content-Type" not in answer["request"]["http"]
    empty = run(body="")
    assert empty["body"] is None and empty["findings"] == []
    assert empty["request"]["http"].endswith("Authorization: ***\r\n\r\n")  # no body


def test_a_payload_of_the_wrong_shape_is_a_config_error_naming_the_field() -> None:
    with pytest.raises(postback.ConfigError, match=r"settings\.url must be a string") as caught:
        state_from({"settings": {"url": 5}})
    assert caught.value.setting == "url"
    with pytest.raises(postback.ConfigError, match="the request must be an object"):
        state_from([1])
    with pytest.raises(postback.ConfigError, match="pretty must be true or false"):
        state_from({"pretty": "yes"})
    with pytest.raises(postback.ConfigError, match="unknown key 'format'"):
        state_from({"settings": {"options": {"format": "json"}}})


def test_a_received_body_postback_rendered_reads_back_to_its_record() -> None:
    """The received body the page's own body template rendered is read back to the
    record it was rendered from (the fields the template uses), as JSON text."""
    rendered = run()["body"]["text"]
    answer = run(received={"body": rendered})
    assert answer["findings"] == []
    assert answer["received"]["ok"] is True and answer["received"]["extra"] == []
    record = json.loads(answer["received"]["record"])
    assert record["ActionId"] == "1000.4636.158133" and len(record["items"]) == 3
    assert record["Payout"] == str(postback.sample_action().payout)  # scale kept
    source = (ROOT / "examples" / "action-clearing.json").read_text(encoding="utf-8")
    template = postback.compile(source, "json")
    assert record == template.parse(rendered).to_dict()
    assert template.render(postback.Action.from_dict(record)) == rendered


def test_a_received_body_with_a_wrong_key_gives_where_it_stops_matching() -> None:
    rendered = run()["body"]["text"]
    wrong = rendered.replace('"campaign_id"', '"campain_id"', 1)
    answer = run(received={"body": wrong})
    result = answer["received"]
    assert result["ok"] is False
    assert (result["line"], result["column"]) == (2, 1)
    assert (result["template_line"], result["template_column"]) == (2, 1)
    assert result["expected"] == 'the key "campaign_id"' and result["found"] == '"campain_id"'
    assert result["message"].endswith('did you mean "campaign_id"?')
    assert answer["findings"] == []  # a body that does not match is no defect of the postback


def test_a_key_the_template_does_not_have_is_refused_or_kept_as_extra_says() -> None:
    rendered = run()["body"]["text"]
    more = rendered.replace('{"event"', '{"meta": {"rate": 0.250}, "event"', 1)
    refused = run(received={"body": more})["received"]
    assert refused["ok"] is False and (refused["line"], refused["column"]) == (1, 2)
    assert 'found the key "meta"' in refused["message"]
    kept = run(received={"body": more, "extra": "keep"})["received"]
    assert kept["ok"] is True and kept["extra"] == ["meta"]
    assert json.loads(kept["record"])["meta"] == {"rate": "0.250"}  # exact, as to_dict writes


def test_a_received_body_is_read_only_with_a_body_template_that_holds() -> None:
    rendered = run()["body"]["text"]
    assert run(received={"body": ""})["received"] is None
    assert run(body=SEED, received={"body": rendered})["received"] is None
    with pytest.raises(postback.ConfigError, match=r"received\.extra must be 'error' or 'keep'"):
        state_from({"received": {"body": "x", "extra": "ignore"}})
    with pytest.raises(postback.ConfigError, match=r"received\.body must be a string"):
        state_from({"received": {"body": 1}})
