#!/usr/bin/env python3
"""Coverage-guided fuzzing of postback's compiler with atheris (docs/security.md).

    pip install atheris            # not a dependency of postback or of its CI
    pip install -e '.[test]'       # the harness reuses tests/fuzz/test_fuzz.py
    python fuzz/fuzz_compile.py -max_total_time=600
    python fuzz/fuzz_compile.py fuzz/corpus -max_total_time=3600 -jobs=2   # keep a corpus

Each input picks a format and either builds a template with the grammar-aware
generator of tests/fuzz/test_fuzz.py (valid templates, near misses and junk) or takes its
bytes as template text directly.  ``exercise`` then checks the properties the
Hypothesis tests check: ``check`` never raises, ``compile`` returns a ``Template`` or
raises ``TemplateError`` exactly when ``check`` reports an error, and rendering the
sample, a hostile and an empty action returns well-formed output or raises
``RenderError``.  Any other exception, or a failed assertion, is a crash: atheris
prints the input and saves it as ``crash-<hash>``; replay it with
``python fuzz/fuzz_compile.py crash-<hash>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fuzz"))

with atheris.instrument_imports(include=["postback", "lark"]):
    import postback

    # Import the parser (and lark) and every format now, so they are instrumented.
    for name in ("json", "xml", "query", "url", "header", "text"):
        postback.check("x", format=name)

from test_fuzz import FORMATS, Decisions, exercise, generate


def one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    if data[1] % 4 == 0:
        # Raw text: every code point, lone surrogates included.
        provider = atheris.FuzzedDataProvider(data[2:])
        source = provider.ConsumeUnicode(len(data))
    else:
        source = generate(Decisions(data[2:]), fmt)
    exercise(source, fmt)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
