"""Testinfra fixtures shared by every molecule scenario.

Molecule's testinfra verifier passes the scenario's inventory as ``--ansible-inventory``.
The hosts are podman containers, so instead of testinfra's slow ansible backend each
host is reached directly with ``podman exec`` through its recorded ``rig_container``.
Test helpers shared by the scenarios (``molecule/shared/tests``) are importable by name.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parent / "shared" / "tests"))


@pytest.fixture(scope="session")
def inventory(pytestconfig: pytest.Config) -> dict[str, Any]:
    source = pytestconfig.getoption("ansible_inventory")
    if not source:
        pytest.fail("no --ansible-inventory: run these tests through `molecule verify`")
    listing = subprocess.run(
        ["ansible-inventory", "--inventory", source, "--list"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(listing.stdout)


@pytest.fixture(scope="session")
def hostvars(inventory: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return inventory["_meta"]["hostvars"]


@pytest.fixture(scope="session")
def group_members(inventory: dict[str, Any]) -> dict[str, list[str]]:
    return {
        name: sorted(group.get("hosts", []))
        for name, group in inventory.items()
        if name != "_meta" and isinstance(group, dict)
    }


@pytest.fixture(scope="session")
def rig_hosts(hostvars: dict[str, dict[str, Any]]) -> dict[str, testinfra.host.Host]:
    return {
        name: testinfra.get_host(f"podman://{variables['rig_container']}")
        for name, variables in sorted(hostvars.items())
    }
