"""Small helpers the scenarios' testinfra tests share.

Testinfra tests import it as ``from rig import wait_for, run_playbook, main_pid``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any

PLAYBOOK_TIMEOUT = 600


def wait_for(condition: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    """Call ``condition`` until it returns something true or ``timeout`` seconds pass.

    Returns the last outcome, so a caller asserts on it and shows it on failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        outcome = condition()
        if outcome or time.monotonic() > deadline:
            return outcome
        time.sleep(interval)


def run_playbook(
    pytestconfig: Any,
    playbook: str,
    extra_vars: dict[str, Any] | None = None,
    extra_args: Sequence[str] = (),
) -> subprocess.CompletedProcess:
    """Run ``playbook`` against the scenario's inventory and return the finished process.

    A relative ``playbook`` is taken from the scenario's directory (``converge.yml``).
    """
    path = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], playbook)
    command = ["ansible-playbook", "--inventory", pytestconfig.getoption("ansible_inventory")]
    if extra_vars:
        command += ["--extra-vars", json.dumps(extra_vars)]
    command += [*extra_args, path]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, check=False
    )


def main_pid(host: Any, unit: str) -> int:
    """The main PID of a systemd unit on a testinfra host (0 when it does not run)."""
    return int(host.check_output(f"systemctl show --property=MainPID --value {unit}"))
