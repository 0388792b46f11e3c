"""``import postback`` loads only the errors; each layer loads on the first use of one of
its names (docs/performance.md, "Cold start").

Each check runs in a fresh interpreter and compares ``sys.modules`` before and after, so
a new module-level import anywhere on the path shows here as a changed set.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import postback

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: What ``import postback`` adds to ``sys.modules``, besides the standard library.
IMPORT_BUDGET = {"postback", "postback._errors", "postback._version"}

#: Standard library modules ``import postback`` must not load: each costs milliseconds
#: and only some uses need it.
NOT_ON_IMPORT = {
    "argparse",
    "datetime",
    "decimal",
    "importlib.metadata",
    "json",
    "pathlib",
    "tomllib",
    "zoneinfo",
}

_PROBE = """
import json, sys
before = set(sys.modules)
{code}
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def loaded_by(code: str) -> set[str]:
    """The modules that running ``code`` in a fresh interpreter adds to ``sys.modules``."""
    probe = _PROBE.format(code=code)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode in (0, 1), done.stderr
    names: list[str] = json.loads(done.stdout.splitlines()[-1])
    return set(names)


def not_stdlib(modules: set[str]) -> set[str]:
    """The modules of ``modules`` that are postback's or a third party's."""
    return {m for m in modules if m.split(".")[0] not in sys.stdlib_module_names}


def test_import_postback_loads_only_the_errors() -> None:
    loaded = loaded_by("import postback")
    assert not_stdlib(loaded) == IMPORT_BUDGET
    assert not loaded & NOT_ON_IMPORT


def test_every_public_name_is_still_there_after_a_lazy_import() -> None:
    loaded = loaded_by(
        "import postback\n"
        "assert all(getattr(postback, name) is not None for name in postback.__all__)"
    )
    assert "postback._template" in loaded
    assert "postback._sending.notification" in loaded


def test_a_record_loads_no_compiler() -> None:
    """Building an ``Action`` needs the records, not the parser, the formats or lark."""
    loaded = not_stdlib(loaded_by("import postback\npostback.sample_action()"))
    assert "postback._records.action" in loaded
    assert not {m for m in loaded if m.startswith(("lark", "postback._compiler.parser"))}
    assert not {m for m in loaded if m.startswith(("postback._contexts", "dateutil"))}


def test_rendering_loads_no_notification_command_line_or_bulk_layer() -> None:
    loaded = not_stdlib(
        loaded_by(
            "import postback\n"
            't = postback.compile(\'{"id": "{ActionId}"}\')\n'
            "t.render(postback.sample_action())"
        )
    )
    unwanted = ("postback._sending.notification", "postback._cli", "postback._bulk")
    assert "postback._compiler.codegen" in loaded
    assert not {m for m in loaded if m.startswith(unwanted)}
    assert not {m for m in loaded if m.startswith(("postback.testing", "postback._serve"))}


#: What compiling and rendering a JSON template must not load: the masking rules of
#: secret headers (only a header template's repr uses them) and the standard library's
#: resource loading (the parser tables are read beside their module with ``open``).
NOT_FOR_A_JSON_RENDER = {
    "postback._sending.secrets",
    "importlib.resources",
    "pathlib",
    "secrets",
    "postback._escape.header",
    "postback._escape.url",
    "postback._escape.xml",
}


def test_a_json_compile_and_render_loads_only_what_they_use() -> None:
    """The first compile imported the secret-header masking rules (for ``repr``), every
    format's escapers, and read the parser tables through ``importlib.resources`` and
    ``pathlib``; a well-formed template is now read without Lark or its tables."""
    example = EXAMPLES / "action-clearing.json"
    loaded = loaded_by(
        "import postback\n"
        f"t = postback.compile(open({str(example)!r}).read(), 'json')\n"
        "t.render(postback.sample_action())"
    )
    assert "postback._escape.json" in loaded
    assert "postback._compiler.tables" not in loaded
    assert not {m for m in loaded if m.split(".")[0] == "lark"}
    assert not loaded & NOT_FOR_A_JSON_RENDER


def test_the_lazy_names_are_the_public_ones() -> None:
    """A name loaded on first use is public, and is the object its module defines."""
    lazy: dict[str, str] = postback._LAZY
    assert set(lazy) <= set(postback.__all__)
    assert postback.compile is __import__("postback._template", fromlist=["x"]).compile


#: What ``postback check FILE`` loads for one JSON template, besides the standard
#: library, Lark and the compiler's own modules (``postback._compiler.*``): the check
#: (parse, names, formats), the project settings and the command line's parser.
CHECK_BUDGET = {
    "postback",
    "postback._cli",
    "postback._cli.args",
    "postback._cli.args_reading",
    "postback._cli.check",
    "postback._cli.completion",
    "postback._cli.io",
    "postback._cli.main",
    "postback._compiler",
    "postback._contexts",
    "postback._contexts._base",
    "postback._contexts._json_scanner",
    "postback._contexts._json_state",
    "postback._contexts._json_strings",
    "postback._contexts.json",
    "postback._errors",
    "postback._escape",
    "postback._escape._rules",
    "postback._escape.json",
    "postback._files",
    "postback._files.cases",
    "postback._files.confined",
    "postback._files.inputs",
    "postback._files.project",
    "postback._files.shown",
    "postback._files.text",
    "postback._files.toml",
    "postback._files.tomlspans",
    "postback._formats",
    "postback._messages",
    "postback._options",
    "postback._problems",
    "postback._records",
    "postback._records.catalog",
    "postback._records.convert",
    "postback._records.dates",
    "postback._records.expect",
    "postback._sending",
    "postback._sending.config",
    "postback._version",
}


def _command_loads(*argv: str) -> set[str]:
    """The modules the console script's ``main`` loads to run ``postback ARGV``."""
    code = f"from postback._cli.main import main\nmain({list(argv)!r})"
    return loaded_by(code)


def test_postback_check_loads_only_what_a_check_needs() -> None:
    """It loaded every command's module: the notifications, the bulk loop, the golden
    cases and postback.testing, ``postback init``'s files, the completion scripts."""
    loaded = _command_loads("check", str(EXAMPLES / "action-clearing.json"))
    ours = {m for m in not_stdlib(loaded) if not m.startswith(("lark", "postback._compiler."))}
    assert ours == CHECK_BUDGET
    assert {m.split(".")[0] for m in not_stdlib(loaded)} <= {"lark", "postback"}
    assert "importlib.metadata" not in loaded


def test_postback_version_and_help_load_no_command() -> None:
    """The parser is built from the format registry and the project settings' names, but
    no command's module, no template compiler, no format's state machine and no Lark
    loads to print the version or the help."""
    commands = ("check", "render", "prepare", "cases", "init", "bulk", "notify")
    for argv in (["--version"], ["--help"], ["check", "--help"]):
        loaded = not_stdlib(_command_loads(*argv))
        unwanted = {f"postback._cli.{name}" for name in commands}
        unwanted |= {"postback._template", "postback._contexts", "postback._serve.server"}
        assert not loaded & unwanted, argv
        assert not {m for m in loaded if m.startswith("lark")}, argv
        assert not _command_loads(*argv) & {"secrets", "tomllib", "importlib.metadata"}, argv
