"""Other systems' macros: how they look, and what to write instead in a postback template.

Templates moved from another network or tracker keep that system's macros: CAKE's
``#s2#``, Awin's ``!!!awc!!!``, Everflow's or TUNE's (HasOffers) ``{transaction_id}``, a
template engine's ``{{name}}`` or ``${name}``.  In this language they are literal text
(or unknown fields), so the postback would carry the macro itself instead of a value.
This module holds the table of the common ones and the wording of the advice; the
checker finds them in a template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal, NamedTuple

from ._messages import show

__all__ = [
    "MACROS",
    "MUSTACHE",
    "TEMPLATE_LITERAL",
    "Family",
    "Found",
    "Macro",
    "advice",
    "describe",
    "find_in_text",
    "lookup",
]

Family = Literal["cake", "awin", "braces"]
"""How a system writes its macros: ``#name#``, ``!!!name!!!`` or ``{name}``."""

# Where each advice that is not a single field points to.
_CLICK_ID: Final = (
    "what the partner passed on the tracking link (its click id, a sub id) comes back "
    "in the field it was passed in: {SubId1}, {SubId2}, {SubId3} or {SharedId}"
)
_UNIX: Final = 'write {EventDate} and compile with date_format="unix"'


class Macro(NamedTuple):
    """One known macro: who writes it, what it holds, and what to write instead.

    ``field`` is the placeholder that replaces it when there is exactly one (it is
    then the suggestion); otherwise ``advice`` says where the value is.
    """

    family: Family
    name: str
    systems: str
    meaning: str
    field: str | None = None
    advice: str | None = None


def _m(
    family: Family, names: str, systems: str, meaning: str, field: str | None = None
) -> list[Macro]:
    advice = None if field is None or field.startswith("{") else field
    placeholder = field if field is not None and field.startswith("{") else None
    return [Macro(family, n, systems, meaning, placeholder, advice) for n in names.split()]


_EF_TUNE: Final = "Everflow or TUNE"

MACROS: Final[tuple[Macro, ...]] = (
    # CAKE writes #name#.
    *_m("cake", "reqid", "CAKE", "its request (click session) id", _CLICK_ID),
    *_m("cake", "s1 s2 s3 s4 s5", "CAKE", "a sub id the partner passed", _CLICK_ID),
    *_m("cake", "tid", "CAKE", "the advertiser's transaction (order) id", "{Oid}"),
    *_m("cake", "leadid", "CAKE", "its own id of the conversion", "{ActionId}"),
    *_m("cake", "price", "CAKE", "the payout", "{Payout}"),
    *_m("cake", "affid", "CAKE", "the affiliate's id", "{MediaPartnerId}"),
    *_m("cake", "oid", "CAKE", "the offer id, not an order id", "{CampaignId}"),
    *_m("cake", "cid", "CAKE", "the creative id", "{AdId}"),
    *_m("cake", "ip", "CAKE", "the IP address of the conversion", "{IpAddress}"),
    *_m("cake", "sourcetime", "CAKE", "the time of the conversion", "{EventDate}"),
    *_m("cake", "utcunixtime", "CAKE", "the conversion time as a Unix timestamp", _UNIX),
    # Awin writes !!!name!!!.
    *_m("awin", "awc", "Awin", "its own click id", "{RefClickId}"),
    *_m("awin", "clickref", "Awin", "the publisher's click reference", _CLICK_ID),
    # Everflow, TUNE (HasOffers), Keitaro and Voluum write {name}, like this language.
    *_m("braces", "transaction_id", _EF_TUNE, "the click id", _CLICK_ID),
    *_m("braces", "sub1 sub2 sub3 sub4 sub5", "Everflow", "a sub id the partner passed", _CLICK_ID),
    *_m(
        "braces",
        "aff_sub aff_sub2 aff_sub3 aff_sub4 aff_sub5",
        "TUNE",
        "a sub id the partner passed",
        _CLICK_ID,
    ),
    *_m("braces", "subid", "Keitaro", "its click id", _CLICK_ID),
    *_m("braces", "clickid", "Voluum", "its click id", _CLICK_ID),
    *_m("braces", "payout_amount", "Everflow", "the payout", "{Payout}"),
    *_m("braces", "revenue", "Keitaro", "the payout", "{Payout}"),
    *_m("braces", "sale_amount", _EF_TUNE, "the sale amount", "{Amount}"),
    *_m("braces", "order_id", "Everflow", "the advertiser's order id", "{Oid}"),
    *_m("braces", "coupon_code", "Everflow", "the coupon code", "{PromoCode}"),
    *_m("braces", "offer_id", _EF_TUNE, "the offer id", "{CampaignId}"),
    *_m("braces", "aff_id", "TUNE", "the affiliate's id", "{MediaPartnerId}"),
    *_m(
        "braces",
        "conversion_unix_timestamp",
        "Everflow",
        "the conversion time as a Unix timestamp",
        _UNIX,
    ),
)

_BY_KEY: Final = {(m.family, m.name): m for m in MACROS}


def lookup(family: Family, name: str) -> Macro | None:
    """Return the known macro ``name`` of ``family`` (any case), or None."""
    return _BY_KEY.get((family, name.lower()))


def advice(macro: Macro) -> str:
    """Return what to write instead of ``macro``, as the end of a message."""
    if macro.field is not None:
        return f"write {macro.field}"
    assert macro.advice is not None
    return macro.advice


# Macro shapes that literal text can hold: a pattern in which ``W`` is the whole macro
# and ``N`` its name, the family that names it, and how the message describes it.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
MUSTACHE: Final = "{{name}} is a Mustache, Handlebars or Liquid placeholder"
TEMPLATE_LITERAL: Final = "${name} is a template-literal placeholder"
_BRACKET_STYLE: Final = "[name] is a macro of some trackers"
_Shape = tuple[str, "Family | None", str]
_TEXT_SHAPES: Final[tuple[_Shape, ...]] = (
    (rf"(?P<W>#(?P<N>{_NAME})#)", "cake", "CAKE writes its macros #name#"),
    (rf"(?P<W>!!!(?P<N>{_NAME})!!!)", "awin", "Awin writes its macros !!!name!!!"),
    (rf"(?P<W>\$\{{\s*(?P<N>{_DOTTED})\s*\}})", "braces", TEMPLATE_LITERAL),
    (rf"(?P<W>\{{\{{\s*(?P<N>{_DOTTED})\s*\}}\}})", "braces", MUSTACHE),
)
_BRACKETED: Final[_Shape] = (rf"(?<==)(?P<W>\[(?P<N>{_NAME})\])", "braces", _BRACKET_STYLE)


def _scanner(shapes: tuple[_Shape, ...]) -> re.Pattern[str]:
    """Return one pattern for all ``shapes``: one scan of a text finds every one of them.

    Shape k's groups are named ``Wk`` and ``Nk``; the one that matched is
    ``match.lastgroup`` (its whole macro, the last group to close).
    """
    return re.compile(
        "|".join(
            body.replace("(?P<W>", f"(?P<W{k}>").replace("(?P<N>", f"(?P<N{k}>")
            for k, (body, _family, _style) in enumerate(shapes)
        )
    )


_WITH_BRACKETS: Final = (*_TEXT_SHAPES, _BRACKETED)
_SCAN: Final = _scanner(_TEXT_SHAPES)
_SCAN_WITH_BRACKETS: Final = _scanner(_WITH_BRACKETS)
# How every shape starts: most texts hold none of these, and a search for them is
# several times faster than the scan.
_START: Final = re.compile(r"[#!$]|\{\{")
_START_WITH_BRACKETS: Final = re.compile(r"[#!$]|\{\{|=\[")


class Found(NamedTuple):
    """A macro in literal text: where it starts and ends in that text, and its message."""

    start: int
    end: int
    message: str
    suggestion: str | None


def find_in_text(text: str, fields: Iterable[str], *, brackets: bool) -> list[Found]:
    """Return the macros in the literal ``text``; ``[name]`` values only with ``brackets``.

    ``fields`` are the template's field names, which a macro may spell in another case.
    """
    if brackets:
        shapes, scan, start = _WITH_BRACKETS, _SCAN_WITH_BRACKETS, _START_WITH_BRACKETS
    else:
        shapes, scan, start = _TEXT_SHAPES, _SCAN, _START
    first = start.search(text)
    if first is None:
        return []
    found: list[Found] = []
    for match in scan.finditer(text, first.start()):
        whole = match.lastgroup
        assert whole is not None
        k = int(whole[1:])
        _body, family, style = shapes[k]
        written, name = show(match.group(whole)), match.group(f"N{k}")
        message, suggestion = describe(written, name, family, style, fields)
        found.append(Found(match.start(whole), match.end(whole), message, suggestion))
    return found


def describe(
    written: str, name: str, family: Family | None, style: str, fields: Iterable[str]
) -> tuple[str, str | None]:
    """Return the warning and suggestion for the macro ``written`` (named ``name``)."""
    macro = lookup(family, name) if family is not None else None
    if macro is not None:
        return (
            f"{written} looks like a macro of {macro.systems} ({macro.meaning}) but is "
            f"literal text here; {advice(macro)}",
            macro.field,
        )
    key = name.lower().replace("_", "")
    same = sorted(f for f in fields if f.lower() == key)
    if same:
        return (
            f"{written} looks like another system's macro ({style}) but is literal text "
            f"here; write {{{same[0]}}}",
            f"{{{same[0]}}}",
        )
    return (
        f"{written} looks like another system's macro ({style}) but is literal text "
        "here; placeholders are written {Name} (`postback fields` lists them)",
        None,
    )
