"""``postback render``: one template, one record (or ``--records``), the body on stdout."""

from __future__ import annotations

import argparse
import sys

from .._errors import TemplateError
from .._files.inputs import read_template
from .._template import compile_template
from .bulk import check_bulk_flags, render_records
from .io import (
    EXIT_FAILED,
    EXIT_OK,
    STDIN,
    CliError,
    action_from,
    display,
    emit,
    project_from,
    template_error_lines,
    template_format,
    write,
)

__all__ = ["cmd_render"]


def cmd_render(args: argparse.Namespace) -> int:
    if args.template == STDIN and args.record == STDIN:
        raise CliError("the template and the record cannot both be read from stdin (-)")
    check_bulk_flags(args, args.template)
    project = project_from(args, validate=False)
    fmt = template_format(project, args.template, args.format)
    name = display(args.template)
    source = read_template(args.template)
    options = project.compile_options(args.template, name)
    action = None
    if args.records is None:
        action = action_from(args, options.extra_fields, options.unknown_keys, options.day_first)
    try:
        template = compile_template(source, fmt, options)
    except TemplateError as err:
        write(sys.stderr, "".join(line + "\n" for line in template_error_lines(name, err)))
        return EXIT_FAILED
    if action is None:
        return render_records(args, template)
    emit(template.render_bytes(action))
    return EXIT_OK
