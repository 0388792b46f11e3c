"""Sessions run by continuous integration (``.ci/run``): lint, then the tests on every Python.

``nox`` runs them all; ``nox -s tests-3.13`` one of them.  Interpreters are found on
PATH (``.ci/run`` adds pyenv's); a missing one is reported and skipped.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
# The oldest supported Python runs the property and fuzz tests at full strength; newer
# ones run every test too, with the "quick" Hypothesis profile (a tenth of the examples):
# what differs between versions is the interpreter, not the search.
PRIMARY = PYTHONS[0]

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = False


@nox.session(python=PRIMARY)
def lint(session: nox.Session) -> None:
    """Check formatting, lint and types."""
    session.install("-e", ".[dev,test]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "src/postback")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    # The primary Python also runs the PySpark example (tests/test_spark_example.py).
    extras = "test,bench,spark" if session.python == PRIMARY else "test,bench"
    session.install("-e", f".[{extras}]")
    env = {} if session.python == PRIMARY else {"HYPOTHESIS_PROFILE": "quick"}
    session.run("python", "-m", "pytest", "-q", *session.posargs, env=env)
