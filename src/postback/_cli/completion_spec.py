"""The command line as plain data, read from its ``argparse`` parser.

``spec`` reads the parser into a ``Spec``: its commands, their options and positional
arguments, and what each value is completed with: the ``choices`` of an option or
argument, the format names for ``--format``, file names for files and folders (the
metavars ``FILE``, ``TEMPLATE``, ``DIR``, ``NOTIFICATION.toml``, and any metavar not
known to be free text), and nothing for free text (``NAME``, ``TZ``, ``F``, ``TIME``).
The completion scripts are written from that data (``completion_bash.py``,
``completion_zsh.py``).
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass
from typing import Final

from .._formats import format_names
from .io import format_arg, one_line

__all__ = ["FILES", "Command", "Option", "Positional", "Spec", "Values", "spec"]

#: Metavars of values that are free text: nothing to complete.
_FREE_TEXT: Final = frozenset({"NAME", "TZ", "F", "TIME"})


@dataclass(frozen=True, slots=True)
class Values:
    """What a value is completed with: ``words``, or file names (``files``), or nothing."""

    words: tuple[str, ...] = ()
    files: bool = False


FILES: Final = Values(files=True)
_NOTHING: Final = Values()


@dataclass(frozen=True, slots=True)
class Option:
    """An option: its spellings, help, the value it takes (None: none) and its rivals."""

    names: tuple[str, ...]
    help: str
    value: Values | None = None
    metavar: str = ""
    repeatable: bool = False
    excludes: tuple[str, ...] = ()
    alone: bool = False  # --help and --version: nothing else goes with them


@dataclass(frozen=True, slots=True)
class Positional:
    """A positional argument; ``many`` for ``nargs="*"``, ``optional`` for ``"?"``."""

    metavar: str
    help: str
    value: Values
    many: bool = False
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    """A command: its name, help, options and positional arguments."""

    name: str
    help: str
    options: tuple[Option, ...]
    positionals: tuple[Positional, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    """The whole command line: the program's name, its own options, its commands."""

    prog: str
    options: tuple[Option, ...]
    commands: tuple[Command, ...]


def _help(action: argparse.Action, prog: str) -> str:
    text = action.help or ""
    if "%" in text:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            text = text % {**vars(action), "prog": prog}
    return one_line(text)


def _values(action: argparse.Action) -> Values:
    if action.choices is not None:
        return Values(words=tuple(str(choice) for choice in action.choices))
    if action.type is format_arg:
        return Values(words=format_names())
    if action.metavar in _FREE_TEXT:
        return _NOTHING
    return FILES


def _rivals(parser: argparse.ArgumentParser) -> dict[argparse.Action, tuple[str, ...]]:
    rivals: dict[argparse.Action, tuple[str, ...]] = {}
    for group in parser._mutually_exclusive_groups:
        for action in group._group_actions:
            rivals[action] = tuple(
                name
                for other in group._group_actions
                if other is not action
                for name in other.option_strings
            )
    return rivals


def _option(action: argparse.Action, prog: str, excludes: tuple[str, ...]) -> Option:
    alone = isinstance(action, argparse._HelpAction | argparse._VersionAction)
    takes_value = action.nargs != 0 and not alone
    return Option(
        names=tuple(action.option_strings),
        help=_help(action, prog),
        value=_values(action) if takes_value else None,
        metavar=str(action.metavar or action.dest.upper()) if takes_value else "",
        repeatable=isinstance(action, argparse._AppendAction | argparse._CountAction),
        excludes=excludes,
        alone=alone,
    )


def _arguments(parser: argparse.ArgumentParser) -> tuple[list[Option], list[Positional]]:
    rivals = _rivals(parser)
    options: list[Option] = []
    positionals: list[Positional] = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        if action.option_strings:
            options.append(_option(action, parser.prog, rivals.get(action, ())))
        else:
            positionals.append(
                Positional(
                    metavar=str(action.metavar or action.dest),
                    help=_help(action, parser.prog),
                    value=_values(action),
                    many=action.nargs in ("*", "+", argparse.REMAINDER),
                    optional=action.nargs in ("?", "*"),
                )
            )
    return options, positionals


def spec(parser: argparse.ArgumentParser) -> Spec:
    """Read ``parser`` (the ``postback`` parser) into a ``Spec``."""
    options, _ = _arguments(parser)
    commands: list[Command] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        for name, sub in action.choices.items():
            sub_options, positionals = _arguments(sub)
            commands.append(
                Command(name, one_line(helps.get(name, "")), tuple(sub_options), tuple(positionals))
            )
    return Spec(parser.prog, tuple(options), tuple(commands))
