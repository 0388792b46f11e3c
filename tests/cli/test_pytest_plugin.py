"""The pytest plugin, run by pytest itself on the sample repository (``pytester``).

The sample (tests/fixtures/project) names its case directory in ``[tool.postback]``;
a plain ``pytest`` there collects one item per record of every template, a failing
item shows what ``postback test`` prints for the case (a unified diff, every
diagnostic at its place), and ``--postback-update`` rewrites exactly the stale file.
The values of secret headers are masked unless ``--postback-show-secrets`` asks for them.
"""

from __future__ import annotations

import os
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import lark  # noqa: F401  (see below)
import pytest

import postback
from postback._cli.main import main

# pytester runs pytest in this process and then forgets the modules first imported
# during that run.  postback's parser keeps the Lark parser it built with the lark
# modules of its first use, and a later run would import lark again, with other
# classes: lark is imported here, before any run, so every run shares it.

pytest_plugins = ["pytester"]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "project"


def _installed() -> bool:
    return any(ep.value == "postback._pytest_plugin" for ep in entry_points(group="pytest11"))


# Where postback is installed, pytest loads the plugin through its entry point;
# otherwise (an uninstalled checkout) it is named explicitly, as pytest -p would.
PLUGIN = () if _installed() else ("-p", "postback._pytest_plugin")

ITEMS = [
    "templates/notification.toml::notification.partial.expected",
    "templates/notification.toml::notification.refund.expected",
    "templates/notification.toml::notification.sale.expected",
    "templates/partners/legacy.tmpl::legacy.expected",
    "templates/tier.header::tier.expected",
]


def test_the_entry_point_is_declared() -> None:
    import tomllib

    pyproject = tomllib.loads((FIXTURE.parents[2] / "pyproject.toml").read_text("utf-8"))
    entry = pyproject["project"]["entry-points"]["pytest11"]
    assert entry == {"postback": "postback._pytest_plugin"}


@pytest.fixture
def sample(pytester: pytest.Pytester) -> Path:
    shutil.copytree(FIXTURE, pytester.path, dirs_exist_ok=True)
    return pytester.path


def _expected_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.expected"))}


def test_one_item_per_record(pytester: pytest.Pytester, sample: Path) -> None:
    result = pytester.runpytest(*PLUGIN, "-v")
    result.assert_outcomes(passed=5)
    for item in ITEMS:
        result.stdout.fnmatch_lines([f"{item} PASSED*"])
    collected = pytester.runpytest(*PLUGIN, "--collect-only", "-q")
    assert [line for line in collected.outlines if "::" in line] == ITEMS


def test_a_stale_expected_file_fails_with_a_unified_diff(
    pytester: pytest.Pytester, sample: Path
) -> None:
    stale = sample / "templates" / "notification.refund.expected"
    good = stale.read_bytes()
    stale.write_bytes(good.replace(b"X-Tier: gold", b"X-Tier: silver"))
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "FAIL templates/notification.toml[[]refund]",
            "--- templates/notification.refund.expected",
            "+++ templates/notification.toml[[]refund] (rendered)",
            "-X-Tier: silver*",
            "+X-Tier: gold*",
            "(run pytest with --postback-update to accept the rendering)",
            "*FAILED templates/notification.toml::notification.refund.expected*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_update_rewrites_exactly_the_stale_file(pytester: pytest.Pytester, sample: Path) -> None:
    stale = sample / "templates" / "notification.refund.expected"
    before = _expected_files(sample)
    stale.write_bytes(before["templates/notification.refund.expected"] + b"junk")
    (sample / "templates" / "tier.expected").unlink()

    updated = pytester.runpytest(*PLUGIN, "--postback-update")
    updated.assert_outcomes(passed=5)
    updated.stdout.fnmatch_lines(
        [
            "*postback*",
            "updated templates/notification.refund.expected",
            "updated templates/tier.expected",
            "updated 2 expected files",
        ]
    )
    # The rewritten request has its secret header masked, as postback test --mask writes it.
    refund = before["templates/notification.refund.expected"]
    before["templates/notification.refund.expected"] = refund.replace(
        b"Authorization: Bearer tok-refund", b"Authorization: ***"
    )
    assert _expected_files(sample) == before
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=5)


def test_a_template_that_does_not_compile_fails_with_its_diagnostics(
    pytester: pytest.Pytester, sample: Path
) -> None:
    header = sample / "templates" / "tier.header"
    header.write_text("tier={Tierr}", "utf-8")
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "FAIL templates/tier.header",
            "templates/tier.header:1:6: error[unknown-field]: unknown field {Tierr}; "
            "did you mean {Tier}?",
        ]
    )


# Failing cases of every kind, each reported by postback test in its own way.
BROKEN = {
    "headers.toml": 'url = "https://e.com/pb?a={ActionId}"\n\n[headers]\n'
    'X-Action = "{ActionIdd}"\nX-Other = "{Statuss} {Nope}"\n',
    "secret.toml": 'url = "https://e.com/pb"\n[headers]\nAuthorization = "Bearer s3cr3t {Nopee}"\n',
    "body.toml": 'url = "https://e.com/pb"\nmethod = "POST"\nbody_file = "body.json"\n'
    'body_format = "json"\n',
    "body.json": '{"a": "{Nope}",\n "b": {Tierr}}',
    "settings.toml": 'url = "https://e.com/pb"\ntimezone = "Mars/Base"\n',
    "two.qs": "x={Tierr}&y={Nop}",
    "stale.qs": "x={ActionId}",
    "stale.expected": "x=2",
    "missing.qs": "x={ActionId}",
    "record.qs": "x={ActionId}",
    "record.record.json": '{"ActionId": [1]}',
    "record.bad.record.json": "{",
    "ok.qs": "x={ActionId}",
    "ok.expected": "x=1000.4636.158133",
}


def _command_reports(stdout: str, stderr: str) -> list[str]:
    """Each case's report in postback test's output, with its error line (unprefixed)."""
    errors = iter(line.removeprefix("postback: error: ") for line in stderr.splitlines())
    blocks: list[list[str]] = []
    for line in stdout.splitlines()[:-1]:  # the last line is the summary
        if line.startswith("FAIL "):
            blocks.append([line])
            if line.endswith((": unreadable input", ": cannot render")):
                blocks[-1].append(next(errors))
        else:
            blocks[-1].append(line)
    assert next(errors, None) is None
    return ["\n".join(block) for block in blocks]


def _plugin_reports(lines: list[str]) -> list[str]:
    """Each failed item's report in pytest's output."""
    blocks: list[list[str]] = []
    inside = False
    for line in lines:
        if line.startswith("____") and "postback case " in line:
            blocks.append([])
            inside = True
        elif line.startswith("===="):
            inside = False
        elif inside:
            blocks[-1].append(line)
    return ["\n".join(block) for block in blocks]


def test_a_failing_case_is_reported_as_postback_test_reports_it(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin showed a notification's first error only, at ``headers.X-Action:1:1``
    instead of its line and column in the TOML file, one error of a template, and
    absolute paths for records and notifications."""
    pytester.makepyprojecttoml('[tool.postback]\ncases = ["cases"]\n')
    cases = pytester.path / "cases"
    cases.mkdir()
    for name, text in BROKEN.items():
        (cases / name).write_text(text, "utf-8")
    assert main(["test"]) == 2
    captured = capsys.readouterr()
    expected = _command_reports(captured.out, captured.err)
    assert len(expected) == 9
    assert "cases/headers.toml:5:12: error[unknown-field]: unknown field {Statuss}" in captured.out
    # The plugin asks for its own option where postback test names its command.
    expected = [
        report.replace("`postback test --update cases/missing.qs`", "pytest with --postback-update")
        for report in expected
    ]
    stale = next(i for i, r in enumerate(expected) if r.startswith("FAIL cases/stale.qs"))
    expected[stale] += "\n(run pytest with --postback-update to accept the rendering)"

    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=9)
    assert _plugin_reports(result.outlines) == expected
    assert not any(str(pytester.path) in report for report in expected)

    # From a folder below the rootdir, the items are run and named the same way.
    below = pytester.path / "tests"
    below.mkdir()
    monkeypatch.chdir(below)
    deeper = pytester.runpytest(*PLUGIN, "--rootdir", str(pytester.path), str(cases))
    deeper.assert_outcomes(passed=1, failed=9)
    assert _plugin_reports(deeper.outlines) == expected
    assert Path.cwd() == below


def test_named_paths_are_what_runs(pytester: pytest.Pytester, sample: Path) -> None:
    (sample / "tests").mkdir()
    (sample / "tests" / "test_plain.py").write_text("def test_plain():\n    pass\n")
    pytester.runpytest(*PLUGIN, "tests").assert_outcomes(passed=1)
    pytester.runpytest(*PLUGIN, "templates/tier.header").assert_outcomes(passed=1)
    # With no path, the cases run beside the project's own tests.
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=6)


def test_nothing_is_collected_without_case_directories(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('[tool.postback]\nextra_fields = ["Tier"]\n')
    (pytester.path / "body.json").write_text('{"a": "{ActionId}"}')
    (pytester.path / "body.expected").write_text("stale")
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest(*PLUGIN, "-v")
    result.assert_outcomes(passed=1)
    assert "body.json" not in result.stdout.str()


def test_nothing_is_collected_without_settings(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[project]\nname = 'x'\n")
    (pytester.path / "body.json").write_text('{"a": "{Nope}"}')
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('cases = ["nowhere"]', "*postback: cannot read test directory *nowhere*"),
        (
            'cases = ["."]\nmask = "yes"',
            "*postback: pyproject.toml [[]tool.postback]: mask must be true or false, not 'yes'*",
        ),
    ],
)
def test_malformed_settings_are_a_usage_error(
    pytester: pytest.Pytester, table: str, message: str
) -> None:
    pytester.makepyprojecttoml(f"[tool.postback]\n{table}\n")
    result = pytester.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


@pytest.mark.parametrize(
    ("value", "where", "reason"),
    [
        ("[" * 1000, "2:111", "arrays and inline tables nested more than 100 levels deep"),
        ("9" * 5000, "2:11", "a number of more than 1,000 digits"),
    ],
)
def test_settings_nested_too_deep_or_too_long_a_number_are_a_usage_error(
    pytester: pytest.Pytester, value: str, where: str, reason: str
) -> None:
    """They were INTERNALERROR (RecursionError, ValueError).  In postback.toml: pytest
    reads pyproject.toml with tomllib itself, before the plugin."""
    (pytester.path / "postback.toml").write_text(f'cases = ["."]\nmissing = {value}\n')
    result = pytester.runpytest(*PLUGIN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*postback: postback.toml:{where}: {reason}"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


SNAPSHOT_TEST = """
import postback

def test_refund(postback_snapshot):
    template = postback.compile('{"id": "{ActionId}", "tier": "{Tier}"}', extra_fields=["Tier"])
    postback_snapshot.assert_match(template.render({"ActionId": "1.2.3", "Tier": TIER}))
    postback_snapshot.assert_match("second", "named.expected")
"""


def test_the_snapshot_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_snap=SNAPSHOT_TEST.replace("TIER", "'gold'"))
    missing = pytester.runpytest(*PLUGIN)
    missing.assert_outcomes(failed=1)
    # The files are named relative to the rootdir, as the golden cases are.
    missing.stdout.fnmatch_lines(
        [
            "E * no expected output snapshots/test_snap/test_refund.expected; "
            "run pytest with --postback-update to create it"
        ]
    )

    updated = pytester.runpytest(*PLUGIN, "--postback-update")
    updated.assert_outcomes(passed=1)
    updated.stdout.fnmatch_lines(
        [
            "updated snapshots/test_snap/test_refund.expected",
            "updated snapshots/test_snap/named.expected",
            "updated 2 expected files",
        ]
    )
    folder = pytester.path / "snapshots" / "test_snap"
    assert (folder / "test_refund.expected").read_bytes() == b'{"id": "1.2.3", "tier": "gold"}'
    assert (folder / "named.expected").read_bytes() == b"second"
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)

    pytester.makepyfile(test_snap=SNAPSHOT_TEST.replace("TIER", "'silver'"))
    changed = pytester.runpytest(*PLUGIN)
    changed.assert_outcomes(failed=1)
    assert "def assert_match" not in changed.stdout.str()  # no library frames
    changed.stdout.fnmatch_lines(
        [
            "E * the rendering differs from snapshots/test_snap/test_refund.expected (run *",
            "E * --- snapshots/test_snap/test_refund.expected",
            '*-{"id": "1.2.3", "tier": "gold"}',
            '*+{"id": "1.2.3", "tier": "silver"}',
        ]
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_update_never_writes_through_a_symbolic_link(
    pytester: pytest.Pytester, sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``pytest --postback-update`` wrote a header template's rendering through an
    expected file linked to a file outside the project (``~/.bashrc``)."""
    bashrc = tmp_path_factory.mktemp("home") / ".bashrc"
    bashrc.write_text("export SECRET_TOKEN=abc\n")
    expected = sample / "templates" / "tier.expected"
    expected.unlink()
    expected.symlink_to(bashrc)

    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        ["*cannot read *tier.expected: it is a symbolic link to *, outside *templates*"]
    )
    assert "SECRET_TOKEN" not in result.stdout.str()

    updated = pytester.runpytest(*PLUGIN, "--postback-update")
    updated.assert_outcomes(passed=4, failed=1)
    updated.stdout.fnmatch_lines(
        ["*cannot write *tier.expected: it is a symbolic link, and postback never writes*"]
    )
    assert bashrc.read_text() == "export SECRET_TOKEN=abc\n"
    assert expected.is_symlink()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_the_snapshot_fixture_never_writes_through_a_symbolic_link(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    bashrc = tmp_path_factory.mktemp("home") / ".bashrc"
    bashrc.write_text("export SECRET_TOKEN=abc\n")
    pytester.makepyfile(test_snap=SNAPSHOT_TEST.replace("TIER", "'gold'"))
    folder = pytester.path / "snapshots" / "test_snap"
    folder.mkdir(parents=True)
    (folder / "test_refund.expected").symlink_to(bashrc)
    result = pytester.runpytest(*PLUGIN, "--postback-update")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CaseError: cannot read *test_refund.expected: it is a symb*"])
    assert bashrc.read_text() == "export SECRET_TOKEN=abc\n"


def test_a_failure_report_keeps_every_line_a_line(pytester: pytest.Pytester, sample: Path) -> None:
    """A carriage return in an expected file (or a file name) wrote a line of its own,
    such as a GitHub workflow command, into the report."""
    stale = sample / "templates" / "tier.expected"
    stale.write_bytes(b"tier=silver\r::error title=forged::boom")
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["-tier=silver\\r::error title=forged::boom"])
    assert not any(line.lstrip().startswith("::") for line in result.stdout.str().splitlines())
    assert "\r" not in result.stdout.str()


# ---------------------------------------------------------------------------
# Secret headers: masked unless asked for
# ---------------------------------------------------------------------------

TOKENS = (b"tok-partial", b"tok-refund", b"tok-sale")
NOTIFICATION_FILES = [f"templates/notification.{n}.expected" for n in ("partial", "refund", "sale")]


def _no_token(text: str | bytes) -> bool:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return not any(token in data for token in TOKENS)


def test_cases_written_by_postback_test_mask_pass_and_print_no_token(
    pytester: pytest.Pytester, sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With expected files written by postback test --mask --update, a plain pytest failed
    every notification case and printed the real token of each into the log."""
    for name in NOTIFICATION_FILES:
        (sample / name).unlink()
    assert main(["test", "--mask", "--update"]) == 0
    capsys.readouterr()
    masked = _expected_files(sample)
    for name in NOTIFICATION_FILES:
        assert b"\r\nAuthorization: ***\r\n" in masked[name]
        assert _no_token(masked[name])

    passed = pytester.runpytest(*PLUGIN, "-v")
    passed.assert_outcomes(passed=5)
    assert _no_token(passed.stdout.str())

    refund = sample / "templates" / "notification.refund.expected"
    refund.write_bytes(masked[NOTIFICATION_FILES[1]].replace(b"X-Tier: gold", b"X-Tier: silver"))
    stale = pytester.runpytest(*PLUGIN)
    stale.assert_outcomes(passed=4, failed=1)
    stale.stdout.re_match_lines(
        [r" Authorization: \*\*\*\r?$", r"-X-Tier: silver", r"\+X-Tier: gold"]
    )
    assert _no_token(stale.stdout.str())

    # --postback-update writes the masked request, as postback test --mask --update does.
    updated = pytester.runpytest(*PLUGIN, "--postback-update")
    updated.assert_outcomes(passed=5)
    assert _expected_files(sample) == masked
    assert main(["test", "--mask"]) == 0


def test_an_expected_file_holding_the_value_is_compared_and_shown_masked(
    pytester: pytest.Pytester, sample: Path
) -> None:
    # The sample's expected files hold the tokens (written without --mask): the values
    # of secret headers are not compared, and the diff shows them masked on both sides.
    before = _expected_files(sample)
    assert not _no_token(before[NOTIFICATION_FILES[1]])
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=5)
    refund = sample / NOTIFICATION_FILES[1]
    refund.write_bytes(before[NOTIFICATION_FILES[1]].replace(b"X-Tier: gold", b"X-Tier: silver"))
    stale = pytester.runpytest(*PLUGIN)
    stale.assert_outcomes(passed=4, failed=1)
    stale.stdout.re_match_lines([r" Authorization: \*\*\*\r?$", r"-X-Tier: silver"])
    assert _no_token(stale.stdout.str())
    # Only the stale file is rewritten, and without its token.
    pytester.runpytest(*PLUGIN, "--postback-update").assert_outcomes(passed=5)
    after = _expected_files(sample)
    assert after[NOTIFICATION_FILES[1]] == before[NOTIFICATION_FILES[1]].replace(
        b"Authorization: Bearer tok-refund", b"Authorization: ***"
    )
    assert {k: v for k, v in after.items() if k != NOTIFICATION_FILES[1]} == {
        k: v for k, v in before.items() if k != NOTIFICATION_FILES[1]
    }


@pytest.mark.parametrize("how", ["option", "ini"])
def test_secrets_are_shown_compared_and_written_when_asked_for(
    pytester: pytest.Pytester, sample: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    for name in NOTIFICATION_FILES:
        (sample / name).unlink()
    assert main(["test", "--mask", "--update"]) == 0
    capsys.readouterr()
    args: tuple[str, ...] = PLUGIN
    if how == "option":
        args += ("--postback-show-secrets",)
    else:
        pyproject = sample / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text("utf-8")
            + "\n[tool.pytest.ini_options]\npostback_show_secrets = true\n",
            "utf-8",
        )
    shown = pytester.runpytest(*args)
    shown.assert_outcomes(passed=2, failed=3)  # the masked files differ from the requests
    shown.stdout.re_match_lines(
        [r"-Authorization: \*\*\*\r?$", r"\+Authorization: Bearer tok-refund"]
    )
    pytester.runpytest(*args, "--postback-update").assert_outcomes(passed=5)
    assert b"Authorization: Bearer tok-refund\r\n" in (sample / NOTIFICATION_FILES[1]).read_bytes()
    pytester.runpytest(*args).assert_outcomes(passed=5)


REQUEST_SNAPSHOT_TEST = """
import postback

def test_request(postback_snapshot):
    token = "-".join(["tok", "sale"])  # pytest shows this source: not the token itself
    notification = postback.Notification(
        "https://e.com/pb", headers={"Authorization": "Bearer " + token, "X-Id": "{ActionId}"}
    )
    postback_snapshot.assert_match(notification.prepare({"ActionId": ACTION}))
"""


def test_a_request_snapshot_is_masked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_snap=REQUEST_SNAPSHOT_TEST.replace("ACTION", "'1'"))
    pytester.runpytest(*PLUGIN, "--postback-update").assert_outcomes(passed=1)
    written = (pytester.path / "snapshots" / "test_snap" / "test_request.expected").read_bytes()
    assert written == b"GET /pb HTTP/1.1\r\nHost: e.com\r\nAuthorization: ***\r\nX-Id: 1\r\n\r\n"
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=1)
    pytester.makepyfile(test_snap=REQUEST_SNAPSHOT_TEST.replace("ACTION", "'2'"))
    changed = pytester.runpytest(*PLUGIN)
    changed.assert_outcomes(failed=1)
    changed.stdout.re_match_lines(
        [r"E +Authorization: \*\*\*\r?$", r"E +-X-Id: 1", r"E +\+X-Id: 2"]
    )
    assert _no_token(changed.stdout.str())
    shown = pytester.runpytest(*PLUGIN, "--postback-show-secrets")
    shown.assert_outcomes(failed=1)
    shown.stdout.re_match_lines([r"E +\+Authorization: Bearer tok-sale"])


def test_a_case_whose_expected_output_does_not_read_back_fails(
    pytester: pytest.Pytester, sample: Path
) -> None:
    source = '{join(items, i, "k={i.sku}&", "z")}a=1'
    (sample / "templates" / "skus.qs").write_text(source)
    rendered = postback.compile(source, format="query").render_bytes(postback.sample_action())
    (sample / "templates" / "skus.expected").write_bytes(rendered)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(
        [
            "FAIL templates/skus.qs: the expected output does not read back",
            "templates/skus.expected: the pairs of the join at template 1:1 cannot be read: *",
        ]
    )
    assert "Traceback" not in result.stdout.str()
