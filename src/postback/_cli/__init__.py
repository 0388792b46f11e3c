"""The ``postback`` command line: one module per command family, ``main`` the entry point."""
