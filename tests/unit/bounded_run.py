"""Run Python code in a fresh interpreter, stopped after a bound, for tests of code that
must not hang (a backtracking regex engine takes hours where RE2 takes microseconds)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SUBPROCESS_TIMEOUT = 30


def run_in_subprocess(code: str) -> str:
    """Run ``code`` in a fresh interpreter that imports this collection; return its stdout.

    The run is stopped after SUBPROCESS_TIMEOUT seconds and the test fails instead of
    hanging.
    """
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        completed = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=environment,
            timeout=SUBPROCESS_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {SUBPROCESS_TIMEOUT} s:\n{code}")
    assert completed.returncode == 0, completed.stderr
    return completed.stdout
