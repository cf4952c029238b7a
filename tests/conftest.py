"""Shared test configuration: hypothesis profiles chosen by HYPOTHESIS_PROFILE.

The default profile is deterministic: the same examples on every run, with no
example database, so ``nox`` (the README's command) passes or fails the same way
on every clone. Exploration is opt-in: ``HYPOTHESIS_PROFILE=explore`` (or
``nox -s explore``) draws new examples each run and never gates coverage.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    derandomize=True,
    database=None,
)
settings.register_profile(
    "explore",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
