"""Every public role variable is documented, and every documented one has a default."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES_DIR = Path(__file__).resolve().parents[3] / "roles"
ROLES = sorted(path.name for path in ROLES_DIR.iterdir() if (path / "defaults/main.yml").exists())


@pytest.mark.parametrize("role", ROLES)
def test_defaults_and_argument_specs_name_the_same_variables(role):
    defaults = yaml.safe_load((ROLES_DIR / role / "defaults/main.yml").read_text()) or {}
    specs = yaml.safe_load((ROLES_DIR / role / "meta/argument_specs.yml").read_text())
    documented = specs["argument_specs"]["main"]["options"]
    assert sorted(defaults) == sorted(documented)


@pytest.mark.parametrize("role", ROLES)
def test_every_documented_variable_has_a_description(role):
    specs = yaml.safe_load((ROLES_DIR / role / "meta/argument_specs.yml").read_text())
    undescribed = [
        name
        for name, option in specs["argument_specs"]["main"]["options"].items()
        if not option.get("description")
    ]
    assert undescribed == []
