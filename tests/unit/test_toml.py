"""TOML with positions (``_files.toml``): errors at their line and column, bounds
checked before ``tomllib`` reads the text, and ``ConfigError`` prefixed with the file."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given

from postback import ConfigError
from postback._files.toml import TomlError, load_toml, located, parse_toml
from postback._sending.config import KEYS
from strategies import toml_documents


def _config_error(call: Any, *args: Any, **kwargs: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        call(*args, **kwargs)
    assert info.value.__cause__ is None
    return info.value


def test_parse_toml_locates_an_error_at_the_end() -> None:
    err = _config_error(parse_toml, 'url = "https://e.com/"\nmethod = ', "n.toml")
    assert re.fullmatch(r"n\.toml:2:10: invalid TOML: .+ at the end of the file", err.message)


def test_parse_toml_without_locating_keeps_tomllibs_wording() -> None:
    err = _config_error(parse_toml, 'url = "x"\nurl = "y"\n', "<stdin>", locate=False)
    assert re.fullmatch(r"<stdin>: invalid TOML: .+ \(at line 2, column 10\)", err.message)
    located_err = _config_error(parse_toml, 'url = "x"\nurl = "y"\n', "<stdin>")
    assert re.fullmatch(r"<stdin>:2:10: invalid TOML: [^()]+", located_err.message)


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        ("x = " + "[" * 2000 + "]" * 2000, 1, 105, "arrays and inline tables nested more than 100 levels deep"),
        ('url = "u"\nx = ' + "{a = " * 2000 + "1" + "}" * 2000, 2, 505, "arrays and inline tables nested more than 100 levels deep"),
        ('url = "u"\nmin_delay = ' + "9" * 5000, 2, 13, "a number of more than 1,000 digits"),
        ('url = "u"\nmax_requests = -' + "9" * 1001, 2, 17, "a number of more than 1,000 digits"),
    ],
)  # fmt: skip
def test_nesting_and_long_numbers_are_refused_before_tomllib_reads_them(
    text: str, line: int, column: int, reason: str
) -> None:
    """Deep nesting raised RecursionError out of tomllib, and an integer of more than
    4,300 digits ValueError; both are errors at their line and column now."""
    err = _config_error(parse_toml, text, "n.toml")
    assert err.message == f"n.toml:{line}:{column}: {reason}"
    err = _config_error(parse_toml, text, "<stdin>", locate=False)
    assert err.message == f"<stdin>: {reason} (at line {line}, column {column})"
    with pytest.raises(TomlError) as info:
        load_toml(text)
    assert (info.value.message, info.value.line, info.value.column) == (reason, line, column)


@given(toml_documents(list(KEYS)))
def test_any_toml_text_is_a_table_or_a_config_error(text: str) -> None:
    """Whatever the text holds (lone surrogates included), tomllib is given nothing
    it recurses on or converts in quadratic time: a table, or a ConfigError."""
    try:
        table = parse_toml(text, "n.toml")
    except ConfigError as exc:
        assert exc.message.startswith("n.toml:")
        return
    assert isinstance(table, dict)


def test_load_toml_words_tomllibs_errors() -> None:
    with pytest.raises(TomlError) as info:
        load_toml('url = "x"\nurl = "y"\n')
    assert (info.value.line, info.value.column) == (2, 10)
    assert re.fullmatch(r"invalid TOML: [^()]+", info.value.message)
    assert re.fullmatch(r"invalid TOML: .+ \(at line 2, column 10\)", info.value.worded)
    with pytest.raises(TomlError) as info:
        load_toml("a = 1\nb = ")
    assert (info.value.line, info.value.column) == (2, 5)
    assert info.value.message.endswith(" at the end of the file")
    assert load_toml("x = " + "[" * 100 + "]" * 100 + "\ny = " + "9" * 1000) == {
        "x": load_toml("x = " + "[" * 100 + "]" * 100)["x"],
        "y": 10**1000 - 1,
    }


def test_located_prefixes_config_errors_and_keeps_the_setting() -> None:
    with pytest.raises(ConfigError) as info, located("n.toml"):
        raise ConfigError("min_delay must be 0 or more seconds, not -3", setting="min_delay")
    assert info.value.message == "n.toml: min_delay must be 0 or more seconds, not -3"
    assert info.value.setting == "min_delay"
    assert info.value.__cause__ is None
    with pytest.raises(ValueError, match=r"^other$"), located("n.toml"):
        raise ValueError("other")


def test_the_reason_is_tomllibs_words_without_the_place() -> None:
    """``postback init`` says why TOML refuses a table; it read tomllib's message
    again to cut its position off, and now takes the reason of the one reader."""
    with pytest.raises(TomlError) as info:
        load_toml("[tool]\na = 1\n[tool]\nb = 2\n")
    assert info.value.message == f"invalid TOML: {info.value.reason}"
    assert "line" not in info.value.reason and info.value.reason
    with pytest.raises(TomlError) as info:
        load_toml("x = " + "[" * 200 + "]" * 200)
    assert info.value.reason == info.value.message
    assert info.value.message == "arrays and inline tables nested more than 100 levels deep"
