"""Dates as Unix timestamps (date_format="unix" and "unix_ms"), and the portable strftime directives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import postback
from postback import Action
from postback._compiler.values import Values

SRC = Path(__file__).resolve().parents[2] / "src"
SAMPLE = postback.sample_action()
# 2026-01-02T03:04:05-08:00 is 2026-01-02T11:04:05Z: 20455 days and 39845 seconds after
# the epoch (20455 * 86400 + 11 * 3600 + 4 * 60 + 5), counted by hand.
EVENT_SECONDS = 20455 * 86400 + 39845


def test_the_sample_event_date_in_seconds_and_milliseconds() -> None:
    assert EVENT_SECONDS == 1767351845
    unix = postback.compile("{EventDate}", format="text", date_format="unix")
    unix_ms = postback.compile("{EventDate}", format="text", date_format="unix_ms")
    assert unix.render(SAMPLE) == "1767351845"
    assert unix_ms.render(SAMPLE) == "1767351845000"


def test_a_bare_json_value_is_a_number_and_a_json_string_holds_the_digits() -> None:
    source = '{"t": {EventDate}, "s": "{EventDate}", "p": "at {EventDate}", "n": {ClearedDate}}'
    template = postback.compile(source, date_format="unix")
    text = template.render(SAMPLE)
    assert text.startswith('{"t": 1767351845, "s": "1767351845", "p": "at 1767351845"')
    assert json.loads(text) == {
        "t": 1767351845,
        "s": "1767351845",
        "p": "at 1767351845",
        "n": 1770118200,  # 2026-02-03T11:30:00Z
    }
    assert json.loads(template.render(Action())) == {"t": None, "s": "", "p": "at ", "n": None}


def test_missing_dates_raise_under_missing_error() -> None:
    template = postback.compile('{"t": {EventDate}}', date_format="unix", missing="error")
    assert template.render(SAMPLE) == '{"t": 1767351845}'
    with pytest.raises(postback.RenderError, match="EventDate"):
        template.render(Action())


def test_items_and_the_iso_default_are_unchanged() -> None:
    iso = postback.compile('{"t": {EventDate}}')
    assert json.loads(iso.render(SAMPLE)) == {"t": "2026-01-02T11:04:05+00:00"}


def test_milliseconds_keep_the_fraction_and_round_down() -> None:
    template = postback.compile("{EventDate}", format="text", date_format="unix_ms")
    when = datetime(2026, 1, 2, 11, 4, 5, 678901, tzinfo=UTC)
    assert template.render(Action(event_date=when)) == "1767351845678"
    before = datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
    assert template.render(Action(event_date=before)) == "-500"
    seconds = postback.compile("{EventDate}", format="text", date_format="unix")
    assert seconds.render(Action(event_date=before)) == "-1"


def test_naive_dates_are_in_the_template_zone() -> None:
    naive = Action(event_date=datetime(2026, 1, 2, 6, 4, 5))
    utc = postback.compile("{EventDate}", format="text", date_format="unix")
    new_york = postback.compile(
        "{EventDate}", format="text", date_format="unix", timezone="America/New_York"
    )
    assert utc.render(naive) == str(EVENT_SECONDS - 5 * 3600)
    assert new_york.render(naive) == str(EVENT_SECONDS)  # 06:04:05-05:00
    # An aware date is one instant whatever the template's zone.
    assert new_york.render(SAMPLE) == utc.render(SAMPLE) == str(EVENT_SECONDS)


def test_the_digits_need_no_escaping_in_any_format() -> None:
    values = Values(UTC, "unix_ms")
    assert values.charset(datetime) == frozenset("-0123456789")
    assert Values(UTC, "%Y").charset(datetime) is None
    when = Action(event_date=datetime(1960, 1, 1, tzinfo=timezone(timedelta(hours=2))))
    digits = "-315626400"
    for fmt, source in [
        ("xml", '<r a="{EventDate}">{EventDate}</r>'),
        ("query", "t={EventDate}"),
        ("url", "https://example.com/{EventDate}?t={EventDate}"),
        ("header", "{EventDate}"),
    ]:
        out = postback.compile(source, format=fmt, date_format="unix").render(when)
        if fmt == "xml":
            root = ET.fromstring(out)
            assert (root.get("a"), root.text) == (digits, digits)
        elif fmt == "query":
            assert urllib.parse.parse_qsl(out) == [("t", digits)]
        elif fmt == "url":
            assert out == f"https://example.com/{digits}?t={digits}"
        else:
            assert out == digits


def test_extra_field_dates_are_numbers_at_a_json_value() -> None:
    template = postback.compile('{"w": {When}}', date_format="unix", extra_fields=["When"])
    when = datetime(2026, 1, 2, 11, 4, 5, tzinfo=UTC)
    assert json.loads(template.render({"When": when})) == {"w": EVENT_SECONDS}
    assert json.loads(template.render({"When": "soon"})) == {"w": "soon"}


_CHILD = """
import postback, time
print(time.localtime(0).tm_hour)
t = postback.compile('{{"a": {{EventDate}}, "b": "{{ReferringDate}}"}}', date_format="{fmt}")
print(t.render(postback.sample_action()))
"""


@pytest.mark.parametrize("fmt", ["unix", "unix_ms"])
def test_the_same_digits_whatever_the_process_time_zone(fmt: str) -> None:
    outputs = []
    hours = set()
    for zone in ("UTC", "America/New_York", "Asia/Kolkata"):
        env = {**os.environ, "TZ": zone, "PYTHONPATH": str(SRC)}
        child = subprocess.run(
            [sys.executable, "-c", _CHILD.format(fmt=fmt)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        hour, body = child.stdout.splitlines()
        hours.add(hour)
        outputs.append(body)
    if len(hours) == 1:
        pytest.skip("this platform ignores TZ: the children all ran in one time zone")
    scale = 1000 if fmt == "unix_ms" else 1
    assert outputs == [f'{{"a": {EVENT_SECONDS * scale}, "b": "{1767332853 * scale}"}}'] * 3


# -- which strftime patterns are accepted ---------------------------------------------------


@pytest.mark.parametrize("pattern", ["%s", "%Y %s"])
def test_percent_s_is_refused_pointing_to_unix(pattern: str) -> None:
    with pytest.raises(postback.ConfigError, match='date_format="unix"') as info:
        postback.compile("{EventDate}", format="text", date_format=pattern)
    assert info.value.setting == "date_format"
    with pytest.raises(postback.ConfigError, match="unix"):
        postback.check("{EventDate}", format="text", date_format=pattern)


@pytest.mark.parametrize(
    ("pattern", "shown", "instead"),
    [
        ("%c", "%c", None),
        ("%x", "%x", None),
        ("%X", "%X", None),
        ("%+", "%+", None),
        ("%k", "%k", None),
        ("%-d/%m", "%-d", "%d"),
        ("%_H", "%_H", "%H"),
        ("%Ey", "%Ey", "%y"),
        ("%Od", "%Od", "%d"),
        ("%F", "%F", "%Y-%m-%d"),
        ("%T", "%T", "%H:%M:%S"),
        ("%:z", "%:z", "%z"),
    ],
)
def test_platform_dependent_directives_are_refused(
    pattern: str, shown: str, instead: str | None
) -> None:
    with pytest.raises(postback.ConfigError) as info:
        postback.compile("{EventDate}", format="text", date_format=pattern)
    message = str(info.value)
    assert f"{shown} is not portable" in message
    assert 'date_format="unix"' in message
    if instead is not None:
        assert f"write {instead} instead" in message


def test_a_lone_percent_sign_is_refused() -> None:
    with pytest.raises(postback.ConfigError, match="lone %; write %%"):
        postback.compile("{EventDate}", format="text", date_format="%Y%")


def test_every_portable_directive_is_accepted() -> None:
    pattern = "%a %A %b %B %d %f %G %H %I %j %m %M %p %S %u %U %V %w %W %y %Y %z %Z %%"
    template = postback.compile("{EventDate}", format="text", date_format=pattern)
    out = template.render(SAMPLE)
    assert (
        out
        == "Fri Friday Jan January 02 000000 2026 11 11 002 01 04 AM 05 5 00 01 5 00 26 2026 +0000 UTC %"
    )


# -- patterns that write no date ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "meant"),
    [
        ("unixms", "unix_ms"),
        ("UNIX_MS", "unix_ms"),
        ("ISO", "iso"),
        ("ISO 8601", "iso"),
        ("Unix", "unix"),
        ("epoch", "unix"),
        ("timestamp", "unix"),
        ("isp", "iso"),
        ("YYYY-MM-DD", "%Y-%m-%d"),
        ("DD.MM.YYYY HH:MM", "%d.%m.%Y %H:%M"),
        ("yyyy-MM-dd'T'HH:mm:ss", "%Y-%m-%dT%H:%M:%S"),
        ("dd/MM/yy hh:mm", "%d/%m/%y %I:%M"),
        ("Y-m-d H:i:s", "%Y-%m-%d %H:%M:%S"),
        ("100%% YYYY", "100%% %Y"),
    ],
)
def test_a_pattern_without_a_directive_is_refused_with_the_format_it_meant(
    pattern: str, meant: str
) -> None:
    """A date_format without a directive used to be taken as literal text: with
    date_format="unixms" every date rendered as "unixms", and check said nothing."""
    with pytest.raises(postback.ConfigError) as info:
        postback.compile("{EventDate}", format="text", date_format=pattern)
    assert info.value.setting == "date_format"
    message = str(info.value)
    assert "holds no strftime directive" in message
    assert f"did you mean {meant!r}?" in message
    with pytest.raises(postback.ConfigError, match="did you mean"):
        postback.check("{EventDate}", format="text", date_format=pattern)
    with pytest.raises(postback.ConfigError, match="did you mean") as info:
        postback.Notification("https://example.com/pb?d={EventDate}", date_format=pattern)
    assert info.value.setting == "date_format"


@pytest.mark.parametrize("pattern", ["hello", "%%", "100%%", "T"])
def test_a_pattern_without_a_date_directive_and_no_likely_meaning(pattern: str) -> None:
    with pytest.raises(postback.ConfigError) as info:
        postback.compile("{EventDate}", format="text", date_format=pattern)
    message = str(info.value)
    assert "holds no strftime directive" in message and "did you mean" not in message
    assert "'iso', 'unix' (seconds since 1970), 'unix_ms' (milliseconds)" in message


WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pattern", "rendered"),
    [
        ("iso", WHEN.isoformat()),
        ("unix", str(int(WHEN.timestamp()))),
        ("unix_ms", str(int(WHEN.timestamp()) * 1000)),
        ("%Y", WHEN.strftime("%Y")),
        ("Day %d", WHEN.strftime("Day %d")),
        ("%%%j", WHEN.strftime("%%%j")),
    ],
)
def test_named_formats_and_patterns_with_a_directive_are_accepted(
    pattern: str, rendered: str
) -> None:
    template = postback.compile("{EventDate}", format="text", date_format=pattern)
    assert template.render(Action(event_date=WHEN)) == rendered


def test_the_command_line_refuses_a_date_format_without_a_directive(tmp_path: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text('{"d": "{EventDate}"}', "utf-8")
    command = [sys.executable, "-m", "postback", "render", str(template), "--sample"]
    result = subprocess.run(
        [*command, "--date-format", "unixms"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("postback: error: date_format 'unixms' holds no strftime")
    assert "did you mean 'unix_ms'?" in result.stderr
