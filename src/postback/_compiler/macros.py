"""Other systems' macros: how they look, and what to write instead in a postback template.

Templates moved from another network or tracker keep that system's macros: CAKE's
``#s2#``, Awin's ``!!!awc!!!``, Everflow's or TUNE's (HasOffers) ``{transaction_id}``, a
template engine's ``{{name}}`` or ``${name}``.  In this language they are literal text
(or unknown fields), so the postback would carry the macro itself instead of a value.
This module holds the table of the common ones and the wording of the advice; the
checker finds them in a template.

It also finds the near misses of this language's own placeholders that the parser
reads as literal braces around a name: a format specification or filter from
another template language (``{Payout:.2f}``, ``{Payout|round}``), a ``$`` before the
name (``{$Payout}``), a name with a hyphen or a letter that is not ASCII
(``{Sub-Id1}``, ``{Päyout}``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Final, Literal, NamedTuple

from .._messages import show, suggest
from .._records.catalog import FIELDS_BY_NAME, ITEM_FIELDS_BY_NAME

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
    "find_placeholder_like",
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


# Braces that the parser read as literal text around a name-like run: a `{` (or `{{`,
# closed by `}}`), a name of any script's letters, digits, `_` and inner `-` or `.`,
# with a `$` before it or a format specification, filter or conversion after it.  A
# tail never holds a brace or a NUL (which separates texts that are not adjacent), so
# each search from a `{` stops at the next brace: the scan is linear.
_LIKE: Final = re.compile(
    r"(?P<W>(?P<O>\{)?\{[ \t]*(?P<P>\$)?(?P<N>[^\W\d](?:\w|[-.](?=\w))*)"
    r"(?P<T>[ \t]*\|[^{}\n\0]*|[:!][^\s{}\0]*)?[ \t]*\}(?(O)\}))"
)
_LIKE_START: Final = re.compile(r"\{[ \t]*\$?[^\W\d]")
_TAILS: Final = {":": "format specification", "|": "filter", "!": "conversion"}


def find_placeholder_like(text: str, fields: Collection[str]) -> list[Found]:
    """Return the braces around a name-like run in the literal ``text`` that are not a
    placeholder but look like one (``{Payout:.2f}``, ``{Sub-Id1}``).

    ``fields`` are the template's field names, which the warning suggests.  Braces
    around other text (JSON's ``{"a": 1}``, a GUID) are left alone.
    """
    first = _LIKE_START.search(text)
    if first is None:
        return []
    found: list[Found] = []
    for match in _LIKE.finditer(text, max(first.start() - 1, 0)):
        prefix, name, tail = match["P"], match["N"], match["T"]
        if prefix or tail or not name.isascii() or _word_hyphens(name):
            message, suggestion = _describe_like(match, fields)
            found.append(Found(match.start(), match.end(), message, suggestion))
    return found


def _word_hyphens(name: str) -> bool:
    """Whether ``name`` has a hyphen between words (``Sub-Id1``, not a GUID's hex)."""
    parts = name.split("-")
    return len(parts) > 1 and all(not part[:1].isdigit() for part in parts)


def _meant(name: str, fields: Collection[str]) -> str | None:
    """Return the placeholder name that ``name`` most likely means, or None."""
    if name in fields or re.fullmatch(r"[A-Za-z_]\w*\.[A-Za-z_]\w*", name, re.ASCII):
        return name
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in decomposed if c.isascii() and c != "-")
    if not folded:
        return None
    return suggest(folded, fields) if folded.isidentifier() else None


def _describe_like(match: re.Match[str], fields: Collection[str]) -> tuple[str, str | None]:
    """Return the warning and suggestion for the near miss of a placeholder ``match``."""
    written, name, tail = show(match["W"]), match["N"], (match["T"] or "").strip()
    meant = _meant(name, fields)
    placeholder = f"{{{meant}}}" if meant is not None else None
    if tail:
        reason = f"a placeholder takes no {_TAILS[tail[0]]} ({show(tail)})"
    elif match["P"]:
        reason = "a placeholder has no '$' before its name"
    else:
        reason = "a field name has only ASCII letters, digits and '_'"
    if match["O"]:
        reason += ", and a placeholder takes one pair of braces"
    if placeholder is None:
        advice = (
            "placeholders are written {Name} (`postback fields` lists them); to keep "
            "the braces as text, write \\{ and \\}"
        )
    elif not tail:
        advice = f"did you mean {placeholder}?"
    else:
        advice = f"write {placeholder}{_as_written(meant or '', tail[1:].strip())}"
    message = f"{written} looks like a placeholder but is literal text: {reason}; {advice}"
    return message, placeholder


def _as_written(name: str, spec: str) -> str:
    """Say how the value of the placeholder ``name`` is written, for a near miss that
    tried to format it with ``spec``."""
    field = FIELDS_BY_NAME.get(name) or ITEM_FIELDS_BY_NAME.get(name.partition(".")[2])
    vtype = field.type if field is not None else None
    if vtype is datetime and "%" in spec:
        return f" and compile with date_format={spec!r}"
    if vtype is datetime:
        return "; dates are written as the date_format option says"
    if vtype is str:
        return "; text is written as the record holds it"
    if vtype is not None:
        return (
            "; numbers are written exactly as the record holds them (12.50 stays 12.50), "
            "so round them before they reach the record"
        )
    return "; values are written as the record holds them, dates as the date_format option says"
