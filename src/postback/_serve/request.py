"""The notification the page's settings make, the request it prepares, and ``classify``.

``notification`` builds a ``postback.Notification`` from the settings the way a
sender would.  ``Notification`` stops at the first invalid setting; so that the page
lists every one at once, each refused setting is reported and set aside (left out, or
its default), and the rest is built again.  Only settings that all hold make a
notification whose request the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .. import Action, ConfigError, Notification, PreparedRequest, TemplateError
from .findings import Finding, HeaderLine, config_finding
from .present import curl_command

__all__ = ["Built", "classified", "notification", "prepared"]

#: A URL that stands in for a defective one while the other settings are checked.
_STAND_IN_URL: Final = "http://127.0.0.1/"

#: Each setting set aside, with the value that replaces it.
_DEFAULTS: Final[Mapping[str, Any]] = {
    "min_delay": 0,
    "max_requests": None,
    "success_response": None,
    "error_response": None,
}


@dataclass(slots=True)
class Built:
    """What the settings made: the notification if every setting holds, and the
    defects of the settings ``Notification`` refused."""

    notification: Notification | None = None
    findings: list[Finding] = field(default_factory=list)


def _header_line(headers: list[HeaderLine], setting: str) -> int | None:
    name = setting.partition(".")[2].lower()
    return next((h.line for h in headers if h.name.lower() == name), None)


def _set_aside(values: dict[str, Any], setting: str) -> bool:
    """Leave ``setting`` out of ``values``; False if it cannot be left out."""
    if setting == "url":
        values["url"] = _STAND_IN_URL
    elif setting == "method":
        values["method"] = "POST" if values.get("body") is not None else "GET"
    elif setting in ("body", "body_format", "body_file"):
        values["body"] = values["body_format"] = None
    elif setting.startswith("headers."):
        name = setting.partition(".")[2].lower()
        values["headers"] = [(n, v) for n, v in values["headers"] if n.lower() != name]
    elif setting == "headers":
        values["headers"] = []
    elif setting in _DEFAULTS:
        values[setting] = _DEFAULTS[setting]
    else:
        return False
    return True


def _field(setting: str) -> str:
    head = setting.partition(".")[0]
    if head in ("body_file",):
        return "body"
    return head if head in _FIELDS else "options"


_FIELDS: Final = frozenset(
    {"url", "method", "body", "body_format", "headers", "min_delay", "max_requests"}
    | {"success_response", "error_response"}
)


def notification(
    values: dict[str, Any],
    options: Mapping[str, Any],
    headers: list[HeaderLine],
    broken: set[str],
) -> Built:
    """Build the notification of ``values`` (``Notification``'s arguments), leaving out
    first the ``broken`` settings, whose defects are already listed."""
    built = Built()
    clean = not broken
    for setting in broken:
        _set_aside(values, setting)
    for _ in range(len(values) + len(headers) + 2):
        try:
            made = Notification(**values, **options)
        except ConfigError as exc:
            setting = exc.setting or ""
            line = _header_line(headers, setting) if setting.startswith("headers") else None
            built.findings.append(config_finding(_field(setting), exc.message, line))
        except TemplateError as exc:
            # Checked on its own already (the url, a header value, the body): listed.
            setting = exc.name
        else:
            built.notification = made if clean else None
            return built
        clean = False
        if not _set_aside(values, setting):
            return built
    return built  # pragma: no cover - every setting set aside has ended the loop


def _basis(action: Action) -> str:
    if action.cleared_date is not None:
        return "the action's ClearedDate"
    if action.event_date is not None:
        return "the action's EventDate (it has no ClearedDate)"
    return "now (the action has neither ClearedDate nor EventDate)"


def prepared(request: PreparedRequest, action: Action, *, mask: bool) -> dict[str, object]:
    """The prepared request as the page shows it: HTTP text, ``curl``, earliest send."""
    http = request.to_http(mask=mask).decode("utf-8", "replace")
    return {
        "http": http,
        "curl": curl_command(request, mask=mask),
        "not_before": request.not_before.isoformat(),
        "not_before_basis": _basis(action),
        "content_type": request.content_type,
    }


def _response_headers(text: str) -> list[tuple[str, str]]:
    pairs = []
    for line in text.split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip():
            pairs.append((name.strip(), value.strip()))
    return pairs


def classified(
    success: str | None, error: str | None, status: str, headers: str, body: str
) -> dict[str, object] | Finding | None:
    """What ``classify`` says of a response with ``status``, ``headers`` and ``body``
    under the success and error response settings (None while they are refused: the
    page lists why)."""
    text = status.strip()
    if not text.isdigit() or not text.isascii():
        return Finding(
            "response_status",
            "error",
            "invalid-response",
            f"the status must be a number such as 200, not {status!r}",
        )
    try:
        judge = Notification(_STAND_IN_URL, success_response=success, error_response=error)
    except ConfigError:
        return None
    outcome = judge.classify(int(text), body, headers=_response_headers(headers))
    return {
        "ok": outcome.ok,
        "reason": outcome.reason,
        "rule": outcome.rule,
        "retryable": outcome.retryable,
        "status": outcome.status,
    }
