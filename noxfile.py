"""Sessions run by continuous integration (``.ci/run``): lint, the tests on every Python,
the documentation site, postback installed and used the way docs/ci.md tells a team to,
and a share of the property and fuzz tests with the thorough Hypothesis profile.

``nox`` runs them all; ``nox -s tests-3.13`` one of them.  Interpreters are found on
PATH (``.ci/run`` adds pyenv's); a missing one is reported and skipped.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent

PYTHONS = ["3.11", "3.12", "3.13"]
# The oldest supported Python runs the property and fuzz tests at full strength; newer
# ones run every test too, with the "quick" Hypothesis profile (a tenth of the examples):
# what differs between versions is the interpreter, not the search.
PRIMARY = PYTHONS[0]

# The tests whose work grows with the Hypothesis profile: every Hypothesis test of the
# property and fuzz tests, and the growth tests of tests/fuzz/test_bounds.py, which take
# templates of up to 1 MiB with the thorough profile.
THOROUGH_TESTS = [
    ("-m", "hypothesis", "tests/property", "tests/fuzz"),
    (
        "tests/fuzz/test_bounds.py",
        "-k",
        "compile_time_is_linear or check_time_is_linear or compile_memory_is_linear",
    ),
    ("tests/reading/test_parse_fuzz.py", "-k", "mutated_bodies"),
]
# With the thorough profile they take about 6½ minutes of one core's time (measured on
# the 2-core CI machine: 75 s property, 208 s fuzz, 100 s bounds), and the mutated
# bodies of tests/reading (20,000 per format) about 2 minutes more; one run of the
# session takes a third of them, and three days in a row take them all.
THOROUGH_SHARES = 3

nox.options.sessions = ["lint", "tests", "docs", "install", "thorough", "mutation"]
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


@nox.session(python=PRIMARY)
def thorough(session: nox.Session) -> None:
    """Run one share of the property and fuzz tests with the thorough Hypothesis profile.

    The tests (``THOROUGH_TESTS``) are sorted by name and dealt out in turn into
    ``THOROUGH_SHARES`` shares; the day (UTC) picks the share and the seed, so that
    consecutive days run every share with new examples, and a failure is repeated by
    naming its day: ``nox -s thorough -- 2026-12-06``.  ``nox -s thorough -- all`` runs
    every share (about 8½ minutes).
    """
    session.install("-e", ".[test]")
    env = {"HYPOTHESIS_PROFILE": "thorough"}
    today = datetime.now(UTC).date()
    chosen = session.posargs[0] if session.posargs else today.isoformat()
    every = chosen == "all"
    try:
        day = today if every else date.fromisoformat(chosen)
    except ValueError:
        session.error(f"expected a day (YYYY-MM-DD) or 'all', not {chosen!r}")
    tests: set[str] = set()
    for selection in THOROUGH_TESTS:
        listed = session.run(
            "python", "-m", "pytest", "--collect-only", "-q", *selection, env=env, silent=True
        )
        assert isinstance(listed, str)
        found = {line for line in listed.splitlines() if "::" in line}
        if not found:
            session.error(f"no test is selected by {' '.join(selection)}")
        tests |= found
    ordered = sorted(tests)
    share = day.toordinal() % THOROUGH_SHARES
    run = ordered if every else ordered[share::THOROUGH_SHARES]
    what = "every share" if every else f"share {share + 1} of {THOROUGH_SHARES}"
    session.log(f"{chosen}: {what}, {len(run)} of {len(ordered)} tests, seed {day.toordinal()}")
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--hypothesis-seed={day.toordinal()}",
        *run,
        env=env,
    )


@nox.session(python=PRIMARY)
def mutation(session: nox.Session) -> None:
    """Run the mutation check of the escapers: every rule of every escaper's table removed
    in turn, and the formats' property tests run against the mutant until one fails
    (tests/fuzz/test_mutation.py).

    CI draws the property tests' examples with the default profile and a fixed seed, so
    the check is the same on every run (about 3½ minutes): the quick profile lets a
    mutant through now and then (a path segment's ``&`` rule), which would make CI fail
    by chance.  ``nox -s mutation -- SEED`` draws other examples.
    """
    session.install("-e", ".[test]")
    seed = session.posargs[0] if session.posargs else "0"
    env = {"POSTBACK_MUTATION": "1", "HYPOTHESIS_PROFILE": "ci"}
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--hypothesis-seed={seed}",
        "tests/fuzz/test_mutation.py",
        env=env,
    )


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
