"""Reading notification settings: files, TOML text and mappings, and every error message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from postback import ConfigError
from postback._config import KEYS, check_keys, located, parse_toml, read_file
from postback._notification import Notification

ALL_KEYS = (
    "url, method, body, body_file, body_format, headers, min_delay, max_requests, "
    "success_response, error_response, timezone, missing, extra_fields, date_format, unknown_keys"
)


def _config_error(call: Any, *args: Any, **kwargs: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        call(*args, **kwargs)
    assert info.value.__cause__ is None
    assert str(info.value) == info.value.message
    return info.value


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------


def test_read_file_returns_the_table_and_the_path(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_bytes(b'\xef\xbb\xbfurl = "https://e.com/"\n[headers]\nX-A = "1"\n')
    table, file = read_file(str(path))
    assert table == {"url": "https://e.com/", "headers": {"X-A": "1"}}
    assert file == path


def test_read_file_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    err = _config_error(read_file, missing)
    assert (
        err.message == f"cannot read notification file {str(missing)!r}: No such file or directory"
    )
    assert err.setting is None
    err = _config_error(read_file, tmp_path)
    assert err.message.startswith(f"cannot read notification file {str(tmp_path)!r}: ")


def test_read_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_bytes(b'url = "https://e.com/\xff"\n')
    err = _config_error(read_file, path)
    assert err.message == f"{path}: not UTF-8 text (byte 0xff at offset 21)"


@pytest.mark.parametrize(
    ("encoding", "name"), [("utf-16", "UTF-16"), ("utf-16-be", None), ("utf-32", "UTF-32")]
)
def test_a_notification_file_in_utf16_is_named_as_such(
    tmp_path: Path, encoding: str, name: str | None
) -> None:
    """A UTF-16 file was "not UTF-8 text (invalid byte at offset 0)": true, but no help
    to whoever saved it; the byte-order mark says what it is and what to do."""
    path = tmp_path / "n.toml"
    text = 'url = "https://e.com/"\n'
    path.write_bytes(("\ufeff" + text if name is None else text).encode(encoding))
    err = _config_error(read_file, path)
    shown = name or "UTF-16"
    assert err.message == f"{path}: the file is {shown} (byte-order mark); save it as UTF-8"
    (tmp_path / "body.json").write_bytes('{"a": 1}'.encode("utf-16"))
    err = _config_error(check_keys, {"url": "u", "body_file": "body.json"}, tmp_path)
    assert err.message == (
        f"cannot read body_file {str(tmp_path / 'body.json')!r}: the file is UTF-16 "
        "(byte-order mark); save it as UTF-8"
    )


def test_read_file_invalid_toml_is_located(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text('url = "https://e.com/"\nmethod = \n', encoding="utf-8")
    err = _config_error(read_file, path)
    assert re.fullmatch(rf"{re.escape(str(path))}:2:10: invalid TOML: [^()]+", err.message)


def test_parse_toml_locates_an_error_at_the_end(tmp_path: Path) -> None:
    err = _config_error(parse_toml, 'url = "https://e.com/"\nmethod = ', "n.toml")
    assert re.fullmatch(r"n\.toml:2:10: invalid TOML: .+ at the end of the file", err.message)


def test_parse_toml_without_locating_keeps_tomllibs_wording() -> None:
    err = _config_error(parse_toml, 'url = "x"\nurl = "y"\n', "<stdin>", locate=False)
    assert re.fullmatch(r"<stdin>: invalid TOML: .+ \(at line 2, column 10\)", err.message)
    located_err = _config_error(parse_toml, 'url = "x"\nurl = "y"\n', "<stdin>")
    assert re.fullmatch(r"<stdin>:2:10: invalid TOML: [^()]+", located_err.message)


def test_located_prefixes_config_errors_and_keeps_the_setting() -> None:
    with pytest.raises(ConfigError) as info, located("n.toml"):
        raise ConfigError("min_delay must be 0 or more seconds, not -3", setting="min_delay")
    assert info.value.message == "n.toml: min_delay must be 0 or more seconds, not -3"
    assert info.value.setting == "min_delay"
    assert info.value.__cause__ is None
    with pytest.raises(ValueError, match=r"^other$"), located("n.toml"):
        raise ValueError("other")


# ---------------------------------------------------------------------------
# mappings
# ---------------------------------------------------------------------------


def test_check_keys_returns_the_settings_and_the_body_name() -> None:
    values, body_name = check_keys(
        {"url": "https://e.com/", "method": None, "max_requests": 3}, None
    )
    assert values == {"url": "https://e.com/", "max_requests": 3}
    assert body_name == "body"


def test_check_keys_reads_the_body_file_relative_to_base_dir(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(b'\xef\xbb\xbf{"a": 1}\r\n\r\n')
    values, body_name = check_keys({"url": "u", "body_file": "b.json"}, tmp_path)
    assert values == {"url": "u", "body": '{"a": 1}\r\n'}  # only the final line ending goes
    assert body_name == str(tmp_path / "b.json")


@pytest.mark.parametrize(
    ("mapping", "message", "setting"),
    [
        (["url"], "notification settings must be a mapping (a TOML table), not ['url'] (list)", None),
        ({1: "x"}, "setting names must be strings, not 1 (int)", None),
        ({"url": "u", "metod": "GET"}, "unknown setting 'metod': did you mean 'method'?", "metod"),
        ({"URL": "u"}, "unknown setting 'URL': did you mean 'url'?", "URL"),
        ({"url": "u", "max_request": 3}, "unknown setting 'max_request': did you mean 'max_requests'?", "max_request"),
        ({"url": "u", "retries": 3}, "unknown setting 'retries': did you mean 'extra_fields'?", "retries"),
        ({"url": "u", "zzzzzz": 3}, f"unknown setting 'zzzzzz': the keys are {ALL_KEYS}", "zzzzzz"),
        ({"url": "u", "max_requests": "ten"}, "max_requests must be a whole number of requests per second, not 'ten' (str)", "max_requests"),
        ({"url": "u", "min_delay": True}, "min_delay must be a number of seconds, not True (bool)", "min_delay"),
        ({"url": "u", "headers": ["X-A: 1", 2]}, """headers must be a table of header names to value templates, or an array of "Name: value" lines, not ['X-A: 1', 2] (list)""", "headers"),
        ({"url": "u", "extra_fields": "A"}, "extra_fields must be a list of strings (field names), not 'A' (str)", "extra_fields"),
        ({"url": "u" * 100, "method": 1}, "method must be a string: 'GET' or 'POST', not 1 (int)", "method"),
        ({"url": ["u" * 100]}, "url must be a string (the URL template), not ['" + "u" * 55 + "... (list)", "url"),
        ({"method": "GET"}, "the url setting is required", "url"),
        ({"url": None}, "the url setting is required", "url"),
        ({"url": "u", "body": "b", "body_file": "b.json"}, "give either body or body_file, not both", "body_file"),
    ],
)  # fmt: skip
def test_check_keys_errors(mapping: Any, message: str, setting: str | None) -> None:
    err = _config_error(check_keys, mapping, None)
    assert err.message == message
    assert err.setting == setting


def test_check_keys_body_file_errors(tmp_path: Path) -> None:
    err = _config_error(check_keys, {"url": "u", "body_file": "nope.json"}, tmp_path)
    path = tmp_path / "nope.json"
    assert err.message == f"cannot read body_file {str(path)!r}: No such file or directory"
    assert err.setting == "body_file"
    (tmp_path / "latin1.json").write_bytes(b'{"a": "\xe9"}')
    err = _config_error(check_keys, {"url": "u", "body_file": "latin1.json"}, tmp_path)
    path = tmp_path / "latin1.json"
    assert err.message == (
        f"cannot read body_file {str(path)!r}: not UTF-8 text (byte 0xe9 at offset 7)"
    )
    assert err.setting == "body_file"


def test_every_key_is_a_setting_of_notification() -> None:
    import inspect

    parameters = set(inspect.signature(Notification).parameters)
    assert set(KEYS) - {"body_file"} == parameters


# ---------------------------------------------------------------------------
# through Notification.from_file
# ---------------------------------------------------------------------------


def test_from_file_prefixes_setting_errors_with_the_path(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text('url = "https://e.com/"\nmin_delay = -3\n', encoding="utf-8")
    err = _config_error(Notification.from_file, path)
    assert err.message == f"{path}: min_delay must be 0 or more seconds, not -3"
    assert err.setting == "min_delay"
    path.write_text('url = "https://e.com/"\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    err = _config_error(Notification.from_file, path)
    assert err.message == (
        f"{path}: unknown timezone 'Mars/Olympus': use an IANA name such as 'UTC' or "
        "'America/New_York'"
    )
    assert err.setting == "timezone"


def test_from_file_names_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("n.toml").write_text('url = "https://e.com/"\nretries = 1\n', encoding="utf-8")
    err = _config_error(Notification.from_file, "./n.toml")
    assert err.message == "n.toml: unknown setting 'retries': did you mean 'extra_fields'?"
