"""Shared test configuration: Hypothesis profiles.

Select a profile with HYPOTHESIS_PROFILE=quick|ci|thorough (default: ci).  CI runs every
test with ``ci`` (``quick`` on the newer Pythons) and, in the ``thorough`` session of
noxfile.py, a third of the property and fuzz tests with ``thorough``, a third a day.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "quick",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
