"""The import graph of src/postback: no cycles, no private names across subpackages.

Every module is parsed with ``ast`` and every import counts: at the top of a module,
inside a function (a lazy import) and under ``if TYPE_CHECKING:``.  A relative import
is resolved against the importing module's package; ``from .pkg import mod`` is an
import of the module ``pkg.mod``.  A subpackage is ``postback._cli``, ``postback._files``,
...; the modules directly in ``postback`` make up one more.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "postback"


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module, and the name taken from it (None: the module itself)."""

    importer: str
    target: str
    name: str | None
    line: int

    def __str__(self) -> str:
        what = self.target if self.name is None else f"{self.target}.{self.name}"
        return f"{self.importer} (line {self.line}) imports {what}"


def read_package(root: Path, package: str) -> dict[str, tuple[str, bool]]:
    """Return ``{module name: (source, is a package)}`` for every module of ``package``."""
    found: dict[str, tuple[str, bool]] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path.read_text(encoding="utf-8"), is_package)
    return found


def _base(module: str, is_package: bool, level: int) -> str:
    """The package a relative import of ``level`` dots starts from."""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    return ".".join(parts[: len(parts) - (level - 1)])


def imports_of(module: str, source: str, is_package: bool, modules: Iterable[str]) -> list[Import]:
    """Return every import of ``module`` whose target is one of ``modules``."""
    known = set(modules)
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    found.append(Import(module, alias.name, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = _base(module, is_package, node.level)
                target = f"{base}.{target}" if target else base
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in known:
                    found.append(Import(module, submodule, None, node.lineno))
                elif target in known:
                    found.append(Import(module, target, alias.name, node.lineno))
    return found


def graph_imports(sources: Mapping[str, tuple[str, bool]]) -> list[Import]:
    """Return the imports among the modules of ``sources`` (see ``read_package``)."""
    found: list[Import] = []
    for module, (source, is_package) in sources.items():
        found += imports_of(module, source, is_package, sources)
    return found


def edges_of(imports: Iterable[Import]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for imp in imports:
        edges.setdefault(imp.importer, set()).add(imp.target)
    return edges


def find_cycle(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return a cycle of ``edges`` as ``[a, b, ..., a]``, or None when there is none."""
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        path = [start]
        on_path = {start}
        stack = [iter(sorted(edges.get(start, ())))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if step in on_path:
                return [*path[path.index(step) :], step]
            if step in done:
                continue
            path.append(step)
            on_path.add(step)
            stack.append(iter(sorted(edges.get(step, ()))))
    return None


def subpackage(module: str, packages: Iterable[str]) -> str:
    """The part of the package ``module`` is in: ``postback._cli`` for ``postback._cli.io``
    and ``postback._cli`` itself, ``postback`` for ``postback._bulk`` and ``postback``."""
    parts = module.split(".")
    head = ".".join(parts[:2])
    return head if len(parts) > 1 and head in packages else parts[0]


def is_private(name: str) -> bool:
    """``_x`` is private; ``__version__`` and the like are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_across(
    imports: Iterable[Import], sources: Mapping[str, tuple[str, bool]]
) -> list[Import]:
    """The imports of a private name (not a module) from another subpackage."""
    packages = {name for name, (_source, is_package) in sources.items() if is_package}
    return [
        imp
        for imp in imports
        if imp.name is not None
        and is_private(imp.name)
        and subpackage(imp.importer, packages) != subpackage(imp.target, packages)
    ]


def reachable(edges: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# ---------------------------------------------------------------------------
# The package
# ---------------------------------------------------------------------------

SOURCES = read_package(SRC, PACKAGE)
IMPORTS = graph_imports(SOURCES)
EDGES = edges_of(IMPORTS)


def test_the_package_is_read_whole() -> None:
    assert "postback._template" in SOURCES
    assert "postback._cli.main" in SOURCES
    assert SOURCES["postback._cli"][1]  # a package's __init__
    assert len(IMPORTS) > 100


def test_no_module_imports_itself_back() -> None:
    cycle = find_cycle(EDGES)
    assert cycle is None, "an import cycle: " + " -> ".join(cycle or ())


def test_no_private_name_is_imported_from_another_subpackage() -> None:
    found = private_across(IMPORTS, SOURCES)
    assert not found, "private names imported across subpackages:\n" + "\n".join(map(str, found))


def test_testing_does_not_import_the_command_line() -> None:
    """``postback.testing`` sits below the command line, which uses it."""
    cli = sorted(m for m in reachable(EDGES, "postback.testing") if m.startswith("postback._cli"))
    assert not cli, f"postback.testing reaches {cli}"


def test_only_the_front_ends_import_the_command_line() -> None:
    # The entry points, the pytest plugin and the playground server (``postback
    # serve``, which offers ``postback init``'s example) stand beside the command line.
    front_ends = {"postback.__main__", "postback._pytest_plugin"}
    found = sorted(
        str(imp)
        for imp in IMPORTS
        if imp.target.startswith("postback._cli")
        and not imp.importer.startswith(("postback._cli", "postback._serve"))
        and imp.importer not in front_ends
    )
    assert not found, "\n".join(found)


def test_the_bulk_loop_knows_neither_templates_nor_notifications() -> None:
    """It takes the functions that render or prepare a record; ``Template.render_many``
    and ``Notification.prepare_many`` pass theirs in."""
    reached = reachable(EDGES, "postback._bulk")
    assert "postback._template" not in reached
    assert "postback._sending.notification" not in reached


# ---------------------------------------------------------------------------
# The checker, on small made-up packages
# ---------------------------------------------------------------------------


def _fake(**modules: str) -> dict[str, tuple[str, bool]]:
    """Modules of a package ``pkg``: keyword ``a__b`` is the module ``pkg.a.b``,
    ``a__init`` the package ``pkg.a``."""
    sources: dict[str, tuple[str, bool]] = {}
    for key, source in modules.items():
        parts = key.split("__")
        is_package = parts[-1] == "init"
        if is_package:
            parts.pop()
        sources[".".join(["pkg", *parts])] = (source, is_package)
    return sources


def test_a_planted_cycle_is_found_through_lazy_and_type_checking_imports() -> None:
    sources = _fake(
        init="",
        a="from .sub.b import thing\n",
        sub__init="",
        sub__b="from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..c import Other\n",
        c="def f():\n    from . import a\n    return a\n",
    )
    cycle = find_cycle(edges_of(graph_imports(sources)))
    assert cycle == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]


def test_a_cycle_planted_in_the_package_is_reported() -> None:
    """One import of the template module from below it closes a cycle."""
    edges = {module: set(targets) for module, targets in EDGES.items()}
    edges.setdefault("postback._records.lines", set()).add("postback._template")
    cycle = find_cycle(edges)
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert {"postback._template", "postback._records.lines"} <= set(cycle)
    for importer, target in pairwise(cycle):
        assert target in edges[importer]


def test_a_graph_without_a_cycle_passes() -> None:
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_relative_imports_resolve_against_the_importing_package() -> None:
    sources = _fake(
        init="from .sub import mod\nfrom . import top\n",
        top="import pkg.sub.mod\n",
        sub__init="from .mod import name\nfrom .. import top\n",
        sub__mod="from ..top import _private\nfrom . import _helper\n",
        sub___helper="",
    )
    found = {(i.importer, i.target, i.name) for i in graph_imports(sources)}
    assert found == {
        ("pkg", "pkg.sub.mod", None),
        ("pkg", "pkg.top", None),
        ("pkg.top", "pkg.sub.mod", None),
        ("pkg.sub", "pkg.sub.mod", "name"),
        ("pkg.sub", "pkg.top", None),
        ("pkg.sub.mod", "pkg.top", "_private"),
        ("pkg.sub.mod", "pkg.sub._helper", None),
    }


def test_a_private_name_from_another_subpackage_is_reported() -> None:
    sources = _fake(
        init="",
        top="",
        a__init="from ..top import _from_a_package\nfrom .one import _own_package\n",
        a__one="from ..top import _root_private, __version__\nfrom .two import _same_package\n",
        a__two="from ..b.three import _other_package, public\nfrom ..b import _module\n",
        b__init="",
        b__three="",
        b___module="",
    )
    found = {(i.importer, i.name) for i in private_across(graph_imports(sources), sources)}
    assert found == {
        ("pkg.a", "_from_a_package"),
        ("pkg.a.one", "_root_private"),
        ("pkg.a.two", "_other_package"),
    }


def test_reachable_follows_every_step() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert reachable(edges, "a") == {"a", "b", "c"}
    assert reachable(edges, "c") == {"a", "b", "c"}
    assert reachable(edges, "d") == {"a", "b", "c"}


def unexplained_local_imports(source: str) -> list[int]:
    """Return the lines of imports inside functions with no comment in the three lines
    above them (or on their own line) saying why they are not at the top."""
    lines = source.split("\n")
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                above = lines[max(0, node.lineno - 4) : node.lineno - 1]
                if "#" not in lines[node.lineno - 1] and not any(
                    line.strip().startswith("#") for line in above
                ):
                    found.append(node.lineno)
    return found


def test_every_import_inside_a_function_says_why() -> None:
    found = [
        f"{module} line {line}"
        for module, (source, _is_package) in SOURCES.items()
        for line in unexplained_local_imports(source)
    ]
    assert not found, "imports inside functions without their reason:\n" + "\n".join(found)


def test_an_unexplained_local_import_is_found() -> None:
    explained = "def f():\n    # json loads on first use.\n    import json\n"
    assert unexplained_local_imports(explained) == []
    assert unexplained_local_imports("def f():\n    x = 1\n\n    import json\n") == [4]
