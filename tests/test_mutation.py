"""The mutation check of the escapers (fuzz/mutate_escapers.py, docs/security.md).

It disables each escaping rule in turn in a copy of the package and runs the format's
tests against it; every mutant must make some test fail.  It takes several minutes, so
it only runs when POSTBACK_MUTATION=1 (POSTBACK_MUTATION_JOBS sets its parallelism).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "fuzz" / "mutate_escapers.py"

pytestmark = pytest.mark.skipif(
    os.environ.get("POSTBACK_MUTATION") != "1",
    reason="the mutation check of the escapers takes minutes; set POSTBACK_MUTATION=1 to run it",
)


def test_no_escaping_rule_can_be_removed_unnoticed() -> None:
    jobs = os.environ.get("POSTBACK_MUTATION_JOBS", "2")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--jobs", jobs],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "0 survived; 0 errors" in done.stdout
