"""One module per output format: a state machine over the template's text, and its contexts.

The registry (``postback._formats``) names each format's module and loads it on first use.
"""

from __future__ import annotations

from ._base import Context, Defect, Fusion, OutputFormat

__all__ = ["Context", "Defect", "Fusion", "OutputFormat"]
