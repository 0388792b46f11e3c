"""Sessions run by continuous integration (``.ci/run``): lint, the tests on every Python,
the documentation site, and postback installed and used the way docs/ci.md tells a team to.

``nox`` runs them all; ``nox -s tests-3.13`` one of them.  Interpreters are found on
PATH (``.ci/run`` adds pyenv's); a missing one is reported and skipped.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent

PYTHONS = ["3.11", "3.12", "3.13"]
# The oldest supported Python runs the property and fuzz tests at full strength; newer
# ones run every test too, with the "quick" Hypothesis profile (a tenth of the examples):
# what differs between versions is the interpreter, not the search.
PRIMARY = PYTHONS[0]

nox.options.sessions = ["lint", "tests", "docs", "install"]
nox.options.reuse_existing_virtualenvs = False


@nox.session(python=PRIMARY)
def lint(session: nox.Session) -> None:
    """Check formatting, lint and types (of the package and of the documented examples)."""
    session.install("-e", ".[dev,test]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "src/postback")
    # Every Python example of the documentation, and the hand-written checks of the results
    # and options (check_results.py), each with calls that must not type-check.
    session.run("mypy", "--strict", "tests/typing")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    # The primary Python also runs the PySpark example (tests/integration/test_spark_example.py)
    # and the type checks of the records' constructors (tests/unit/test_record_types.py).
    extras = "test,bench,spark,dev" if session.python == PRIMARY else "test,bench"
    session.install("-e", f".[{extras}]")
    env = {} if session.python == PRIMARY else {"HYPOTHESIS_PROFILE": "quick"}
    session.run("python", "-m", "pytest", "-q", *session.posargs, env=env)


@nox.session(python=PRIMARY)
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ in strict mode (mkdocs.yml).

    Any warning fails the build: a link to a missing page or anchor, a page left out of
    the navigation, a name of the API reference the package no longer has.
    """
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs)


def _local_hooks() -> str:
    """The ``repo: local`` pre-commit configuration shown in docs/ci.md."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        if "repo: local" in block:
            return str(block)
    raise RuntimeError("docs/ci.md shows no repo: local pre-commit configuration")


@nox.session(python=PRIMARY)
def install(session: nox.Session) -> None:
    """Install postback as docs/ci.md says and run its commands on a sample repository."""
    sample = Path(tempfile.mkdtemp(prefix="postback-sample-")) / "acme"
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", sample)
    # python -m pip install path/to/postback
    session.run("python", "-m", "pip", "install", "--quiet", str(ROOT))
    session.install("pytest", "pre-commit")
    session.chdir(sample)
    session.run("postback", "check", "--output-format", "github")
    session.run("postback", "check")
    session.run("postback", "test")
    session.run("postback", "test", "--update")
    session.run("postback", "check", "--show-settings", "templates/tier.header")
    # pytest and pytest --postback-update: the plugin, loaded through its entry point.
    session.run("pytest", "-p", "no:cacheprovider")
    session.run("pytest", "-p", "no:cacheprovider", "--postback-update")
    # pre-commit run --all-files, with the local hooks of docs/ci.md.
    Path(".pre-commit-config.yaml").write_text(_local_hooks(), encoding="utf-8")
    session.run("git", "init", "--quiet", external=True)
    session.run("git", "add", "--all", external=True)
    session.run("pre-commit", "run", "--all-files")
    # python -m pip install "postback @ git+URL@REF", with this repository and commit.
    commit = session.run("git", "-C", str(ROOT), "rev-parse", "HEAD", silent=True, external=True)
    assert isinstance(commit, str)
    url = f"postback @ git+file://{ROOT}@{commit.strip()}"
    session.run("python", "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", url)
    session.run("postback", "test")
    shutil.rmtree(sample.parent, ignore_errors=True)
