"""The prometheus role's self-monitoring alerts, rendered from their template and run by
the promtool of every Prometheus release the collection supports.

The cases are promtool unit test files beside this module; each runs against the rules
rendered with the settings it was written for.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest
import yaml
from promtool_release import PROMETHEUS_VERSIONS, REPO_ROOT, run_promtool

TEMPLATE = REPO_ROOT / "roles/prometheus/templates/alertmesh-self-monitoring.rules.yml.j2"
# The name the case files give in rule_files.
RULES_FILE = "alertmesh-self-monitoring.rules.yml"
CASES_DIR = Path(__file__).parent


@dataclasses.dataclass(frozen=True)
class RuleSettings:
    """What the role renders the template with: the inventory's sizes and the durations."""

    alertmanagers: int = 3
    pending_for: str = "5m"
    window: str = "5m"


# Three Alertmanagers with the role's default durations.
ROLE_DEFAULTS = RuleSettings()
OTHER_SETTINGS = RuleSettings(alertmanagers=2, pending_for="0s", window="1m")
CASE_FILES = {
    "alertmanager_alerts_test.yml": ROLE_DEFAULTS,
    "prometheus_alerts_test.yml": ROLE_DEFAULTS,
    "other_settings_test.yml": OTHER_SETTINGS,
}


def render_rules(directory: Path, settings: RuleSettings) -> Path:
    """The rules file as Ansible's template module writes it (trim_blocks) into ``directory``."""
    environment = jinja2.Environment(
        trim_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    rules = environment.from_string(TEMPLATE.read_text()).render(
        ansible_managed="Ansible managed",
        _prometheus_self_monitoring={
            "group": "alertmesh-self-monitoring",
            "alertmanager_job": "alertmanager",
            "prometheus_job": "prometheus",
            "alertmanagers": settings.alertmanagers,
            "for": settings.pending_for,
            "window": settings.window,
        },
    )
    path = directory / RULES_FILE
    path.write_text(rules)
    return path


def run_cases(
    version: str, case_file: str, settings: RuleSettings, directory: Path
) -> subprocess.CompletedProcess[str]:
    """promtool's run of the cases of ``case_file`` against rules rendered with ``settings``."""
    render_rules(directory, settings)
    shutil.copy(CASES_DIR / case_file, directory / case_file)
    return run_promtool(version, "test", "rules", case_file, cwd=directory)


def alert_names(rules: Path) -> set[str]:
    return {
        rule["alert"]
        for group in yaml.safe_load(rules.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


@pytest.mark.parametrize("version", PROMETHEUS_VERSIONS)
def test_promtool_accepts_the_rendered_rules(version: str, tmp_path: Path) -> None:
    rules = render_rules(tmp_path, ROLE_DEFAULTS)

    run = run_promtool(version, "check", "rules", RULES_FILE, cwd=tmp_path)

    assert run.returncode == 0, f"promtool {version} check rules:\n{run.stdout}"
    assert f"SUCCESS: {len(alert_names(rules))} rules found" in run.stdout, run.stdout


@pytest.mark.parametrize("version", PROMETHEUS_VERSIONS)
@pytest.mark.parametrize("case_file", CASE_FILES)
def test_the_alerts_fire_as_the_cases_expect(version: str, case_file: str, tmp_path: Path) -> None:
    run = run_cases(version, case_file, CASE_FILES[case_file], tmp_path)

    assert run.returncode == 0, f"promtool {version} test rules {case_file}:\n{run.stdout}"


@pytest.mark.parametrize("version", PROMETHEUS_VERSIONS)
@pytest.mark.parametrize(
    ("case_file", "alert"),
    [
        ("alertmanager_alerts_test.yml", "AlertmeshAlertmanagerMembersInconsistent"),
        ("prometheus_alerts_test.yml", "AlertmeshPrometheusAlertmanagersMissing"),
        ("other_settings_test.yml", "AlertmeshAlertmanagerMembersInconsistent"),
    ],
)
def test_the_cases_fail_against_rules_rendered_with_the_other_settings(
    version: str, case_file: str, alert: str, tmp_path: Path
) -> None:
    other_settings = OTHER_SETTINGS if CASE_FILES[case_file] == ROLE_DEFAULTS else ROLE_DEFAULTS

    run = run_cases(version, case_file, other_settings, tmp_path)

    assert run.returncode != 0, run.stdout
    assert f"alertname: {alert}," in run.stdout, run.stdout


def test_every_alert_has_a_case_where_it_fires_and_one_where_it_does_not(
    tmp_path: Path,
) -> None:
    expected = alert_names(render_rules(tmp_path, ROLE_DEFAULTS))
    firing, silent = set(), set()
    for case_file in CASE_FILES:
        for case in yaml.safe_load((CASES_DIR / case_file).read_text())["tests"]:
            for check in case["alert_rule_test"]:
                (firing if check.get("exp_alerts") else silent).add(check["alertname"])

    # promtool passes a check of an alert that does not exist if it expects no alert.
    assert firing | silent <= expected
    assert firing == expected
    assert silent == expected
