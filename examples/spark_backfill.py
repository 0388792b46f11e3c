#!/usr/bin/env python3
"""Prepare a backfill of postbacks with PySpark: one request per action, as JSON Lines.

    pip install "postback[spark]"    # or, from a checkout: pip install -e ".[spark]"
    python examples/spark_backfill.py examples/notification.toml actions.jsonl out/

reads the actions (JSON Lines, one action per line, or ``--input-format parquet``),
prepares each with the notification inside ``mapPartitions`` and writes:

    out/kind=request/part-*.txt   one prepared request per line (what
                                  ``Notification.prepare_many`` writes: line, method,
                                  url, headers, body, not_before)
    out/kind=error/part-*.txt     one failure per line: line, error {code, message, field}

A bad action never stops the job: it becomes an error row with its line number (for
Parquet, its row number).  Every row carries its ``line``, so the two outputs together
account for every line of the input but blank ones.  At the end the job prints the
numbers of requests and failures it wrote (``9990 requests, 3 failures``) and exits
with status 1 when any action failed, as ``postback prepare --records`` does.

The notification is compiled once on the driver (a defective template stops the job
before Spark starts) and broadcast: it pickles as its settings, a few hundred bytes,
and each Python worker compiles it again, once, from its per-process cache.  Runs in
local mode by default; ``--master`` points it at a cluster, whose executors need
postback installed (or shipped with ``--py-files``).  Needs Java 17 or newer.
docs/bulk.md describes the pattern.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

import postback


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Return the job's options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notification", help="the notification settings (TOML)")
    p.add_argument("input", help="the actions: a JSON Lines file or folder, or Parquet")
    p.add_argument("output", help="the output folder (must not exist)")
    p.add_argument("--input-format", choices=("jsonl", "parquet"), default="jsonl")
    p.add_argument("--master", default="local[*]", help="the Spark master (default local[*])")
    p.add_argument(
        "--partitions",
        type=int,
        default=None,
        help="the least number of partitions of a JSON Lines input",
    )
    p.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the base of not_before for actions without ClearedDate or EventDate, "
        "ISO 8601 (default: when the job starts); one value for the whole job",
    )
    return p.parse_args(argv)


def prepare_partition(
    notification: Any, now: datetime, rows: Iterable[tuple[object, int]]
) -> Iterator[tuple[str, str]]:
    """Prepare one partition's ``(record, index)`` rows; yield ``(kind, JSON line)``.

    The indexes of one partition follow each other (``zipWithIndex``), so the first
    one numbers them all.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    record, start = first
    records = itertools.chain([record], (r for r, _ in rows))
    for result in notification.value.prepare_many(records, now=now, start=start):
        yield ("request" if result.ok else "error"), result.to_json()


def _parquet_records(spark: Any, path: str) -> Any:
    """Return the Parquet actions as an RDD of dicts, timestamps as ISO 8601 text."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType, TimestampType

    frame = spark.read.parquet(path)
    for column in frame.schema.fields:
        # PySpark would hand timestamps over as naive local times; ISO text with the
        # offset keeps the instant.
        if isinstance(column.dataType, TimestampType | TimestampNTZType):
            pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS" + (
                "XXX" if isinstance(column.dataType, TimestampType) else ""
            )
            frame = frame.withColumn(column.name, F.date_format(column.name, pattern))
    return frame.rdd.map(lambda row: row.asDict(recursive=True))


def summary(counts: Mapping[str, int], out: TextIO | None = None) -> int:
    """Print the numbers of requests and failures written; return the exit status.

    ``counts`` maps each kind of output row, ``"request"`` and ``"error"``, to the
    number of rows of that kind (a kind with none may be absent).  The status is 1 when
    any action failed, 0 otherwise.
    """
    requests, failures = counts.get("request", 0), counts.get("error", 0)
    print(f"{requests} requests, {failures} failures", file=out or sys.stderr)
    return 1 if failures else 0


def _written(spark: Any, output: str) -> dict[str, int]:
    """Return the number of rows of each kind in the output folder, as read back."""
    frame = spark.read.text(output)
    if "kind" not in frame.columns:  # no row at all: no kind=... folder
        return {}
    return {row["kind"]: row["count"] for row in frame.groupBy("kind").count().collect()}


def run(args: argparse.Namespace) -> dict[str, int]:
    """Run the job; return the number of rows written of each kind."""
    from pyspark.sql import SparkSession

    notification = postback.Notification.from_file(args.notification)
    now = args.now or datetime.now(UTC)
    spark = (
        SparkSession.builder.master(args.master)
        .appName("postback-backfill")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        sc = spark.sparkContext
        # The workers import this module for prepare_partition when it is not run
        # as a script (a script's functions travel by value).
        sc.addPyFile(os.path.abspath(__file__))
        shared = sc.broadcast(notification)
        if args.input_format == "parquet":
            records = _parquet_records(spark, args.input)
        else:
            # Lines as text: Spark's JSON reader would turn decimals into floats.
            records = sc.textFile(args.input, minPartitions=args.partitions)
        results = records.zipWithIndex().mapPartitions(
            lambda rows: prepare_partition(shared, now, rows)
        )
        frame = spark.createDataFrame(results, "kind string, value string")
        frame.write.partitionBy("kind").text(args.output)
        # Counted from what was written: reading text back is cheap, and counting
        # inside the job (an accumulator) could count a retried task twice.
        return _written(spark, args.output)
    finally:
        spark.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job from the command line."""
    args = parse_args(argv)
    # Spark's Python workers must run this interpreter, where postback is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return summary(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
