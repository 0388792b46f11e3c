"""Run the command line in this process, with its standard output and error captured.

For property tests, which run the command hundreds of times (a process each would take
minutes) and cannot use pytest's function-scoped capture fixtures.
"""

from __future__ import annotations

import io
import sys
from typing import NamedTuple

from postback._cli.main import main


class Ran(NamedTuple):
    """What a run of ``postback ARGS`` returned and wrote."""

    status: int
    stdout: bytes
    stderr: bytes


def run_main(*args: str) -> Ran:
    """Run ``postback ARGS`` through ``postback._cli.main``; standard input is empty."""
    out, err = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(), encoding="utf-8"),
        io.TextIOWrapper(out, encoding="utf-8", write_through=True),
        io.TextIOWrapper(err, encoding="utf-8", write_through=True),
    )
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        status = main(list(args))
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        for stream in streams:
            stream.flush()
            stream.detach()  # leaves the bytes readable when the wrapper is collected
    return Ran(status, out.getvalue(), err.getvalue())
