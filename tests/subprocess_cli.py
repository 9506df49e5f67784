"""Run the command line in a subprocess, as a user would, for the CLI tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path, module: str = "newscorpus") -> subprocess.CompletedProcess[str]:
    """``python -m <module> ARGS...`` in ``cwd``; never raises for a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
