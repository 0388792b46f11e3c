"""Run a command whose standard error is a pseudo-terminal, as a user's shell gives it."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable


def with_terminal_stderr(
    start: Callable[[int], subprocess.Popen[bytes]],
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a process with ``start(fd)``, its standard error the terminal ``fd``; wait
    for it (two minutes at most) and return it with all it wrote to the terminal."""
    import pty

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def reader() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            chunks.append(chunk)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        proc = start(slave)
        proc.wait(timeout=120)
    finally:
        os.close(slave)
    thread.join(timeout=10)
    os.close(master)
    return proc, b"".join(chunks).decode("utf-8", "replace")
