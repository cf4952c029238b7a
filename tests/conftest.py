"""Shared test configuration: hypothesis profiles chosen by HYPOTHESIS_PROFILE."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    # CI is reproducible: the same examples every run, so a landing never hinges
    # on luck. The dev profile keeps exploring new examples on every run.
    derandomize=True,
    database=None,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# Test aggregates live in test modules; let the storage codec decode them.
from booking_core.adapters.codec import allow_module  # noqa: E402

allow_module("tests")
