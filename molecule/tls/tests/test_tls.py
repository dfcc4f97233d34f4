"""Everything on TLS and basic auth: what gets in, what is refused, and how secrets are kept.

The scenario's CA (molecule/shared/certificates.yml) signed a certificate per host and a
client certificate for the controller; a rogue CA signed rogue.crt, which no host trusts.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from rig import main_pid, run_playbook, wait_for

TLS_DIR = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent")) / "tls"
CA = str(TLS_DIR / "ca.crt")
CLIENT = (str(TLS_DIR / "client.crt"), str(TLS_DIR / "client.key"))
ROGUE = (str(TLS_DIR / "rogue.crt"), str(TLS_DIR / "rogue.key"))
AUTH = ("alertmesh", "tls-scenario-password")
# The replicas have a user of their own, so verify.yml must present each service's.
PROMETHEUS_AUTH = ("scraper", "tls-scenario-scraper-password")
PASSWORDS = (AUTH[1], PROMETHEUS_AUTH[1])
PRE_HASHED_AUTH = ("admin", "admin-prehashed-password")
# The scenario renames the groups in the inventory (alertmesh_*_group).
ALERTMANAGERS = "alerting"
PROMETHEUS = "monitoring"
WEB_PORTS = {ALERTMANAGERS: 9093, PROMETHEUS: 9090}
# Day-2 runs go through the checkout's site playbook over the rig's connection; converge
# ran the installed collection's over SSH (test_installed.py).
SITE = "../../playbooks/site.yml"
STRAY_PORTS = (19093, 19094)
# A member gossips with a new peer within seconds; a stray that stays out this long is out.
STRAY_WATCH = 20.0


@pytest.fixture(scope="module")
def web_endpoints(hostvars, group_members) -> dict[str, str]:
    return {
        name: f"{hostvars[name]['rig_ipv4']}:{port}"
        for group, port in WEB_PORTS.items()
        for name in group_members[group]
    }


def auth_for(name: str) -> tuple[str, str]:
    return AUTH if name.startswith("am-") else PROMETHEUS_AUTH


def get(url: str, **options) -> requests.Response:
    return requests.get(url, timeout=10, **({"verify": CA} | options))


def test_plain_http_to_every_web_port_is_refused(web_endpoints):
    for name, endpoint in web_endpoints.items():
        response = requests.get(f"http://{endpoint}/-/ready", timeout=10)
        assert response.status_code == 400, (name, response.status_code)
        assert "HTTPS server" in response.text, (name, response.text)


def test_https_needs_a_client_certificate_of_the_scenario_ca(web_endpoints):
    for name, endpoint in web_endpoints.items():
        for certificate in (None, ROGUE):
            with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
                get(f"https://{endpoint}/-/ready", cert=certificate, auth=auth_for(name))
        ready = get(f"https://{endpoint}/-/ready", cert=CLIENT, auth=auth_for(name))
        assert ready.status_code == 200, name


def test_https_without_or_with_wrong_credentials_gets_401(web_endpoints):
    for name, endpoint in web_endpoints.items():
        wrong = (auth_for(name)[0], "not-the-password")
        for credentials in (None, wrong):
            response = get(f"https://{endpoint}/-/ready", cert=CLIENT, auth=credentials)
            assert response.status_code == 401, (name, credentials, response.status_code)


def test_a_pre_hashed_user_logs_in(group_members, web_endpoints):
    for name in group_members[ALERTMANAGERS]:
        url = f"https://{web_endpoints[name]}/api/v2/status"
        response = get(url, cert=CLIENT, auth=PRE_HASHED_AUTH)
        assert response.status_code == 200, name


def test_secrets_are_readable_by_the_service_group_only(rig_hosts, group_members):
    secret_files = {
        ALERTMANAGERS: ("alertmanager", ["web.yml", "cluster-tls.yml", "alertmanager.yml"]),
        PROMETHEUS: ("prometheus", ["tls/key.pem", "web.yml", "auth/alertmanager.password"]),
    }
    for group, (service, files) in secret_files.items():
        for name in group_members[group]:
            for relative in files:
                if name == "prom-2" and relative.startswith("tls/"):
                    continue  # prom-2 reads its certificate in place, from /etc/ssl/alertmesh
                secret = rig_hosts[name].file(f"/etc/{service}/{relative}")
                assert secret.exists, (name, relative)
                assert (secret.user, secret.group, secret.mode) == ("root", service, 0o640), (
                    name,
                    relative,
                )
            web_config = rig_hosts[name].file(f"/etc/{service}/web.yml").content_string
            for password in PASSWORDS:
                assert password not in web_config, name
            assert "$2b$" in web_config, name


def test_a_certificate_on_the_host_is_read_in_place(rig_hosts):
    prom_2 = rig_hosts["prom-2"]
    web_config = prom_2.file("/etc/prometheus/web.yml").content_string
    assert "cert_file: /etc/ssl/alertmesh/prom-2.crt" in web_config
    assert "client_ca_file: /etc/ssl/alertmesh/ca.crt" in web_config
    assert not prom_2.file("/etc/prometheus/tls/cert.pem").exists


def test_the_alertmanagers_read_their_certificates_in_place(rig_hosts, group_members):
    for name in group_members[ALERTMANAGERS]:
        host = rig_hosts[name]
        web_config = host.file("/etc/alertmanager/web.yml").content_string
        assert f"cert_file: /etc/ssl/alertmesh/{name}.crt" in web_config, name
        assert not host.file("/etc/alertmanager/tls").exists, name
        gossip = host.file("/etc/alertmanager/cluster-tls.yml").content_string
        assert "ca_file: /etc/ssl/alertmesh/ca.crt" in gossip, name


def test_prometheus_trusts_the_alertmanagers_ca_at_their_path(rig_hosts, group_members):
    for name in group_members[PROMETHEUS]:
        config = rig_hosts[name].file("/etc/prometheus/prometheus.yml").content_string
        assert "ca_file: /etc/ssl/alertmesh/ca.crt" in config, name


def test_the_dry_run_on_fresh_hosts_reported_what_it_would_change(group_members):
    # prepare.yml ran site.yml --check on the fresh hosts (it fails unless that run passed
    # and left no configuration, binary or unit behind) and kept its output.
    output = (TLS_DIR.parent / "dry-run.txt").read_text()
    recap = dict(re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.MULTILINE))
    for name in group_members[ALERTMANAGERS] + group_members[PROMETHEUS]:
        assert int(recap[name]) > 0, (name, output[-3000:])


def test_check_diff_on_converged_hosts_changes_nothing_and_shows_no_secret(pytestconfig):
    playbook = run_playbook(pytestconfig, SITE, extra_args=["--check", "--diff"])
    output = playbook.stdout + playbook.stderr
    assert playbook.returncode == 0, output[-4000:]
    recap = dict(re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.MULTILINE))
    assert set(recap.values()) == {"0"}, output[-3000:]
    for password in PASSWORDS:
        assert password not in output
    assert "PRIVATE KEY" not in output


def test_amtool_on_an_alertmanager_host_reaches_it_over_tls_with_credentials(
    rig_hosts, group_members
):
    for name in group_members[ALERTMANAGERS]:
        host = rig_hosts[name]
        assert host.file("/etc/amtool/http.yml").mode == 0o600, name
        host.run_expect([0], "amtool silence query")
        host.run_expect([0], "amtool config routes show")


def test_prometheus_config_holds_no_password(rig_hosts, group_members):
    for name in group_members[PROMETHEUS]:
        config = rig_hosts[name].file("/etc/prometheus/prometheus.yml").content_string
        for password in PASSWORDS:
            assert password not in config, name
        assert "password_file: /etc/prometheus/auth/alertmanager.password" in config, name
        assert "scheme: https" in config, name


def test_units_use_the_sandboxing_of_systemd_252(rig_hosts, group_members):
    expected = {
        "User": None,
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectProc": "invisible",
        "ProtectClock": "yes",
        "RestrictNamespaces": "yes",
        "UMask": "0027",
    }
    for group, unit in ((ALERTMANAGERS, "alertmanager"), (PROMETHEUS, "prometheus")):
        for name in group_members[group]:
            shown = rig_hosts[name].check_output(
                f"systemctl show {unit}.service --property={','.join(expected)}"
            )
            properties = dict(line.split("=", 1) for line in shown.splitlines())
            assert properties["User"] == unit, (name, properties)
            for key, value in expected.items():
                if value is not None:
                    assert properties[key] == value, (name, key, properties)


def test_every_prometheus_sends_to_every_alertmanager_over_https(group_members, web_endpoints):
    expected = sorted(
        f"https://{web_endpoints[name]}/api/v2/alerts" for name in group_members[ALERTMANAGERS]
    )
    for name in group_members[PROMETHEUS]:
        answer = get(
            f"https://{web_endpoints[name]}/api/v1/alertmanagers", cert=CLIENT, auth=PROMETHEUS_AUTH
        ).json()["data"]
        active = sorted(target["url"] for target in answer["activeAlertmanagers"])
        assert active == expected, (name, answer)
        assert answer["droppedAlertmanagers"] == [], name


def test_gossip_runs_over_tcp_only(rig_hosts, group_members):
    for name in group_members[ALERTMANAGERS]:
        assert rig_hosts[name].socket("tcp://0.0.0.0:9094").is_listening, name
        assert not rig_hosts[name].socket("udp://0.0.0.0:9094").is_listening, name


def test_verify_playbook_passes_over_https_with_auth(pytestconfig, tmp_path):
    report = tmp_path / "report.txt"
    playbook = run_playbook(
        pytestconfig, "../../playbooks/verify.yml", {"alertmesh_verify_report": str(report)}
    )
    assert playbook.returncode == 0, (playbook.stdout + playbook.stderr)[-4000:]
    assert "https://" in report.read_text()


def peer_names(web_endpoints, name: str) -> list[str]:
    status = get(f"https://{web_endpoints[name]}/api/v2/status", cert=CLIENT, auth=AUTH).json()
    return sorted(peer["name"] for peer in status["cluster"]["peers"])


def start_stray(hostvars, rig_host, certificate: str) -> None:
    """Start a second Alertmanager on am-1 that gossips with am-2, as ``certificate``."""
    container = hostvars["am-1"]["rig_container"]
    stray = "/tmp/stray"
    rig_host.run_expect([0], f"rm -rf {stray} && mkdir -p {stray}/data")
    for source, target in (
        (TLS_DIR / f"{certificate}.crt", "cert.pem"),
        (TLS_DIR / f"{certificate}.key", "key.pem"),
        (TLS_DIR / "ca.crt", "ca.pem"),
    ):
        subprocess.run(["podman", "cp", str(source), f"{container}:{stray}/{target}"], check=True)
    files = {
        "alertmanager.yml": {"route": {"receiver": "none"}, "receivers": [{"name": "none"}]},
        "cluster-tls.yml": {
            "tls_server_config": {
                "cert_file": f"{stray}/cert.pem",
                "key_file": f"{stray}/key.pem",
                "client_auth_type": "RequireAndVerifyClientCert",
                "client_ca_file": f"{stray}/ca.pem",
            },
            "tls_client_config": {
                "cert_file": f"{stray}/cert.pem",
                "key_file": f"{stray}/key.pem",
                "ca_file": f"{stray}/ca.pem",
            },
        },
    }
    for file_name, content in files.items():
        rig_host.run_expect(
            [0], f"printf %s {shlex.quote(json.dumps(content))} > {stray}/{file_name}"
        )
    address = hostvars["am-1"]["rig_ipv4"]
    web_port, cluster_port = STRAY_PORTS
    rig_host.run_expect(
        [0],
        "systemd-run --unit=alertmesh-stray /usr/local/bin/alertmanager"
        f" --config.file={stray}/alertmanager.yml --storage.path={stray}/data"
        f" --web.listen-address=127.0.0.1:{web_port}"
        f" --cluster.listen-address=0.0.0.0:{cluster_port}"
        f" --cluster.advertise-address={address}:{cluster_port}"
        f" --cluster.peer={hostvars['am-2']['rig_ipv4']}:9094"
        f" --cluster.tls-config={stray}/cluster-tls.yml",
    )


def stray_peer_count(rig_host) -> int:
    status = rig_host.run(
        "python3 -c 'import urllib.request; print(urllib.request.urlopen("
        f'"http://127.0.0.1:{STRAY_PORTS[0]}/api/v2/status", timeout=5).read().decode())'
        "'"
    )
    if status.rc != 0:
        return 0
    return len(json.loads(status.stdout)["cluster"]["peers"] or [])


@pytest.mark.parametrize(
    ("certificate", "joins"),
    [("rogue", False), ("am-1", True)],
    ids=["with a rogue certificate it cannot", "with a certificate of the scenario CA it can"],
)
def test_a_peer_needs_a_certificate_of_the_mesh_ca_to_join(
    certificate, joins, hostvars, rig_hosts, web_endpoints
):
    members_before = set(peer_names(web_endpoints, "am-2"))
    start_stray(hostvars, rig_hosts["am-1"], certificate)
    try:
        assert wait_for(lambda: stray_peer_count(rig_hosts["am-1"]) > 0, 30), "stray not up"
        newcomers = wait_for(
            lambda: set(peer_names(web_endpoints, "am-2")) - members_before, STRAY_WATCH
        )
        assert bool(newcomers) == joins, (members_before, newcomers)
        assert (stray_peer_count(rig_hosts["am-1"]) > 1) == joins
    finally:
        rig_hosts["am-1"].run(
            "systemctl stop alertmesh-stray; systemctl reset-failed alertmesh-stray;"
            " rm -rf /tmp/stray"
        )


def can_connect(rig_host, address: str, port: int) -> bool:
    """Whether a TCP connection from ``rig_host`` to address:port succeeds within 3 s."""
    probe = rig_host.run(
        "python3 -c 'import socket,sys; socket.create_connection("
        f'("{address}", {port}), timeout=3); sys.exit(0)'
        "'"
    )
    return probe.rc == 0


@pytest.mark.parametrize(
    ("source", "target", "port", "allowed"),
    [
        ("prom-1", "am-1", 9093, True),
        ("receiver", "am-1", 9093, False),
        ("am-2", "am-1", 9094, True),
        ("prom-1", "am-1", 9094, False),
        ("prom-2", "prom-1", 9090, True),
        ("receiver", "prom-1", 9090, False),
        ("am-1", "prom-1", 9090, False),
    ],
)
def test_the_firewall_opens_each_port_to_the_hosts_that_need_it(
    source, target, port, allowed, hostvars, rig_hosts
):
    address = hostvars[target]["rig_ipv4"]
    assert can_connect(rig_hosts[source], address, port) == allowed


def test_the_firewall_table_survives_a_restart_and_a_reload_of_nftables(rig_hosts):
    # Debian's nftables.service starts and reloads with `flush ruleset`, which removes every
    # table; ours is tied to it (PartOf=, ReloadPropagatedFrom=) and loads again.
    am_1 = rig_hosts["am-1"]
    table = "nft list table inet alertmesh_alertmanager"
    for action in ("restart", "reload"):
        am_1.run_expect([0], f"systemctl {action} nftables.service")
        assert wait_for(lambda: am_1.run(table).rc == 0, 10), action
    assert can_connect(rig_hosts["prom-1"], "am-1", 9093)
    assert not can_connect(rig_hosts["receiver"], "am-1", 9093)


def runs_with_gossip_tls(rig_host) -> bool:
    pid = rig_host.check_output("systemctl show --property=MainPID --value alertmanager")
    return "--cluster.tls-config=" in rig_host.check_output(f"tr '\\0' ' ' < /proc/{pid}/cmdline")


def silence_ids(web_endpoints, name: str) -> set[str]:
    url = f"https://{web_endpoints[name]}/api/v2/silences"
    silences = get(url, cert=CLIENT, auth=AUTH).json()
    return {silence["id"] for silence in silences if silence["status"]["state"] == "active"}


def test_a_gossip_tls_switch_that_leaves_members_out_is_refused(
    pytestconfig, rig_hosts, group_members
):
    members = group_members[ALERTMANAGERS]
    before = {name: main_pid(rig_hosts[name], "alertmanager") for name in members}
    playbook = run_playbook(
        pytestconfig, SITE, {"alertmanager_cluster_tls": False}, ["--limit", "am-1"]
    )
    output = " ".join((playbook.stdout + playbook.stderr).split())
    assert playbook.returncode != 0, output[-3000:]
    expected = "so every member must be in the play, and am-2, am-3 are not (--limit?)"
    assert expected in output, output[-3000:]
    assert {name: main_pid(rig_hosts[name], "alertmanager") for name in members} == before
    for name in members:
        assert runs_with_gossip_tls(rig_hosts[name]), name


def test_gossip_tls_is_switched_off_and_on_again_on_the_running_mesh(
    pytestconfig, rig_hosts, group_members, web_endpoints
):
    members = group_members[ALERTMANAGERS]
    now = datetime.now(UTC)
    silence = {
        "matchers": [{"name": "alertname", "value": "GossipTlsSwitch", "isRegex": False}],
        "startsAt": now.isoformat(),
        "endsAt": (now + timedelta(hours=1)).isoformat(),
        "createdBy": "test_tls.py",
        "comment": "must outlive both switches",
    }
    created = requests.post(
        f"https://{web_endpoints[members[0]]}/api/v2/silences",
        json=silence,
        timeout=10,
        verify=CA,
        cert=CLIENT,
        auth=AUTH,
    )
    assert created.status_code == 200, created.text
    silence_id = created.json()["silenceID"]
    for name in members:
        assert wait_for(lambda name=name: silence_id in silence_ids(web_endpoints, name), 30), name

    for gossip_tls in (False, True):
        playbook = run_playbook(pytestconfig, SITE, {"alertmanager_cluster_tls": gossip_tls})
        output = playbook.stdout + playbook.stderr
        assert playbook.returncode == 0, output[-4000:]
        assert "Switching gossip TLS" in output, output[-3000:]
        # One member at a time: each restart is followed by the wait for that member.
        restarts = re.findall(
            r"TASK \[[^]]*(Restart the service, then wait, on|answers as ready -) (\S+)\]", output
        )
        restarted = [name for _, name in restarts[0 : 2 * len(members) : 2]]
        waited_for = [name for _, name in restarts[1 : 2 * len(members) : 2]]
        assert sorted(restarted) == sorted(members), restarts
        assert waited_for == restarted, restarts
        kinds = {kind for kind, _ in restarts[0 : 2 * len(members) : 2]}
        assert kinds == {"Restart the service, then wait, on"}, restarts
        for name in members:
            assert runs_with_gossip_tls(rig_hosts[name]) is gossip_tls, name
            status = get(f"https://{web_endpoints[name]}/api/v2/status", cert=CLIENT, auth=AUTH)
            cluster = status.json()["cluster"]
            assert cluster["status"] == "ready", (name, cluster)
            assert len(cluster["peers"]) == len(members), (name, cluster)
            assert silence_id in silence_ids(web_endpoints, name), name
            tls_config = rig_hosts[name].file("/etc/alertmanager/cluster-tls.yml")
            assert tls_config.exists is gossip_tls, name


def test_files_no_longer_configured_are_removed(pytestconfig, rig_hosts):
    # Last in this file: prom-1 drops its users and reads its CA from its PKI path instead.
    changed = {
        "prometheus_tls_ca": "",
        "prometheus_tls_ca_file": "/etc/ssl/alertmesh/ca.crt",
        "prometheus_basic_auth_users": {},
        "prometheus_api_auth": {},
    }
    playbook = run_playbook(
        pytestconfig, SITE, changed, ["--limit", "prom-1", "--tags", "configure"]
    )
    assert playbook.returncode == 0, (playbook.stdout + playbook.stderr)[-4000:]
    prom_1 = rig_hosts["prom-1"]
    for gone in ("tls/ca.pem", "auth/prometheus.password"):
        assert not prom_1.file(f"/etc/prometheus/{gone}").exists, gone
    for kept in ("tls/cert.pem", "tls/key.pem", "auth/alertmanager.password"):
        assert prom_1.file(f"/etc/prometheus/{kept}").exists, kept
    assert "basic_auth_users" not in prom_1.file("/etc/prometheus/web.yml").content_string
