"""``postback completion bash|zsh``: a shell completion script made from the parser itself.

The script is generated from the ``argparse`` parser of the command line, so every
command, option and choice it completes is one the parser accepts: ``spec`` reads
the parser into plain data (commands, options, the values each takes), and
``bash_script`` and ``zsh_script`` write that data as a completion function.

Values are completed by what the parser says about them: the ``choices`` of an
option or argument, the format names for ``--format``, file names for files and
folders (the metavars ``FILE``, ``TEMPLATE``, ``DIR``, ``NOTIFICATION.toml``, and any
metavar not known to be free text), and nothing for free text (``NAME``, ``TZ``,
``F``, ``TIME``).
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .._formats import format_names
from .._version import __version__
from .args import EPILOG, Handler
from .io import EXIT_OK, emit, format_arg, one_line

__all__ = [
    "FILES",
    "SHELLS",
    "Command",
    "Option",
    "Spec",
    "Values",
    "add_completion",
    "bash_script",
    "cmd_completion",
    "spec",
    "zsh_script",
]

SHELLS: Final = ("bash", "zsh")

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


# ---------------------------------------------------------------------------
# Reading the parser
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# bash
# ---------------------------------------------------------------------------


def _words(words: Iterable[str]) -> str:
    return shlex.quote(" ".join(words))


def _bash_value(values: Values) -> str:
    if values.files:
        return "_postback_files"
    if values.words:
        return f'_postback_reply -W {_words(values.words)} -- "$cur"'
    return ":"


def _bash_command(command: Command) -> list[str]:
    valued = [name for option in command.options if option.value for name in option.names]
    names = [name for option in command.options for name in option.names]
    lines = [f"        {command.name})", f"            valued={_words(valued)}"]
    by_value: dict[str, list[str]] = {}
    for option in command.options:
        if option.value is not None:
            by_value.setdefault(_bash_value(option.value), []).extend(option.names)
    if by_value:
        lines.append('            if [[ " $valued " == *" $prev "* ]]; then')
        lines.append('                case "$prev" in')
        for reply, spellings in by_value.items():
            lines.append(f"                    {'|'.join(spellings)}) {reply} ;;")
        lines.append("                esac")
        lines.append("                return")
        lines.append("            fi")
    lines.append("            if [[ $cur == -* ]]; then")
    lines.append(f'                _postback_reply -W {_words(names)} -- "$cur"')
    lines.append("                return")
    lines.append("            fi")
    if command.positionals:
        lines.append('            _postback_position "$start" "$valued"')
    for index, positional in enumerate(command.positionals):
        test = f"((position >= {index}))" if positional.many else f"((position == {index}))"
        lines.append(f"            if {test}; then {_bash_value(positional.value)}; fi")
    lines.append("            ;;")
    return lines


_BASH_HEAD = """\
# bash completion for {prog}, generated by `{prog} completion bash` ({prog} {version}).
# Load it in ~/.bashrc with:  eval "$({prog} completion bash)"

_postback_reply() {{
    # COMPREPLY from the lines compgen prints: file names may hold spaces.
    local line
    COMPREPLY=()
    while IFS= read -r line; do
        COMPREPLY+=("$prefix$line")
    done < <(compgen "$@")
}}

_postback_files() {{
    compopt -o filenames 2>/dev/null
    _postback_reply -f -- "$cur"
}}

_postback_position() {{
    # How many positional arguments come before the word being completed.
    local i word
    position=0
    for ((i = $1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        if [[ $word == "=" ]]; then
            i=$((i + 1))
        elif [[ " $2 " == *" $word "* ]]; then
            # The option's value: the next word, or the one after "=".
            if [[ ${{COMP_WORDS[i+1]-}} == "=" ]]; then i=$((i + 2)); else i=$((i + 1)); fi
        elif [[ $word != -* || $word == "-" ]]; then
            position=$((position + 1))
        fi
    done
}}

_postback() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" prefix="" command="" start=1 valued position i
    if ((COMP_CWORD > 0)); then prev="${{COMP_WORDS[COMP_CWORD-1]}}"; fi
    # --option=value: bash splits the word at "=" (COMP_WORDBREAKS), or keeps it whole.
    if [[ $cur == --*=* ]]; then
        prev="${{cur%%=*}}"
        prefix="$prev="
        cur="${{cur#*=}}"
    elif [[ $cur == "=" && $prev == --* ]]; then
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev="${{COMP_WORDS[COMP_CWORD-2]}}"
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${{COMP_WORDS[i]}} != -* ]]; then
            command="${{COMP_WORDS[i]}}"
            start=$((i + 1))
            break
        fi
    done
    COMPREPLY=()
    case "$command" in
        "")
            if [[ $cur == -* ]]; then
                _postback_reply -W {options} -- "$cur"
            else
                _postback_reply -W {commands} -- "$cur"
            fi
            ;;
"""

_BASH_TAIL = """\
    esac
}}

complete -F _postback {prog}
"""


def bash_script(data: Spec) -> str:
    """Return the bash completion script of ``data``."""
    head = _BASH_HEAD.format(
        prog=data.prog,
        version=__version__,
        options=_words(name for option in data.options for name in option.names),
        commands=_words(command.name for command in data.commands),
    )
    body = [line for command in data.commands for line in _bash_command(command)]
    return head + "".join(line + "\n" for line in body) + _BASH_TAIL.format(prog=data.prog)


# ---------------------------------------------------------------------------
# zsh
# ---------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    """``text`` in single quotes."""
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_explanation(text: str) -> str:
    return "[" + text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]") + "]"


def _zsh_action(values: Values) -> str:
    if values.files:
        return "_files"
    if values.words:
        return "(" + " ".join(values.words) + ")"
    return " "


def _zsh_message(metavar: str) -> str:
    return metavar.replace(":", "\\:") or " "


def _zsh_option(option: Option) -> str:
    if option.alone:
        exclusion = "(- *)"
    elif option.repeatable:
        exclusion = f"({' '.join(option.excludes)})" if option.excludes else ""
    else:
        exclusion = f"({' '.join((*option.excludes, *option.names))})"
    star = "*" if option.repeatable else ""
    tail = _zsh_explanation(option.help)
    if option.value is not None:
        tail += f":{_zsh_message(option.metavar)}:{_zsh_action(option.value)}"
    quoted_tail = _zsh_quote(tail)
    if len(option.names) == 1:
        suffix = "=" if option.value is not None and option.names[0].startswith("--") else ""
        return _zsh_quote(exclusion + star + option.names[0] + suffix + tail)
    spellings = ",".join(
        name + ("=" if option.value is not None and name.startswith("--") else "")
        for name in option.names
    )
    return f"{_zsh_quote(exclusion + star)}{{{spellings}}}{quoted_tail}"


def _zsh_positional(index: int, positional: Positional) -> str:
    position = "*" if positional.many else str(index + 1)
    colon = "::" if positional.optional and not positional.many else ":"
    message = _zsh_message(positional.metavar)
    return _zsh_quote(f"{position}{colon}{message}:{_zsh_action(positional.value)}")


def _zsh_arguments(options: Sequence[Option], positionals: Sequence[Positional]) -> list[str]:
    specs = [_zsh_option(option) for option in options]
    specs += [_zsh_positional(i, positional) for i, positional in enumerate(positionals)]
    return specs


_ZSH_HEAD = """\
#compdef {prog}
# zsh completion for {prog}, generated by `{prog} completion zsh` ({prog} {version}).
# Load it in ~/.zshrc, after compinit, with:  eval "$({prog} completion zsh)"
# or save it as _{prog} in a folder of $fpath.

_postback() {{
    local curcontext="$curcontext" state state_descr line ret=1
    typeset -A opt_args
    _arguments -C \\
{options}        '1: :_postback_commands' \\
        '*:: :->command' && ret=0
    if [[ $state == command ]]; then
        curcontext="${{curcontext%:*:*}}:{prog}-$words[1]:"
        case $words[1] in
"""

_ZSH_TAIL = """\
        esac
    fi
    return ret
}}

_postback_commands() {{
    local -a commands
    commands=(
{commands}
    )
    _describe -t commands '{prog} command' commands
}}

if [[ $funcstack[1] == _postback ]]; then
    _postback "$@"
else
    compdef _postback {prog}
fi
"""


def zsh_script(data: Spec) -> str:
    """Return the zsh completion script of ``data``."""
    indent = " " * 8
    head = _ZSH_HEAD.format(
        prog=data.prog,
        version=__version__,
        options="".join(f"{indent}{s} \\\n" for s in _zsh_arguments(data.options, ())),
    )
    body: list[str] = []
    for command in data.commands:
        specs = _zsh_arguments(command.options, command.positionals)
        body.append(f"{indent}    ({command.name})")
        body.append(f"{indent}        _arguments -s -S \\")
        body += [f"{indent}            {s} \\" for s in specs[:-1]]
        body.append(f"{indent}            {specs[-1]} && ret=0")
        body.append(f"{indent}        ;;")
    commands = "".join(
        f"{indent}{_zsh_quote(command.name + ':' + command.help)}\n" for command in data.commands
    )
    tail = _ZSH_TAIL.format(prog=data.prog, commands=commands)
    return head + "".join(line + "\n" for line in body) + tail


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def cmd_completion(args: argparse.Namespace) -> int:
    """Run ``postback completion SHELL``: the script of the parser it was added to."""
    data = spec(args.completed_parser)
    emit(bash_script(data) if args.shell == "bash" else zsh_script(data))
    return EXIT_OK


def add_completion(
    commands: Any, parser: argparse.ArgumentParser, handler: Handler = cmd_completion
) -> None:
    """Add ``postback completion`` to ``commands``, the subcommands of ``parser``, whose
    completion script it prints."""
    p = commands.add_parser(
        "completion",
        help="print a shell completion script (bash or zsh)",
        description='Print the completion script for SHELL. Load it with eval "$(postback '
        'completion bash)" in ~/.bashrc, or eval "$(postback completion zsh)" in ~/.zshrc '
        "after compinit.",
        epilog=EPILOG,
        allow_abbrev=False,
    )
    p.add_argument("shell", metavar="SHELL", choices=SHELLS, help="bash or zsh")
    p.set_defaults(handler=handler, completed_parser=parser)
