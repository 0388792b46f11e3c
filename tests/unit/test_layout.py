"""The package stays in small pieces: short modules, short functions, a small root.

Every module of ``src/postback`` has at most ``MAX_MODULE_LINES`` lines, every function
and method at most ``MAX_FUNCTION_LINES`` lines from its ``def`` to its last line
(decorators not counted), and the package root holds at most ``MAX_ROOT_MODULES``
modules; the rest lives in its subpackages.  A function that is a table of data rather
than logic may be longer if ``DATA_TABLES`` names it, with the reason.  Each failure
lists every offender with its count, so one run shows all there is to split.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "postback"

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_ROOT_MODULES = 15

#: Functions allowed to be longer because they are data, not logic, by qualified name
#: (``_cli/args.py:Parser.error``), each with the reason.  None today: the package's
#: tables of data are module-level constants, which no limit but the module's counts.
DATA_TABLES: dict[str, str] = {}

FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef


def modules(root: Path) -> list[Path]:
    """Every Python module under ``root``, in a stable order."""
    return sorted(root.rglob("*.py"))


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, FunctionDef]]:
    """Every function and method under ``tree`` with its qualified name, nested ones too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, FunctionDef):
            qualified = prefix + node.name
            yield qualified, node
            yield from functions(node, qualified + ".")
        elif isinstance(node, ast.ClassDef):
            yield from functions(node, prefix + node.name + ".")
        else:
            yield from functions(node, prefix)


def function_lines(node: FunctionDef) -> int:
    """The lines of ``node`` from its ``def`` (after any decorators) to its last line."""
    assert node.end_lineno is not None
    return node.end_lineno - node.lineno + 1


def function_lengths(root: Path) -> list[tuple[str, int]]:
    """The length of every function under ``root``, after its ``path/to/module.py:name``
    (a name twice, as a property's getter and setter, is listed twice)."""
    lengths = []
    for path in modules(root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        module = path.relative_to(root).as_posix()
        for qualified, node in functions(tree):
            lengths.append((f"{module}:{qualified}", function_lines(node)))
    return lengths


def long_modules(root: Path, limit: int) -> list[str]:
    """Every module under ``root`` longer than ``limit`` lines, with its count."""
    return [
        f"{path.relative_to(root).as_posix()} ({count} lines)"
        for path in modules(root)
        if (count := line_count(path)) > limit
    ]


def long_functions(root: Path, limit: int, allowed: Mapping[str, str]) -> list[str]:
    """Every function under ``root`` longer than ``limit`` lines and not ``allowed``."""
    return [
        f"{where} ({count} lines)"
        for where, count in function_lengths(root)
        if count > limit and where not in allowed
    ]


def test_no_module_is_longer_than_the_limit() -> None:
    offenders = long_modules(PACKAGE, MAX_MODULE_LINES)
    assert not offenders, (
        f"modules over {MAX_MODULE_LINES} lines; split each into cohesive modules in a "
        "subpackage:\n  " + "\n  ".join(offenders)
    )


def test_no_function_is_longer_than_the_limit() -> None:
    offenders = long_functions(PACKAGE, MAX_FUNCTION_LINES, DATA_TABLES)
    assert not offenders, (
        f"functions over {MAX_FUNCTION_LINES} lines (from def to end, decorators excluded):\n  "
        + "\n  ".join(offenders)
    )


def test_the_package_root_holds_few_modules() -> None:
    root = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(root) <= MAX_ROOT_MODULES, (
        f"{len(root)} modules at the package root, more than {MAX_ROOT_MODULES}; put new "
        "modules in a subpackage:\n  " + "\n  ".join(root)
    )


def test_every_data_table_is_still_there_and_long() -> None:
    long = {where for where, count in function_lengths(PACKAGE) if count > MAX_FUNCTION_LINES}
    stale = [where for where in DATA_TABLES if where not in long]
    assert not stale, "DATA_TABLES names functions that are gone or short:\n  " + "\n  ".join(stale)


# -- the checks find what they are meant to find --------------------------------------

PLANTED = """\
import functools


def short():
    return 1


@functools.cache
@functools.wraps(short)
def decorated():
{body}


class Shape:
    def area(self):
{method_body}

    async def grow(self):
        def inner():
{inner_body}

        return inner

    @property
    def size(self):
{method_body}

    @size.setter
    def size(self, value):
        pass
"""


def plant(root: Path, lines: int) -> Path:
    """Write a module whose long functions, but for ``grow`` around ``inner``, are each
    ``lines`` lines from ``def`` to end."""

    def body(indent: int, count: int) -> str:
        return "\n".join(" " * indent + f"x{n} = {n}" for n in range(count))

    path = root / "pkg" / "planted.py"
    path.parent.mkdir()
    path.write_text(
        PLANTED.format(
            body=body(4, lines - 1),
            method_body=body(8, lines - 1),
            inner_body=body(12, lines - 1),
        ),
        encoding="utf-8",
    )
    return path


def test_long_functions_are_found_with_their_counts(tmp_path: Path) -> None:
    """Functions, methods, async methods and nested functions count from ``def`` to their
    last line; the decorators of ``decorated`` do not count, and a long property getter is
    found beside its short setter of the same name."""
    plant(tmp_path, 7)
    assert long_functions(tmp_path, 6, {}) == [
        "pkg/planted.py:decorated (7 lines)",
        "pkg/planted.py:Shape.area (7 lines)",
        "pkg/planted.py:Shape.grow (10 lines)",
        "pkg/planted.py:Shape.grow.inner (7 lines)",
        "pkg/planted.py:Shape.size (7 lines)",
    ]
    assert long_functions(tmp_path, 7, {}) == ["pkg/planted.py:Shape.grow (10 lines)"]
    allowed = {"pkg/planted.py:Shape.grow": "a table"}
    assert long_functions(tmp_path, 7, allowed) == []
    assert ("pkg/planted.py:short", 2) in function_lengths(tmp_path)
    assert ("pkg/planted.py:Shape.size", 2) in function_lengths(tmp_path)


def test_long_modules_are_found_with_their_counts(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "short.py").write_text("x = 1\n" * 5, encoding="utf-8")
    (tmp_path / "sub" / "long.py").write_text("x = 1\n" * 6, encoding="utf-8")
    assert long_modules(tmp_path, 5) == ["sub/long.py (6 lines)"]
    assert long_modules(tmp_path, 6) == []
