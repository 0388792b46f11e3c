#!/usr/bin/env python3
"""Prepare a backfill of postbacks on every core of one machine, in input order.

    python examples/bulk_multiprocessing.py examples/notification.toml actions.jsonl \\
        requests.jsonl errors.jsonl --workers 4

reads the actions (JSON Lines, one action per line), prepares each with the
notification in a pool of worker processes, and writes the prepared requests to
``requests.jsonl`` and the failures to ``errors.jsonl``, both in input order, one
JSON object per line as ``Notification.prepare_many`` writes them.  Exit status 1
when any action failed.

The notification is compiled once here (a defective template stops the run before any
worker starts) and handed to each worker once, at its start: it pickles as its
settings and the worker compiles it again from its own cache.  Lines go to the workers
in chunks; at most two chunks per worker are in flight, so memory stays flat however
long the input is.  docs/bulk.md describes the pattern.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime
from itertools import islice
from typing import BinaryIO

import postback

_notification: postback.Notification | None = None


def _start_worker(notification: postback.Notification) -> None:
    global _notification
    _notification = notification


def prepare_chunk(start: int, lines: list[bytes], now: datetime) -> list[tuple[bool, str]]:
    """Prepare one chunk in a worker: ``(ok, JSON line)`` per non-blank line."""
    assert _notification is not None
    return [
        (result.ok, result.to_json())
        for result in _notification.prepare_many(lines, now=now, start=start)
    ]


def chunks(lines: BinaryIO, size: int) -> Iterator[tuple[int, list[bytes]]]:
    """Yield ``(index of the first line, lines)`` for consecutive chunks of ``size`` lines."""
    start = 0
    while chunk := list(islice(lines, size)):
        yield start, chunk
        start += len(chunk)


def run(
    notification: postback.Notification,
    source: BinaryIO,
    requests: BinaryIO,
    errors: BinaryIO,
    *,
    workers: int,
    chunk_size: int = 500,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Prepare every line of ``source``; return the numbers of requests and failures."""
    now = now or datetime.now(UTC)  # one base of not_before for the whole run
    done = [0, 0]
    # "spawn" starts clean workers on every platform; the notification reaches each
    # one pickled, as its settings.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(notification,)
    ) as pool:
        pending: deque[Future[list[tuple[bool, str]]]] = deque()

        def write_oldest() -> None:
            for ok, line in pending.popleft().result():
                (requests if ok else errors).write(line.encode("utf-8") + b"\n")
                done[0 if ok else 1] += 1

        for start, lines in chunks(source, chunk_size):
            pending.append(pool.submit(prepare_chunk, start, lines, now))
            if len(pending) >= 2 * workers:
                write_oldest()
        while pending:
            write_oldest()
    return done[0], done[1]


def main(argv: Sequence[str] | None = None) -> int:
    """Run from the command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notification", help="the notification settings (TOML)")
    p.add_argument("input", help="the actions, JSON Lines")
    p.add_argument("requests", help="where the prepared requests go, JSON Lines")
    p.add_argument("errors", help="where the failures go, JSON Lines")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--chunk-size", type=int, default=500, help="lines per task (default 500)")
    p.add_argument("--now", type=datetime.fromisoformat, default=None)
    args = p.parse_args(argv)
    notification = postback.Notification.from_file(args.notification)
    with (
        open(args.input, "rb") as source,
        open(args.requests, "wb") as requests,
        open(args.errors, "wb") as errors,
    ):
        ok, failed = run(
            notification,
            source,
            requests,
            errors,
            workers=args.workers,
            chunk_size=args.chunk_size,
            now=args.now,
        )
    print(f"{ok} requests, {failed} failures", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
