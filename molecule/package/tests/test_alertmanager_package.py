"""With Debian's package, the packaged unit stays masked: one Alertmanager per host."""

from __future__ import annotations


def test_only_one_alertmanager_unit_is_active(rig_hosts, group_members):
    for name in group_members["alertmanagers"]:
        host = rig_hosts[name]
        active = host.check_output(
            "systemctl list-units --type=service --state=active --no-legend --plain %s",
            "*alertmanager*",
        )
        assert [line.split()[0] for line in active.splitlines()] == ["alertmanager.service"], name
        assert (
            host.run("systemctl is-enabled prometheus-alertmanager.service").stdout.strip()
            == "masked"
        )
        assert host.package("prometheus-alertmanager").is_installed, name
