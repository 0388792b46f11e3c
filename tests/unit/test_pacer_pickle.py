"""A Pacer pickles with its state; a copy in another process keeps its own window."""

from __future__ import annotations

import copy
import multiprocessing
import os
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import postback
from pickles import from_other_version
from postback import ConfigError, Notification, Pacer


def test_a_pickled_pacer_keeps_its_starts_and_gets_a_new_lock() -> None:
    pacer = Pacer(2)
    assert [pacer.reserve(0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    copied = pickle.loads(pickle.dumps(pacer))
    assert copied is not pacer
    assert repr(copied) == "Pacer(max_requests=2)"
    assert copied.max_requests == 2
    # Both continue from the same three starts, independently.
    assert copied.reserve(0.0) == 1.0
    assert copied.reserve(0.0) == 2.0
    assert pacer.reserve(0.0) == 1.0
    assert copy.deepcopy(copied).reserve(0.0) == 2.0
    assert copy.copy(pacer).reserve(0.0) == 2.0


def test_a_pickled_pacer_keeps_its_kind_of_time() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    pacer = Pacer(1)
    pacer.reserve(start)
    copied = pickle.loads(pickle.dumps(pacer))
    assert copied.reserve(start) == start + timedelta(seconds=1)
    with pytest.raises(TypeError, match="aware datetimes"):
        copied.reserve(1.0)


def test_a_pickled_unlimited_pacer_stays_unlimited() -> None:
    copied = pickle.loads(pickle.dumps(Notification("https://e.com/").pacer()))
    assert copied.max_requests is None
    assert [copied.reserve(3.0) for _ in range(3)] == [3.0, 3.0, 3.0]


def test_a_pacer_pickled_by_another_version_is_refused_naming_both_versions() -> None:
    """A pacer pickled its state as a tuple read by position, with no version: another
    postback version would have read its starts as its limit.  Now the state is by
    name, with the version, and another version's pickle is a ConfigError."""
    pacer = Pacer(2)
    pacer.reserve(0.0)
    blob, other = from_other_version(pickle.dumps(pacer))
    with pytest.raises(ConfigError) as info:
        pickle.loads(blob)
    assert info.value.message.startswith(
        f"cannot unpickle this Pacer: it was pickled by postback {other}, "
        f"and this is postback {postback.__version__};"
    )


def test_a_pacer_state_without_a_version_is_refused() -> None:
    # The tuple a pacer pickled as before it recorded the version.
    with pytest.raises(ConfigError, match="a postback version that did not record its version"):
        Pacer.__new__(Pacer).__setstate__((2, [0.0], 0.0, "numbers of seconds"))


def test_a_pacer_restores_its_state_by_name() -> None:
    pacer = Pacer(2)
    pacer.reserve(5.0)
    state = pacer.__getstate__()
    copied = Pacer.__new__(Pacer)
    copied.__setstate__(dict(reversed(state.items())))
    assert copied.max_requests == 2
    assert [copied.reserve(5.0), copied.reserve(5.0)] == [5.0, 6.0]


def _reserve_five(pacer: Pacer, results: Any) -> None:
    results.put((os.getpid(), [pacer.reserve(10.0) for _ in range(5)]))


def test_a_pacer_sent_to_four_processes_keeps_its_own_window_in_each() -> None:
    """What docs/notifications.md says: N processes, each with its own copy of a Pacer,
    start up to N x max_requests requests per second between them."""
    pacer = Pacer(2)
    assert pacer.reserve(10.0) == 10.0  # one start, recorded before the copies are made
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_reserve_five, args=(pacer, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert len({pid for pid, _ in got}) == 4
    assert {pid for pid, _ in got}.isdisjoint({os.getpid()})
    # Each copy starts from the parent's one start and then fills its own windows:
    # 4 processes x 2 starts in [10, 11), [11, 12), ... (8 per second between them).
    for _, starts in got:
        assert starts == [10.0, 11.0, 11.0, 12.0, 12.0]
    assert pacer.reserve(10.0) == 10.0  # the parent's own window saw none of them
    assert pacer.reserve(10.0) == 11.0
