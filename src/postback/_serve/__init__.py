"""``postback serve``: a playground page that checks a notification as it is typed.

The server is the standard library's ``http.server.ThreadingHTTPServer``: nothing to
install, and it works offline.  One thread serves each request, so checking a large
template does not hold up the others, and request bodies are bounded.

- ``command.py``: the command line (``postback serve [PATH ...]``), starting the server;
- ``server.py``: the HTTP handler, with the rules that keep it safe on a developer's
  machine (``guard.py``: the Host and Origin checks, the body bound);
- ``state.py``: the page's fields, as the page sends them;
- ``evaluate.py``, ``findings.py`` and ``request.py``: what the page shows for them
  (every defect at its place, the rendered body, the prepared request, the earliest
  send time, what ``classify`` says);
- ``present.py``: pretty-printing bodies and writing the ``curl`` command;
- ``files.py``: the files named on the command line, and ``export.py`` the files the
  page downloads;
- ``static/``: the page itself, plain HTML, CSS and JavaScript.

The server writes nothing to disk, reads only the files named on its command line, and
never sends a request anywhere but back to the page.
"""
