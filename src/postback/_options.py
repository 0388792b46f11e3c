"""Compile options, validated in one place for ``compile``, ``Notification`` and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Literal

from ._compiler.values import NUMERIC_DATE_FORMATS, resolve_timezone
from ._errors import ConfigError
from ._messages import describe_value, short_repr, suggest
from ._records.catalog import COLLECTION, FIELDS_BY_NAME
from ._records.convert import UNKNOWN_KEYS, UnknownKeys

__all__ = [
    "DEFAULT_MAX_TEMPLATE_SIZE",
    "OPTION_DEFAULTS",
    "OPTION_NAMES",
    "CompileOptions",
    "MissingPolicy",
    "UnknownKeys",
]

DEFAULT_MAX_TEMPLATE_SIZE = 1024 * 1024

MissingPolicy = Literal["empty", "error"]

# The strftime directives whose output is the same on every platform and in every
# process: those of C89 that do not depend on the locale's formats, plus the ISO 8601
# week directives.  Dates are always converted to the template's time zone first, so
# %z and %Z name that zone, never the process's.  %a, %A, %b, %B and %p are the C
# locale's English words unless the application itself changes LC_TIME.
_PORTABLE_DIRECTIVES = frozenset("aAbBdfGHIjmMpSuUVwWyYzZ%")

# Common directives that some C libraries lack or spell differently, and what to
# write instead.
_PORTABLE_SPELLING = {
    "D": "%m/%d/%y",
    "e": "%d",
    "F": "%Y-%m-%d",
    "h": "%b",
    "R": "%H:%M",
    "T": "%H:%M:%S",
}

_MODIFIERS = frozenset("-_0^#EO:")

_UNIX_HINT = 'for a Unix timestamp use date_format="unix" (seconds) or "unix_ms" (milliseconds)'


def _extra_field_names(extra_fields: object) -> frozenset[str]:
    if isinstance(extra_fields, str):
        names: tuple[object, ...] = (extra_fields,)
    elif isinstance(extra_fields, Iterable) and not isinstance(extra_fields, bytes | Mapping):
        names = tuple(extra_fields)
    else:
        raise ConfigError(
            f"extra_fields must be a list of field names, not {describe_value(extra_fields)}",
            setting="extra_fields",
        )
    for name in names:
        if not isinstance(name, str):
            raise ConfigError(
                f"extra field names must be strings, not {describe_value(name)}",
                setting="extra_fields",
            )
        if not name.isidentifier() or not name.isascii():
            raise ConfigError(
                f"extra field names must be identifiers, not {name!r}", setting="extra_fields"
            )
        if name in FIELDS_BY_NAME or name == COLLECTION:
            raise ConfigError(
                f"extra field {name!r} is already a field of the catalog",
                setting="extra_fields",
            )
    return frozenset(names)  # type: ignore[arg-type]


# The named date formats.
_DATE_FORMAT_NAMES = ("iso", *NUMERIC_DATE_FORMATS)

# Words people write for a named date format (lower case, without "-", "_", "." or
# spaces), and the name they mean.
_DATE_FORMAT_WORDS = {
    **dict.fromkeys(("iso", "iso8601", "isoformat", "rfc3339"), "iso"),
    **dict.fromkeys(
        ("unix", "epoch", "timestamp", "unixtime", "unixtimestamp", "epochtime", "posix"),
        "unix",
    ),
    **dict.fromkeys(
        (
            "unixms",
            "epochms",
            "timestampms",
            "unixmillis",
            "unixmilliseconds",
            "epochmillis",
            "epochmilliseconds",
            "millis",
            "milliseconds",
        ),
        "unix_ms",
    ),
}
_FOLD = re.compile(r"[-_.\s]")

# Date and time pictures of other languages, and the directive of each letter group:
# Java's, .NET's and moment.js's (YYYY-MM-DD, dd/MM/yyyy HH:mm, 'T' quoted), where
# ``MM`` is the month except right after ``HH:`` and ``hh`` the 12-hour clock, and
# PHP's (Y-m-d H:i:s).
_PICTURE = re.compile(r"'[^']*'|YYYY|yyyy|YY|yy|MM|mm|DD|dd|HH|hh|SS|ss")
_PICTURE_DIRECTIVES = {
    **dict.fromkeys(("YYYY", "yyyy"), "%Y"),
    **dict.fromkeys(("YY", "yy"), "%y"),
    **dict.fromkeys(("DD", "dd"), "%d"),
    **dict.fromkeys(("SS", "ss"), "%S"),
    "MM": "%m",
    "mm": "%M",
    "HH": "%H",
    "hh": "%I",
}
_PHP_PICTURE = re.compile(r"(?=.*[Yyd])(?:[YymdHis]|[^A-Za-z%])+")
_PHP_DIRECTIVES = {"Y": "%Y", "y": "%y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S"}


def _check_date_format(pattern: str) -> None:
    """Refuse a pattern that writes no date at all, or whose output could differ between
    platforms or processes."""
    if pattern in _DATE_FORMAT_NAMES:
        return
    dated = False  # whether a directive writes a part of the date
    k = pattern.find("%")
    while k != -1:
        code = pattern[k + 1 : k + 2]
        if code not in _PORTABLE_DIRECTIVES:
            raise ConfigError(_date_directive_message(pattern, k), setting="date_format")
        dated = dated or code != "%"
        k = pattern.find("%", k + 2)
    if not dated:
        raise ConfigError(_no_directive_message(pattern), setting="date_format")


def _no_directive_message(pattern: str) -> str:
    """Say why ``pattern``, which holds no date directive, is refused, and what was meant."""
    meant = _meant_date_format(pattern)
    hint = f"did you mean {meant!r}? " if meant is not None else ""
    return (
        f"date_format {short_repr(pattern)} holds no strftime directive, so every date "
        f"would be written as that same text; {hint}date_format is 'iso', 'unix' "
        "(seconds since 1970), 'unix_ms' (milliseconds) or a strftime pattern such as "
        "'%Y-%m-%d %H:%M:%S'"
    )


def _meant_date_format(pattern: str) -> str | None:
    """Return the date format a ``pattern`` without directives most likely meant, or None."""
    word = _DATE_FORMAT_WORDS.get(_FOLD.sub("", pattern.lower()))
    if word is not None:
        return word
    if _PHP_PICTURE.fullmatch(pattern):
        return "".join(_PHP_DIRECTIVES.get(c, c) for c in pattern)
    if _PICTURE.search(pattern.replace("'", "")):

        def directive(match: re.Match[str]) -> str:
            group = match.group()
            if group.startswith("'"):
                return group[1:-1]  # quoted literal text
            if group == "MM" and pattern[: match.start()].upper().endswith("H:"):
                return "%M"
            return _PICTURE_DIRECTIVES[group]

        return _PICTURE.sub(directive, pattern)  # its only '%' are already '%%'
    return suggest(pattern, _DATE_FORMAT_NAMES, cutoff=0.6)


def _date_directive_message(pattern: str, k: int) -> str:
    """Say why the directive at ``pattern[k]`` is refused and what to write instead."""
    where = f"date_format {short_repr(pattern)}"
    code = pattern[k + 1 : k + 2]
    if not code:
        return f"{where} ends with a lone %; write %% for a percent sign"
    if code == "s":
        return (
            f"{where}: %s is not portable (it depends on the platform and on the "
            f"process's time zone); {_UNIX_HINT}"
        )
    if code in _MODIFIERS:
        # A flag or modifier (GNU's %-d, POSIX's %Ey) before a directive.
        directive = pattern[k : k + 3]
        base = pattern[k + 2 : k + 3]
        instead = f"%{base}" if base in _PORTABLE_DIRECTIVES else None
    else:
        directive = "%" + code
        instead = _PORTABLE_SPELLING.get(code)
    if instead is not None:
        return (
            f"{where}: {directive} is not portable (not every platform has it); write "
            f"{instead} instead; {_UNIX_HINT}"
        )
    return (
        f"{where}: {directive} is not portable (its result depends on the platform, "
        "the locale or the process); use only the directives %a %A %b %B %d %f %G %H "
        f"%I %j %m %M %p %S %u %U %V %w %W %y %Y %z %Z and %%; {_UNIX_HINT}"
    )


class CompileOptions:
    """The options a template is compiled with, validated on construction.

    ``timezone`` is kept as given (an IANA name, a ``tzinfo`` or None) and ``tz`` is
    the ``tzinfo`` it resolves to.  Two option sets are equal when they compile the
    same way, so timezones are compared as ``tz`` (``"UTC"`` equals None); ``key`` is
    the template cache's key.  ``unknown_keys`` says what ``render(mapping)`` does
    with a key that is neither a field nor a declared extra field: refuse it
    (``"error"``), skip it (``"ignore"``) or keep it as an extra field (``"extra"``;
    a template still only reads the extra fields ``extra_fields`` names).
    ``day_first`` says how a record's date that writes day and month as numbers
    before the year (``04.03.2026``) is read: day first (True), month first (False),
    or not at all (None: it is refused, since the text does not say which).
    """

    # A plain class, not a dataclass: every compile and every command builds one, and a
    # frozen dataclass costs its module's import and more at each start.

    __slots__ = (
        "date_format",
        "day_first",
        "extra_fields",
        "max_template_size",
        "missing",
        "name",
        "timezone",
        "tz",
        "unknown_keys",
    )

    missing: MissingPolicy
    timezone: str | tzinfo | None
    date_format: str
    extra_fields: frozenset[str]
    unknown_keys: UnknownKeys
    day_first: bool | None
    name: str
    max_template_size: int
    tz: tzinfo

    def __init__(
        self,
        missing: MissingPolicy = "empty",
        timezone: str | tzinfo | None = None,
        date_format: str = "iso",
        extra_fields: Iterable[str] = frozenset(),
        unknown_keys: UnknownKeys = "error",
        day_first: bool | None = None,
        name: str = "<template>",
        max_template_size: int = DEFAULT_MAX_TEMPLATE_SIZE,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "missing", missing)
        set_(self, "timezone", timezone)
        set_(self, "date_format", date_format)
        set_(self, "unknown_keys", unknown_keys)
        set_(self, "day_first", day_first)
        set_(self, "name", name)
        set_(self, "max_template_size", max_template_size)
        self._check()
        set_(self, "extra_fields", _extra_field_names(extra_fields))
        set_(self, "tz", resolve_timezone(timezone))

    def _check(self) -> None:
        if self.missing not in ("empty", "error"):
            raise ConfigError(
                f"missing must be 'empty' or 'error', not {short_repr(self.missing)}",
                setting="missing",
            )
        if self.timezone is not None and not isinstance(self.timezone, str | tzinfo):
            raise ConfigError(
                f"timezone must be an IANA name or a tzinfo, not {describe_value(self.timezone)}",
                setting="timezone",
            )
        if not isinstance(self.date_format, str) or not self.date_format:
            raise ConfigError(
                f"date_format must be 'iso' or a strftime pattern, not "
                f"{short_repr(self.date_format)}",
                setting="date_format",
            )
        _check_date_format(self.date_format)
        size = self.max_template_size
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ConfigError(
                "max_template_size must be a positive number of characters",
                setting="max_template_size",
            )
        if not isinstance(self.name, str):
            raise ConfigError(
                f"name must be a string, not {describe_value(self.name)}", setting="name"
            )
        if self.unknown_keys not in UNKNOWN_KEYS:
            raise ConfigError(
                "unknown_keys must be 'error', 'ignore' or 'extra', not "
                f"{short_repr(self.unknown_keys)}",
                setting="unknown_keys",
            )
        if self.day_first is not None and not isinstance(self.day_first, bool):
            raise ConfigError(
                "day_first must be True (04.03.2026 is 4 March), False (it is 3 April) or "
                f"None (such dates are refused), not {describe_value(self.day_first)}",
                setting="day_first",
            )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CompileOptions are read-only: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"CompileOptions are read-only: cannot delete {name!r}")

    def given(self) -> dict[str, object]:
        """The arguments these options were made with, by name (``extra_fields`` as
        checked, a ``frozenset``)."""
        return {name: getattr(self, name) for name in OPTION_NAMES}

    def replace(self, **changes: object) -> CompileOptions:
        """Return these options with ``changes`` (checked as on construction)."""
        return CompileOptions(**{**self.given(), **changes})  # type: ignore[arg-type]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in OPTION_NAMES)
        return f"CompileOptions({shown})"

    def _compared(self) -> tuple[object, ...]:
        # Timezones compare as what they resolve to: "UTC" equals None.
        return (
            self.missing,
            self.date_format,
            self.extra_fields,
            self.unknown_keys,
            self.day_first,
            self.name,
            self.max_template_size,
            self.tz,
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not CompileOptions:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __reduce__(self) -> tuple[type[CompileOptions], tuple[object, ...]]:
        return CompileOptions, tuple(self.given().values())

    @property
    def key(self) -> tuple[object, ...]:
        """A hashable identity of these options (a ``tzinfo`` stands for itself)."""
        return (
            self.missing,
            self.timezone if isinstance(self.timezone, str) else self.tz,
            self.date_format,
            tuple(sorted(self.extra_fields)),
            self.unknown_keys,
            self.day_first,
            self.name,
            self.max_template_size,
        )


#: The arguments of ``CompileOptions``, in order, and their defaults.
OPTION_NAMES: tuple[str, ...] = CompileOptions.__init__.__code__.co_varnames[
    1 : 1 + CompileOptions.__init__.__code__.co_argcount - 1
]
OPTION_DEFAULTS: dict[str, object] = dict(
    zip(OPTION_NAMES, CompileOptions.__init__.__defaults__ or (), strict=True)
)
