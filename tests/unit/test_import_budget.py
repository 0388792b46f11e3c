"""``import postback`` loads only the errors; each layer loads on the first use of one of
its names (docs/performance.md, "Cold start").

Each check runs in a fresh interpreter and compares ``sys.modules`` before and after, so
a new module-level import anywhere on the path shows here as a changed set.
"""

from __future__ import annotations

import json
import subprocess
import sys

import postback

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
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
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


def test_the_lazy_names_are_the_public_ones() -> None:
    """A name loaded on first use is public, and is the object its module defines."""
    lazy: dict[str, str] = postback._LAZY
    assert set(lazy) <= set(postback.__all__)
    assert postback.compile is __import__("postback._template", fromlist=["x"]).compile
