"""examples/spark_backfill.py in Spark's local mode writes what prepare_many writes.

One Python process runs the job on 10,000 JSON Lines actions (three items each, some
malformed) in two partitions, then on a small Parquet file it writes first; the
outputs are compared line for line with ``Notification.prepare_many`` on the same
input, and the counts printed and exit statuses with what ``postback prepare
--records`` would give.  Spark starts slowly (half a minute on a busy machine), hence
one process.  The summary the job ends with is tested without Spark too.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import postback

ROOT = Path(__file__).resolve().parents[2]
NOTIFICATION = ROOT / "examples" / "notification.toml"
NOW = "2026-03-01T12:00:00+00:00"

needs_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="Spark needs Java (17 or newer) on PATH"
)
needs_pyspark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None,
    reason='pyspark is not installed (pip install -e ".[spark]")',
)

# The malformed lines, by line number: what each one is, and the code it must get.
BAD = {
    8: ('{"Payout": "1.2.3"}', "record-error"),
    9: ('{"CampaignId": 1, "Bogus": true}', "record-error"),
    10: ("[1, 2, 3]", "not-an-object"),
    11: ('{"Payout": 1.5', "invalid-json"),
}
BLANK = 12

DRIVER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from decimal import Decimal

    sys.path.insert(0, sys.argv[1])
    import spark_backfill
    from pyspark.sql import SparkSession

    notification, jsonl, parquet, out_jsonl, out_parquet, now = sys.argv[2:]
    statuses = [spark_backfill.main([notification, jsonl, out_jsonl, "--master", "local[2]",
                                     "--partitions", "2", "--now", now])]
    spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false") \\
        .config("spark.sql.session.timeZone", "UTC").getOrCreate()
    rows = [
        {"CampaignId": 7, "Payout": Decimal("12.50"), "ActionId": "P-1",
         "ClearedDate": datetime(2026, 2, 3, 11, 30, tzinfo=timezone.utc),
         "items": [{"sku": "S-1", "amt": Decimal("1.10"), "qty": Decimal("2")}]},
        {"CampaignId": None, "Payout": None, "ActionId": "P-2", "ClearedDate": None,
         "items": []},
    ]
    schema = ("CampaignId long, Payout decimal(10,2), ActionId string, "
              "ClearedDate timestamp, "
              "items array<struct<sku:string, amt:decimal(10,2), qty:decimal(10,0)>>")
    spark.createDataFrame(rows, schema).coalesce(1).write.parquet(parquet)
    spark.stop()
    statuses.append(spark_backfill.main([notification, parquet, out_parquet, "--input-format",
                                         "parquet", "--master", "local[1]", "--now", now]))
    print("statuses", *statuses)
    """
)


def _actions_file(path: Path, count: int) -> None:
    sample = postback.sample_action()
    with path.open("w", encoding="utf-8") as out:
        for k in range(1, count + 1):
            if k in BAD:
                out.write(BAD[k][0] + "\n")
            elif k == BLANK:
                out.write("\n")
            else:
                action = replace(sample, campaign_id=k, action_id=f"A-{k}", payout=Decimal(k) / 4)
                assert len(action.items) == 3
                out.write(json.dumps(action.to_dict(), ensure_ascii=False) + "\n")


def _output(folder: Path, kind: str) -> list[str]:
    lines: list[str] = []
    for part in sorted((folder / f"kind={kind}").glob("part-*")):
        lines += part.read_text(encoding="utf-8").splitlines()
    return lines


@pytest.mark.parametrize(
    ("counts", "status", "printed"),
    [
        ({"request": 9_995, "error": 4}, 1, "9995 requests, 4 failures"),
        ({"error": 1}, 1, "0 requests, 1 failures"),
        ({"request": 2}, 0, "2 requests, 0 failures"),
        ({"request": 0, "error": 0}, 0, "0 requests, 0 failures"),
        ({}, 0, "0 requests, 0 failures"),
    ],
)
def test_the_job_prints_its_counts_and_fails_when_any_action_failed(
    counts: dict[str, int],
    status: int,
    printed: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The job exited 0 and printed nothing when actions had failed, where ``postback
    prepare --records`` exits 1; it ends as the multiprocessing example does."""
    job = _example_module()
    monkeypatch.setattr(job, "run", lambda args: counts)
    # main() sets them for Spark's workers when they are not set.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    assert job.main([str(NOTIFICATION), "actions.jsonl", "out"]) == status
    assert capsys.readouterr() == ("", printed + "\n")


def _example_module() -> Any:
    """examples/spark_backfill.py as a module; it imports pyspark only to run the job."""
    spec = importlib.util.spec_from_file_location(
        "spark_backfill", ROOT / "examples" / "spark_backfill.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_java
@needs_pyspark
def test_the_spark_job_writes_what_prepare_many_writes(tmp_path: Path) -> None:
    jsonl = tmp_path / "actions.jsonl"
    _actions_file(jsonl, 10_000)
    out_jsonl, out_parquet = tmp_path / "out-jsonl", tmp_path / "out-parquet"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            DRIVER,
            str(ROOT / "examples"),
            str(NOTIFICATION),
            str(jsonl),
            str(tmp_path / "actions.parquet"),
            str(out_jsonl),
            str(out_parquet),
            NOW,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    # Four actions of the JSON Lines file failed; none of the Parquet file.
    assert proc.stdout.splitlines()[-1] == "statuses 1 0", proc.stderr[-4000:]
    summaries = [line for line in proc.stderr.splitlines() if line.endswith(" failures")]
    assert summaries == ["9995 requests, 4 failures", "2 requests, 0 failures"]

    notification = postback.Notification.from_file(NOTIFICATION)
    now = datetime.fromisoformat(NOW)
    with jsonl.open("rb") as lines:
        expected = list(notification.prepare_many(lines, now=now))
    assert len(expected) == 10_000 - 1  # the blank line is counted, not written
    requests = _output(out_jsonl, "request")
    errors = _output(out_jsonl, "error")
    assert requests == [r.to_json() for r in expected if r.ok]
    assert errors == [r.to_json() for r in expected if not r.ok]
    assert len(requests) == 10_000 - 1 - len(BAD)
    assert [(e["line"], e["error"]["code"]) for e in map(json.loads, errors)] == [
        (line, code) for line, (_, code) in sorted(BAD.items())
    ]
    first = json.loads(requests[0])
    assert first["line"] == 1
    assert first["url"].startswith("https://postbacks.example.com/impact/actions/1?")

    parquet = [json.loads(line) for line in _output(out_parquet, "request")]
    assert not (out_parquet / "kind=error").exists()
    expected_parquet = notification.prepare_many(
        [
            postback.Action(
                campaign_id=7,
                payout=Decimal("12.50"),
                action_id="P-1",
                cleared_date=datetime(2026, 2, 3, 11, 30, tzinfo=UTC),
                items=(postback.Item(sku="S-1", amt=Decimal("1.10"), qty=Decimal("2")),),
            ),
            postback.Action(action_id="P-2"),
        ],
        now=now,
    )
    assert parquet == [json.loads(r.to_json()) for r in expected_parquet]
    assert parquet[0]["not_before"] == "2026-02-03T11:30:30+00:00"
