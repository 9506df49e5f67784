"""Hypothesis profiles: "ci" (the default, quick) and "thorough" (for local runs).

Choose one with the environment variable HYPOTHESIS_PROFILE, e.g.
``HYPOTHESIS_PROFILE=thorough .venv/bin/pytest -q``.
"""

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# deadline=None: timing varies on shared CI machines, and speed is not what these tests check.
settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def generated() -> Path:
    """A 3 MB labelled corpus of benchmarks/scale.py (seed 0), made from ../shared/corpora
    (kept in the git-ignored benchmarks/data for the next run)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is missing: the generated corpus is made from it")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import scale
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    paths, meta = scale.ensure("3MB", 0)
    assert meta["articles"] > 500
    return paths.corpus
