"""``postback completion bash|zsh``: scripts made from the parser, run in the real shells.

The bash script is sourced in bash, ``COMP_WORDS`` and ``COMP_CWORD`` are set as
readline sets them, and ``COMPREPLY`` is compared with what the parser accepts.  The
zsh script is checked for every command and option, and, where zsh is installed,
loaded into an interactive zsh on a pseudo-terminal that completes a typed line.
Both scripts are also made from a parser of another shape, to show that nothing in
them is written by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from postback._cli.completion_bash import bash_script
from postback._cli.completion_spec import Spec, spec
from postback._cli.completion_zsh import zsh_script
from postback._cli.main import build_parser, main
from postback._formats import format_names

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash")
ZSH = shutil.which("zsh")

requires_bash = pytest.mark.skipif(BASH is None, reason="bash is not installed")
requires_zsh = pytest.mark.skipif(
    ZSH is None, reason="zsh is not installed (apt-get install zsh): the zsh script is not run"
)

PARSER = build_parser()
PARSED = spec(PARSER)
COMMANDS = [command.name for command in PARSED.commands]
FORMATS = list(format_names())


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [name for action in parser._actions for name in action.option_strings]


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("completion")
    made = {}
    for shell in ("bash", "zsh"):
        result = subprocess.run(
            [sys.executable, "-m", "postback", "completion", shell],
            capture_output=True,
            check=True,
            timeout=120,
        )
        made[shell] = folder / f"postback.{shell}"
        made[shell].write_bytes(result.stdout)
    return made


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder to complete file names in: one name holds a space."""
    (tmp_path / "order sale.json").write_text("{}", "utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "notes.txt").write_text("", "utf-8")
    return tmp_path


# ---------------------------------------------------------------------------
# bash
# ---------------------------------------------------------------------------


def bash_complete(script: Path, words: Sequence[str], cwd: Path | None = None) -> list[str]:
    """What bash completes for ``words`` (the last is the word under the cursor)."""
    assert BASH is not None
    program = (
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); '
        '_postback; printf "%s\\0" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", program, "bash", str(script), *words],
        capture_output=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"", done.stderr
    return [word for word in done.stdout.decode("utf-8").split("\0") if word]


@requires_bash
def test_bash_registers_the_function(scripts: dict[str, Path]) -> None:
    assert BASH is not None
    done = subprocess.run(
        [
            BASH,
            "--norc",
            "--noprofile",
            "-c",
            'source "$1" && complete -p',
            "bash",
            scripts["bash"],
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == b"complete -F _postback postback\n"  # and nothing else


@requires_bash
def test_bash_completes_the_commands_and_the_top_options(scripts: dict[str, Path]) -> None:
    assert bash_complete(scripts["bash"], ["postback", ""]) == COMMANDS
    assert set(COMMANDS) >= {"render", "check", "prepare", "fields", "test", "init", "completion"}
    assert bash_complete(scripts["bash"], ["postback", "-"]) == _options(PARSER)
    assert bash_complete(scripts["bash"], ["postback", "co"]) == ["completion"]


@requires_bash
@pytest.mark.parametrize("command", COMMANDS)
def test_bash_completes_every_option_of_every_command(
    scripts: dict[str, Path], command: str
) -> None:
    options = _options(_subparsers(PARSER)[command])
    assert "--help" in options
    assert bash_complete(scripts["bash"], ["postback", command, "-"]) == options
    longs = [name for name in options if name.startswith("--")]
    assert bash_complete(scripts["bash"], ["postback", command, "--"]) == longs


@requires_bash
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["render", "--format", ""], FORMATS),
        (["check", "--format", "x"], ["xml"]),
        (["test", "--format", "=", "q"], ["query"]),  # --format=q, as bash splits it
        (["render", "--format=j"], ["--format=json"]),  # and kept whole
        (["check", "--output-format", ""], ["text", "json", "github"]),
        (["render", "--output-format", ""], ["jsonl", "raw"]),
        (["render", "--missing", "e"], ["empty", "error"]),
        (["test", "--unknown-keys", ""], ["error", "ignore", "extra"]),
        (["completion", ""], ["bash", "zsh"]),
        (["completion", "z"], ["zsh"]),
        (["completion", "bash", ""], []),
        (["render", "--timezone", ""], []),  # free text
        (["render", "--extra-field", ""], []),
        (["prepare", "--now", ""], []),
        (["fields", ""], []),
    ],
)
def test_bash_completes_the_values_the_parser_accepts(
    scripts: dict[str, Path], words: list[str], expected: list[str]
) -> None:
    assert bash_complete(scripts["bash"], ["postback", *words]) == expected


@requires_bash
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["render", ""], ["notes.txt", "order sale.json", "templates"]),
        (["render", "o"], ["order sale.json"]),
        (["render", "--record", "o"], ["order sale.json"]),
        (["render", "--format", "json", ""], ["notes.txt", "order sale.json", "templates"]),
        (["render", "--format", "=", "json", "t"], ["templates"]),
        (["render", "a.json", ""], []),  # TEMPLATE is given: nothing more
        (["render", "a.json", "--record", "n"], ["notes.txt"]),
        (["prepare", "-", "o"], []),  # - (stdin) is the notification
        (["check", "a.json", "o"], ["order sale.json"]),  # TEMPLATE...
        (["test", "--config", "x.toml", "t"], ["templates"]),
        (["init", "t"], ["templates"]),
        (["check", "--show-settings", "n"], ["notes.txt"]),
    ],
)
def test_bash_completes_file_names(
    scripts: dict[str, Path], files: Path, words: list[str], expected: list[str]
) -> None:
    assert sorted(bash_complete(scripts["bash"], ["postback", *words], cwd=files)) == expected


# ---------------------------------------------------------------------------
# zsh
# ---------------------------------------------------------------------------


def _zsh_sections(script: str) -> dict[str, str]:
    """The ``_arguments`` call of each command in the zsh script."""
    parts = re.split(r"^ +\(([\w-]+)\)$", script, flags=re.M)
    return {parts[i]: parts[i + 1].split(";;")[0] for i in range(1, len(parts), 2)}


def test_the_zsh_script_holds_every_command_and_option(scripts: dict[str, Path]) -> None:
    script = scripts["zsh"].read_text("utf-8")
    assert script.startswith("#compdef postback\n")
    sections = _zsh_sections(script)
    assert list(sections) == COMMANDS
    for name, sub in _subparsers(PARSER).items():
        described = re.search(rf"^ +'{name}:(.+)'$", script, re.M)
        assert described, name
        for option in _options(sub):
            assert re.search(rf"[{{,'){re.escape(option)}[=,}}\[]", sections[name]), (name, option)
    assert "'(- *)--version[" in script
    # Values: the formats for --format, the choices of the parser, files for files.
    assert "--format=[" in sections["render"]
    assert f":F:({' '.join(FORMATS)})'" in sections["render"]
    assert "--output-format=[" in sections["check"] and ":(text json github)'" in script
    assert "'1:TEMPLATE:_files'" in sections["render"]
    assert "'*:TEMPLATE:_files'" in sections["check"]
    assert "'1::DIR:_files'" in sections["init"]
    assert "'1:SHELL:(bash zsh)'" in sections["completion"]


def zsh_complete(script: Path, line: str, cwd: Path, capture: Path) -> list[str]:
    """The matches an interactive zsh offers when Tab is pressed after ``line``.

    zsh runs on a pseudo-terminal with ``compinit``; ``compadd`` is wrapped to write
    the matches it is given, after matching against the line, to ``capture``.
    """
    assert ZSH is not None
    setup = capture.with_suffix(".zsh")
    setup.write_text(
        "autoload -U compinit && compinit -u -D\n"
        "unsetopt auto_list auto_menu beep\n"
        "compadd() {\n"
        '    if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi\n'
        "    local -a __matches\n"
        '    builtin compadd -O __matches "$@"\n'
        "    (( $#__matches )) && print -rl -- $__matches >> $CAPTURE\n"
        '    builtin compadd "$@"\n'
        "}\n"
        f"source {script}\n",
        encoding="utf-8",
    )
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "CAPTURE": str(capture), "TERM": "dumb", "PS1": "READY> "}
    proc = subprocess.Popen(
        [ZSH, "-f", "-i"], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env
    )
    os.close(slave)
    seen = b""

    def wait_for_prompt(count: int) -> None:
        # Typing before zsh's line editor is ready would be thrown away.
        nonlocal seen
        deadline = time.monotonic() + 60
        while seen.count(b"READY> ") < count:
            ready, _, _ = select.select([master], [], [], max(deadline - time.monotonic(), 0))
            assert ready, f"zsh did not prompt: {seen!r}"
            seen += os.read(master, 4096)

    try:
        wait_for_prompt(1)
        os.write(master, f"source {setup}\n".encode())
        wait_for_prompt(2)
        # Tab, then Ctrl-U to clear the line, then leave.
        os.write(master, f"{line}\t\x15exit\n".encode())
        while True:
            try:
                if not os.read(master, 4096):
                    break
            except OSError:  # the terminal closed
                break
        assert proc.wait(timeout=60) == 0, seen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    if not capture.exists():
        return []
    return capture.read_text("utf-8").splitlines()


def test_zsh_script_syntax(scripts: dict[str, Path]) -> None:
    if ZSH is None:
        pytest.skip("zsh is not installed (apt-get install zsh): the zsh script is not run")
    done = subprocess.run([ZSH, "-n", str(scripts["zsh"])], capture_output=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, b"")


@requires_zsh
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("postback ", COMMANDS),
        ("postback render --fo", ["--format"]),
        ("postback render --format ", FORMATS),
        ("postback render --format=x", ["xml"]),
        ("postback check --output-format ", ["text", "json", "github"]),
        ("postback completion ", ["bash", "zsh"]),
        ("postback render --timezone ", []),
        ("postback render o", ["order\\ sale.json"]),  # as zsh writes it on the line
        ("postback prepare --record n", ["notes.txt"]),
        ("postback init t", ["templates"]),
    ],
)
def test_zsh_completes_a_typed_line(
    scripts: dict[str, Path],
    files: Path,
    tmp_path_factory: pytest.TempPathFactory,
    line: str,
    expected: list[str],
) -> None:
    capture = tmp_path_factory.mktemp("zsh") / "matches"
    assert zsh_complete(scripts["zsh"], line, files, capture) == expected


# ---------------------------------------------------------------------------
# Made from the parser
# ---------------------------------------------------------------------------


def _other_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="postback")
    commands = parser.add_subparsers(dest="command")
    deploy = commands.add_parser("deploy", help="a command postback does not have: [x] 'y'")
    deploy.add_argument("--region", choices=("eu-west", "us-east"), help="where: [region]")
    deploy.add_argument("--dry-run", action="store_true", help="it's only a test")
    deploy.add_argument("target", metavar="FILE", help="what")
    return parser


def test_the_scripts_are_made_from_the_parser(tmp_path: Path) -> None:
    other: Spec = spec(_other_parser())
    bash, zsh = bash_script(other), zsh_script(other)
    for command in COMMANDS:
        assert f" {command})" not in bash and f"({command})" not in zsh
    assert "(deploy)" in zsh and "--region=[" in zsh and ":REGION:(eu-west us-east)'" in zsh
    if BASH is not None:
        path = tmp_path / "other.bash"
        path.write_text(bash, "utf-8")
        assert bash_complete(path, ["postback", ""]) == ["deploy"]
        assert bash_complete(path, ["postback", "deploy", "--"]) == [
            "--help",
            "--region",
            "--dry-run",
        ]
        assert bash_complete(path, ["postback", "deploy", "--region", ""]) == ["eu-west", "us-east"]
    if ZSH is not None:
        path = tmp_path / "other.zsh"
        path.write_text(zsh, "utf-8")
        assert zsh_complete(path, "postback deploy --region ", tmp_path, tmp_path / "m") == [
            "eu-west",
            "us-east",
        ]


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def test_the_command_prints_the_script_of_its_own_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["completion", "bash"]) == 0
    assert capsys.readouterr().out == bash_script(spec(build_parser()))
    assert main(["completion", "zsh"]) == 0
    assert capsys.readouterr().out == zsh_script(spec(build_parser()))


def test_another_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "fish"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.fullmatch(
        r"postback: error: argument SHELL: invalid choice: 'fish' \(choose from '?bash'?, "
        r"'?zsh'?\) \(see postback completion --help\)\n",
        captured.err,
    )


def test_docs_cli_md_says_how_to_load_them() -> None:
    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert 'eval "$(postback completion bash)"' in text
    assert 'eval "$(postback completion zsh)"' in text
