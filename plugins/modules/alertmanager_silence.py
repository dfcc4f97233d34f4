#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ansible-test requires the imports below DOCUMENTATION, EXAMPLES and RETURN.
# ruff: noqa: E402
"""Manage one Alertmanager silence idempotently."""

from __future__ import annotations

DOCUMENTATION = r"""
module: alertmanager_silence
short_description: Create, extend or expire an Alertmanager silence
version_added: 0.1.0
author: alertmesh.ha maintainers (@alertmesh)
description:
  - Manages one silence through the Alertmanager v2 API of one member, O(url). In a mesh,
    the other members receive the silence by gossip; M(alertmesh.ha.verify_mesh) proves
    that they do.
  - A silence is identified by its O(matchers) (in any order), O(created_by) and
    O(comment). With O(state=present), an active or pending silence with the same
    identity is reused, and its end (and, for a pending silence, its start) is updated
    when it differs from the requested one; otherwise a new silence is created.
  - With O(state=absent), every active or pending silence with that identity is expired.
    Alertmanager keeps expired silences, visible as C(expired), until its
    C(--data.retention) removes them.
extends_documentation_fragment:
  - alertmesh.ha.api
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the matchers, start, end, creator and comment of the silence.
  platform:
    platforms: posix
options:
  url:
    description:
      - Base URL of the Alertmanager API, for example V(http://10.0.0.5:9093).
    type: str
    required: true
  state:
    description:
      - V(present) makes sure an active or pending silence with this identity covers the
        requested window.
      - V(absent) expires every active or pending silence with this identity.
    type: str
    choices:
      - present
      - absent
    default: present
  matchers:
    description:
      - The label matchers of the silence; an alert is silenced when it matches all of
        them.
      - Their order does not matter when comparing with existing silences.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Label name.
        type: str
        required: true
      value:
        description: Label value, or a regular expression with O(matchers[].is_regex).
        type: str
        required: true
      is_regex:
        description: Whether O(matchers[].value) is a regular expression (anchored at both ends).
        type: bool
        default: false
      is_equal:
        description:
          - V(true) matches when the label equals (or matches) the value, V(false) when it
            does not (C(!=), C(!~)).
          - Negative matchers need Alertmanager 0.22 or later.
        type: bool
        default: true
  starts_at:
    description:
      - Start of the silence, as an RFC 3339 timestamp with a time zone, for example
        V(2024-05-01T22:00:00Z) or V(2024-05-01T22:00:00+02:00).
      - Defaults to now. Alertmanager moves a start in the past to the moment it stores
        the silence.
      - Without it, the start of an existing silence is left as it is. With it, the start
        of an existing B(pending) silence is moved when it differs by more than a second;
        an B(active) silence cannot start again, so only a future O(starts_at) replaces it.
    type: str
  ends_at:
    description:
      - End of the silence, as an RFC 3339 timestamp with a time zone.
      - An existing silence is updated when its end differs from O(ends_at) by more than a
        second.
      - Mutually exclusive with O(duration); one of them is required with
        O(state=present).
    type: str
  duration:
    description:
      - Length of the silence, as a sum of whole weeks, days, hours, minutes and seconds,
        written like V(2h), V(30m), V(1h30m), V(90s) or V(1d12h).
      - With O(starts_at), the silence ends at O(starts_at) plus O(duration) and is
        compared like O(ends_at).
      - Without O(starts_at), the silence should end O(duration) from now. An existing
        silence is left alone when its end is within a margin of now plus O(duration); the
        margin is a tenth of O(duration), and at least 60 seconds. So a second run right
        after the first reports C(changed=false), while a run later in a maintenance
        window (or with another O(duration)) moves the end to now plus O(duration).
      - Mutually exclusive with O(ends_at).
    type: str
  comment:
    description:
      - Why the silence exists; shown in the Alertmanager UI and part of the identity of
        the silence.
      - A changed comment therefore means another silence. Expire the old one with
        O(state=absent) and the old comment.
      - Required with O(state=present). With O(state=absent) and no comment, silences with
        any comment are expired.
    type: str
  created_by:
    description:
      - Creator of the silence, shown in the Alertmanager UI; part of the identity of the
        silence.
    type: str
    default: alertmesh.ha
notes:
  - Alertmanager can update a silence in place only when its matchers stay the same and,
    for an active silence, its start stays the same. Otherwise it expires the old silence
    and creates a new one with a new id; RV(silence_id) is always the id of the silence
    that now covers the window.
  - Alertmanager stores the start of a silence created "now" with nanosecond precision but
    shows it in milliseconds, so it usually cannot match the start of an active silence
    sent back to it. Extending an active silence therefore often replaces it with a new
    one (a new id); the next run finds and reuses that one.
  - Times are compared in UTC. The clock of the managed host is used for "now", so keep
    it in sync with the Alertmanager hosts.
seealso:
  - module: alertmesh.ha.verify_mesh
  - name: Alertmanager silences
    description: How silences work.
    link: https://prometheus.io/docs/alerting/latest/alertmanager/#silences
"""

EXAMPLES = r"""
- name: Upgrade db-1 under a silence of its database alerts
  module_defaults:
    # Both tasks below name the same silence: same URL, matchers, comment and creator.
    alertmesh.ha.alertmanager_silence:
      url: http://10.0.0.5:9093
      matchers:
        - name: instance
          value: db-1.example.com:9100
        - name: alertname
          value: "Postgres.*|NodeDown"
          is_regex: true
      comment: "Kernel upgrade of db-1, change CHG-1234"
      created_by: "{{ lookup('ansible.builtin.env', 'USER') }}"
  block:
    - name: Silence the database alerts of db-1 for a two hour maintenance window
      alertmesh.ha.alertmanager_silence:
        duration: 2h
      run_once: true
      register: maintenance

    - name: Upgrade and reboot db-1
      ansible.builtin.include_tasks: upgrade.yml

    - name: End the maintenance silence once db-1 is back
      alertmesh.ha.alertmanager_silence:
        state: absent
      run_once: true

- name: Schedule a silence for a planned network outage on Saturday night
  alertmesh.ha.alertmanager_silence:
    url: https://alertmanager.example.com
    ca_path: /etc/ssl/certs/example-ca.pem
    url_username: ansible
    url_password: "{{ vault_alertmanager_password }}"
    matchers:
      - name: site
        value: fra1
    starts_at: "2024-05-04T22:00:00+02:00"
    ends_at: "2024-05-05T04:00:00+02:00"
    comment: Core switch replacement in fra1

- name: Expire every silence that our deploy pipeline left on the staging alerts
  alertmesh.ha.alertmanager_silence:
    url: http://10.0.0.5:9093
    state: absent
    matchers:
      - name: env
        value: staging
    created_by: deploy-pipeline
"""

RETURN = r"""
silence_id:
  description:
    - Id of the silence that covers the requested window.
    - Null with O(state=absent), and in check mode when the silence would be created.
  returned: always
  type: str
  sample: 7496f909-fad8-430c-a5b4-90594b28dcde
silence:
  description:
    - The silence as the Alertmanager API returns it after the change.
    - In check mode, the silence as it would be sent, without C(id) when it would be new.
    - Null with O(state=absent).
  returned: always
  type: dict
  sample:
    id: 7496f909-fad8-430c-a5b4-90594b28dcde
    status:
      state: active
    updatedAt: "2024-05-01T20:31:38.317Z"
    comment: Kernel upgrade of db-1, change CHG-1234
    createdBy: alice
    startsAt: "2024-05-01T20:31:38.317Z"
    endsAt: "2024-05-01T22:31:38.000Z"
    matchers:
      - name: instance
        value: db-1.example.com:9100
        isRegex: false
        isEqual: true
expired_silence_ids:
  description: Ids of the silences expired (or, in check mode, that would be expired).
  returned: when O(state=absent)
  type: list
  elements: str
  sample:
    - 7496f909-fad8-430c-a5b4-90594b28dcde
"""

import re
from datetime import datetime, timedelta
from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alertmesh.ha.plugins.module_utils._api import (
    API_ARGUMENT_SPEC,
    AlertmanagerClient,
    ApiError,
    client_options,
    format_timestamp,
    parse_timestamp,
    silence_state,
    url_passwords,
    utc_now,
)

LIVE_STATES = ("active", "pending")
TIME_TOLERANCE = timedelta(seconds=1)
MIN_DURATION_MARGIN = timedelta(seconds=60)
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class SilenceError(Exception):
    """The requested silence cannot be made; the message says why."""


def parse_duration(text: str) -> timedelta:
    """Parse ``1h30m``-style durations (units w, d, h, m, s, in that order)."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        raise SilenceError(
            f"duration {text!r} is not a duration such as 2h, 30m, 1h30m, 90s or 1d12h"
        )
    weeks, days, hours, minutes, seconds = (int(amount or 0) for amount in match.groups())
    length = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    if length <= timedelta(0):
        raise SilenceError(f"duration {text!r} must be longer than 0 seconds")
    return length


def matcher_key(matcher: dict[str, Any]) -> tuple[str, str, bool, bool]:
    """Identity of one matcher in API form; a missing ``isEqual`` (before 0.22) is true."""
    return (
        matcher.get("name", ""),
        matcher.get("value", ""),
        bool(matcher.get("isRegex", False)),
        bool(matcher.get("isEqual", True)),
    )


def api_matchers(matchers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The module's matchers in API form, sorted so that diffs are stable."""
    converted = [
        {
            "name": matcher["name"],
            "value": matcher["value"],
            "isRegex": matcher["is_regex"],
            "isEqual": matcher["is_equal"],
        }
        for matcher in matchers
    ]
    return sorted(converted, key=matcher_key)


def silence_view(silence: dict[str, Any] | None) -> dict[str, Any]:
    """What the diff shows of a silence: the fields this module manages."""
    if not silence:
        return {}
    return {
        "matchers": [
            {"name": name, "value": value, "isRegex": is_regex, "isEqual": is_equal}
            for name, value, is_regex, is_equal in sorted(
                matcher_key(matcher) for matcher in silence.get("matchers") or []
            )
        ],
        "startsAt": silence.get("startsAt"),
        "endsAt": silence.get("endsAt"),
        "createdBy": silence.get("createdBy"),
        "comment": silence.get("comment"),
    }


class SilenceManager:
    """Brings one Alertmanager's silences to the requested state."""

    def __init__(self, module: AnsibleModule, client: AlertmanagerClient) -> None:
        self.module = module
        self.client = client
        params = module.params
        self.matchers = api_matchers(params["matchers"])
        self.matcher_keys = sorted(matcher_key(matcher) for matcher in self.matchers)
        self.created_by: str = params["created_by"]
        self.comment: str | None = params["comment"]
        self.now = utc_now()

    def matching_silences(self) -> list[dict[str, Any]]:
        """Active or pending silences with our identity, the one ending last first."""
        try:
            silences = self.client.list_silences()
        except ApiError as err:
            raise SilenceError(
                f"Could not list the silences of {self.client.base_url}: {err}"
            ) from err
        matching = [
            silence
            for silence in silences
            if silence_state(silence) in LIVE_STATES
            and silence.get("createdBy") == self.created_by
            and (self.comment is None or silence.get("comment") == self.comment)
            and sorted(matcher_key(matcher) for matcher in silence.get("matchers") or [])
            == self.matcher_keys
        ]
        return sorted(matching, key=lambda silence: silence.get("endsAt", ""), reverse=True)

    # state=present

    def present(self) -> dict[str, Any]:
        params = self.module.params
        starts_at = self._timestamp("starts_at")
        duration = parse_duration(params["duration"]) if params["duration"] else None
        start = starts_at or self.now
        end = self._timestamp("ends_at") or start + duration
        if end <= self.now:
            raise SilenceError(
                f"The silence would end at {format_timestamp(end)}, which is not in the"
                f" future (now is {format_timestamp(self.now)} on the managed host)"
            )
        if end <= start:
            raise SilenceError(
                f"The silence would end at {format_timestamp(end)}, before it starts at"
                f" {format_timestamp(start)}"
            )

        existing_silences = self.matching_silences()
        if not existing_silences:
            desired = {
                "matchers": self.matchers,
                "startsAt": format_timestamp(start),
                "endsAt": format_timestamp(end),
                "createdBy": self.created_by,
                "comment": self.comment,
            }
            return self._post(desired, before={})

        existing = existing_silences[0]
        updated = dict(existing)
        if starts_at is not None and self._start_differs(existing, starts_at):
            updated["startsAt"] = format_timestamp(starts_at)
        if self._end_differs(existing, end, moving_end=starts_at is None and bool(duration)):
            updated["endsAt"] = format_timestamp(end)
        if updated == existing:
            return {
                "changed": False,
                "silence_id": existing["id"],
                "silence": existing,
                "diff": {"before": silence_view(existing), "after": silence_view(existing)},
            }
        return self._post(updated, before=existing)

    def _timestamp(self, option: str) -> datetime | None:
        text = self.module.params[option]
        if text is None:
            return None
        try:
            return parse_timestamp(text)
        except ValueError as err:
            raise SilenceError(f"{option}: {err}") from err

    def _start_differs(self, existing: dict[str, Any], starts_at: datetime) -> bool:
        existing_start = parse_timestamp(existing["startsAt"])
        if abs(existing_start - starts_at) <= TIME_TOLERANCE:
            return False
        # An active silence has started already; only a future start can replace it.
        return silence_state(existing) == "pending" or starts_at > self.now

    def _end_differs(self, existing: dict[str, Any], end: datetime, moving_end: bool) -> bool:
        margin = TIME_TOLERANCE
        if moving_end:
            margin = max(MIN_DURATION_MARGIN, (end - self.now) / 10)
        return abs(parse_timestamp(existing["endsAt"]) - end) > margin

    def _post(self, silence: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
        body = {
            key: silence[key]
            for key in ("id", "matchers", "startsAt", "endsAt", "createdBy", "comment")
            if key in silence
        }
        result: dict[str, Any] = {
            "changed": True,
            "silence_id": body.get("id"),
            "silence": silence,
            "diff": {"before": silence_view(before), "after": silence_view(body)},
        }
        if self.module.check_mode:
            return result
        action = "update" if "id" in body else "create"
        try:
            silence_id = self.client.post_silence(body)
            stored = self.client.get_silence(silence_id)
        except ApiError as err:
            raise SilenceError(
                f"Could not {action} the silence on {self.client.base_url}: {err}"
            ) from err
        result["silence_id"] = silence_id
        result["silence"] = stored if stored is not None else dict(body, id=silence_id)
        return result

    # state=absent

    def absent(self) -> dict[str, Any]:
        doomed = self.matching_silences()
        expired_ids = []
        for silence in doomed:
            if not self.module.check_mode:
                try:
                    self.client.expire_silence(silence["id"])
                except ApiError as err:
                    raise SilenceError(
                        f"Could not expire silence {silence['id']} on {self.client.base_url}: {err}"
                    ) from err
            expired_ids.append(silence["id"])
        return {
            "changed": bool(doomed),
            "silence_id": None,
            "silence": None,
            "expired_silence_ids": expired_ids,
            "diff": {
                "before": {"silences": [silence_view(silence) for silence in doomed]},
                "after": {"silences": []},
            },
        }


def main() -> None:
    argument_spec: dict[str, Any] = {
        "url": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "matchers": {
            "type": "list",
            "elements": "dict",
            "required": True,
            "options": {
                "name": {"type": "str", "required": True},
                "value": {"type": "str", "required": True},
                "is_regex": {"type": "bool", "default": False},
                "is_equal": {"type": "bool", "default": True},
            },
        },
        "starts_at": {"type": "str"},
        "ends_at": {"type": "str"},
        "duration": {"type": "str"},
        "comment": {"type": "str"},
        "created_by": {"type": "str", "default": "alertmesh.ha"},
    }
    argument_spec.update(API_ARGUMENT_SPEC)
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("ends_at", "duration")],
        required_if=[
            ("state", "present", ("ends_at", "duration"), True),
            ("state", "present", ("comment",)),
        ],
        supports_check_mode=True,
    )
    params = module.params
    module.no_log_values.update(url_passwords([params["url"]]))
    if not params["matchers"]:
        module.fail_json(msg="matchers must list at least one matcher")
    # required_if counts options given as null, so check the values too.
    if params["state"] == "present" and not params["comment"]:
        module.fail_json(msg="state=present needs a comment")
    if params["state"] == "present" and not (params["ends_at"] or params["duration"]):
        module.fail_json(msg="state=present needs ends_at or duration")

    client = AlertmanagerClient(params["url"], **client_options(params))
    manager = SilenceManager(module, client)
    try:
        result = manager.present() if params["state"] == "present" else manager.absent()
    except SilenceError as err:
        module.fail_json(msg=str(err))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
