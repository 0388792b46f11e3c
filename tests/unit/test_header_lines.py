"""Headers given as "Name: value" lines, as typed on the settings screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import postback
from postback import ConfigError, Notification, TemplateError

URL = "https://e.com/pb"


def test_lines_equal_the_mapping_form() -> None:
    lines = Notification(URL, headers=["X-Token: {SubId1}"])
    mapping = Notification(URL, headers={"X-Token": "{SubId1}"})
    pairs = Notification(URL, headers=[("X-Token", "{SubId1}")])
    assert lines == mapping == pairs
    assert hash(lines) == hash(mapping)
    assert lines.headers == (("X-Token", "{SubId1}"),)
    action = postback.sample_action()
    assert lines.prepare(action) == mapping.prepare(action)
    assert lines.prepare(action).header("X-Token") == action.sub_id1


@pytest.mark.parametrize(
    ("line", "pair"),
    [
        ("X-A: 1", ("X-A", "1")),
        ("X-A:1", ("X-A", "1")),
        ("  X-A  :\t 1 2 \t", ("X-A", "1 2")),
        ("X-Url: https://e.com:8443/x", ("X-Url", "https://e.com:8443/x")),
        ("X-Empty:", ("X-Empty", "")),
        ("Authorization: Bearer {SubId1}", ("Authorization", "Bearer {SubId1}")),
    ],
)
def test_a_line_is_split_at_its_first_colon(line: str, pair: tuple[str, str]) -> None:
    assert Notification(URL, headers=[line]).headers == (pair,)


def test_lines_and_pairs_mix_and_keep_their_order() -> None:
    n = Notification(URL, headers=["X-B: 2", ("X-A", "1"), "X-C: {ActionId}"])
    assert n.headers == (("X-B", "2"), ("X-A", "1"), ("X-C", "{ActionId}"))


@pytest.mark.parametrize(
    ("headers", "setting", "message"),
    [
        (["X-A 1"], "headers", 'header line 1 has no colon (write "Name: value")'),
        (["X-A: 1", ""], "headers", 'header line 2 has no colon (write "Name: value")'),
        (["X A: 1"], "headers.X A", "header name 'X A' is not a valid HTTP token"),
        ([": 1"], "headers.", "header name '' is not a valid HTTP token"),
        (["X-A: 1", "x-a: 2"], "headers.x-a", "header 'x-a' is given twice"),
        (["Content-Length: 3"], "headers.Content-Length", "is set by the HTTP client"),
        (["Content-Type: text/plain"], "headers.Content-Type", "the request has no body"),
        ([5], "headers", "header entry 1 must be a (name, value) pair"),
        ("X-A: 1", "headers", "not a string: put each line in a list"),
    ],
)
def test_lines_are_validated_like_the_mapping(headers: Any, setting: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        Notification(URL, headers=headers)
    assert info.value.setting == setting
    assert message in str(info.value)


def test_a_bad_template_in_a_line_names_its_header() -> None:
    with pytest.raises(TemplateError) as info:
        Notification(URL, headers=["X-Sub: {SubID1}"])
    assert info.value.name == "headers.X-Sub"
    assert "{SubId1}" in str(info.value)


def test_a_notification_file_takes_an_array_of_lines(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(
        'url = "https://e.com/pb"\nheaders = ["X-Token: {SubId1}", "Accept: text/plain"]\n',
        encoding="utf-8",
    )
    n = Notification.from_file(path)
    assert n == Notification(URL, headers={"X-Token": "{SubId1}", "Accept": "text/plain"})
    path.write_text('url = "https://e.com/pb"\nheaders = ["X-Token {SubId1}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Notification.from_file(path)
    assert str(info.value) == f'{path}: header line 1 has no colon (write "Name: value")'
    assert info.value.setting == "headers"


def test_from_dict_takes_lines() -> None:
    n = Notification.from_dict({"url": URL, "headers": ["X-A: {ActionId}"]})
    assert n.headers == (("X-A", "{ActionId}"),)
