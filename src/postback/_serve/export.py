"""The files the page downloads: the notification file and the body template.

``notification_toml`` writes the settings as a notification file that
``postback check`` and ``Notification.from_file`` read back to exactly the typed
values: strings as TOML strings (the body as a multi-line literal string where TOML
can hold it as written), the header lines as an array of ``"Name: value"`` lines in
the order typed, the numbers as numbers.  Nothing is written to disk here: the page
downloads the text through the browser.
"""

from __future__ import annotations

import re
from typing import Final

from .. import ConfigError, Format
from .findings import Finding, header_lines, number
from .state import OPTION_KEYS, Settings

__all__ = ["body_file_name", "notification_toml", "toml_string"]

_ESCAPES: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_NEEDS_ESCAPE: Final = re.compile(r'["\\\x00-\x1f\x7f]')
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# What a multi-line literal string cannot hold as written: a control character other
# than a tab or a line feed (a CR among them), and three quotes in a row.
_NOT_LITERAL: Final = re.compile("[\x00-\x08\x0a-\x1f\x7f]|'''")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _scalar(value: str, key: str) -> str:
    if _SURROGATE.search(value):
        raise ConfigError(
            f"{key} holds a lone surrogate (an unpaired half of a UTF-16 pair), which a "
            "TOML file cannot hold: remove it",
            setting=key,
        )
    return value


def toml_string(value: str, key: str = "value") -> str:
    """Return ``value`` as a TOML basic string (one line); ``ConfigError`` naming ``key``
    for text no TOML file can hold."""
    return '"' + _NEEDS_ESCAPE.sub(_escaped, _scalar(value, key)) + '"'


def _body_string(body: str) -> str:
    """The body as a multi-line literal string, as written, where TOML allows it."""
    _scalar(body, "body")
    plain = body.replace("\n", "").replace("\t", "")
    if _NOT_LITERAL.search(plain) or "'''" in body or body.endswith("'"):
        return toml_string(body, "body")
    # The line break right after the opening quotes is not part of the string.
    return "'''\n" + body + "'''"


def _option(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value, key)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(toml_string(v, key) for v in value) + "]"
    raise ConfigError(f"{key} must be a string, true/false or a list of names", setting=key)


def _numbers(settings: Settings) -> list[str]:
    lines = []
    for key, label, fraction in (
        ("min_delay", "Minimum Delay", True),
        ("max_requests", "Maximum Requests", False),
    ):
        text = getattr(settings, key).strip()
        if not text:
            continue
        value = number(text, key, label, fraction=fraction)
        if isinstance(value, Finding):
            raise ConfigError(value.message, setting=key)
        lines.append(f"{key} = {value}")
    return lines


def _format(name: str) -> str:
    try:
        return Format.parse(name).value
    except ConfigError:
        return name


def notification_toml(settings: Settings) -> str:
    """Return the notification file of ``settings``, as ``postback check`` reads it."""
    post = settings.method.strip().upper() != "GET"
    lines = [
        "# A notification for impact.com's Event Notifications settings screen",
        "# (Action Clearing Events), written by the postback playground.",
        "# Check it with: postback check notification.toml",
        "",
        f"url = {toml_string(settings.url, 'url')}",
        f"method = {toml_string(settings.method.strip().upper() or 'GET', 'method')}",
    ]
    if post and settings.body.strip():
        lines.append(f"body_format = {toml_string(_format(settings.body_format), 'body_format')}")
        lines.append(f"body = {_body_string(settings.body)}")
    headers, _problems = header_lines(settings.headers)
    if headers or _problems:
        typed = [line.strip() for line in settings.headers.split("\n") if line.strip()]
        lines.append(f"headers = [{', '.join(toml_string(h, 'headers') for h in typed)}]")
    lines.extend(_numbers(settings))
    for key in ("success_response", "error_response"):
        value = getattr(settings, key)
        if value:
            lines.append(f"{key} = {toml_string(value, key)}")
    for key in OPTION_KEYS:
        if key in settings.options:
            lines.append(f"{key} = {_option(key, settings.options[key])}")
    return "\n".join(lines) + "\n"


#: The extension of a body template file, by body format.
_SUFFIXES: Final = {"json": ".json", "xml": ".xml", "query": ".qs"}


def body_file_name(body_format: str) -> str:
    """The name the body template downloads as: ``body.json``, ``body.xml``, ``body.qs``."""
    return "body" + _SUFFIXES.get(body_format, ".txt")
