"""The parser's LALR tables, made from ``grammar.lark`` ahead of time and shipped with the package.

Lark analyses the grammar into tables once, when ``python -m postback._compiler.tables``
writes ``grammar.tables`` beside it, and the file is committed; at run time ``load`` reads
it back (``Lark.load``) instead of analysing the grammar again on the first compile.  The
file is one header line, the fingerprint of what it was made from (the grammar's text,
``OPTIONS`` and the version of Lark), then Lark's own serialised parser (``Lark.save``),
its states and tokens numbered in a fixed order so that making it twice gives the same
bytes.  Where the header does not match what is installed (the grammar or the options were
changed and the file not made again, or another version of Lark is installed), ``load``
builds the parser from the grammar, as every compile did before, so the tables can never
disagree with the grammar; ``tests/unit/test_parser_tables.py`` fails while the shipped
file is stale.  This module imports Lark, so ``parser.py`` loads it on the first compile,
never with ``import postback``.
"""

from __future__ import annotations

import os
import pickle
import sys
from hashlib import sha256
from typing import TYPE_CHECKING, Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["GRAMMAR", "OPTIONS", "TABLES", "build", "fingerprint", "load", "main", "write"]

GRAMMAR = "grammar.lark"
TABLES = "grammar.tables"
#: The options of the parser: ``Lark(grammar, **OPTIONS)``.
OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "contextual",
    "start": ["template", "inner"],
    "maybe_placeholders": False,
}
REGENERATE = "python -m postback._compiler.tables"


def fingerprint(grammar: str, lark_version: str) -> bytes:
    """Return the header line of the tables Lark ``lark_version`` makes of ``grammar``."""
    made_of = "\0".join([grammar, repr(sorted(OPTIONS.items())), lark_version])
    digest = sha256(made_of.encode("utf-8")).hexdigest()
    return f"postback parser tables, lark {lark_version}, sha256 {digest}\n".encode("ascii")


def build(grammar: str) -> Lark:
    """Analyse ``grammar`` into a parser, as ``load`` does where no tables fit."""
    return Lark(grammar, **OPTIONS)


def load() -> Lark:
    """Return the parser of ``grammar.lark``: from the shipped tables where they fit it."""
    # Read beside this file with ``open``: ``importlib.resources`` and ``pathlib`` cost
    # milliseconds on the first compile, and only the generator needs them.
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, GRAMMAR), encoding="utf-8") as source:
        grammar = source.read()
    with open(os.path.join(here, TABLES), "rb") as tables:
        if tables.readline() == fingerprint(grammar, lark.__version__):
            return Lark.load(tables)
    return build(grammar)


def _canonical(table: dict[str, Any]) -> dict[str, Any]:
    """Return Lark's serialised parse ``table`` with its states and tokens in a fixed order.

    Lark numbers them in the order it meets them in sets, which changes from run to run;
    here tokens are numbered by name and states in the order they are reached from the
    start states, each state's moves taken by token name.
    """
    names: dict[int, str] = table["tokens"]
    order = sorted(names.values())
    token = {name: n for n, name in enumerate(order)}
    starts: dict[str, int] = table["start_states"]
    number: dict[int, int] = {}
    queue = [starts[start] for start in sorted(starts)]
    while queue:
        state = queue.pop(0)
        if state in number:
            continue
        number[state] = len(number)
        moves = sorted(table["states"][state].items(), key=lambda move: names[move[0]])
        queue.extend(arg for _, (action, arg) in moves if action == 0)
    assert len(number) == len(table["states"]), "every state is reached from a start state"
    states: dict[int, dict[int, tuple[int, Any]]] = {}
    for state in sorted(number, key=number.__getitem__):
        renumbered = {}
        for tok, (action, arg) in sorted(
            table["states"][state].items(), key=lambda move: token[names[move[0]]]
        ):
            renumbered[token[names[tok]]] = (action, number[arg] if action == 0 else arg)
        states[number[state]] = renumbered
    return {
        "tokens": dict(enumerate(order)),
        "states": states,
        "start_states": {name: number[s] for name, s in sorted(starts.items())},
        "end_states": {name: number[s] for name, s in sorted(table["end_states"].items())},
    }


def _unshared(value: Any) -> Any:
    """Return ``value`` rebuilt with every string interned and no container shared.

    Pickle writes an object seen before as a reference to it, so that how Lark happened
    to share objects would change the bytes; rebuilt, equal data gives equal bytes.
    """
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, dict):
        return {_unshared(k): _unshared(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_unshared(v) for v in value)
    return value


def write(path: Path) -> None:
    """Analyse ``grammar.lark`` and write its tables to ``path``."""
    # Only the generator reads the grammar as a resource, so the first compile does not
    # load importlib.resources.
    from importlib import resources

    grammar = resources.files(__package__).joinpath(GRAMMAR).read_text("utf-8")
    parser = build(grammar)
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    frontend = data["parser"]
    frontend["parser"] = _canonical(frontend["parser"])
    with path.open("wb") as out:
        out.write(fingerprint(grammar, lark.__version__))
        # The layout of Lark.save, which Lark.load reads.
        tables = _unshared({"data": data, "memo": memo})
        pickle.dump(tables, out, protocol=5)


def main(argv: list[str] | None = None) -> int:
    """Write the tables to ``grammar.tables``, or to the file named in ``argv``."""
    # Only the generator takes paths, so the first compile does not load pathlib.
    from pathlib import Path

    args = sys.argv[1:] if argv is None else argv
    write(Path(args[0]) if args else Path(__file__).with_name(TABLES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
