"""What makes a short ``postback`` run start and end quickly changes nothing it does.

A command's parser is built alone (``build_parser(command)``) and must read, word its
help and report its errors exactly as the whole parser does; the help's width is read
without ``shutil`` and must be the width ``shutil`` reads; and the console script ends
the process without the interpreter's teardown, after flushing its output and running
the exit functions (docs/performance.md, "Cold start").
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from postback._cli.io import CliError, terminal_columns
from postback._cli.main import _COMMANDS, build_parser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found: argparse.ArgumentParser = commands.choices[name]
    return found


@pytest.mark.parametrize("name", list(_COMMANDS))
def test_a_command_built_alone_has_the_help_of_the_whole_parser(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    alone = _subparser(build_parser(name), name)
    whole = _subparser(build_parser(), name)
    assert alone.format_help() == whole.format_help()
    assert alone.prog == whole.prog == f"postback {name}"


def _error_of(parser: argparse.ArgumentParser, argv: list[str]) -> str:
    with pytest.raises(CliError) as caught:
        parser.parse_args(argv)
    return caught.value.message


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--bogus"],
        ["check", "--output-format", "yaml", "x.json"],
        ["render", "t.json"],
        ["render", "t.json", "--record", "r.json", "--sample"],
        ["prepare", "n.toml", "--now", "yesterday", "--sample"],
        ["fields", "--json", "extra"],
        ["serve", "--port", "http"],
        ["test", "--mask", "--no-mask"],
    ],
)
def test_a_command_built_alone_reports_the_errors_of_the_whole_parser(argv: list[str]) -> None:
    assert _error_of(build_parser(argv[0]), argv) == _error_of(build_parser(), argv)


def test_a_command_built_alone_reads_what_the_whole_parser_reads() -> None:
    argv = ["check", "a.json", "b.xml", "--strict", "--output-format", "json", "--no-config"]
    alone = vars(build_parser("check").parse_args(argv))
    whole = vars(build_parser().parse_args(argv))
    assert alone.keys() == whole.keys()
    assert {k: v for k, v in alone.items() if k != "handler"} == {
        k: v for k, v in whole.items() if k != "handler"
    }


@pytest.mark.parametrize("columns", [None, "", "0", "abc", "37", "250"])
def test_the_terminal_width_is_the_one_shutil_reads(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("LINES", raising=False)
    assert terminal_columns() == shutil.get_terminal_size().columns


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    # Standard output block-buffered, as on a pipe in a hook: what is left is flushed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


_RUN = "import sys\nfrom postback._cli import run\nsys.argv[0] = 'postback'\n{before}run()"


def test_the_console_script_exits_with_the_status_and_all_its_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": {Bogus}}', encoding="utf-8")
    clean = EXAMPLES / "action-clearing.json"
    ok = _run(_RUN.format(before=""), "check", str(clean))
    assert (ok.returncode, ok.stdout) == (0, "checked 1 file: no problems found\n")
    failed = _run(_RUN.format(before=""), "check", str(broken), str(clean))
    assert failed.returncode == 1
    assert "error[unknown-field]" in failed.stdout
    assert failed.stdout.endswith("checked 2 files: 1 error in 1 file\n")
    usage = _run(_RUN.format(before=""), "check", "--bogus")
    assert usage.returncode == 2
    assert usage.stderr.startswith("postback: error: unrecognized arguments: --bogus")


def test_the_console_script_runs_the_exit_functions_then_flushes() -> None:
    before = (
        "import atexit\n"
        "atexit.register(lambda: sys.stderr.write('exit functions ran\\n'))\n"
        "atexit.register(lambda: print('written at exit', end=''))\n"
    )
    done = _run(_RUN.format(before=before), "--version")
    assert done.returncode == 0
    assert done.stdout.startswith("postback ") and done.stdout.endswith("written at exit")
    assert done.stderr == "exit functions ran\n"


def test_the_console_script_waits_for_a_running_thread() -> None:
    """With another thread alive the interpreter exits its usual way, which waits."""
    before = (
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    sys.stderr.write('the thread finished\\n')\n"
        "threading.Thread(target=late).start()\n"
    )
    done = _run(_RUN.format(before=before), "--version")
    assert done.returncode == 0
    assert done.stderr == "the thread finished\n"


def test_the_console_script_collects_garbage_less_often_not_never() -> None:
    before = (
        "import atexit, gc\n"
        "atexit.register(lambda: sys.stderr.write(f'{gc.isenabled()} {gc.get_threshold()}'))\n"
    )
    done = _run(_RUN.format(before=before), "--version")
    assert done.returncode == 0
    assert done.stderr == "True (20000, 10, 10)"
