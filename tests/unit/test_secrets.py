"""Secret header values stay out of repr, str and error messages; to_http(mask=True)."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import postback
from postback import ConfigError, Notification, PreparedRequest, TemplateError
from postback._sending.secrets import (
    describe_headers,
    is_secret_header,
    mask_diagnostic,
    mask_template,
    masked_http,
    masked_line,
)
from strategies import hostile_text

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
    assert masked == '***** ***** {SubId1}*{join(items, i, "{i.sku}", "*")} \t*'


@pytest.mark.parametrize(
    ("source", "masked"),
    [
        # A join's body and separator are literal text.
        (
            f'Bearer x{{join(items, i, "{SECRET}{{i.sku}}", "{SECRET}")}}',
            '****** *{join(items, i, "******{i.sku}", "******")}',
        ),
        (f'{{join(items, i, "\\"{SECRET}\\"")}}', '{join(items, i, "**********")}'),
        # What the parser could not read keeps its braces only: a broken call, the
        # text after it, a malformed placeholder.
        (f"Bearer x {{join({SECRET} more", "****** * {*********** ****"),
        (f"{{join({SECRET}", "{***********"),
        (f'{{join(items, i, "{SECRET}', "{*********** ** *******"),
        (f'{{jion(items, i, "{SECRET}")}} {{SubId1}}', "{*********** ** *********} {SubId1}"),
        (f"{{ {SECRET} }}", "{ ****** }"),
        # Literal braces are literal text.
        (f"x\\{{{SECRET}\\}}", "***********"),
    ],
)
def test_mask_template_masks_every_literal_character(source: str, masked: str) -> None:
    """A join's strings and the text of a broken call were shown as written."""
    assert mask_template(source) == masked
    assert len(mask_template(source)) == len(source)


@pytest.mark.parametrize(
    "value",
    [
        f"Bearer x {{join({SECRET} more",
        f"Bearer {{join({SECRET}",
        f'Bearer {{join(items, i, "{SECRET}")}}',
        f'Bearer {{join(items, i, "{{i.sku}}", "{SECRET}")}}',
        f'{{join(items, i, "{SECRET}',
        f"{{join(items, i, {SECRET})}}",
        f'{{join(items, {SECRET}, "x", "y", "z")}}',
        f'{{jion(items, i, "{SECRET}")}}',
        f"{{ {SECRET} }}",
    ],
)
def test_a_template_error_in_a_secret_header_quotes_no_literal_text(value: str) -> None:
    """``str(TemplateError)`` showed ``****** *join(s3cr3t``: the text of a broken call."""
    with pytest.raises(TemplateError) as info:
        Notification("https://e.com/", headers={"Authorization": value})
    err = info.value
    shown = [str(err), repr(err), err.source, repr(err.diagnostics), repr(pickle.dumps(err))]
    assert all(SECRET not in text for text in shown), shown
    assert len(err.source) == len(value)
    for diagnostic in postback.check(value, format="header"):
        assert SECRET not in mask_diagnostic(diagnostic, value).message


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
    assert "not b'***' (bytes)" in str(plain.value)  # bytes with no name in them: masked


def test_a_header_line_without_colon_is_named_without_its_secret() -> None:
    with pytest.raises(ConfigError) as info:
        Notification("https://e.com/", headers=["X-Id: 1", f"Authorization Bearer {SECRET}"])
    assert info.value.setting == "headers"
    assert SECRET not in str(info.value)
    assert str(info.value) == 'header line 2 has no colon (write "Name: value")'
    with pytest.raises(ConfigError) as single:
        Notification("https://e.com/", headers=f"Cookie: session={SECRET}")  # type: ignore[arg-type]
    assert SECRET not in str(single.value)
    assert str(single.value).endswith("not a string: put each line in a list")


@pytest.mark.parametrize(
    "headers",
    [[f"Authorization: Bearer {SECRET}", SECRET], SECRET, SECRET.encode(), [SECRET]],
)
def test_a_value_alone_in_a_headers_setting_is_not_quoted(headers: object) -> None:
    """A line with no name (``"s3cr3t"``) or a string for the setting was quoted whole."""
    for build in (
        lambda: Notification("https://e.com/", headers=headers),  # type: ignore[arg-type]
        lambda: Notification.from_dict({"url": "https://e.com/", "headers": headers}),
    ):
        with pytest.raises(ConfigError) as info:
            build()
        assert info.value.setting == "headers"
        assert SECRET not in str(info.value) + repr(info.value)


# ---------------------------------------------------------------------------
# Malformed headers settings: the error names the entry, never the credential
# ---------------------------------------------------------------------------

MALFORMED_HEADERS = [
    # A single line instead of a list of lines.
    (
        f"Authorization: Bearer {SECRET}",
        "not a string: put each line in a list",
        'or an array of "Name: value" lines, not a string',
    ),
    # Pairs, the natural way to write them in TOML (files take a table or lines).
    (
        [["Authorization", f"Bearer {SECRET}"]],
        None,
        "not [['Authorization', '***']] (list)",
    ),
    # A mixed list with an entry that is neither a pair nor a line.
    (
        [f"Authorization: Bearer {SECRET}", ["X-Api-Key", SECRET], 5],
        'header entry 3 must be a (name, value) pair or a "Name: value" line, not 5 (int)',
        "not ['Authorization: ***', ['X-Api-Key', '***'], 5] (list)",
    ),
    (
        [("X-Id", "1"), ["Authorization", f"Bearer {SECRET}", "x"]],
        'header entry 2 must be a (name, value) pair or a "Name: value" line, '
        "not ['Authorization', '***', ...] (list)",
        "not [('X-Id', '1'), ['Authorization', '***', ...]] (list)",
    ),
    # A line with "=" for ":".
    (
        [f"X-Api-Key={SECRET}"],
        'header line 1 has no colon (write "Name: value")',
        'header line 1 has no colon (write "Name: value")',
    ),
]


@pytest.mark.parametrize(("headers", "in_python", "in_a_file"), MALFORMED_HEADERS)
def test_a_malformed_headers_setting_does_not_quote_the_credential(
    headers: object, in_python: str | None, in_a_file: str
) -> None:
    """The ConfigError about a malformed headers setting quoted it whole, credential and all."""
    try:
        Notification("https://e.com/", headers=headers)  # type: ignore[arg-type]
    except ConfigError as exc:
        assert in_python is not None
        assert in_python in str(exc)
        assert exc.setting == "headers"
        assert SECRET not in str(exc) + repr(exc)
    else:
        assert in_python is None  # Python takes pairs
    with pytest.raises(ConfigError) as info:
        Notification.from_dict({"url": "https://e.com/", "headers": headers})
    assert in_a_file in str(info.value)
    assert info.value.setting == "headers"
    assert SECRET not in str(info.value) + repr(info.value)
    assert SECRET not in repr(pickle.loads(pickle.dumps(info.value)))


def test_an_invalid_header_name_holding_the_value_is_masked_after_the_name() -> None:
    """A line "X-Api-Key s3cr3t: x" has the name "X-Api-Key s3cr3t", which was quoted."""
    with pytest.raises(ConfigError) as info:
        Notification("https://e.com/", headers=[f"X-Api-Key {SECRET}: x"])
    assert str(info.value).startswith("header name 'X-Api-Key ***' is not a valid HTTP token")
    assert info.value.setting == "headers"  # not headers.X-Api-Key s3cr3t
    with pytest.raises(ConfigError) as plain:
        Notification("https://e.com/", headers={"X Token": "a"})
    assert str(plain.value).startswith("header name 'X Token' is not a valid HTTP token")
    assert plain.value.setting == "headers.X Token"


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (f"Authorization: Bearer {SECRET}", "Authorization: ***"),
        (f"  authorization :Bearer {SECRET}", "  authorization: ***"),
        (f"Authorization Bearer {SECRET}", "Authorization ***"),
        (f"X-Api-Key={SECRET}", "X-Api-Key=***"),
        (f"X-Api-Key {SECRET}: x", "X-Api-Key ***"),
        (f"X-Api-Key/{SECRET}", "X-Api-Key ***"),
        (f"X Api Key: {SECRET}", "X Api Key: ***"),
        (f"X-Id: 1\nCookie: {SECRET}\r\nX-B: 2", "X-Id: 1\nCookie: ***\r\nX-B: 2"),
        ("X-Token:", "X-Token:"),  # nothing to hide
        ("Authorization", "Authorization"),
        ("X Token", "X Token"),
        (f"X-Id: {SECRET}", f"X-Id: {SECRET}"),  # not a secret header
        (f"{SECRET}", f"{SECRET}"),  # no name to tell
    ],
)
def test_masked_line(line: str, shown: str) -> None:
    assert masked_line(line) == shown


def test_a_string_with_no_name_in_a_malformed_setting_is_masked_whole() -> None:
    """``[["s3cr3t"]]``, ``[b"s3cr3t"]``: nothing says whether the text is a header's
    name or a credential written where a line was expected, so it is not quoted."""
    for headers in ([["s3cr3t"]], [b"s3cr3t"], [("s3cr3t",)], {"X-Tier": ["s3cr3t"]}):
        with pytest.raises(postback.ConfigError) as info:
            postback.Notification("https://e.com/", headers=headers)  # type: ignore[arg-type]
        assert "s3cr3t" not in str(info.value)
        assert "***" in str(info.value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"Authorization": SECRET, "X-Id": "1"}, "{'Authorization': '***', 'X-Id': '1'} (dict)"),
        (("Cookie", SECRET), "('Cookie', '***') (tuple)"),
        ([[5, SECRET]], "[[5, '***']] (list)"),  # a pair whose name is no string
        ([b"Cookie: " + SECRET.encode()], "[b'Cookie: ***'] (list)"),
        ({"X-A": {"Token": SECRET}}, "{'X-A': {'Token': '***'}} (dict)"),
        ({SECRET}, "<set> (set)"),
        ([[[[SECRET]]]], "[[[...]]] (list)"),
        (list(range(20)), "[0, 1, 2, 3, 4, 5, 6, 7, ...] (list)"),
        ("Authorization: " + SECRET * 100, "'Authorization: ***' (str)"),
        ("X-Id: " + "7" * 100, "'X-Id: " + "7" * 50 + "... (str)"),
    ],
)
def test_describe_headers(value: object, shown: str) -> None:
    assert describe_headers(value) == shown


@given(name=st.sampled_from(["Authorization", "cookie", "X-Api-Key", "x-token"]), value=st.text())
def test_a_secret_line_shows_its_name_and_no_value(name: str, value: str) -> None:
    line = f"{name}: {value}"
    assume("\n" not in value and "\r" not in value)
    assert masked_line(line) == (f"{name}: ***" if value.strip() else line)


def _header_value(value: str) -> bool:
    """Whether a rendered header template can be ``value``: no CR, LF or NUL (refused) and
    no lone surrogate (refused in the template's text, U+FFFD in a record's value)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(c in value for c in "\r\n\x00")


# Lone surrogates were drawn too, which no prepared request holds and ``to_http``
# cannot write as UTF-8: the test failed when Hypothesis happened to draw one.
HEADER_VALUE = hostile_text("\t :=,;\"'{}*\u00e9", ["Bearer s3cr3t", "", " "]).filter(_header_value)


@given(
    headers=st.lists(
        st.tuples(
            st.sampled_from(["Authorization", "X-Id", "Cookie", "X-Api-Key", "Accept", "Key"]),
            HEADER_VALUE,
        ),
        max_size=5,
    ),
    body=st.one_of(st.none(), st.binary(max_size=40)),
)
def test_masked_http_of_a_request_is_the_masked_request(
    headers: list[tuple[str, str]], body: bytes | None
) -> None:
    """Masking the HTTP text of a request (an expected file) gives what to_http(mask=True) writes."""
    req = PreparedRequest("POST", "https://e.com/pb?token=1", tuple(headers), body, None, NOW)
    assert masked_http(req.to_http()) == req.to_http(mask=True)
    assert masked_http(req.to_http(mask=True)) == req.to_http(mask=True)


# ---------------------------------------------------------------------------
# The templates of secret headers
# ---------------------------------------------------------------------------


def test_the_repr_of_a_secret_header_template_masks_its_literal_text() -> None:
    """repr(notification.header_templates) showed the credential in the template's source."""
    n = Notification(
        "https://e.com/", headers={"Authorization": f"Bearer {SECRET} {{SubId1}}", "X-Id": "7"}
    )
    (auth, template), (_, plain) = n.header_templates
    assert auth == "Authorization"
    assert repr(template) == "<postback.Template format='header' source='****** ****** {SubId1}'>"
    assert template.source == f"Bearer {SECRET} {{SubId1}}"  # the data itself is intact
    assert SECRET not in repr(n.header_templates)
    assert SECRET not in repr(pickle.loads(pickle.dumps(template)))
    assert repr(plain) == "<postback.Template format='header' source='7'>"
    # A header template compiled on its own names no header: it is shown as written.
    alone = postback.compile(f"Bearer {SECRET}", format="header")
    assert SECRET in repr(alone)


def test_a_warning_in_a_secret_header_does_not_quote_its_literal_text() -> None:
    source = f"Bearer #{SECRET}# {{SubId1}}"
    (warning,) = postback.check(source, format="header")
    assert f"#{SECRET}#" in warning.message
    masked = mask_diagnostic(warning, source)
    assert SECRET not in masked.message
    assert masked.message.startswith("******** looks like")
    assert (masked.line, masked.column, masked.code) == (warning.line, warning.column, warning.code)
