"""Reading notification settings: files, TOML text and mappings, and every error message."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from postback import ConfigError
from postback._sending.config import KEYS, MAX_BODY_FILE_SIZE, check_keys, read_file
from postback._sending.notification import Notification

ALL_KEYS = (
    "url, method, body, body_file, body_format, headers, min_delay, max_requests, "
    "success_response, error_response, timezone, missing, extra_fields, date_format, unknown_keys, "
    "day_first"
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
    assert err.message == (
        f"cannot read notification file {str(path)!r}: not UTF-8 text "
        "(byte 0xff at offset 21, line 1, column 22)"
    )


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
    assert err.message == (
        f"cannot read notification file {str(path)!r}: the file is {shown} (byte-order "
        "mark); save it as UTF-8"
    )
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
        f"cannot read body_file {str(path)!r}: not UTF-8 text "
        "(byte 0xe9 at offset 7, line 1, column 8)"
    )
    assert err.setting == "body_file"


def test_a_body_file_with_a_nul_character_is_a_config_error(tmp_path: Path) -> None:
    """``body_file = "a\\u0000b"`` raised ValueError ("embedded null byte") from
    Path.read_bytes: the value is checked before it is made a path."""
    err = _config_error(check_keys, {"url": "u", "body_file": "a\0b"}, tmp_path)
    assert err.message == "body_file 'a\\x00b' holds a NUL character, which no path can hold"
    assert err.setting == "body_file"
    path = tmp_path / "n.toml"
    path.write_text(
        'url = "https://e.com/"\nmethod = "POST"\nbody_format = "json"\nbody_file = "a\\u0000b"\n',
        encoding="utf-8",
    )
    err = _config_error(Notification.from_file, path)
    assert err.message == (
        f"{path}: body_file 'a\\x00b' holds a NUL character, which no path can hold"
    )
    assert err.setting == "body_file"


def test_a_body_file_the_file_system_cannot_encode_is_a_config_error(tmp_path: Path) -> None:
    err = _config_error(check_keys, {"url": "u", "body_file": "b\ud800.json"}, tmp_path)
    assert err.message == (
        "body_file 'b\\ud800.json' holds '\\ud800', which the file system's encoding cannot write"
    )
    assert err.setting == "body_file"


def test_a_notification_path_with_a_nul_character_is_a_config_error() -> None:
    err = _config_error(read_file, "n\0.toml")
    assert err.message == "cannot read notification file 'n\\x00.toml': embedded null byte"


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


def test_from_file_numbers_beyond_the_bounds(tmp_path: Path) -> None:
    """``min_delay`` of 400 digits raised OverflowError (int to float)."""
    path = tmp_path / "n.toml"
    path.write_text('url = "https://e.com/"\nmin_delay = ' + "9" * 400 + "\n", encoding="utf-8")
    err = _config_error(Notification.from_file, path)
    assert err.message == (
        f"{path}: min_delay {'9' * 57}... is too large: at most 86,399,999,913,600 seconds "
        "(999,999,999 days)"
    )
    assert err.setting == "min_delay"
    path.write_text('url = "https://e.com/"\nmax_requests = 0x' + "f" * 400 + "\n", "utf-8")
    err = _config_error(Notification.from_file, path)
    assert err.message.startswith(f"{path}: max_requests {int('f' * 400, 16)!r:.57}... is too")
    assert err.setting == "max_requests"


def test_from_file_names_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("n.toml").write_text('url = "https://e.com/"\nretries = 1\n', encoding="utf-8")
    err = _config_error(Notification.from_file, "./n.toml")
    assert err.message == "n.toml: unknown setting 'retries': did you mean 'extra_fields'?"


# ---------------------------------------------------------------------------
# body_file: only a regular file inside the notification's folder (or body_root)
# ---------------------------------------------------------------------------

SECRET = "root:x:0:0:SECRET-LINE"
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
needs_fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def _fifo(path: Path) -> None:
    """Make a FIFO at ``path``; if something opens it to read, a writer comes after 5 s
    and goes, so a reader that waits fails instead of hanging the test run."""
    os.mkfifo(path)

    def release() -> None:
        time.sleep(5)
        with contextlib.suppress(OSError):  # no reader: nothing waits
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=release, daemon=True).start()


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """``outside/secret.json`` beside ``project/n/`` (the notification's folder)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.json").write_text(SECRET, "utf-8")
    (tmp_path / "project" / "n").mkdir(parents=True)
    (tmp_path / "project" / "shared.json").write_text('{"id": "{ActionId}"}', "utf-8")
    return tmp_path


def _body_file_error(body_file: str, base: Path, **kwargs: Any) -> ConfigError:
    err = _config_error(check_keys, {"url": "u", "body_file": body_file}, base, **kwargs)
    assert err.setting == "body_file"
    assert SECRET not in err.message and "SECRET" not in repr(err)  # never the content
    return err


def test_body_file_outside_the_folder_is_refused(layout: Path) -> None:
    """A body_file could name any file (an absolute path, or ``..`` out of the folder),
    and the file became the body sent to the partner's URL, or was quoted in the
    TemplateError of the body."""
    folder = layout / "project" / "n"
    secret = layout / "outside" / "secret.json"
    err = _body_file_error(str(secret), folder)
    assert err.message == (
        f"body_file {str(secret)!r} is outside {str(folder)!r}, the folder body files are read from"
    )
    err = _body_file_error("../../outside/secret.json", folder)
    assert err.message == (
        f"body_file {str(folder / '../../outside/secret.json')!r} is outside "
        f"{str(folder)!r}, the folder body files are read from"
    )
    err = _body_file_error("/etc/passwd", folder)
    assert "is outside" in err.message


def test_body_file_through_from_file_names_the_file_and_the_setting(layout: Path) -> None:
    path = layout / "project" / "n" / "n.toml"
    path.write_text('url = "https://e.com/"\nmethod = "POST"\nbody_format = "json"\n'
                    'body_file = "/etc/passwd"\n', "utf-8")  # fmt: skip
    err = _config_error(Notification.from_file, path)
    assert err.message.startswith(f"{path}: body_file '/etc/passwd' is outside ")
    assert err.setting == "body_file"
    assert "root:" not in err.message


@needs_symlinks
def test_body_file_symlink_out_of_the_folder_is_refused(layout: Path) -> None:
    folder = layout / "project" / "n"
    secret = layout / "outside" / "secret.json"
    (folder / "body.json").symlink_to(secret)
    err = _body_file_error("body.json", folder)
    assert err.message == (
        f"body_file {str(folder / 'body.json')!r} is a symbolic link to "
        f"{os.path.realpath(secret)!r}, outside {str(folder)!r}, the folder body files are "
        "read from"
    )
    (folder / "dev").symlink_to("/dev/zero")
    assert "is a symbolic link to '/dev/zero'" in _body_file_error("dev", folder).message
    # A link that stays inside is followed.
    (folder / "real.json").write_text('{"a": 1}', "utf-8")
    (folder / "alias.json").symlink_to("real.json")
    values, _ = check_keys({"url": "u", "body_file": "alias.json"}, folder)
    assert values["body"] == '{"a": 1}'


def test_body_root_allows_a_wider_folder(layout: Path) -> None:
    folder = layout / "project" / "n"
    _body_file_error("../shared.json", folder)
    values, name = check_keys(
        {"url": "u", "body_file": "../shared.json"}, folder, layout / "project"
    )
    assert values["body"] == '{"id": "{ActionId}"}'
    assert name == str(folder / "../shared.json")
    path = folder / "n.toml"
    path.write_text('url = "https://e.com/"\nmethod = "POST"\nbody_format = "json"\n'
                    'body_file = "../shared.json"\n', "utf-8")  # fmt: skip
    _config_error(Notification.from_file, path)
    notification = Notification.from_file(path, body_root=layout / "project")
    assert notification.body == '{"id": "{ActionId}"}'
    table = {"url": "https://e.com/", "method": "POST", "body_format": "json",
             "body_file": "../shared.json"}  # fmt: skip
    assert Notification.from_dict(table, base_dir=folder, body_root=str(layout)) == notification
    # Still only inside it.
    _body_file_error("../../outside/secret.json", folder, body_root=layout / "project")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_body_file_device_is_refused_without_reading_it() -> None:
    """``body_file = "/dev/zero"`` read until the process ran out of memory."""
    err = _body_file_error("/dev/zero", Path("/dev"))
    assert err.message == "body_file '/dev/zero' is not a regular file (a device)"
    err = _body_file_error("zero", Path("/dev"), body_root="/")
    assert err.message == "body_file '/dev/zero' is not a regular file (a device)"


@needs_fifos
def test_body_file_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    _fifo(tmp_path / "pipe.json")
    err = _body_file_error("pipe.json", tmp_path)
    assert (
        err.message == f"body_file {str(tmp_path / 'pipe.json')!r} is not a regular file (a FIFO)"
    )


def test_body_file_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "body").mkdir()
    err = _body_file_error("body", tmp_path)
    assert (
        err.message == f"body_file {str(tmp_path / 'body')!r} is not a regular file (a directory)"
    )
    err = _body_file_error(".", tmp_path)
    assert err.message.endswith("is not a regular file (a directory)")


def test_body_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    assert MAX_BODY_FILE_SIZE == 1024 * 1024
    (tmp_path / "big.json").write_bytes(b'"' + b"x" * (MAX_BODY_FILE_SIZE - 2) + b'"')
    values, _ = check_keys({"url": "u", "body_file": "big.json"}, tmp_path)
    assert len(values["body"]) == MAX_BODY_FILE_SIZE
    (tmp_path / "big.json").write_bytes(b"x" * (MAX_BODY_FILE_SIZE + 1))
    err = _body_file_error("big.json", tmp_path)
    assert err.message == (
        f"body_file {str(tmp_path / 'big.json')!r} is larger than 1,048,576 bytes"
    )


def test_body_file_name_with_a_nul_is_a_config_error(tmp_path: Path) -> None:
    name = "a\x00b.json"
    err = _body_file_error(name, tmp_path)
    assert err.message == "body_file 'a\\x00b.json' holds a NUL character, which no path can hold"
