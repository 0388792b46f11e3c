"""Judging a response as a notification's ``success_response`` and ``error_response`` say.

``Notification.classify`` reads a response here: ``error_response`` found in the body
is a failure; else, with ``success_response`` set, success is a 2xx status and
``success_response`` in the body; else a 2xx status.  Every reason names the status,
and a failure's says whether to retry (``retry_advice``).
"""

from __future__ import annotations

from .request import Outcome, ResponseHeaders, redirect_note, retry_advice

__all__ = ["classify_response"]


def _text(body: object) -> str:
    """Return a response body as text: bytes are UTF-8, invalid bytes replaced."""
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body).decode("utf-8", errors="replace")
    raise TypeError(f"body must be str, bytes or None, not {type(body).__name__}")


def classify_response(
    status: object,
    body: object,
    headers: ResponseHeaders | None,
    success_response: str | None,
    error_response: str | None,
) -> Outcome:
    """Judge a response (see ``Notification.classify``)."""
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(f"status must be an int HTTP status code, not {type(status).__name__}")
    text = _text(body)
    code = int(status)
    is_2xx = 200 <= code <= 299
    status_text = f"status {code} is {'' if is_2xx else 'not '}2xx{redirect_note(code, headers)}"
    if error_response is not None and error_response in text:
        return Outcome(
            False,
            f"error_response {error_response!r} found in the response body "
            f"({status_text}); do not retry: the receiver reported an error",
            "error_response",
            False,
            code,
        )
    if success_response is not None:
        return _by_success_response(
            code, is_2xx, status_text, success_response in text, success_response
        )
    if is_2xx:
        return Outcome(True, status_text, "status", False, code)
    retryable, advice = retry_advice(code)
    return Outcome(False, f"{status_text}; {advice}", "status", retryable, code)


def _by_success_response(
    code: int, is_2xx: bool, status_text: str, found: bool, success_response: str
) -> Outcome:
    where = "found" if found else "not found"
    reason = f"success_response {success_response!r} {where} in the response body"
    if is_2xx and found:
        return Outcome(True, f"{status_text} and {reason}", "success_response", False, code)
    if is_2xx:
        return Outcome(
            False,
            f"{reason} ({status_text}); do not retry: the receiver answered, "
            "but not with success_response",
            "success_response",
            False,
            code,
        )
    retryable, advice = retry_advice(code)
    reason = f"{status_text} ({reason}); {advice}"
    return Outcome(False, reason, "success_response", retryable, code)
