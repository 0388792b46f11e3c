"""``python -m postback``: the same command line as the ``postback`` console script."""

from __future__ import annotations

from ._cli import run

if __name__ == "__main__":
    run()
