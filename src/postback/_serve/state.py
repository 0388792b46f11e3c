"""The page's fields as it sends them: the settings screen, the record, a response and a
received body.

Every field is the text the page holds, exactly as typed; ``evaluate.py`` reads the
numbers and lines out of it, so that a defect can be reported where it was typed.  A
payload of the wrong shape (not an object, a field that is not a string) is refused
with a ``ConfigError`` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final

from .._errors import ConfigError

__all__ = [
    "EXTRA_CHOICES",
    "OPTION_KEYS",
    "Received",
    "Response",
    "Settings",
    "State",
    "state_from",
]

#: The notification file's keys that are not on impact.com's screen: the page keeps
#: them as a file gives them, and writes them back on export.
OPTION_KEYS: Final = (
    "timezone",
    "missing",
    "date_format",
    "extra_fields",
    "unknown_keys",
    "day_first",
)

#: What ``Template.parse`` may do with a key the template does not have.
EXTRA_CHOICES: Final = ("error", "keep")


@dataclass(frozen=True, slots=True)
class Settings:
    """The fields of impact.com's settings screen, as typed."""

    url: str = ""
    method: str = "POST"
    body: str = ""
    body_format: str = "json"
    headers: str = ""
    min_delay: str = ""
    max_requests: str = ""
    success_response: str = ""
    error_response: str = ""
    #: The compile options of a notification file (``OPTION_KEYS``), as TOML gives them.
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Response:
    """A response pasted to see what ``classify`` says: status, header lines, body."""

    status: str = "200"
    headers: str = ""
    body: str = ""


@dataclass(frozen=True, slots=True)
class Received:
    """A body a server received, to read back with the body template, and what to do
    with a key the template does not have (``extra``: ``"error"`` or ``"keep"``)."""

    body: str = ""
    extra: str = "error"


@dataclass(frozen=True, slots=True)
class State:
    """Everything the page sends: the settings, the record's JSON text, a response, a
    received body, and how to show the results (``pretty`` bodies, ``mask``ed secret
    headers)."""

    settings: Settings
    record: str = ""
    response: Response = field(default_factory=Response)
    received: Received = field(default_factory=Received)
    pretty: bool = False
    mask: bool = True


def _text(table: Mapping[str, Any], key: str, default: str, where: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}{key} must be a string, not {type(value).__name__}", setting=key)
    return value


def _table(value: object, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be an object, not {type(value).__name__}", setting=key)
    return value


def _options(value: object) -> dict[str, object]:
    table = _table(value, "options")
    unknown = sorted(str(key) for key in table if key not in OPTION_KEYS)
    if unknown:
        raise ConfigError(f"options: unknown key {unknown[0]!r}", setting="options")
    return {key: table[key] for key in OPTION_KEYS if table.get(key) is not None}


def settings_from(value: object) -> Settings:
    """Read the ``settings`` object of a payload."""
    table = _table(value, "settings")
    texts = {
        f.name: _text(table, f.name, f.default, "settings.")  # type: ignore[arg-type]
        for f in fields(Settings)
        if f.name != "options"
    }
    return Settings(**texts, options=_options(table.get("options", {})))


def _flag(table: Mapping[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false", setting=key)
    return value


def _received(value: object) -> Received:
    table = _table(value, "received")
    extra = _text(table, "extra", "error", "received.")
    if extra not in EXTRA_CHOICES:
        raise ConfigError(
            f"received.extra must be 'error' or 'keep', not {extra!r}", setting="extra"
        )
    return Received(body=_text(table, "body", "", "received."), extra=extra)


def state_from(payload: object) -> State:
    """Read the page's payload (parsed JSON) into a ``State``; ``ConfigError`` if its
    shape is wrong."""
    table = _table(payload, "the request")
    response = _table(table.get("response", {}), "response")
    return State(
        settings=settings_from(table.get("settings", {})),
        record=_text(table, "record", "", ""),
        response=Response(
            status=_text(response, "status", "200", "response."),
            headers=_text(response, "headers", "", "response."),
            body=_text(response, "body", "", "response."),
        ),
        received=_received(table.get("received", {})),
        pretty=_flag(table, "pretty", False),
        mask=_flag(table, "mask", True),
    )
