"""What the page shows for its fields: every defect, the body, the request, ``classify``
and the record a received body reads back to.

``evaluate(state)`` is the whole answer to one keystroke.  Each template is checked
on its own (the url, each header value, the body), so a defect in one does not hide
those of another; the body is rendered as soon as it and the record hold, even while
another setting is wrong; the request is shown once every setting holds; a received
body is read back as soon as the body template holds (``receive.py``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from .. import Action, ConfigError, Format, RecordError, RenderError, Template, compile
from .findings import (
    Finding,
    HeaderLine,
    checked,
    config_finding,
    header_lines,
    number,
    read_record,
    template_findings,
)
from .present import pretty
from .receive import received
from .request import classified, notification, prepared
from .state import Settings, State

__all__ = ["BODY_FORMATS", "evaluate"]

#: The Body Format choices of the settings screen, in its words, by format name.
BODY_FORMATS: Final = {"query": "Query String", "json": "JSON", "xml": "XML"}


def _options(settings: Settings, findings: list[Finding]) -> dict[str, Any]:
    """The compile options of a notification file, if they are valid; else none."""
    options = dict(settings.options)
    if not options:
        return options
    try:
        checked("", "text", "options", options)
    except (ConfigError, TypeError) as exc:
        findings.append(config_finding("options", str(exc)))
        return {}
    return options


def _has_error(found: list[Finding]) -> bool:
    return any(f.severity == "error" for f in found)


def _template(
    field: str,
    source: str,
    fmt: str,
    options: Mapping[str, Any],
    findings: list[Finding],
    header: HeaderLine | None = None,
) -> bool:
    """Check one template into ``findings``; True if it has no error."""
    name = f"headers.{header.name}" if header is not None else field
    diagnostics = checked(source, fmt, name, options)
    if header is None:
        found = template_findings(field, diagnostics)
    else:
        found = template_findings(field, diagnostics, line=header.line, column=header.column)
    findings.extend(found)
    return not _has_error(found)


def _body_format(settings: Settings, findings: list[Finding]) -> str | None:
    try:
        fmt = Format.parse(settings.body_format).value
    except ConfigError:
        fmt = None
    if fmt not in BODY_FORMATS:
        choices = ", ".join(BODY_FORMATS.values())
        findings.append(config_finding("body_format", f"the Body Format must be one of {choices}"))
        return None
    return fmt


def _numbers(settings: Settings, values: dict[str, Any], findings: list[Finding]) -> None:
    delay: int | Decimal | Finding = 0
    if settings.min_delay.strip():
        delay = number(settings.min_delay, "min_delay", "Minimum Delay", fraction=True)
    limit: int | Decimal | Finding | None = None
    if settings.max_requests.strip():
        limit = number(settings.max_requests, "max_requests", "Maximum Requests", fraction=False)
    for key, value, default in (("min_delay", delay, 0), ("max_requests", limit, None)):
        if isinstance(value, Finding):
            findings.append(value)
            value = default
        values[key] = value


def _settings(
    settings: Settings, options: Mapping[str, Any], findings: list[Finding]
) -> tuple[dict[str, Any], list[HeaderLine], set[str], str | None]:
    """Check every setting: Notification's arguments, the header lines, the settings
    whose templates are defective, and the body's format."""
    broken: set[str] = set()
    values: dict[str, Any] = {"url": settings.url, "method": settings.method.strip() or "GET"}
    if not settings.url.strip():
        findings.append(config_finding("url", "the Server URL is required"))
        broken.add("url")
    elif not _template("url", settings.url, "url", options, findings):
        broken.add("url")
    fmt = _body_format(settings, findings)
    has_body = bool(settings.body.strip())
    if (
        has_body
        and fmt is not None
        and not _template("body", settings.body, fmt, options, findings)
    ):
        broken.add("body")
    sent = has_body and values["method"].upper() != "GET"
    values["body"] = settings.body if sent else None
    values["body_format"] = fmt if sent else None
    if sent and fmt is None:
        broken.add("body")
    lines, problems = header_lines(settings.headers)
    findings.extend(problems)
    for line in lines:
        if not _template("headers", line.value, "header", options, findings, line):
            broken.add(f"headers.{line.name}")
    values["headers"] = [(line.name, line.value) for line in lines]
    if problems:
        broken.add("headers")
    _numbers(settings, values, findings)
    for key in ("success_response", "error_response"):
        values[key] = getattr(settings, key) or None
    return values, lines, broken, fmt if has_body else None


def _body_template(
    settings: Settings, fmt: str | None, options: Mapping[str, Any], findings: list[Finding]
) -> Template | None:
    """The body template, compiled, if it has no error."""
    if fmt is None or any(f.field == "body" and f.severity == "error" for f in findings):
        return None
    return compile(settings.body, Format(fmt), name="body", **options)


def _body(
    template: Template | None,
    action: Action | None,
    state: State,
    findings: list[Finding],
) -> dict[str, object] | None:
    """The body rendered for the record, as sent and, if asked, pretty-printed."""
    if template is None or action is None:
        return None
    try:
        text = template.render(action)
    except (RenderError, RecordError) as exc:
        findings.append(Finding("record", "error", "render-error", exc.message))
        return None
    fmt = template.format.value
    shown = pretty(text, fmt) if state.pretty else text
    return {"text": text, "shown": shown, "format": fmt, "size": len(text.encode("utf-8"))}


def _request(
    values: dict[str, Any],
    options: Mapping[str, Any],
    lines: list[HeaderLine],
    broken: set[str],
    action: Action | None,
    state: State,
    findings: list[Finding],
) -> dict[str, object] | None:
    built = notification(values, options, lines, broken)
    findings.extend(built.findings)
    if built.notification is None or action is None:
        return None
    try:
        request = built.notification.prepare(action)
    except (RenderError, RecordError) as exc:
        findings.append(Finding("record", "error", "render-error", exc.message))
        return None
    return prepared(request, action, mask=state.mask)


def evaluate(state: State) -> dict[str, object]:
    """Return everything the page shows for ``state``, as JSON-ready data."""
    started = time.perf_counter()
    settings = state.settings
    findings: list[Finding] = []
    options = _options(settings, findings)
    values, lines, broken, fmt = _settings(settings, options, findings)
    record = read_record(state.record, options)
    action = record if isinstance(record, Action) else None
    if isinstance(record, Finding):
        findings.append(record)
    template = _body_template(settings, fmt, options, findings)
    body = _body(template, action, state, findings)
    request = _request(values, options, lines, broken, action, state, findings)
    response = state.response
    outcome = classified(
        values["success_response"], values["error_response"],
        response.status, response.headers, response.body,
    )  # fmt: skip
    if isinstance(outcome, Finding):
        findings.append(outcome)
        outcome = None
    return {
        "findings": [f.to_json() for f in findings],
        "body": body,
        "request": request,
        "classify": outcome,
        "received": received(template, state.received),
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 3),
    }
