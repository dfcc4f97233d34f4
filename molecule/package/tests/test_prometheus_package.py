"""With Debian's package, this role's unit takes over: one Prometheus per host, our config."""

from __future__ import annotations


def test_only_the_role_unit_runs_prometheus(rig_hosts, group_members):
    for name in group_members["prometheus"]:
        host = rig_hosts[name]
        assert host.package("prometheus").is_installed, name
        assert host.package("promtool").is_installed, name
        unit = host.check_output("systemctl show --property=FragmentPath --value prometheus")
        assert unit == "/etc/systemd/system/prometheus.service", name
        command = host.check_output("ps -o args= -C prometheus")
        assert command.splitlines() == [command.splitlines()[0]], command
        assert command.startswith(
            "/usr/bin/prometheus --config.file=/etc/prometheus/prometheus.yml"
        )
        assert not host.package("prometheus-node-exporter").is_installed, name
