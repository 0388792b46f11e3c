"""The ``postback`` command line: one module per command family, ``main`` the entry point."""

from __future__ import annotations

import gc
from typing import NoReturn

__all__ = ["run"]


def run() -> NoReturn:
    """The ``postback`` console script and ``python -m postback``: ``main()``, then
    ``exit_now`` with its status.

    The collector's first threshold goes from 700 allocations to 20,000 first: a start
    makes tens of thousands of objects that live as long as the process (modules,
    classes, functions), and each collection among them frees nothing (a check of one
    file spends a twentieth of its time in them).  Cycles are still collected, in runs
    of any length.
    """
    gc.set_threshold(20_000)
    # The command line loads after the collector is set, so that its imports count.
    from .main import exit_now, main

    exit_now(main())
