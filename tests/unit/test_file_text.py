"""Reading a file as text (``_files.text``): one wording for every file postback reads."""

from __future__ import annotations

import io
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postback import ConfigError
from postback._files.text import (
    UnreadableFileError,
    decode_text,
    read_bytes,
    read_input,
    read_text,
)


def _unreadable(call: object, *args: object, **kwargs: object) -> UnreadableFileError:
    with pytest.raises(UnreadableFileError) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert info.value.__cause__ is None
    return info.value


def test_text_is_utf8_without_its_byte_order_mark() -> None:
    assert decode_text("\ufeffa\u00e9\n".encode(), "template t.json") == "a\u00e9\n"
    assert decode_text(b"", "template t.json") == ""


def test_a_bad_byte_is_placed_at_its_offset_line_and_column() -> None:
    err = _unreadable(decode_text, b'{"a":\r\n "\xc3\xa9\xff"}', "template t.json", setting="path")
    assert err.message == (
        "cannot read template t.json: not UTF-8 text (byte 0xff at offset 11, line 2, column 4)"
    )
    assert (err.line, err.column, err.setting) == (2, 4, "path")
    assert isinstance(err, ConfigError)


def test_after_a_byte_order_mark_the_bad_byte_is_the_one_named() -> None:
    """The "utf-8-sig" codec counts its error offset without the byte order mark:
    the message named the byte three before the bad one, at an offset three short."""
    err = _unreadable(decode_text, b"\xef\xbb\xbfa\nb\xfeccc", "record r.json")
    assert err.message.endswith("(byte 0xfe at offset 6, line 2, column 2)")
    assert (err.line, err.column) == (2, 2)


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-16-le", None), ("utf-32", "UTF-32"), ("utf-32-be", None)],
)
def test_a_file_saved_as_utf16_or_utf32_is_named_as_such(encoding: str, name: str | None) -> None:
    text = "\ufeffurl = 1\n" if name is None else "url = 1\n"
    data = text.encode(encoding)
    shown = name or encoding.upper()[:6]
    err = _unreadable(decode_text, data, "settings file postback.toml")
    assert err.message == (
        f"cannot read settings file postback.toml: the file is {shown} (byte-order mark); "
        "save it as UTF-8"
    )
    err = _unreadable(decode_text, data, "template <stdin>", subject="the input")
    assert err.message.endswith(f": the input is {shown} (byte-order mark); save it as UTF-8")


@given(st.binary(max_size=64))
def test_any_bytes_are_text_or_an_unreadable_file_error(data: bytes) -> None:
    try:
        text = decode_text(data, "template t.json")
    except UnreadableFileError as err:
        assert err.message.startswith("cannot read template t.json: ")
        assert err.line >= 1 and err.column >= 1
    else:
        assert text == data.decode("utf-8-sig")


def test_the_error_pickles_with_its_place() -> None:
    err = _unreadable(decode_text, b"a\n\xff", "template t.json", setting="path")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is UnreadableFileError
    assert (copy.message, copy.line, copy.column, copy.setting) == (
        err.message,
        2,
        1,
        "path",
    )


def test_a_file_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    err = _unreadable(read_text, tmp_path / "missing.json", "template missing.json")
    assert err.message == "cannot read template missing.json: No such file or directory"
    assert (err.line, err.column) == (1, 1)
    err = _unreadable(read_bytes, tmp_path, "template d", setting="path")
    assert err.message.startswith("cannot read template d: ")
    assert err.setting == "path"


def test_a_path_with_a_nul_character_is_an_unreadable_file() -> None:
    """``Path.read_bytes`` raises ValueError for a NUL in the path, which escaped
    ``postback.load`` and ``Template.from_file`` as it was."""
    err = _unreadable(read_text, "a\0b.json", "template a.json")
    assert err.message == "cannot read template a.json: embedded null byte"


def test_a_confined_read_refuses_a_link_out_of_its_folder(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("s3cret", "utf-8")
    folder = tmp_path / "case"
    folder.mkdir()
    link = folder / "t.json"
    try:
        link.symlink_to(outside)
    except OSError:
        pytest.skip("symbolic links are not available")
    assert read_text(link, "template t.json") == "s3cret"
    err = _unreadable(read_text, link, "template t.json", confined=True)
    assert err.message.startswith("cannot read template t.json: it ")
    assert "s3cret" not in err.message


def test_standard_input_is_read_for_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin(io.TextIOWrapper):
        pass

    monkeypatch.setattr(sys, "stdin", Stdin(io.BytesIO(b"\xef\xbb\xbf{}")))
    assert read_input("-", "record") == "{}"
    monkeypatch.setattr(sys, "stdin", Stdin(io.BytesIO("{}".encode("utf-16"))))
    err = _unreadable(read_input, "-", "record")
    assert err.message == (
        "cannot read record <stdin>: the input is UTF-16 (byte-order mark); save it as UTF-8"
    )
    monkeypatch.setattr(sys, "stdin", None)
    err = _unreadable(read_input, "-", "template")
    assert err.message == "cannot read the template from stdin: there is no stdin"
