"""Hypothesis profiles: "ci" (the default, quick) and "thorough" (for local runs).

Choose one with the environment variable HYPOTHESIS_PROFILE, e.g.
``HYPOTHESIS_PROFILE=thorough .venv/bin/pytest -q``.
"""

import os

from hypothesis import settings

# deadline=None: timing varies on shared CI machines, and speed is not what these tests check.
settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
