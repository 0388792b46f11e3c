"""Secret header values stay out of repr, str and error messages; to_http(mask=True)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

import postback
from postback import ConfigError, Notification, PreparedRequest, TemplateError
from postback._secrets import is_secret_header, mask_template

SECRET = "s3cr3t"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def request_with(*headers: tuple[str, str]) -> PreparedRequest:
    return PreparedRequest("GET", "https://e.com/pb", headers, None, None, NOW)


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "authorization",
        "PROXY-AUTHORIZATION",
        "Cookie",
        "Set-Cookie",
        "X-Token",
        "X-Auth-TOKEN",
        "X-Api-Key",
        "Api_Secret",
        "x-client-secret",
        "Key",
    ],
)
def test_secret_header_names(name: str) -> None:
    assert is_secret_header(name)
    req = request_with(("X-Plain", "visible"), (name, f"Bearer {SECRET}"))
    for text in (repr(req), str(req)):
        assert SECRET not in text
        assert f"({name!r}, '***')" in text
        assert "('X-Plain', 'visible')" in text


@pytest.mark.parametrize("name", ["X-Action-Id", "Content-Type", "Accept", "Host", "X-Monk"])
def test_other_headers_are_shown(name: str) -> None:
    assert not is_secret_header(name)
    assert f"({name!r}, 'value-{SECRET}')" in repr(request_with((name, f"value-{SECRET}")))


def test_repr_of_a_prepared_request_does_not_contain_the_bearer_token() -> None:
    n = Notification(
        "https://e.com/pb?oid={ActionId}",
        method="POST",
        body='{"id": "{ActionId}"}',
        body_format="json",
        headers={"Authorization": f"Bearer {SECRET}", "X-Action-Id": "{ActionId}"},
    )
    req = n.prepare(postback.sample_action())
    assert req.header("Authorization") == f"Bearer {SECRET}"  # the data is intact
    assert SECRET not in repr(req)
    assert SECRET not in str(req)
    assert repr(req) == (
        "PreparedRequest(method='POST', url='https://e.com/pb?oid=1000.4636.158133', "
        "headers=(('Authorization', '***'), ('X-Action-Id', '1000.4636.158133'), "
        "('Content-Type', 'application/json')), body=b'{\"id\": \"1000.4636.158133\"}', "
        "content_type='application/json', not_before=" + repr(req.not_before) + ")"
    )
    assert SECRET not in repr(n)
    assert SECRET not in str(n)
    assert "'Authorization': '***'" in repr(n)
    assert n.headers[0] == ("Authorization", f"Bearer {SECRET}")
    assert pickle.loads(pickle.dumps(n)).prepare(postback.sample_action()) == req


def test_to_http_keeps_secrets_unless_masked() -> None:
    req = request_with(("Authorization", f"Bearer {SECRET}"), ("X-Id", "7"), ("Cookie", "a=b"))
    assert req.to_http() == (
        b"GET /pb HTTP/1.1\r\nHost: e.com\r\n"
        b"Authorization: Bearer s3cr3t\r\nX-Id: 7\r\nCookie: a=b\r\n\r\n"
    )
    assert req.to_http(mask=True) == (
        b"GET /pb HTTP/1.1\r\nHost: e.com\r\nAuthorization: ***\r\nX-Id: 7\r\nCookie: ***\r\n\r\n"
    )


def test_a_template_error_in_a_secret_header_masks_its_literal_text() -> None:
    with pytest.raises(TemplateError) as info:
        Notification("https://e.com/", headers={"Authorization": f"Bearer {SECRET} {{Tokn}}"})
    err = info.value
    assert err.name == "headers.Authorization"
    assert (err.line, err.column) == (1, 15)
    assert err.source == "****** ****** {Tokn}"
    assert SECRET not in str(err)
    assert str(err).endswith("    ****** ****** {Tokn}\n                  ^^^^^^")
    # Other headers keep their source as written.
    with pytest.raises(TemplateError) as other:
        Notification("https://e.com/", headers={"X-Plain": f"v {SECRET} {{Tokn}}"})
    assert other.value.source == f"v {SECRET} {{Tokn}}"


def test_mask_template_keeps_placeholders_joins_and_offsets() -> None:
    source = 'Basic ab:cd {SubId1}x{join(items, i, "{i.sku}", ",")} \t!'
    masked = mask_template(source)
    assert len(masked) == len(source)
    assert masked == '***** ***** {SubId1}*{join(items, i, "{i.sku}", ",")} \t*'


def test_a_non_string_secret_header_value_is_not_shown() -> None:
    with pytest.raises(ConfigError) as info:
        Notification("https://e.com/", headers={"X-Api-Key": SECRET.encode()})  # type: ignore[dict-item]
    assert info.value.setting == "headers.X-Api-Key"
    assert SECRET not in str(info.value)
    assert str(info.value) == (
        "the value of header 'X-Api-Key' must be a string (a header template), not *** (bytes)"
    )
    with pytest.raises(ConfigError) as plain:
        Notification("https://e.com/", headers={"X-Id": b"7"})  # type: ignore[dict-item]
    assert "not b'7' (bytes)" in str(plain.value)


def test_a_header_line_without_colon_is_named_without_its_secret() -> None:
    with pytest.raises(ConfigError) as info:
        Notification("https://e.com/", headers=["X-Id: 1", f"Authorization Bearer {SECRET}"])
    assert info.value.setting == "headers"
    assert SECRET not in str(info.value)
    assert str(info.value) == (
        "header line 2, 'Authorization ***', has no colon: write each header as \"Name: value\""
    )
    with pytest.raises(ConfigError) as single:
        Notification("https://e.com/", headers=f"Cookie: session={SECRET}")  # type: ignore[arg-type]
    assert SECRET not in str(single.value)
    assert "['Cookie: ***']" in str(single.value)
