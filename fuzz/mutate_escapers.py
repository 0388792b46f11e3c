#!/usr/bin/env python3
"""Mutation check of postback's escapers: does some test notice each rule's removal?

For every escaping rule of every escaper (JSON string body and value quoting; XML
content, attribute and CDATA escaping and the U+FFFD replacement; form and percent
encoding for the query and url formats; the header format's CR/LF/NUL refusal), this
script disables that one rule by a textual mutation of a copy of the package in a
temporary directory, put first on ``PYTHONPATH``, and runs the format's tests plus
tests/test_escaper_rules.py against it (Hypothesis ``quick`` profile, fixed seed).
A mutant *survives* when every test still passes: a rule no test checks.  The run
fails if any mutant survives, cannot be applied (the escaper changed: update the list
below) or breaks the import (a bad mutant).

    python fuzz/mutate_escapers.py               # every mutant, 2 at a time
    python fuzz/mutate_escapers.py --list        # the mutants
    python fuzz/mutate_escapers.py --only json-quote xml-content-amp
    python fuzz/mutate_escapers.py --jobs 4 --profile ci

tests/test_mutation.py runs it when POSTBACK_MUTATION=1.  See docs/security.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "postback"
RULES_TESTS = "tests/test_escaper_rules.py"

TESTS = {
    "json.py": ["tests/test_json_context.py"],
    "xml.py": ["tests/test_xml_context.py"],
    "_escape.py": [
        "tests/test_query_context.py",
        "tests/test_url_context.py",
        "tests/test_header_context.py",
    ],
    "url.py": ["tests/test_url_context.py"],
    "_segments.py": ["tests/test_url_context.py", "tests/test_sweeps.py"],
    "header.py": ["tests/test_header_context.py"],
}


@dataclass(frozen=True)
class Mutant:
    """Replace ``old`` by ``new`` in ``module`` (inside function ``scope`` if given)."""

    id: str
    rule: str
    module: str
    old: str
    new: str
    scope: str | None = None


# JSON escapes through the standard library's encode_basestring; each mutant wraps
# it so that one escape is undone in its output.
_JSON_IMPORT = "from json.encoder import encode_basestring\n"


def _json_undo(expression: str) -> str:
    return (
        "from json.encoder import encode_basestring as _real_encode_basestring\n\n\n"
        "def encode_basestring(s):\n"
        "    import re as _re\n\n"
        "    out = _real_encode_basestring(s)\n"
        f"    return {expression}\n"
    )


def _unescape(escape: str, char: str) -> str:
    """The body of a JSON literal with ``escape`` written back as ``char``."""
    return f"'\"' + out[1:-1].replace({escape!r}, {char!r}) + '\"'"


MUTANTS: list[Mutant] = [
    # -- json: string body -------------------------------------------------------------
    Mutant(
        "json-body-quote",
        'JSON string: " as \\"',
        "json.py",
        _JSON_IMPORT,
        _json_undo(_unescape('\\"', '"')),
    ),
    Mutant(
        "json-body-backslash",
        "JSON string: \\ as \\\\",
        "json.py",
        _JSON_IMPORT,
        _json_undo(_unescape("\\\\", "\\")),
    ),
    Mutant(
        "json-body-newline",
        "JSON string: LF as \\n",
        "json.py",
        _JSON_IMPORT,
        _json_undo(_unescape("\\n", "\n")),
    ),
    Mutant(
        "json-body-cr",
        "JSON string: CR as \\r",
        "json.py",
        _JSON_IMPORT,
        _json_undo(_unescape("\\r", "\r")),
    ),
    Mutant(
        "json-body-tab",
        "JSON string: tab as \\t",
        "json.py",
        _JSON_IMPORT,
        _json_undo(_unescape("\\t", "\t")),
    ),
    Mutant(
        "json-body-bs-ff",
        "JSON string: backspace and form feed as \\b \\f",
        "json.py",
        _JSON_IMPORT,
        _json_undo("'\"' + out[1:-1].replace('\\\\b', '\\b').replace('\\\\f', '\\f') + '\"'"),
    ),
    Mutant(
        "json-body-c0",
        "JSON string: other C0 controls as \\u00XX",
        "json.py",
        _JSON_IMPORT,
        _json_undo(
            "'\"' + _re.sub(r'\\\\u00([01][0-9a-f])', "
            "lambda m: chr(int(m.group(1), 16)), out[1:-1]) + '\"'"
        ),
    ),
    Mutant(
        "json-body-surrogate",
        "JSON string: lone surrogates as \\udXXX",
        "json.py",
        '    return f"\\\\u{ord(match.group()):04x}"',
        "    return match.group()",
        scope="_surrogate_escape",
    ),
    # -- json: values ------------------------------------------------------------------------
    Mutant(
        "json-quote",
        "JSON value: a str is quoted",
        "json.py",
        "    out = encode_basestring(value)\n",
        "    out = encode_basestring(value)[1:-1]\n",
        scope="json_quote",
    ),
    Mutant(
        "json-quote-nullable",
        "JSON value: a str is quoted (missing='empty')",
        "json.py",
        "    out: str = encode_basestring(value)\n",
        "    out: str = encode_basestring(value)[1:-1]\n",
        scope="_quote_or_null",
    ),
    Mutant(
        "json-quote-fused",
        'JSON value: a whole-string placeholder "{X}" is quoted',
        "json.py",
        "    out: str = encode_basestring(value)\n",
        "    out: str = encode_basestring(value)[1:-1]\n",
        scope="_quote_or_empty",
    ),
    Mutant(
        "json-null-str",
        "JSON value: a missing str is null",
        "json.py",
        '        return "null"',
        '        return ""',
        scope="_quote_or_null",
    ),
    Mutant(
        "json-null-number",
        "JSON value: a missing number is null",
        "json.py",
        'return Binding(fmt, "null", _int_or("null"))',
        'return Binding(fmt, "", _int_or(""))',
    ),
    Mutant(
        "json-null-decimal",
        "JSON value: a missing decimal is null",
        "json.py",
        'return Binding(fmt, "null", _decimal_or("null"))',
        'return Binding(fmt, "", _decimal_or(""))',
    ),
    Mutant(
        "json-non-finite",
        "JSON: a non-finite Decimal raises RenderError",
        "json.py",
        "        return format_decimal(value)  # raises RenderError",
        "        return str(value)",
        scope="_decimal_or",
    ),
    Mutant(
        "json-date-quoted",
        "JSON value: a date (strftime pattern) is quoted",
        "json.py",
        "            return json_quote(_fmt(value))\n\n        return Binding(quoted",
        "            return _fmt(value)\n\n        return Binding(quoted",
    ),
    Mutant(
        "json-date-quoted-error",
        "JSON value: an ISO date is quoted (missing='error')",
        "json.py",
        "Binding(lambda value: json_quote(fmt(value)),",
        "Binding(lambda value: fmt(value),",
    ),
    Mutant(
        "json-date-in-string",
        "JSON string: a date (strftime pattern) is escaped",
        "json.py",
        "                return json_string_body(_fmt(value))",
        "                return _fmt(value)",
    ),
    Mutant(
        "json-extra-bool",
        "JSON value: an extra bool is true/false",
        "json.py",
        '                    return "true" if value else "false"',
        "                    return json_quote(str(value))",
    ),
    Mutant(
        "json-extra-str",
        "JSON value: an extra str is quoted",
        "json.py",
        "                return json_quote(_fmt(value))\n\n            return Binding(any_value",
        "                return _fmt(value)\n\n            return Binding(any_value",
    ),
    # -- xml: element content --------------------------------------------------------------
    Mutant(
        "xml-content-amp",
        "XML content: & as &amp;",
        "xml.py",
        'value.replace("&", "&amp;").',
        "value.",
        scope="xml_content",
    ),
    Mutant(
        "xml-content-lt",
        "XML content: < as &lt;",
        "xml.py",
        '.replace("<", "&lt;")',
        "",
        scope="xml_content",
    ),
    Mutant(
        "xml-content-gt",
        "XML content: > as &gt;",
        "xml.py",
        '.replace(">", "&gt;")',
        "",
        scope="xml_content",
    ),
    Mutant(
        "xml-content-cr",
        "XML content: CR as &#13;",
        "xml.py",
        '.replace("\\r", "&#13;")',
        "",
        scope="xml_content",
    ),
    Mutant(
        "xml-content-bracket",
        "XML content: a trailing ] as &#93; (escaped values)",
        "xml.py",
        '    if value[-1:] == "]":\n        return value[:-1] + "&#93;"\n    return value\n',
        "    return value\n",
        scope="xml_content",
    ),
    Mutant(
        "xml-content-bracket-fast",
        "XML content: a trailing ] as &#93; (plain values)",
        "xml.py",
        '        if value[-1:] == "]":\n            return value[:-1] + "&#93;"\n',
        "",
        scope="xml_content",
    ),
    Mutant(
        "xml-content-invalid",
        "XML content: characters XML cannot carry as U+FFFD",
        "xml.py",
        '        value = _INVALID.sub("\\ufffd", value)',
        "        pass",
        scope="xml_content",
    ),
    Mutant(
        "xml-content-detect-amp",
        "XML content: values with & are escaped",
        "xml.py",
        '_CONTENT_SPECIAL = re.compile(f"[&<>',
        '_CONTENT_SPECIAL = re.compile(f"[<>',
    ),
    Mutant(
        "xml-content-detect-lt",
        "XML content: values with < are escaped",
        "xml.py",
        '_CONTENT_SPECIAL = re.compile(f"[&<>',
        '_CONTENT_SPECIAL = re.compile(f"[&>',
    ),
    Mutant(
        "xml-content-detect-cr",
        "XML content: values with CR are escaped",
        "xml.py",
        '_CONTENT_SPECIAL = re.compile(f"[&<>\\r{',
        '_CONTENT_SPECIAL = re.compile(f"[&<>{',
    ),
    Mutant(
        "xml-content-detect-invalid",
        "XML content: values with invalid characters are escaped",
        "xml.py",
        '_CONTENT_SPECIAL = re.compile(f"[&<>\\r{_INVALID_CLASS}]")',
        '_CONTENT_SPECIAL = re.compile(f"[&<>\\r]")',
    ),
    # -- xml: attribute values ----------------------------------------------------------------
    Mutant(
        "xml-attr-amp",
        "XML attribute: & as &amp;",
        "xml.py",
        'value.replace("&", "&amp;")\n        .',
        "value.",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-lt",
        "XML attribute: < as &lt;",
        "xml.py",
        '        .replace("<", "&lt;")\n',
        "",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-gt",
        "XML attribute: > as &gt;",
        "xml.py",
        '        .replace(">", "&gt;")\n',
        "",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-quot",
        'XML attribute: " as &quot;',
        "xml.py",
        '        .replace(\'"\', "&quot;")\n',
        "",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-apos",
        "XML attribute: ' as &apos;",
        "xml.py",
        '        .replace("\'", "&apos;")\n',
        "",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-tab",
        "XML attribute: tab as &#9;",
        "xml.py",
        '        .replace("\\t", "&#9;")\n',
        "",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-lf",
        "XML attribute: LF as &#10;",
        "xml.py",
        '        .replace("\\n", "&#10;")\n',
        "",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-cr",
        "XML attribute: CR as &#13;",
        "xml.py",
        '        .replace("\\r", "&#13;")\n',
        "",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-invalid",
        "XML attribute: characters XML cannot carry as U+FFFD",
        "xml.py",
        '        value = _INVALID.sub("\\ufffd", value)',
        "        pass",
        scope="xml_attribute",
    ),
    Mutant(
        "xml-attr-detect-quot",
        'XML attribute: values with " are escaped',
        "xml.py",
        '_ATTR_SPECIAL = re.compile(f"[&<>\\"\'',
        "_ATTR_SPECIAL = re.compile(f\"[&<>'",
    ),
    Mutant(
        "xml-attr-detect-apos",
        "XML attribute: values with ' are escaped",
        "xml.py",
        '_ATTR_SPECIAL = re.compile(f"[&<>\\"\'',
        '_ATTR_SPECIAL = re.compile(f"[&<>\\"',
    ),
    Mutant(
        "xml-attr-detect-ws",
        "XML attribute: values with tab/LF/CR are escaped",
        "xml.py",
        "'\\t\\n\\r{_INVALID_CLASS}]\")",
        "'{_INVALID_CLASS}]\")",
    ),
    # -- xml: CDATA ------------------------------------------------------------------------------
    Mutant(
        "xml-cdata-split",
        "XML CDATA: ]]> split across sections",
        "xml.py",
        'value.replace("]]>", "]]]]><![CDATA[>")',
        "value",
        scope="xml_cdata",
    ),
    Mutant(
        "xml-cdata-cr",
        "XML CDATA: CR carried outside as &#13;",
        "xml.py",
        '.replace("\\r", "]]>&#13;<![CDATA[")',
        "",
        scope="xml_cdata",
    ),
    Mutant(
        "xml-cdata-head",
        "XML CDATA: a leading ] or > split off",
        "xml.py",
        'if value[:1] in ("]", ">"):',
        "if False:",
        scope="xml_cdata",
    ),
    Mutant(
        "xml-cdata-tail",
        "XML CDATA: a trailing ] split off",
        "xml.py",
        'if value[-1:] == "]":',
        "if False:",
        scope="xml_cdata",
    ),
    Mutant(
        "xml-cdata-invalid",
        "XML CDATA: characters XML cannot carry as U+FFFD",
        "xml.py",
        '        value = _INVALID.sub("\\ufffd", value)',
        "        pass",
        scope="xml_cdata",
    ),
    Mutant(
        "xml-cdata-detect",
        "XML CDATA: values with ] are escaped",
        "xml.py",
        '_CDATA_SPECIAL = re.compile(f"[\\\\]>',
        '_CDATA_SPECIAL = re.compile(f"[>',
    ),
    Mutant(
        "xml-invalid-surrogates",
        "XML: lone surrogates are invalid characters",
        "xml.py",
        '_INVALID_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff"',
        '_INVALID_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff"',
    ),
    Mutant(
        "xml-invalid-c0",
        "XML: C0 controls other than tab/LF/CR are invalid",
        "xml.py",
        '_INVALID_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff"',
        '_INVALID_CLASS = "\\ud800-\\udfff\\ufffe\\uffff"',
    ),
    Mutant(
        "xml-invalid-fffe",
        "XML: U+FFFE and U+FFFF are invalid",
        "xml.py",
        '_INVALID_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff"',
        '_INVALID_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff"',
    ),
    # -- query and url: form and percent encoding -----------------------------------------------
    *(
        Mutant(
            f"query-keep-{name}",
            f"form/percent encoding: {char!r} encoded",
            "_escape.py",
            "out = [chr(b) if chr(b) in UNRESERVED else",
            f"out = [chr(b) if chr(b) in UNRESERVED | {{{char!r}}} else",
        )
        for name, char in [
            ("amp", "&"),
            ("eq", "="),
            ("plus", "+"),
            ("percent", "%"),
            ("hash", "#"),
            ("slash", "/"),
            ("question", "?"),
            ("semicolon", ";"),
            ("quote", '"'),
            ("newline", "\n"),
            ("nul", "\x00"),
            ("del", "\x7f"),
        ]
    ),
    Mutant(
        "query-keep-high-bytes",
        "form/percent encoding: UTF-8 bytes >= 0x80 encoded",
        "_escape.py",
        "out = [chr(b) if chr(b) in UNRESERVED else",
        "out = [chr(b) if chr(b) in UNRESERVED or b >= 0x80 else",
    ),
    Mutant(
        "query-space-plus",
        "form encoding: space as +",
        "_escape.py",
        '    "form_encode",\n    "+",',
        '    "form_encode",\n    "%20",',
    ),
    Mutant(
        "percent-space",
        "percent encoding: space as %20",
        "_escape.py",
        '    "percent_encode",\n    "%20",',
        '    "percent_encode",\n    "+",',
    ),
    Mutant(
        "query-fast-path",
        "form/percent encoding: only unreserved values skip encoding",
        "_escape.py",
        '_ALL_UNRESERVED: Final = re.compile(r"[A-Za-z0-9._~\\-]*")',
        '_ALL_UNRESERVED: Final = re.compile(r"[A-Za-z0-9._~\\-&=+%]*")',
    ),
    Mutant(
        "query-utf8",
        "form/percent encoding: non-ASCII as UTF-8 bytes",
        "_escape.py",
        '        out = "".join([self.escapes[b] for b in ch.encode("utf-8")])',
        "        out = ch",
    ),
    Mutant(
        "query-surrogate",
        "form/percent encoding: lone surrogates as U+FFFD",
        "_escape.py",
        '        ch = "\\ufffd" if 0xD800 <= cp <= 0xDFFF else chr(cp)',
        '        ch = "?" if 0xD800 <= cp <= 0xDFFF else chr(cp)',
    ),
    Mutant(
        "query-surrogate-uncached",
        "form/percent encoding: lone surrogates as U+FFFD (past the table's cache limit)",
        "_escape.py",
        '            data = _SURROGATE.sub("\\ufffd", value).encode("utf-8")',
        '            data = _SURROGATE.sub("?", value).encode("utf-8")',
    ),
    Mutant(
        "url-dot-segments",
        "url path: a dot-segment value is written as %2E",
        "_escape.py",
        'if out and not out.strip("."):',
        "if False:",
        scope="path_segment_encode",
    ),
    Mutant(
        "url-dot-value",
        "url path: a value '.' or '..' alone in its segment raises RenderError",
        "_escape.py",
        "if len(out) <= 2:",
        "if False:",
        scope="path_segment_value",
    ),
    Mutant(
        "url-fragment-percent",
        "url fragment: percent-encoded (space as %20)",
        "url.py",
        'Context("url fragment", percent_encode,',
        'Context("url fragment", lambda v: percent_encode(v).replace("%20", "+"),',
    ),
    Mutant(
        "url-path-segment",
        "url path: a value is one segment (/ encoded)",
        "_segments.py",
        'Context("url path segment", path_segment_encode,',
        'Context("url path segment", lambda v: path_segment_encode(v).replace("%2F", "/"),',
    ),
    # -- header -------------------------------------------------------------------------------
    Mutant(
        "header-cr",
        "header: a value with CR raises RenderError",
        "_escape.py",
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f]")',
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0a-\\x0c\\x0e-\\x1f\\x7f]")',
    ),
    Mutant(
        "header-lf",
        "header: a value with LF raises RenderError",
        "_escape.py",
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f]")',
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f]")',
    ),
    Mutant(
        "header-nul",
        "header: a value with NUL raises RenderError",
        "_escape.py",
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f]")',
        'HEADER_FORBIDDEN: Final = re.compile("[\\x01-\\x08\\x0a-\\x1f\\x7f]")',
    ),
    Mutant(
        "header-c0",
        "header: a value with another C0 control raises RenderError",
        "_escape.py",
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f]")',
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00\\x0a\\x0d\\x7f]")',
    ),
    Mutant(
        "header-del",
        "header: a value with DEL raises RenderError",
        "_escape.py",
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f]")',
        'HEADER_FORBIDDEN: Final = re.compile("[\\x00-\\x08\\x0a-\\x1f]")',
    ),
    Mutant(
        "header-surrogate",
        "header: lone surrogates as U+FFFD",
        "_escape.py",
        '        return _SURROGATE.sub("\\ufffd", value)',
        "        return value",
        scope="header_value",
    ),
]


class MutationError(Exception):
    """A mutant that cannot be applied to the current source."""


def module_path(package: Path, module: str) -> Path:
    """Return where ``module`` is: at the package's top (``_escape.py``) or a format's."""
    top = package / module
    return top if top.exists() else package / "_contexts" / module


def _scope_bounds(text: str, scope: str) -> tuple[int, int]:
    match = re.search(rf"^( *)def {re.escape(scope)}\(", text, re.M)
    if match is None:
        raise MutationError(f"no function {scope}()")
    indent = len(match.group(1))
    end = re.compile(rf"^ {{0,{indent}}}(?:def |class |@|[A-Za-z_])", re.M)
    nxt = end.search(text, match.end())
    return match.start(), nxt.start() if nxt else len(text)


def apply(mutant: Mutant, text: str) -> str:
    """Return ``text`` with the mutation applied; the snippet must occur exactly once."""
    start, stop = _scope_bounds(text, mutant.scope) if mutant.scope else (0, len(text))
    count = text.count(mutant.old, start, stop)
    if count != 1:
        where = f"in {mutant.scope}()" if mutant.scope else "in the module"
        raise MutationError(f"{mutant.old!r} occurs {count} times {where}")
    k = text.index(mutant.old, start, stop)
    return text[:k] + mutant.new + text[k + len(mutant.old) :]


def test_files(mutant: Mutant | None) -> list[str]:
    if mutant is None:
        files = sorted({f for fs in TESTS.values() for f in fs})
    else:
        files = list(TESTS[mutant.module])
    if (ROOT / RULES_TESTS).exists():
        files.append(RULES_TESTS)
    return files


@dataclass
class Outcome:
    mutant: Mutant | None
    status: str  # "killed", "SURVIVED", "ERROR", "passed"
    detail: str
    seconds: float


def run(mutant: Mutant | None, profile: str, seed: int, timeout: float) -> Outcome:
    """Run the tests against a copy of the package with ``mutant`` applied."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="postback-mutant-") as tmp:
        copy = Path(tmp) / "postback"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        if mutant is not None:
            path = module_path(copy, mutant.module)
            try:
                path.write_text(apply(mutant, path.read_text("utf-8")), "utf-8")
            except MutationError as exc:
                return Outcome(mutant, "ERROR", f"cannot apply: {exc}", 0.0)
        env = {
            **os.environ,
            "PYTHONPATH": tmp,
            "PYTHONDONTWRITEBYTECODE": "1",
            "HYPOTHESIS_PROFILE": profile,
        }
        probe = subprocess.run(
            [sys.executable, "-c", "import postback._contexts as c; print(c.__file__)"],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if probe.returncode != 0 or not probe.stdout.startswith(tmp):
            return Outcome(
                mutant, "ERROR", f"the copy is not imported: {probe.stdout}{probe.stderr}", 0.0
            )
        command = [
            sys.executable, "-m", "pytest", *test_files(mutant), "-x", "-q",
            "-p", "no:cacheprovider", f"--hypothesis-seed={seed}",
            "-o", "addopts=", "-W", "error",
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, cwd=ROOT, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return Outcome(mutant, "killed", "timeout", time.perf_counter() - start)
    seconds = time.perf_counter() - start
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", done.stdout, re.M)
    if done.returncode == 0:
        return Outcome(mutant, "passed" if mutant is None else "SURVIVED", "", seconds)
    if done.returncode == 1 and failed:
        return Outcome(mutant, "killed", failed[0], seconds)
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
    return Outcome(mutant, "ERROR", f"pytest exited {done.returncode}:\n{tail}", seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at a time (2)")
    parser.add_argument("--profile", default="quick", help="Hypothesis profile (quick)")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed (0)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per mutant")
    args = parser.parse_args(argv)

    mutants = MUTANTS
    if args.only:
        unknown = set(args.only) - {m.id for m in MUTANTS}
        if unknown:
            parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
        mutants = [m for m in MUTANTS if m.id in args.only]
    if args.list:
        for m in mutants:
            print(f"{m.id:28} {m.module:10} {m.rule}")
        return 0

    # Every mutant must apply before anything runs.
    broken = []
    for m in mutants:
        try:
            apply(m, module_path(PACKAGE, m.module).read_text("utf-8"))
        except MutationError as exc:
            broken.append(f"{m.id}: {exc}")
    if broken:
        print("mutants that no longer apply (update fuzz/mutate_escapers.py):")
        print("\n".join(f"  {b}" for b in broken))
        return 2

    baseline = run(None, args.profile, args.seed, args.timeout)
    print(f"baseline (no mutation): {baseline.status} in {baseline.seconds:.0f}s {baseline.detail}")
    if baseline.status != "passed":
        print("the tests fail without any mutation; fix them first")
        return 2

    print(f"{'mutant':28} {'result':9} {'time':>6}  rule / first failing test")
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run, m, args.profile, args.seed, args.timeout) for m in mutants]
        for future in futures:
            o = future.result()
            outcomes.append(o)
            assert o.mutant is not None
            print(f"{o.mutant.id:28} {o.status:9} {o.seconds:5.0f}s  {o.mutant.rule}", flush=True)
            if o.detail:
                print(f"{'':46}{o.detail}", flush=True)

    survived = [o for o in outcomes if o.status == "SURVIVED"]
    errors = [o for o in outcomes if o.status == "ERROR"]
    killed = len(outcomes) - len(survived) - len(errors)
    print(
        f"\n{killed} of {len(outcomes)} mutants killed; {len(survived)} survived; {len(errors)} errors"
    )
    for o in survived:
        assert o.mutant is not None
        print(f"SURVIVED {o.mutant.id}: no test checks '{o.mutant.rule}'")
    for o in errors:
        assert o.mutant is not None
        print(f"ERROR {o.mutant.id}: {o.detail.splitlines()[0]}")
    return 1 if survived or errors else 0


if __name__ == "__main__":
    sys.exit(main())
