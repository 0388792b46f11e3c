"""``postback completion bash|zsh``: a shell completion script made from the parser itself.

The script is generated from the ``argparse`` parser of the command line, so every
command, option and choice it completes is one the parser accepts: ``spec``
(``completion_spec.py``) reads the parser into plain data (commands, options, the
values each takes), and ``bash_script`` (``completion_bash.py``) and ``zsh_script``
(``completion_zsh.py``) write that data as a completion function.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

from .args import EPILOG, Handler
from .io import EXIT_OK, emit

__all__ = ["SHELLS", "add_completion", "cmd_completion"]

SHELLS: Final = ("bash", "zsh")


def cmd_completion(args: argparse.Namespace) -> int:
    """Run ``postback completion SHELL``: the script of the parser it was added to."""
    # The scripts' writers load only when a script is asked for: every other command
    # builds the same parser and needs none of them.
    from .completion_bash import bash_script
    from .completion_spec import spec
    from .completion_zsh import zsh_script

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
