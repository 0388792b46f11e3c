"""Exhaustive sweeps of small templates: every one that compiles keeps its structure.

Every sequence of up to four tokens (literal dots, slashes, placeholders, joins) is
put in a URL path, and every one that compiles is rendered with a small set of
hostile records: the path after RFC 3986 ``remove_dot_segments`` and after WHATWG
parsing (``ada-url``) must be the rendered path, so no record and no number of items
removes a segment.  Likewise small query bodies must never render with a leading
``?``.  The counts are pinned so that a change of the sweep is seen.
"""

from __future__ import annotations

from itertools import product

from ada_url import URL

import postback
from postback import Action, Item
from references import remove_dot_segments, whatwg_dot

URL_TOKENS = [
    ".",
    "..",
    "/",
    "a",
    "%2e",
    "{SubId1}",
    "{SubId2}",
    '{join(items, i, "{i.sku}", "")}',
    '{join(items, i, "{i.sku}", "/")}',
    '{join(items, i, "{i.sku}", ".")}',
    '{join(items, i, ".", "")}',
]
# Empty, missing and dot values, with 0 to 3 items.
URL_RECORDS = [
    Action(sub_id1=a, sub_id2=b, items=[Item(sku=s) for s in skus])
    for a, b, skus in [
        (None, None, []),
        ("", "", [""]),
        (".", "", ["", ""]),
        ("", "..", ["", "", ""]),
        ("..", ".", [".", ""]),
        ("x", "", ["..", "x"]),
        ("...", "x", ["x", "x", "x"]),
        (None, ".", ["", "."]),
    ]
]


def templates(tokens: list[str], longest: int) -> list[str]:
    return ["".join(p) for n in range(1, longest + 1) for p in product(tokens, repeat=n)]


def test_url_sweep_keeps_every_normalised_path() -> None:
    compiled = refused = renders = render_errors = 0
    for middle in templates(URL_TOKENS, 4):
        source = f"https://h.example/s/{middle}/e"
        try:
            template = postback.compile(source, format="url", name="<sweep>")
        except postback.TemplateError:
            refused += 1
            continue
        compiled += 1
        for record in URL_RECORDS:
            try:
                url = template.render(record)
            except postback.RenderError as exc:
                # Only a value '.' or '..' that may be a whole segment is refused.
                assert exc.field in ("SubId1", "SubId2", "i.sku"), source
                render_errors += 1
                continue
            renders += 1
            path = url[len("https://h.example") :]
            assert remove_dot_segments(path) == path, (source, url)
            assert not any(whatwg_dot(s) for s in path.split("/")), (source, url)
            assert URL(url).pathname == path, (source, url)
    print(f"\nurl sweep: {compiled} compiled, {refused} refused, {renders} renders checked")
    assert compiled + refused == sum(len(URL_TOKENS) ** n for n in range(1, 5)) == 16104
    assert (compiled, refused) == (URL_SWEEP_COMPILED, 16104 - URL_SWEEP_COMPILED)
    assert render_errors > 0


URL_SWEEP_COMPILED = 4074

QUERY_TOKENS = [
    "?",
    "=",
    "&",
    "k",
    "{SubId1}",
    "{SubId2}",
    '{join(items, i, "{i.sku}", "")}',
    '{join(items, i, "&k={i.sku}", "")}',
    '{join(items, i, "{i.sku}=1", "&")}',
]
QUERY_RECORDS = [
    Action(sub_id1=a, sub_id2=b, items=[Item(sku=s) for s in skus])
    for a, b, skus in [(None, None, []), ("", "", [""]), ("", "", ["", ""]), ("x", "?", ["?"])]
]


def test_query_sweep_never_starts_with_a_question_mark() -> None:
    compiled = 0
    for source in templates(QUERY_TOKENS, 4):
        for fmt, prefix in (("query", ""), ("url", "https://h.example/?")):
            try:
                template = postback.compile(prefix + source, format=fmt, name="<sweep>")
            except postback.TemplateError:
                continue
            compiled += 1
            for record in QUERY_RECORDS:
                out = template.render(record)[len(prefix) :]
                assert not out.startswith("?"), (fmt, source, out)
    print(f"\nquery sweep: {compiled} of {2 * 7380} templates compiled")
    assert sum(len(QUERY_TOKENS) ** n for n in range(1, 5)) == 7380
    assert compiled == QUERY_SWEEP_COMPILED


QUERY_SWEEP_COMPILED = 634
