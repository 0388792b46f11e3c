"""What type checkers must accept and refuse in the results and options of postback.

Written by hand, beside check_examples.py (generated from the documentation); both are
checked with ``mypy --strict tests/typing`` (nox -s lint), and tests/unit/test_bulk.py
runs mypy on this module too.  The functions at the top must type-check as they are:
``if result.ok:`` narrows a ``Rendered`` to a result whose ``body`` is a ``str`` and a
``Prepared`` to one whose ``request`` is a ``PreparedRequest``, and ``format=`` takes
the names of the formats.  The last function holds calls that are wrong on purpose: if
mypy stopped seeing an error, ``warn_unused_ignores`` (part of ``--strict``) would fail
the check.
"""

from __future__ import annotations

from collections.abc import Iterable

import postback


def bodies(template: postback.Template, lines: Iterable[bytes]) -> list[str]:
    """After ``if result.ok:`` the body is a str; otherwise the error is set."""
    out: list[str] = []
    for result in template.render_many(lines):
        if result.ok:
            out.append(result.body.upper())
        else:
            out.append(f"{result.line}: {result.error.code}: {result.error.message}")
    return out


def requests(
    notification: postback.Notification, records: Iterable[object]
) -> list[postback.PreparedRequest]:
    """``not result.ok`` narrows the other way: what follows has its request."""
    out: list[postback.PreparedRequest] = []
    for result in notification.prepare_many(records):
        if not result.ok:
            print(result.error.field)
            continue
        out.append(result.request)
        print(result.request.url, result.request.not_before)
    return out


def body_length(result: postback.Rendered) -> int:
    """A ``Rendered`` in a signature narrows too, and so does ``error is None``."""
    if result.error is None:
        return len(result.body)
    return -len(result.error.message)


def formats() -> list[postback.Template]:
    """``format=`` takes a ``Format`` or a format's name (``postback.FormatName``)."""
    name: postback.FormatName = "querystring"
    chosen: postback.FormatName = "xml" if name else "json"
    return [
        postback.compile("https://e.com/{ActionId}", format="url"),
        postback.compile("a={ActionId}", format=name),
        postback.compile("<a>{ActionId}</a>", format=chosen),
        postback.compile("{ActionId}", postback.Format.HEADER),
        postback.compile("{ActionId}", format=postback.Format.parse("Query String")),
        *(postback.compile("x", format=n) for n in ("text", "form", "query_string")),
    ]


def checks() -> None:
    postback.check('{"a": "{ActionId}"}', format="json")
    postback.Notification("https://e.com/", method="POST", body="a=1", body_format="form")


def deliberately_wrong(result: postback.Rendered, prepared: postback.Prepared) -> None:
    """Calls mypy must reject."""
    postback.compile("{CampaignId}", format="jsn")  # type: ignore[arg-type]
    postback.check("{CampaignId}", format="JSON ")  # type: ignore[arg-type]
    postback.Notification("https://e.com/", body="a=1", body_format="yaml")  # type: ignore[arg-type]
    text: str = "json"
    postback.compile("{CampaignId}", format=text)  # type: ignore[arg-type]
    postback.load("templates/order.json", format="jsn")  # type: ignore[arg-type]
    postback.Template.from_file("templates/order.json", format="jsn")  # type: ignore[arg-type]
    len(result.body)  # type: ignore[arg-type]
    print(prepared.request.url)  # type: ignore[union-attr]
    if not result.ok:
        len(result.body)  # type: ignore[arg-type]
