"""Hypothesis profiles: ``ci`` (quick, the default) and ``thorough`` (HYPOTHESIS_PROFILE=thorough)."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=600, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

if "CRSRULES_CACHE_DIR" not in os.environ:  # parsed YAML cached for this run only (commands run here inherit it)
    os.environ["CRSRULES_CACHE_DIR"] = tempfile.mkdtemp(prefix="crsrules-test-cache-")
    atexit.register(shutil.rmtree, os.environ["CRSRULES_CACHE_DIR"], True)
