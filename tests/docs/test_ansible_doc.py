"""`ansible-doc` teaches every module, filter, test and role of the collection.

The plugins and roles are discovered from the tree, so a new one is checked without
touching this file. Each is rendered the way a user reads it (`ansible-doc [-t TYPE]
alertmesh.ha.NAME`, plain text) from the collection path the Makefile sets up
(.cache/collections), and the output must hold what the source documents: the start of
the description, the examples (modules, filters, tests) and every option (roles).

ansible-doc may not warn, with one exception that is about ansible-core itself: from
2.20 on, `ansible-doc -t role` warns that core's own internal collection
(ansible/_internal/ansible_collections/ansible/_protomatter) has no version.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import ansible
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS_PATH = REPO_ROOT / ".cache" / "collections"
COLLECTION = "alertmesh.ha"
# Enough leading words of a description to tell it from any other.
DESCRIPTION_WORDS = 8
MARKUP = re.compile(r"\b(?:[A-Z]{1,2})\(([^()]*)\)")
CORE_INTERNAL_COLLECTIONS = Path(ansible.__file__).resolve().parent / "_internal"
UNVERSIONED_COLLECTION_WARNING = re.compile(
    r"\[WARNING\]: Collection at '(?P<path>[^']+)' does not have a MANIFEST\.json file,"
    r" nor has it galaxy\.yml: cannot detect version\."
)


def module_docs(path: Path) -> dict[str, Any]:
    """DOCUMENTATION, EXAMPLES and RETURN of a module, read without importing it."""
    blocks: dict[str, Any] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in {"DOCUMENTATION", "RETURN"}:
                    blocks[target.id] = yaml.safe_load(node.value.value)
                elif isinstance(target, ast.Name) and target.id == "EXAMPLES":
                    blocks["EXAMPLES"] = node.value.value
    return blocks


def sidecar_docs(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def plugin_cases() -> list[Any]:
    cases = []
    for path in sorted((REPO_ROOT / "plugins" / "modules").glob("*.py")):
        if path.name != "__init__.py":
            cases.append(pytest.param("module", path, id=f"module-{path.stem}"))
    for plugin_type in ("filter", "test"):
        for path in sorted((REPO_ROOT / "plugins" / plugin_type).glob("*.yml")):
            cases.append(pytest.param(plugin_type, path, id=f"{plugin_type}-{path.stem}"))
    return cases


def role_cases() -> list[Any]:
    return [
        pytest.param(path.parents[1].name, id=f"role-{path.parents[1].name}")
        for path in sorted((REPO_ROOT / "roles").glob("*/meta/argument_specs.yml"))
    ]


def ansible_doc(plugin_type: str, name: str) -> str:
    environment = {
        **os.environ,
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_PATH),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "false",
    }
    command = ["ansible-doc", "-t", plugin_type, f"{COLLECTION}.{name}"]
    completed = subprocess.run(
        command, capture_output=True, text=True, env=environment, cwd=REPO_ROOT, check=False
    )
    assert completed.returncode == 0, (
        f"{' '.join(command)} exited {completed.returncode}:\n{completed.stderr}{completed.stdout}"
    )
    our_lines = [line for line in completed.stderr.splitlines() if not is_core_warning(line)]
    assert not any("[WARNING]" in line for line in our_lines), completed.stderr
    return completed.stdout


def is_core_warning(line: str) -> bool:
    """Whether ``line`` is ansible-core's warning that its own collection has no version."""
    match = UNVERSIONED_COLLECTION_WARNING.fullmatch(line)
    return match is not None and Path(match["path"]).resolve().is_relative_to(
        CORE_INTERNAL_COLLECTIONS
    )


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", MARKUP.sub(lambda match: match.group(1), text).lower())


def description_start(description: str | list[str]) -> list[str]:
    first_paragraph = description[0] if isinstance(description, list) else description
    return words(first_paragraph)[:DESCRIPTION_WORDS]


def contains_in_order(haystack: list[str], needle: list[str]) -> bool:
    return any(
        haystack[start : start + len(needle)] == needle
        for start in range(len(haystack) - len(needle) + 1)
    )


def first_example_line(examples: str) -> str:
    return next(
        line.strip()
        for line in examples.splitlines()
        if line.strip() and not line.strip().startswith(("#", "---"))
    )


@pytest.mark.parametrize(("plugin_type", "path"), plugin_cases())
def test_plugin_doc(plugin_type: str, path: Path) -> None:
    docs = module_docs(path) if plugin_type == "module" else sidecar_docs(path)
    documentation = docs["DOCUMENTATION"]
    name = documentation.get("module") or documentation.get("name")
    assert name == path.stem, f"{path}: documented name {name!r} differs from the file name"

    output = ansible_doc(plugin_type, name)

    assert output.startswith(f"> {plugin_type.upper()} {COLLECTION}.{name} "), output[:200]
    assert contains_in_order(words(output), description_start(documentation["description"])), (
        f"the description of {name} is missing from ansible-doc's output:\n{output}"
    )
    examples = docs.get("EXAMPLES") or ""
    assert examples.strip(), f"{path} has no EXAMPLES"
    assert "\nEXAMPLES:\n" in output
    assert first_example_line(examples) in output
    if docs.get("RETURN"):
        assert "\nRETURN VALUES:\n" in output


@pytest.mark.parametrize("role", role_cases())
def test_role_doc(role: str) -> None:
    specs = yaml.safe_load((REPO_ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
    output = ansible_doc("role", role)

    assert output.startswith(f"> ROLE: *{COLLECTION}.{role}*"), output[:200]
    for entry_point, spec in specs["argument_specs"].items():
        assert f"ENTRY POINT: *{entry_point}* - {spec['short_description']}" in output
        assert contains_in_order(words(output), description_start(spec["description"])), (
            f"the description of {role}'s {entry_point} entry point is missing:\n{output}"
        )
        options = spec.get("options") or {}
        if options:
            assert "\nOptions (= indicates it is required):\n" in output
        missing = [option for option in options if option not in output]
        assert not missing, f"options of {role} missing from ansible-doc's output: {missing}"


def registered_names(plugin_type: str) -> set[str]:
    """Names that the filter or test plugin files register, by importing them."""
    sys.path.insert(0, str(COLLECTIONS_PATH))
    names: set[str] = set()
    try:
        for path in sorted((REPO_ROOT / "plugins" / plugin_type).glob("*.py")):
            if path.name == "__init__.py":
                continue
            module = importlib.import_module(
                f"ansible_collections.alertmesh.ha.plugins.{plugin_type}.{path.stem}"
            )
            if plugin_type == "filter":
                names.update(module.FilterModule().filters())
            else:
                names.update(module.TestModule().tests())
    finally:
        sys.path.remove(str(COLLECTIONS_PATH))
    return names


@pytest.mark.parametrize("plugin_type", ["filter", "test"])
def test_every_registered_plugin_is_documented(plugin_type: str) -> None:
    documented = {path.stem for path in (REPO_ROOT / "plugins" / plugin_type).glob("*.yml")}
    registered = registered_names(plugin_type)
    assert registered - documented == set(), (
        f"{plugin_type} plugins without a documentation sidecar in plugins/{plugin_type}/"
    )
    assert documented - registered == set(), f"{plugin_type} docs for plugins that do not exist"
