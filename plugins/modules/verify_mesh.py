#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ansible-test requires the imports below DOCUMENTATION, EXAMPLES and RETURN.
# ruff: noqa: E402
"""Prove that Alertmanagers form one gossip mesh and replicate silences."""

from __future__ import annotations

DOCUMENTATION = r"""
module: verify_mesh
short_description: Prove that Alertmanagers form one mesh and replicate silences
version_added: 0.1.0
author: alertmesh.ha maintainers (@alertmesh)
description:
  - Checks an Alertmanager mesh from the outside, through the HTTP API of every member,
    in three steps.
  - B(1. Membership.) Every member's C(GET /api/v2/status) must report cluster status
    C(ready) and list O(expected_members) peers (itself included); every member must list
    every other member of O(alertmanager_urls) (known by the C(cluster.name) it reports
    for itself), and all members must list the same peers. The module polls until
    O(timeout) before it fails, and the failure lists who sees whom.
  - B(2. Replication.) With O(silence_probe), for every member in turn, the module creates
    a probe silence on that member (the origin) with the unique matcher
    C(alertmesh_probe=<uuid4>) and polls every other member with
    C(GET /api/v2/silence/<id>) until the silence is there. The time from the answer to
    the C(POST) to the first successful C(GET) on a member is that member's replication
    latency, measured with a monotonic clock; its resolution is O(poll_interval).
  - With O(probe_rounds) above 1, this is repeated that many times, so that there are
    enough samples for the latency percentiles.
  - B(3. Clean-up.) Every probe is expired on its origin with C(DELETE), and the module
    polls every member until the probe shows state C(expired) there (or is unknown to that
    member), so that no active probe is left behind. This also happens when step 2 fails;
    every probe created so far is expired before the module reports the failure.
  - Probes match only the label C(alertmesh_probe), which no real alert carries, so they
    silence nothing.
extends_documentation_fragment:
  - alertmesh.ha.api
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details: In check mode only step 1 (membership) runs; no probe silence is created.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  alertmanager_urls:
    description:
      - Base URL of the API of every member of the mesh, for example
        V(http://10.0.0.5:9093).
      - Every member is checked, and every member is the origin of O(probe_rounds) probes.
    type: list
    elements: str
    required: true
  expected_members:
    description:
      - How many peers every member must list in its cluster status, itself included.
      - Defaults to the number of O(alertmanager_urls).
    type: int
  timeout:
    description:
      - Seconds to wait for each condition before failing. It applies separately to the
        membership check, to the replication of each probe to all other members, and to
        the expiry of the probes.
    type: float
    default: 30
  poll_interval:
    description:
      - Seconds between two polls of a member.
    type: float
    default: 0.5
  silence_probe:
    description:
      - Whether to run steps 2 and 3 (probe silences). With V(false) only membership is
        checked.
    type: bool
    default: true
  probe_rounds:
    description:
      - How many probe silences to create on every member, one after the other.
      - More rounds give more latency samples, for benchmarks; RV(latency_matrix),
        RV(latency_p50), RV(latency_p95) and RV(latency_max) cover all rounds.
      - Every probe stays active until the clean-up, so a mesh of N members holds up to
        N times O(probe_rounds) probe silences while the module runs.
    type: int
    default: 1
notes:
  - The module always reports C(changed=false). It creates probe silences, but it
    expires every one of them before it returns, so the net state of the mesh is
    unchanged. Expired probes stay visible in the silence list until Alertmanager's
    C(--data.retention) (5 days by default) removes them.
  - Until a member has received a probe, every poll of it answers 404, and Alertmanager
    logs C(Failed to find silence) at level C(error) for each one. Those lines are
    expected while the module runs.
  - Alertmanager 0.25 answers HTTP 500 to a C(DELETE) of a silence it does not know
    (0.28 answers 404). The module accepts the 500 only when the member confirms the probe
    is unknown or already expired.
seealso:
  - module: alertmesh.ha.verify_dedup
  - module: alertmesh.ha.alertmanager_silence
  - name: Alertmanager high availability
    description: How Alertmanager members gossip silences and the notification log.
    link: https://github.com/prometheus/alertmanager#high-availability
"""

EXAMPLES = r"""
- name: Prove that the three Alertmanagers form one mesh and replicate silences
  alertmesh.ha.verify_mesh:
    alertmanager_urls:
      - http://10.0.0.5:9093
      - http://10.0.0.6:9093
      - http://10.0.0.7:9093
  run_once: true
  register: mesh

- name: Show who sees whom and the replication latencies
  ansible.builtin.debug:
    msg: "{{ mesh.summary }}"
  run_once: true

- name: Check membership only, over HTTPS with basic auth
  alertmesh.ha.verify_mesh:
    alertmanager_urls: >-
      {{ groups['alertmanagers'] | alertmesh.ha.alertmanager_targets(hostvars)
         | map('regex_replace', '^', 'https://') }}
    silence_probe: false
    timeout: 120
    ca_path: /etc/ssl/certs/alertmesh-ca.pem
    url_username: ansible
    url_password: "{{ vault_alertmanager_password }}"
  run_once: true

- name: Benchmark silence replication with ten probes per member
  alertmesh.ha.verify_mesh:
    alertmanager_urls: "{{ alertmanager_urls }}"
    probe_rounds: 10
    poll_interval: 0.05
  run_once: true
  register: benchmark

- name: Fail when the slowest replication took more than two seconds
  ansible.builtin.assert:
    that: benchmark.latency_max < 2
    fail_msg: "{{ benchmark.summary }}"
  run_once: true
"""

RETURN = r"""
peers:
  description:
    - The peers every member listed in its last cluster status, by member URL, sorted by
      address.
    - Also returned on failure.
  returned: always
  type: dict
  sample:
    http://10.0.0.5:9093:
      - name: 01HX9A6Q2T0W3JX1YB0QG2M6ZC
        address: 10.0.0.5:9094
      - name: 01HX9A6R5S7N3PVM0C3ZQK8E2D
        address: 10.0.0.6:9094
cluster_status:
  description:
    - The cluster status every member reported (C(ready), C(settling), C(disabled)), by
      member URL; C(no answer) (with the HTTP status, if any) when it could not be read,
      C(unexpected answer) when the answer was not an Alertmanager status.
    - Also returned on failure.
  returned: always
  type: dict
  sample:
    http://10.0.0.5:9093: ready
    http://10.0.0.6:9093: ready
versions:
  description: The Alertmanager version every member reported, by member URL.
  returned: always
  type: dict
  sample:
    http://10.0.0.5:9093: 0.25.0
    http://10.0.0.6:9093: 0.25.0
latency_matrix:
  description:
    - Replication latency in seconds, by origin URL and then by member URL.
    - With O(probe_rounds) above 1, the slowest of all rounds for that pair.
    - Empty when no probe ran (check mode, O(silence_probe=false), or a single member).
  returned: always
  type: dict
  sample:
    http://10.0.0.5:9093:
      http://10.0.0.6:9093: 0.012
    http://10.0.0.6:9093:
      http://10.0.0.5:9093: 0.009
latency_p50:
  description:
    - Median of all replication latencies in seconds, over all rounds; null when no probe
      ran.
  returned: always
  type: float
  sample: 0.011
latency_p95:
  description:
    - 95th percentile (nearest rank) of all replication latencies in seconds; null when
      no probe ran.
  returned: always
  type: float
  sample: 0.012
latency_max:
  description: Largest replication latency in seconds; null when no probe ran.
  returned: always
  type: float
  sample: 0.012
latency_samples:
  description:
    - How many replication latencies were measured, over all rounds; every probe gives
      one per member other than its origin.
  returned: always
  type: int
  sample: 2
probes:
  description: How many probe silences were created (and expired again).
  returned: always
  type: int
  sample: 2
summary:
  description: Lines of a small table of members and latencies, for play output.
  returned: always
  type: list
  elements: str
  sample:
    - "member                version  cluster  peers"
    - "http://10.0.0.5:9093  0.25.0   ready    2"
    - "http://10.0.0.6:9093  0.25.0   ready    2"
    - "replication latency in seconds, origin (row) to member (column):"
    - "origin                http://10.0.0.5:9093  http://10.0.0.6:9093"
    - "http://10.0.0.5:9093  -                     0.012"
    - "http://10.0.0.6:9093  0.009                 -"
    - "2 probes, 2 samples: p50 0.011 s, p95 0.012 s, max 0.012 s"
"""

import statistics
import time
import uuid
from datetime import timedelta
from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alertmesh.ha.plugins.module_utils._api import (
    API_ARGUMENT_SPEC,
    AlertmanagerClient,
    ApiError,
    client_options,
    format_timestamp,
    silence_state,
    url_passwords,
    utc_now,
)
from ansible_collections.alertmesh.ha.plugins.module_utils._verify import (
    base_urls,
    nearest_rank,
    poll_until,
    require_positive,
    text_table,
)

PROBE_LABEL = "alertmesh_probe"
PROBE_CREATOR = "alertmesh.ha"
PROBE_MIN_LIFETIME = timedelta(minutes=10)


class MeshError(Exception):
    """A check failed; the message says what was expected and what was seen."""


class Probe:
    """One probe silence: where it was created and when the answer came."""

    def __init__(self, origin: str, silence_id: str, matcher_value: str, posted_at: float):
        self.origin = origin
        self.silence_id = silence_id
        self.matcher_value = matcher_value
        self.posted_at = posted_at

    def describe(self) -> str:
        return f"probe silence {self.silence_id} ({PROBE_LABEL}={self.matcher_value})"


class MeshVerifier:
    """The three steps of the module, over one client per member."""

    def __init__(
        self,
        clients: dict[str, AlertmanagerClient],
        timeout: float,
        poll_interval: float,
    ) -> None:
        self.clients = clients
        self.urls = list(clients)
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.peers: dict[str, list[dict[str, str]]] = {}
        self.cluster_status: dict[str, str] = {}
        self.versions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.latencies: dict[str, dict[str, list[float]]] = {}
        self.probes: list[Probe] = []

    # Step 1: membership

    def wait_for_membership(self, expected_members: int) -> None:
        problems = poll_until(
            lambda: self.membership_problems(expected_members), self.timeout, self.poll_interval
        )
        if problems:
            raise MeshError(
                f"The Alertmanager mesh did not form within {self.timeout:g} s:"
                f" expected every member to report cluster status 'ready' with"
                f" {expected_members} peers (itself included), all members listing the"
                f" same peers. {' '.join(problems)} Who sees whom: {self.who_sees_whom()}."
            )

    def membership_problems(self, expected_members: int) -> list[str]:
        problems = []
        for url, client in self.clients.items():
            try:
                status = client.status()
            except ApiError as err:
                self.cluster_status[url] = _no_status(err)
                self.peers[url] = []
                problems.append(f"{err}.")
                continue
            cluster = status.get("cluster") or {}
            self.cluster_status[url] = cluster.get("status") or "unknown"
            if cluster.get("name"):
                self.names[url] = cluster["name"]
            self.peers[url] = sorted(
                (
                    {"name": peer.get("name", ""), "address": peer.get("address", "")}
                    for peer in cluster.get("peers") or []
                ),
                key=lambda peer: (peer["address"], peer["name"]),
            )
            self.versions[url] = (status.get("versionInfo") or {}).get("version", "unknown")
            seen = len(self.peers[url])
            if self.cluster_status[url] == "disabled":
                problems.append(
                    f"{url} reports cluster status 'disabled': it runs without clustering"
                    " (an empty --cluster.listen-address)."
                )
            elif self.cluster_status[url] != "ready" or seen != expected_members:
                problems.append(
                    f"{url} reports cluster status '{self.cluster_status[url]}' with {seen} peers."
                )
        problems.extend(self.unlisted_members())
        peer_sets = {
            frozenset(peer["name"] for peer in peers) for peers in self.peers.values() if peers
        }
        if len(peer_sets) > 1:
            problems.append("The members do not all list the same peers (a split mesh?).")
        return problems

    def unlisted_members(self) -> list[str]:
        """Members (by their own peer name) that another member does not list as a peer."""
        problems = []
        for url in self.urls:
            listed = {peer["name"] for peer in self.peers.get(url, [])}
            if not listed:
                continue
            unlisted = [
                f"{member} ({name})"
                for member, name in self.names.items()
                if member != url and name not in listed
            ]
            if unlisted:
                problems.append(f"{url} does not list {', '.join(unlisted)} among its peers.")
        return problems

    def who_sees_whom(self) -> str:
        views = []
        for url in self.urls:
            seen = ", ".join(
                f"{peer['address']} ({peer['name']})" for peer in self.peers.get(url, [])
            )
            views.append(f"{url} [{self.cluster_status.get(url, 'unknown')}] sees {seen or '-'}")
        return "; ".join(views)

    # Step 2: replication

    def run_probes(self, probe_rounds: int) -> None:
        for origin in self.urls:
            for _round in range(probe_rounds):
                probe = self.create_probe(origin)
                self.wait_for_replication(probe)

    def create_probe(self, origin: str) -> Probe:
        matcher_value = str(uuid.uuid4())
        starts_at = utc_now()
        lifetime = max(PROBE_MIN_LIFETIME, timedelta(seconds=3 * self.timeout))
        silence = {
            "matchers": [
                {"name": PROBE_LABEL, "value": matcher_value, "isRegex": False, "isEqual": True}
            ],
            "startsAt": format_timestamp(starts_at),
            "endsAt": format_timestamp(starts_at + lifetime),
            "createdBy": PROBE_CREATOR,
            "comment": (
                f"alertmesh.ha.verify_mesh replication probe from {origin};"
                " silences nothing and is expired when the check ends"
            ),
        }
        try:
            silence_id = self.clients[origin].post_silence(silence)
        except ApiError as err:
            raise MeshError(
                f"Could not create a probe silence on {origin}: expected an id back, got: {err}"
            ) from err
        probe = Probe(origin, silence_id, matcher_value, time.monotonic())
        self.probes.append(probe)
        return probe

    def wait_for_replication(self, probe: Probe) -> None:
        waiting = [url for url in self.urls if url != probe.origin]
        origin_latencies = self.latencies.setdefault(probe.origin, {})

        def not_yet_received() -> list[str]:
            for url in list(waiting):
                try:
                    silence = self.clients[url].get_silence(probe.silence_id)
                except ApiError as err:
                    raise MeshError(
                        f"While waiting for {probe.describe()} from {probe.origin}, {err}"
                    ) from err
                if silence is not None:
                    latency = time.monotonic() - probe.posted_at
                    origin_latencies.setdefault(url, []).append(latency)
                    waiting.remove(url)
            return waiting

        missing = poll_until(
            not_yet_received, self.timeout, self.poll_interval, started=probe.posted_at
        )
        if missing:
            raise MeshError(
                f"{', '.join(missing)} did not receive {probe.describe()} from"
                f" {probe.origin} within {self.timeout:g} s: expected"
                f" GET /api/v2/silence/{probe.silence_id} to find it, got 404."
            )

    # Step 3: clean-up

    def expire_probes(self) -> list[str]:
        """Expire every probe created so far; return the problems (empty when all went)."""
        problems = []
        to_confirm = []
        for probe in self.probes:
            try:
                self.clients[probe.origin].expire_silence(probe.silence_id)
            except ApiError as err:
                problems.append(f"Could not expire {probe.describe()} on {probe.origin}: {err}")
                continue
            to_confirm.append(probe)
        pending = [(probe, url) for probe in to_confirm for url in self.urls]

        def still_live() -> list[tuple[Probe, str]]:
            for probe, url in list(pending):
                try:
                    silence = self.clients[url].get_silence(probe.silence_id)
                except ApiError as err:
                    problems.append(f"Could not confirm that {probe.describe()} expired: {err}")
                    pending.remove((probe, url))
                    continue
                if silence is None or silence_state(silence) == "expired":
                    pending.remove((probe, url))
            return pending

        problems.extend(
            f"{url} still shows {probe.describe()} from {probe.origin} as"
            f" active {self.timeout:g} s after it was expired."
            for probe, url in poll_until(still_live, self.timeout, self.poll_interval)
        )
        return problems

    # Results

    def latency_matrix(self) -> dict[str, dict[str, float]]:
        return {
            origin: {url: round(max(samples), 6) for url, samples in members.items()}
            for origin, members in self.latencies.items()
            if members
        }

    def all_latencies(self) -> list[float]:
        return [
            sample
            for members in self.latencies.values()
            for samples in members.values()
            for sample in samples
        ]

    def summary(self) -> list[str]:
        rows = [["member", "version", "cluster", "peers"]]
        rows.extend(
            [
                url,
                self.versions.get(url, "unknown"),
                self.cluster_status.get(url, "unknown"),
                str(len(self.peers.get(url, []))),
            ]
            for url in self.urls
        )
        lines = text_table(rows)
        matrix = self.latency_matrix()
        if matrix:
            lines.append("replication latency in seconds, origin (row) to member (column):")
            latency_rows = [["origin", *self.urls]]
            latency_rows.extend(
                [origin]
                + [
                    "-" if url not in matrix.get(origin, {}) else f"{matrix[origin][url]:.3f}"
                    for url in self.urls
                ]
                for origin in self.urls
            )
            lines.extend(text_table(latency_rows))
            stats = self.latency_stats()
            lines.append(
                f"{len(self.probes)} probes, {len(self.all_latencies())} samples:"
                f" p50 {stats['latency_p50']:.3f} s, p95 {stats['latency_p95']:.3f} s,"
                f" max {stats['latency_max']:.3f} s"
            )
        return lines

    def latency_stats(self) -> dict[str, float | None]:
        samples = self.all_latencies()
        if not samples:
            return dict.fromkeys(("latency_p50", "latency_p95", "latency_max"))
        return {
            "latency_p50": round(statistics.median(samples), 6),
            "latency_p95": round(nearest_rank(samples, 95), 6),
            "latency_max": round(max(samples), 6),
        }

    def results(self) -> dict[str, Any]:
        return {
            "peers": self.peers,
            "cluster_status": self.cluster_status,
            "versions": self.versions,
            "latency_matrix": self.latency_matrix(),
            "latency_samples": len(self.all_latencies()),
            **self.latency_stats(),
            "probes": len(self.probes),
            "summary": self.summary(),
        }


def _no_status(err: ApiError) -> str:
    """What ``cluster_status`` says of a member whose status could not be read."""
    if err.status is None:
        return "no answer"
    if 200 <= err.status < 300:
        return f"unexpected answer (HTTP {err.status})"
    return f"no answer (HTTP {err.status})"


def main() -> None:
    argument_spec: dict[str, Any] = {
        "alertmanager_urls": {"type": "list", "elements": "str", "required": True},
        "expected_members": {"type": "int"},
        "timeout": {"type": "float", "default": 30.0},
        "poll_interval": {"type": "float", "default": 0.5},
        "silence_probe": {"type": "bool", "default": True},
        "probe_rounds": {"type": "int", "default": 1},
    }
    argument_spec.update(API_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    module.no_log_values.update(url_passwords(params["alertmanager_urls"]))

    if params["expected_members"] is None:
        params["expected_members"] = len(params["alertmanager_urls"])
    try:
        urls = base_urls(params["alertmanager_urls"], "alertmanager_urls")
        require_positive(params, "expected_members", "probe_rounds", "timeout", "poll_interval")
    except ValueError as err:
        module.fail_json(msg=str(err))

    options = client_options(params)
    clients = [AlertmanagerClient(url, **options) for url in urls]
    verifier = MeshVerifier(
        {client.base_url: client for client in clients},
        timeout=params["timeout"],
        poll_interval=params["poll_interval"],
    )

    try:
        verifier.wait_for_membership(params["expected_members"])
    except MeshError as err:
        module.fail_json(msg=str(err), **verifier.results())

    if params["silence_probe"] and not module.check_mode:
        failure = None
        try:
            verifier.run_probes(params["probe_rounds"])
        except MeshError as err:
            failure = str(err)
        finally:
            # Whatever ended step 2, even an error this module did not foresee, no probe
            # may stay active.
            cleanup_problems = verifier.expire_probes()
        if failure or cleanup_problems:
            messages = [failure] if failure else []
            if cleanup_problems:
                messages.append("Clean-up of the probes failed: " + " ".join(cleanup_problems))
            module.fail_json(msg=" ".join(messages), **verifier.results())

    module.exit_json(changed=False, **verifier.results())


if __name__ == "__main__":
    main()
