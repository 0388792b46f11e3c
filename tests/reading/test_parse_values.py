"""How ``Template.parse`` converts a value's text: the inverse of how it is formatted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import postback
from postback import Action, ParseError
from strategies import DATETIMES

PATTERNS = [
    "%Y-%m-%d %H:%M:%S %z",
    "%d/%m/%Y %H:%M:%S",
    "%a %d %b %Y %I:%M:%S %p %Z",
    "%G-W%V-%u %H%M%S",
]


@pytest.mark.parametrize("pattern", PATTERNS)
@given(when=DATETIMES.map(lambda d: d.replace(microsecond=0)))
def test_a_pattern_that_holds_the_instant_reads_it_back(pattern: str, when: datetime) -> None:
    template = postback.compile("{EventDate}", format="text", date_format=pattern, timezone="UTC")
    read = template.parse(template.render(Action(event_date=when)))
    expected = when if when.utcoffset() is not None else when.replace(tzinfo=UTC)
    assert read.event_date == expected


@pytest.mark.parametrize("date_format", ["iso", "unix", "unix_ms"])
@given(when=DATETIMES)
def test_named_formats_read_back_to_their_precision(date_format: str, when: datetime) -> None:
    template = postback.compile(
        "{EventDate}", format="text", date_format=date_format, timezone="Asia/Kolkata"
    )
    read = template.parse(template.render(Action(event_date=when)))
    if when.utcoffset() is None:
        when = when.replace(tzinfo=template._opts.tz)
    # Compared in UTC: a wall time in a zone's gap or fold equals no other zone's time.
    when = when.astimezone(UTC)
    keep = 1000 if date_format == "unix_ms" else 1_000_000
    assert read.event_date == when.replace(microsecond=when.microsecond // keep * keep)
    # At the offset the zone has at that instant (+05:21:10 before 1906, +05:30 since).
    assert read.event_date is not None
    zone = template._opts.tz
    assert read.event_date.utcoffset() == read.event_date.astimezone(zone).utcoffset()


def test_a_pattern_that_drops_information_gives_what_it_holds() -> None:
    day = postback.compile("{EventDate}", format="text", date_format="%d %b")
    assert day.parse("02 Jan").event_date == datetime(1900, 1, 2, tzinfo=UTC)
    short = postback.compile("{EventDate}", format="text", date_format="%y-%m-%d")
    assert short.parse("69-01-02").event_date == datetime(1969, 1, 2, tzinfo=UTC)
    assert short.parse("68-01-02").event_date == datetime(2068, 1, 2, tzinfo=UTC)


def test_text_the_pattern_could_not_have_written_is_refused() -> None:
    template = postback.compile("{EventDate}", format="text", date_format="%a %Y-%m-%d")
    assert template.parse("Fri 2026-01-02").event_date == datetime(2026, 1, 2, tzinfo=UTC)
    for text in ("Mon 2026-01-02", "fri 2026-01-02", "Fri 2026-1-2", "x" * 300):
        with pytest.raises(ParseError, match=r"expected a date written as '%a %Y-%m-%d'") as info:
            template.parse(text)
        assert info.value.field == "EventDate"


def test_a_local_time_that_happens_twice_needs_the_zone() -> None:
    naive = postback.compile(
        "{EventDate}", format="text", date_format="%Y-%m-%d %H:%M", timezone="America/New_York"
    )
    with pytest.raises(ParseError, match=r"happens once.*-04:00 or .*-05:00; add %z"):
        naive.parse("2026-11-01 01:30")
    assert naive.parse("2026-11-01 00:30").event_date == datetime(2026, 11, 1, 4, 30, tzinfo=UTC)
    with pytest.raises(ParseError):  # 02:30 does not happen on 2026-03-08 in New York
        naive.parse("2026-03-08 02:30")
    zoned = postback.compile(
        "{EventDate}", format="text", date_format="%Y-%m-%d %H:%M %Z", timezone="America/New_York"
    )
    for text, offset in (("2026-11-01 01:30 EDT", -4), ("2026-11-01 01:30 EST", -5)):
        read = zoned.parse(text).event_date
        assert read is not None and read.utcoffset() == timedelta(hours=offset)
        assert read.tzinfo == timezone(timedelta(hours=offset))  # a fixed offset: it compares
    with pytest.raises(ParseError):
        zoned.parse("2026-11-01 01:30 PST")


@pytest.mark.parametrize(
    ("date_format", "text"),
    [("unix", "1e3"), ("unix", "9" * 30), ("unix_ms", "-99999999999999999"), ("iso", "2026-13-01")],
)
def test_dates_that_do_not_read_are_refused(date_format: str, text: str) -> None:
    template = postback.compile("{EventDate}", format="text", date_format=date_format)
    with pytest.raises(ParseError, match=r"for \{EventDate\}") as info:
        template.parse(text)
    assert info.value.field == "EventDate"


def test_numbers_keep_their_digits_and_refuse_what_postback_cannot_write() -> None:
    template = postback.compile("{CampaignId}|{Payout}", format="text")
    assert template.parse("-007|12.50") == Action(campaign_id=-7, payout=Decimal("12.50"))
    assert str(template.parse("1|1E+3").payout) == "1E+3"
    for text, field in (
        ("1.0|1", "CampaignId"),
        ("1|NaN", "Payout"),
        ("1|" + "9" * 1001, "Payout"),
    ):
        with pytest.raises(ParseError) as info:
            template.parse(text)
        assert info.value.field == field
    with pytest.raises(ParseError, match="at most 1000 digits"):
        template.parse("9" * 1001 + "|1")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_read_back_with_their_scale(value: Decimal) -> None:
    template = postback.compile("p={Payout}", format="query")
    read = template.parse(template.render(Action(payout=value))).payout
    assert read is not None and read.as_tuple() == Decimal(format(value, "f")).as_tuple()
