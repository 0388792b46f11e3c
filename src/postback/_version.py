__version__ = "0.1.0"
"""The version of postback: ``postback --version`` prints it too."""
