"""docs/ci.md works when copy-pasted: every command in it is run here or by ``.ci/run``.

The ``postback`` commands run on a copy of tests/fixtures/project (the repository the
page describes), and the outputs the page shows are compared with what they print
(those of its console blocks by tests/integration/test_docs.py).
The install, pytest and pre-commit commands are run by the ``install`` session of
noxfile.py, which ``.ci/run`` runs.  Every YAML block (the workflows, the GitLab job,
the pre-commit configurations) is parsed and has the keys its tool requires.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
FIXTURE = ROOT / "tests" / "fixtures" / "project"
NOXFILE = (ROOT / "noxfile.py").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def _commands() -> list[str]:
    """Every command of the page: console lines, workflow steps and job scripts."""
    found = [
        line[2:].strip()
        for block in _blocks("console")
        for line in block.splitlines()
        if line.startswith("$ ")
    ]
    for block in _blocks("yaml"):
        data = yaml.safe_load(block)
        for job in _jobs(data):
            found += [step["run"] for step in job.get("steps", []) if "run" in step]
            found += job.get("script", [])
    return found


def _jobs(data: object) -> list[dict[str, object]]:
    if not isinstance(data, dict):
        return []
    if "jobs" in data:
        return list(data["jobs"].values())
    return [v for v in data.values() if isinstance(v, dict) and "script" in v]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "postback", *args], capture_output=True, cwd=cwd, timeout=120
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "acme"
    shutil.copytree(FIXTURE, root)
    return root


# Commands that need an installation or the network: the install session of noxfile.py
# runs each (the Git URL with this repository and its commit).
EXERCISED_BY_CI = {
    "python -m pip install path/to/postback": 'session.run("python", "-m", "pip", "install"',
    'python -m pip install "postback @ git+https://github.com/OWNER/postback@REF"': (
        'url = f"postback @ git+file://{ROOT}@{commit.strip()}"'
    ),
    "pytest": 'session.run("pytest", "-p", "no:cacheprovider")',
    "pytest --postback-update": '"--postback-update"',
}


def test_every_command_is_exercised(sample: Path) -> None:
    commands = _commands()
    assert "postback check --output-format github" in commands
    assert "pytest --postback-update" in commands
    for command in commands:
        argv = shlex.split(command)
        if argv[0] == "postback":
            result = run(*argv[1:], cwd=sample)
            assert result.returncode == 0, (command, result.stdout, result.stderr)
            continue
        assert command in EXERCISED_BY_CI, command
        assert EXERCISED_BY_CI[command] in NOXFILE, command


def test_the_install_session_runs_in_ci() -> None:
    assert '"install"' in NOXFILE.split("nox.options.sessions", 1)[1].splitlines()[0]
    assert "nox" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'session.run("pre-commit", "run", "--all-files")' in NOXFILE


def test_the_page_names_no_release_that_does_not_exist() -> None:
    assert "postback==" not in DOC
    assert "rev: v" not in DOC


# ---------------------------------------------------------------------------
# The outputs the page shows are the ones printed
# ---------------------------------------------------------------------------


def test_the_annotation_and_the_diff_shown(sample: Path) -> None:
    notification = sample / "templates" / "notification.toml"
    text = notification.read_text("utf-8")
    notification.write_text(text.replace("action={ActionId}", "action={ActionID}"), "utf-8")
    annotation = run("check", "--output-format", "github", cwd=sample).stdout
    assert f"\n{annotation}```" in DOC

    notification.write_text(text, "utf-8")
    expected = sample / "templates" / "notification.refund.expected"
    expected.write_bytes(expected.read_bytes().replace(b"X-Tier: gold", b"X-Tier: silver"))
    log = run("test", "--mask", cwd=sample).stdout.replace("\r\n", "\n")
    assert "tok-refund" not in log
    assert f"```\n{log}```" in DOC


def test_the_request_shown() -> None:
    expected = (FIXTURE / "templates" / "notification.refund.expected").read_text("utf-8")
    head = expected.replace("\r\n", "\n").split("\n")[:9]
    assert "\n".join(head) in DOC


def test_the_settings_shown_are_the_samples() -> None:
    import tomllib

    (settings,) = [b for b in _blocks("toml") if b.startswith("[tool.postback]")]
    shown = tomllib.loads(settings)["tool"]["postback"]
    sample = tomllib.loads((FIXTURE / "pyproject.toml").read_text("utf-8"))["tool"]["postback"]
    # The page once set missing and date_format while its --show-settings sample called
    # them defaults: the settings it shows are the sample's, key for key.
    assert shown == sample


# ---------------------------------------------------------------------------
# YAML blocks and files
# ---------------------------------------------------------------------------


def _check_workflow(data: dict[object, object]) -> None:
    # YAML 1.1 reads the key `on` as True.
    assert "on" in data or True in data
    jobs = data["jobs"]
    assert isinstance(jobs, dict) and jobs
    for job in jobs.values():
        assert "runs-on" in job
        assert job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step


def test_the_workflows_have_the_keys_github_requires() -> None:
    workflows = [yaml.safe_load(b) for b in _blocks("yaml") if "runs-on:" in b]
    assert len(workflows) == 1
    own = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text("utf-8"))
    for data in (*workflows, own):
        _check_workflow(data)
    (step,) = [s for s in own["jobs"]["ci"]["steps"] if "run" in s]
    assert step["run"] == "bash .ci/run"


def test_the_gitlab_job() -> None:
    (job,) = [yaml.safe_load(b) for b in _blocks("yaml") if "script:" in b]
    (definition,) = job.values()
    assert definition["image"].startswith("python:3.")
    assert definition["script"][1:] == ["postback check", "postback test"]


def test_the_pre_commit_configurations() -> None:
    configs = [yaml.safe_load(b) for b in _blocks("yaml") if b.startswith("repos:")]
    assert len(configs) == 2
    for config in configs:
        for repo in config["repos"]:
            assert repo["hooks"]
            if repo["repo"] == "local":
                for hook in repo["hooks"]:
                    assert {"id", "name", "entry", "language"} <= set(hook)
                    assert hook["entry"].startswith("postback ")
            else:
                # A branch or a tag that does not exist would not resolve: a hash does.
                assert re.fullmatch(r"[0-9a-f]{40}", repo["rev"]), repo["rev"]
                assert [h["id"] for h in repo["hooks"]] == ["postback-check"]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = hooks
    assert {"id", "name", "entry", "language", "files"} <= set(hook)
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for name in ("templates/a.header", "templates/n.toml", "b.json"):
        assert files.search(name) and not exclude.search(name), name
    for name in ("pyproject.toml", "sub/postback.toml", "a.record.json"):
        assert exclude.search(name), name
