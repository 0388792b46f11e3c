"""Reading notification settings: a TOML file or text, its keys checked, ``body_file`` read.

The one path from a notification file to the values ``Notification`` is built from:
bytes, UTF-8 text, a TOML table (errors located by line and column), each key checked
against the settings it may name, and a ``body_file`` read relative to the file.
``Notification.from_file``, ``Notification.from_dict`` and the command line's
``prepare`` (also for standard input) all go through it.

A ``body_file`` is the one file a notification's settings name, and they may come
from a partner: it is read only when it is a regular file of at most
``MAX_BODY_FILE_SIZE`` bytes whose real path (symbolic links resolved) is inside the
body root, by default the notification file's folder (``_files.read_inside``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from .._errors import ConfigError
from .._files.confined import Refused, read_inside
from .._files.text import decode_text, read_text
from .._files.toml import parse_toml
from .._formats import Format, body_formats, format_spec, listed, without_final_line_ending
from .._messages import describe_value, short_repr, suggest
from .._options import DEFAULT_MAX_TEMPLATE_SIZE

__all__ = ["KEYS", "MAX_BODY_FILE_SIZE", "check_keys", "read_file"]

#: The largest ``body_file`` read, in bytes: the default ``max_template_size``.
MAX_BODY_FILE_SIZE: Final = DEFAULT_MAX_TEMPLATE_SIZE


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_headers(value: object) -> bool:
    if isinstance(value, Mapping):
        return all(isinstance(k, str) for k in value)
    return _is_str_list(value)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


#: Every key of a notification file: what its value must be, and the check of its type.
KEYS: Final[Mapping[str, tuple[str, Callable[[object], bool]]]] = {
    "url": ("a string (the URL template)", _is_str),
    "method": ("a string: 'GET' or 'POST'", _is_str),
    "body": ("a string (the body template)", _is_str),
    "body_file": ("a string (a path relative to the notification file)", _is_str),
    "body_format": (f"a string: {listed(body_formats(), 'or')}", _is_str),
    "headers": (
        'a table of header names to value templates, or an array of "Name: value" lines',
        _is_headers,
    ),
    "min_delay": ("a number of seconds", _is_number),
    "max_requests": ("a whole number of requests per second", _is_int),
    "success_response": ("a string", _is_str),
    "error_response": ("a string", _is_str),
    "timezone": ("a string (an IANA time zone name)", _is_str),
    "missing": ("a string: 'empty' or 'error'", _is_str),
    "extra_fields": ("a list of strings (field names)", _is_str_list),
    "date_format": ("a string: 'iso' or a strftime pattern", _is_str),
    "unknown_keys": ("a string: 'error', 'ignore' or 'extra'", _is_str),
    "day_first": ("true (04.03.2026 is 4 March) or false (3 April)", _is_bool),
}

# ---------------------------------------------------------------------------
# A file: bytes -> text -> TOML table
# ---------------------------------------------------------------------------


def read_file(
    path: str | os.PathLike[str], *, confined: bool = False
) -> tuple[dict[str, Any], Path]:
    """Read the notification file ``path``; return its TOML table and its ``Path``.

    An unreadable file, a file that is not UTF-8 text or invalid TOML raises
    ``ConfigError`` with the path (and the line and column of a bad byte or a TOML
    error).  With ``confined`` (golden tests) the file must be a regular file inside
    its own folder, symbolic links resolved.
    """
    file = Path(path)
    text = read_text(file, f"notification file {str(file)!r}", confined=confined)
    return parse_toml(text, str(file)), file


# ---------------------------------------------------------------------------
# A mapping: keys and value types, body_file
# ---------------------------------------------------------------------------


def check_keys(
    mapping: object,
    base_dir: str | os.PathLike[str] | None,
    body_root: str | os.PathLike[str] | None = None,
) -> tuple[dict[str, Any], str]:
    """Check the keys and value types of a settings mapping; read its ``body_file``.

    Returns the settings (a ``None`` value counts as absent; ``body_file`` replaced
    by the ``body`` read from it, relative to ``base_dir``, default the current
    directory) and the body's template name: ``"body"``, or the body file's path.
    The body file must be inside ``body_root`` (default: ``base_dir``).
    """
    if not isinstance(mapping, Mapping):
        raise ConfigError(
            f"notification settings must be a mapping (a TOML table), not {describe_value(mapping)}"
        )
    values: dict[str, Any] = {}
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise ConfigError(f"setting names must be strings, not {describe_value(key)}")
        spec = KEYS.get(key)
        if spec is None:
            close = suggest(key, KEYS, cutoff=0.6)
            hint = f"did you mean {close!r}?" if close else f"the keys are {', '.join(KEYS)}"
            raise ConfigError(f"unknown setting {key!r}: {hint}", setting=key)
        if value is None:
            continue
        expected, check = spec
        if not check(value):
            # A headers value is shown as the headers' repr shows them: no secret; a
            # string or bytes not at all, as it may be the credential alone.
            shown = describe_value(value)
            if key == "headers" and isinstance(value, str | bytes | bytearray):
                shown = "a string" if isinstance(value, str) else "bytes"
            elif key == "headers":
                # The masking rules load only to word this error: the project settings
                # import this table of keys, and ``postback check`` needs no masking.
                from .secrets import describe_headers

                shown = describe_headers(value)
            raise ConfigError(f"{key} must be {expected}, not {shown}", setting=key)
        values[key] = value
    if "url" not in values:
        raise ConfigError("the url setting is required", setting="url")
    if "body_file" not in values:
        return values, "body"
    if "body" in values:
        raise ConfigError("give either body or body_file, not both", setting="body_file")
    _check_path(values["body_file"])
    folder = Path(base_dir if base_dir is not None else ".")
    path = folder / values.pop("body_file")
    root = Path(body_root if body_root is not None else folder).absolute()
    values["body"] = _file_body(_read_body_file(path, root), values.get("body_format"))
    return values, str(path)


def _check_path(body_file: str) -> None:
    """Refuse a ``body_file`` that no file system can name (``Path.read_bytes`` would
    raise ``ValueError``): a NUL character, or one the file system cannot encode."""
    if "\0" in body_file:
        reason = "a NUL character, which no path can hold"
    else:
        try:
            os.fsencode(body_file)
            return
        except UnicodeEncodeError as exc:
            reason = f"{body_file[exc.start]!r}, which the file system's encoding cannot write"
    raise ConfigError(f"body_file {short_repr(body_file)} holds {reason}", setting="body_file")


def _read_body_file(path: Path, root: Path) -> str:
    try:
        data = read_inside(path, root, limit=MAX_BODY_FILE_SIZE)
    except Refused as exc:
        # Never a word of the refused file's content.
        hint = ", the folder body files are read from" if exc.outside else ""
        raise ConfigError(
            f"body_file {str(path)!r} {exc.reason}{hint}", setting="body_file"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"cannot read body_file {str(path)!r}: {reason}", setting="body_file"
        ) from None
    return decode_text(data, f"body_file {str(path)!r}", setting="body_file")


def _file_body(text: str, body_format: object) -> str:
    """Return the body template a body file's ``text`` holds.

    One final line ending is the file's, not the body's (editors add it).  In a
    one-line format compiling drops it (``template_text``), so it is left there:
    exactly one is dropped, whatever the format.
    """
    try:
        one_line = isinstance(body_format, str) and format_spec(Format.parse(body_format)).one_line
    except ConfigError:
        one_line = False  # the settings refuse it
    return text if one_line else without_final_line_ending(text)
