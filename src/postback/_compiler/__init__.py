"""From template text to a render function: grammar, parser, name checks, analysis, code."""
