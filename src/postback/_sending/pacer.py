"""A deterministic rate limiter for a notification's ``max_requests`` setting.

``Pacer(max_requests).reserve(now)`` answers "when may the next request start?" without
sleeping and without reading a clock: the caller passes the time and gets back the
earliest time at or after it at which one more start keeps every one-second window
(any half-open interval ``[t, t + 1s)``) at ``max_requests`` starts or fewer.
"""

from __future__ import annotations

import _thread
import math
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar, overload

from .._errors import ConfigError
from .._messages import describe_value, short_repr
from .._pickling import restore, state

__all__ = ["Pacer"]

_ONE_SECOND: Final = timedelta(seconds=1)

_T = TypeVar("_T", float, datetime)


# A billion starts a second is more than any partner allows; the bound keeps the number
# one that messages and repr can write (Python writes no int of more than 4,300 digits).
_MAX_REQUESTS: Final = 1_000_000_000


def _check_max_requests(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            f"max_requests must be a positive whole number of requests per second or None, "
            f"not {describe_value(value)}",
            setting="max_requests",
        )
    if value <= 0:
        raise ConfigError(
            f"max_requests must be a positive number of requests per second, not "
            f"{short_repr(int(value))}; leave it out (None) for no limit",
            setting="max_requests",
        )
    if value > _MAX_REQUESTS:
        raise ConfigError(
            f"max_requests {short_repr(int(value))} is too large: at most {_MAX_REQUESTS:,} "
            "requests per second; leave it out (None) for no limit",
            setting="max_requests",
        )
    return int(value)


def _plus_one_second(start: float) -> float:
    """The smallest float ``x`` with ``x - start >= 1`` in exact arithmetic.

    ``start + 1.0`` is rounded to the nearest float, which may lie a fraction of an
    ulp below the exact sum (``0.1 + 1.0``); the error term of Knuth's TwoSum tells
    exactly, and one step up fixes it.
    """
    total = start + 1.0
    b_virtual = total - start
    a_virtual = total - b_virtual
    error = (start - a_virtual) + (1.0 - b_virtual)
    if error > 0:
        total = math.nextafter(total, math.inf)
    return total


class Pacer:
    """Schedules request starts so that no one-second window holds more than
    ``max_requests`` of them.

    ``reserve(now)`` returns the earliest time ``>= now`` at which one more request may
    start, records that start, and returns; it never sleeps.  Times are either all
    ``float`` seconds (``time.monotonic()``, ``time.time()``, ...) or all ``datetime``
    (all naive or all aware); the result has the type of ``now``.  Starts are granted in
    call order: with non-decreasing ``now`` values every answer is exact, and a ``now``
    earlier than the previous reservation is treated as that reservation's time.
    ``max_requests=None`` means no limit: ``reserve(now)`` returns ``now``.

    Each call is O(1) amortised (a deque of the last ``max_requests`` starts); a lock
    makes a ``Pacer`` safe to share between threads.  A ``Pacer`` pickles with its
    state (and a new lock): a copy sent to another process keeps its own window there,
    so N processes that each hold one start up to N x ``max_requests`` per second.
    """

    __slots__ = ("_kind", "_last", "_lock", "_max", "_starts")

    def __init__(self, max_requests: int | None = None) -> None:
        self._max = _check_max_requests(max_requests)
        self._starts: deque[float | datetime] = deque()
        self._last: float | datetime | None = None
        self._kind: str | None = None
        self._lock = _thread.allocate_lock()

    @property
    def max_requests(self) -> int | None:
        """The limit: at most this many starts in any one second, or None for no limit."""
        return self._max

    def __repr__(self) -> str:
        return f"Pacer(max_requests={self._max!r})"

    def __getstate__(self) -> dict[str, object]:
        # The state by name, with the version (``_pickling``).  A lock cannot be
        # pickled; the copy gets its own (in __setstate__).
        with self._lock:
            return state(
                max_requests=self._max,
                starts=list(self._starts),
                last=self._last,
                kind=self._kind,
            )

    def __setstate__(self, pickled: object) -> None:
        values = restore("Pacer", pickled)
        self._max = _check_max_requests(values["max_requests"])
        self._starts = deque(values["starts"])
        self._last = values["last"]
        self._kind = values["kind"]
        self._lock = _thread.allocate_lock()

    @overload
    def reserve(self, now: float) -> float: ...

    @overload
    def reserve(self, now: datetime) -> datetime: ...

    def reserve(self, now: float | datetime) -> float | datetime:
        """Return the earliest time ``>= now`` at which one more request may start, and
        record that start.

        ``now`` is a ``datetime`` or a number of seconds (``int`` or ``float``; the
        answer is then a ``float``).  Raises ``TypeError`` for any other type or when a
        pacer is given both kinds of time (or naive and aware datetimes), and
        ``ValueError`` for a non-finite number.
        """
        if isinstance(now, datetime):
            if now.tzinfo is None or now.tzinfo.utcoffset(now) is None:
                return self._reserve(now, _NAIVE, _datetime_plus_one_second)
            # Aware times are kept in UTC: arithmetic and comparison within one
            # ZoneInfo zone are wall-clock operations, wrong across a DST change.
            result = self._reserve(now.astimezone(UTC), _AWARE, _datetime_plus_one_second)
            return result.astimezone(now.tzinfo)
        if isinstance(now, bool) or not isinstance(now, int | float):
            raise TypeError(
                f"reserve() takes a datetime or a number of seconds, not {type(now).__name__}"
            )
        value = float(now)
        if not math.isfinite(value):
            raise ValueError(f"reserve() needs a finite time, not {now!r}")
        return self._reserve(value, _SECONDS, _plus_one_second)

    def _reserve(self, now: _T, kind: str, plus_one: Callable[[_T], _T]) -> _T:
        with self._lock:
            if self._kind is None:
                self._kind = kind
            elif self._kind != kind:
                raise TypeError(
                    f"this pacer was given {self._kind} before; do not mix them with {kind}"
                )
            if self._max is None:
                return now
            start = now
            last: Any = self._last
            if last is not None and last > start:
                start = last
            starts: deque[Any] = self._starts
            if len(starts) == self._max:
                # The oldest of the last max_requests starts must be a full second back.
                bound = plus_one(starts[0])
                if bound > start:
                    start = bound
                starts.popleft()
            starts.append(start)
            self._last = start
            return start


_SECONDS: Final = "numbers of seconds"
_AWARE: Final = "aware datetimes"
_NAIVE: Final = "naive datetimes"


def _datetime_plus_one_second(start: datetime) -> datetime:
    return start + _ONE_SECOND
