"""The documentation site: every public name has a docstring and a place in the reference.

The site is built from mkdocs.yml with ``mkdocs build --strict`` (the ``docs`` session of
noxfile.py, which .ci/run runs): every page of docs/ in the navigation, and
docs/reference.md, which renders each public name from its docstring with mkdocstrings.
Strict mode fails that build on a link to a missing page or anchor and on a name the
package does not have.  These tests fail when a public name (or a public method or
property of a public class) has no docstring, when the reference or the navigation
leaves something out, and when the command line's help points at a page that is not
there.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import postback
import postback.testing
from postback._cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PUBLIC_MODULES = (postback, postback.testing)


# ---------------------------------------------------------------------------
# Docstrings
# ---------------------------------------------------------------------------


def _class_docstring(cls: type) -> str | None:
    """The docstring written in the class body (not the one dataclasses make up)."""
    try:
        source = inspect.getsource(cls)
    except OSError:
        # A class exported under another name than its ``class`` statement's
        # (``Rendered`` is ``_Rendered``): no dataclass, so ``__doc__`` is its own.
        return cls.__dict__.get("__doc__")
    node = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(node, ast.ClassDef), cls
    return ast.get_docstring(node)


def _member_docstring(member: object) -> str | bool | None:
    """A method's or property's own docstring; False for a member that is neither."""
    if isinstance(member, staticmethod | classmethod):
        return member.__func__.__doc__
    if isinstance(member, property | cached_property) or inspect.isfunction(member):
        return member.__doc__
    return False


def _undocumented_members(cls: type, package: str) -> Iterator[str]:
    """The public methods and properties of ``cls`` without a docstring.

    Members inherited from the package's own classes count (the reference shows them
    on ``cls``); those of the standard library's classes do not.
    """
    seen: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] != package:
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            doc = _member_docstring(member)
            if doc is not False and not (doc or "").strip():
                yield name


def _attribute_docstring(module_name: str, name: str) -> str | None:
    """The string written right after the module-level assignment of ``name``.

    A name imported from a module of the package is followed there, also when it is
    imported for type checkers only and loaded on first use (``postback.FIELDS``).
    """
    module = importlib.import_module(module_name)
    statements = []
    for node in ast.parse(inspect.getsource(module)).body:
        checking = isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        statements += node.body if checking else [node]
    for k, node in enumerate(statements):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == name and node.level:
                    package = module_name if hasattr(module, "__path__") else module.__package__
                    source = importlib.util.resolve_name(
                        "." * node.level + (node.module or ""), package
                    )
                    return _attribute_docstring(source, alias.name)
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            following = statements[k + 1] if k + 1 < len(statements) else None
            if (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                return following.value.value
            return None
    return None


def undocumented(module: ModuleType) -> list[str]:
    """The public names of ``module`` without a docstring, as ``module.name[.member]``.

    Public names are those of its ``__all__``, and the public methods and properties of
    the classes among them.
    """
    package = module.__name__.split(".")[0]
    missing: list[str] = []
    for name in module.__all__:
        obj = getattr(module, name)
        where = f"{module.__name__}.{name}"
        if inspect.isclass(obj):
            if not _class_docstring(obj):
                missing.append(where)
            missing += [f"{where}.{m}" for m in _undocumented_members(obj, package)]
        elif inspect.isroutine(obj):
            if not (obj.__doc__ or "").strip():
                missing.append(where)
        elif not _attribute_docstring(module.__name__, name):
            missing.append(where)
    return missing


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_every_public_name_has_a_docstring(module: ModuleType) -> None:
    assert undocumented(module) == []


SAMPLE_API = '''\
"""A module with some public names documented and some not."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["DOCUMENTED", "UNDOCUMENTED", "Kind", "Record", "bare", "documented"]

DOCUMENTED = 1
"""A documented constant."""

UNDOCUMENTED = 2


def documented() -> None:
    """Documented."""


def bare() -> None:
    pass


class _Base:
    """A private base: its public members are the public class's own."""

    @property
    def inherited(self) -> int:
        return 1

    def documented_in_base(self) -> None:
        """Documented."""


@dataclass(frozen=True)
class Record(_Base):
    x: int

    def method(self) -> None:
        pass

    @classmethod
    def make(cls) -> Record:
        """Documented."""
        return cls(1)

    @staticmethod
    def helper() -> None:
        pass

    def _private(self) -> None:
        pass


class Kind(enum.Enum):
    """Documented."""

    A = 1

    @property
    def label(self) -> str:
        return "a"
'''


def test_the_docstring_check_names_what_lacks_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dataclass without a docstring counts as undocumented, though it has a ``__doc__``."""
    (tmp_path / "docstring_sample_api.py").write_text(SAMPLE_API, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        sample = importlib.import_module("docstring_sample_api")
        assert sample.Record.__doc__  # made up by dataclass
        assert undocumented(sample) == [
            "docstring_sample_api.UNDOCUMENTED",
            "docstring_sample_api.Kind.label",
            "docstring_sample_api.Record",
            "docstring_sample_api.Record.method",
            "docstring_sample_api.Record.helper",
            "docstring_sample_api.Record.inherited",
            "docstring_sample_api.bare",
        ]
    finally:
        sys.modules.pop("docstring_sample_api", None)


# ---------------------------------------------------------------------------
# The reference page and the navigation
# ---------------------------------------------------------------------------


def test_the_reference_renders_every_public_name_once() -> None:
    text = (DOCS / "reference.md").read_text(encoding="utf-8")
    rendered = re.findall(r"^::: (\S+)$", text, re.M)
    public = [f"{m.__name__}.{name}" for m in PUBLIC_MODULES for name in m.__all__]
    assert sorted(rendered) == sorted(public)


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml: its ``!!python/...`` tags (the anchors' slugify) become None."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *args: None)


def _config() -> dict[str, Any]:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.load(
        text, Loader=_ConfigLoader
    )  # a SafeLoader, with the python tags read as None
    assert isinstance(config, dict)
    return config


def _navigation() -> dict[str, str]:
    """The title of each page of the site's navigation, by file."""
    pages: dict[str, str] = {}
    for entry in _config()["nav"]:
        ((title, page),) = entry.items()
        pages[page] = title
    return pages


def test_the_navigation_lists_every_page() -> None:
    files = sorted(path.name for path in DOCS.glob("*.md"))
    assert sorted(_navigation()) == files
    assert "reference.md" in files


def test_the_home_page_links_every_page() -> None:
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([a-z]+\.md)\)", text))
    assert linked == set(_navigation()) - {"index.md"}


def test_the_build_is_strict_about_links_and_pages() -> None:
    config = _config()
    validation = config["validation"]
    for key in ("omitted_files", "absolute_links", "unrecognized_links", "anchors"):
        assert validation[key] == "warn", key
    assert config["docs_dir"] == "docs"
    assert (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines().count("site/") == 1


def test_the_docs_session_builds_the_site_strictly_in_ci() -> None:
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    sessions = noxfile.split("nox.options.sessions = ", 1)[1].splitlines()[0]
    assert '"docs"' in sessions
    tree = ast.parse(noxfile)
    (session,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "docs"]
    body = ast.unparse(session)
    assert "'.[docs]'" in body
    assert "'mkdocs', 'build', '--strict'" in body
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    docs = " ".join(extras["project"]["optional-dependencies"]["docs"])
    for requirement in ("mkdocs", "mkdocstrings-python", "pymdown-extensions"):
        assert requirement in docs, requirement


# ---------------------------------------------------------------------------
# The command line's help names pages of the site
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["", "render", "check", "prepare", "fields", "test"])
def test_the_help_names_pages_of_the_documentation(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The help named docs/cli.md and docs/ci.md, paths that exist only in a checkout."""
    assert main([*command.split(), "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert ".md" not in text and "docs/" not in text
    named = re.findall(r"page '([^']+)'", text)
    assert named, text
    assert set(named) <= set(_navigation().values())
