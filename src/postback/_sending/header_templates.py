"""The headers no record value may choose, and compiling a notification's header values.

Besides the headers that frame a request (``Settings`` refuses those), some decide how
the receiver reads it: its media type, its method, how its body is encoded, and the
host, scheme, path or client that a receiver behind a proxy believes.  A notification
accepts the first few as literal text only, the template author's choice, and refuses
the others.  docs/security.md lists them with these reasons.
"""

from __future__ import annotations

from typing import Final

from .._errors import ConfigError, TemplateError
from .._formats import Format
from .._options import CompileOptions
from .._template import Template, compile_template
from .secrets import is_secret_header, mask_template_error

__all__ = ["compile_header"]

# Headers whose value decides how the receiver reads the request, besides those that
# frame it (``Settings`` refuses those): its media type, its method, how its body is
# encoded, and the host, scheme, path or client that a receiver behind a proxy believes.
# Name -> (may it be literal text?, why).  No record value may ever choose one; those
# that only proxies write, or that no rendered body needs, are refused altogether.
# docs/security.md lists them with these reasons.
_OVERRIDES_METHOD: Final = "it replaces the request's method for receivers that honour it"
_PROXY_WRITES: Final = "proxies write it, and a receiver behind one reads"
_ROUTES: Final = "some servers route the request by it instead of its path"
_RECEIVER_HEADERS: Final = {
    "content-type": (True, "it overrides the body format's media type"),
    "x-http-method-override": (True, _OVERRIDES_METHOD),
    "x-http-method": (True, _OVERRIDES_METHOD),
    "x-method-override": (True, _OVERRIDES_METHOD),
    "content-encoding": (False, "it makes the receiver decode the body, which is never encoded"),
    "forwarded": (False, f"{_PROXY_WRITES} the request's host, scheme and client from it"),
    "x-forwarded-host": (False, f"{_PROXY_WRITES} the request's host from it"),
    "x-forwarded-proto": (False, f"{_PROXY_WRITES} the request's scheme from it"),
    "x-forwarded-port": (False, f"{_PROXY_WRITES} the request's port from it"),
    "x-forwarded-prefix": (False, f"{_PROXY_WRITES} the request's path prefix from it"),
    "x-forwarded-scheme": (False, f"{_PROXY_WRITES} the request's scheme from it"),
    "x-forwarded-ssl": (False, f"{_PROXY_WRITES} the request's scheme from it"),
    "x-url-scheme": (False, f"{_PROXY_WRITES} the request's scheme from it"),
    "front-end-https": (False, f"{_PROXY_WRITES} the request's scheme from it"),
    "x-forwarded-server": (False, f"{_PROXY_WRITES} the request's host from it"),
    "x-original-host": (False, f"{_PROXY_WRITES} the request's host from it"),
    "x-host": (False, f"{_PROXY_WRITES} the request's host from it"),
    "x-forwarded-uri": (False, f"{_PROXY_WRITES} the request's path from it"),
    "x-forwarded-for": (False, f"{_PROXY_WRITES} the client's address from it"),
    "x-real-ip": (False, f"{_PROXY_WRITES} the client's address from it"),
    "true-client-ip": (False, f"{_PROXY_WRITES} the client's address from it"),
    "x-client-ip": (False, f"{_PROXY_WRITES} the client's address from it"),
    "cf-connecting-ip": (False, f"{_PROXY_WRITES} the client's address from it"),
    "x-original-url": (False, _ROUTES),
    "x-rewrite-url": (False, _ROUTES),
    "x-original-uri": (False, _ROUTES),
    "x-envoy-original-path": (False, _ROUTES),
}


def compile_header(name: str, value: str, options: CompileOptions) -> Template:
    """Compile the value template of header ``name``; a secret one's errors are masked."""
    literal, why = _RECEIVER_HEADERS.get(name.lower(), (True, ""))
    if not literal:
        raise ConfigError(
            f"header {name!r} cannot be set by a notification ({why}); leave it out",
            setting=f"headers.{name}",
        )
    try:
        template = compile_template(value, Format.HEADER, options.replace(name=f"headers.{name}"))
    except TemplateError as exc:
        if is_secret_header(name):
            # The error shows its template's line; keep the literal text (the
            # credential) out of logs, keep placeholders and positions.
            mask_template_error(exc)
        raise
    if template.fields and why:
        # How the receiver reads the request is the template author's choice, never a
        # record's value.
        raise ConfigError(
            f"header {name!r} must be literal text ({why}); it cannot hold placeholders",
            setting=f"headers.{name}",
        )
    return template
