#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ansible-test requires the imports below DOCUMENTATION, EXAMPLES and RETURN.
# ruff: noqa: E402
"""Read what a systemd service runs on this host, in one round trip."""

from __future__ import annotations

DOCUMENTATION = r"""
module: service_state
short_description: Read what a systemd service runs on a host, in one round trip
version_added: 0.1.0
author: alertmesh.ha maintainers (@alertmesh)
description:
  - Reads, without changing anything, what the roles decide their next steps from, the
    way the running service sees it, in one module run instead of one task per fact.
  - Whether the unit is active, the PID of its main process, the command line that
    process runs with, and when it started (C(ExecMainStartTimestamp)).
  - The version a binary reports for O(version_command), when that binary exists.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  unit:
    description:
      - Name of the systemd unit, for example V(alertmanager.service).
    type: str
    required: true
  version_command:
    description:
      - Command that prints the installed version, for example
        V([/usr/local/bin/alertmanager, --version]).
      - Not run when its first element is not an executable file (nothing installed yet);
        RV(version) is then empty.
    type: list
    elements: str
    default: []
notes:
  - Read-only; the module always reports C(changed=false).
  - On systemd before 247, which has no C(--timestamp=unix), RV(started_at) is null.
seealso:
  - module: ansible.builtin.systemd_service
"""

EXAMPLES = r"""
- name: Read what runs here
  alertmesh.ha.service_state:
    unit: alertmanager.service
    version_command: [/usr/local/bin/alertmanager, --version]
  register: alertmanager_state

- name: Show the running command line
  ansible.builtin.debug:
    msg: "{{ alertmanager_state.command_line | join(' ') }}"
  when: alertmanager_state.active
"""

RETURN = r"""
active:
  description: Whether the unit's C(ActiveState) is C(active).
  returned: always
  type: bool
  sample: true
main_pid:
  description: PID of the unit's main process; V(0) when none runs.
  returned: always
  type: int
  sample: 4242
command_line:
  description: Arguments of the main process (C(/proc/<pid>/cmdline)); empty when none runs.
  returned: always
  type: list
  elements: str
  sample: [/usr/local/bin/alertmanager, --cluster.listen-address=10.0.0.5:9094]
started_at:
  description: When the main process started, in Unix seconds; null when unknown.
  returned: always
  type: int
  sample: 1764576000
version:
  description:
    - What O(version_command) printed, as a registered C(ansible.builtin.command) result
      (C(rc), C(stdout), C(stderr)), which the C(alertmesh.ha.reported_version) filter reads.
    - Empty strings and C(rc=-1) when the command was not run.
  returned: always
  type: dict
  sample: {rc: 0, stdout: "alertmanager, version 0.33.1 (branch: HEAD)", stderr: ""}
"""

import os

from ansible.module_utils.basic import AnsibleModule

PROPERTIES = ("ActiveState", "MainPID", "ExecMainStartTimestamp")


def unit_properties(module: AnsibleModule, unit: str) -> dict[str, str]:
    systemctl = module.get_bin_path("systemctl", required=True)
    base = [systemctl, "show", "--property=" + ",".join(PROPERTIES)]
    rc, out, err = module.run_command([*base, "--timestamp=unix", unit])
    if rc != 0:
        # systemd before 247 knows no --timestamp: read the rest without the start time.
        rc, out, err = module.run_command([*base, unit])
        if rc != 0:
            module.fail_json(msg=f"systemctl show {unit} failed: {err.strip() or out.strip()}")
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def command_line(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            raw = cmdline.read()
    except OSError:  # the process ended since systemctl named it
        return []
    return [argument.decode(errors="replace") for argument in raw.split(b"\0") if argument]


def started_at(timestamp: str) -> int | None:
    """ "@1764576000" with --timestamp=unix; anything else is a format we do not read."""
    if timestamp.startswith("@") and timestamp[1:].isdigit():
        return int(timestamp[1:])
    return None


def version(module: AnsibleModule, argv: list[str]) -> dict[str, object]:
    if not argv or not (os.path.isfile(argv[0]) and os.access(argv[0], os.X_OK)):
        return {"rc": -1, "stdout": "", "stderr": ""}
    rc, out, err = module.run_command(argv)
    return {"rc": rc, "stdout": out.strip(), "stderr": err.strip()}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "unit": {"type": "str", "required": True},
            "version_command": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    properties = unit_properties(module, module.params["unit"])
    pid = int(properties.get("MainPID") or 0)
    module.exit_json(
        changed=False,
        active=properties.get("ActiveState") == "active",
        main_pid=pid,
        command_line=command_line(pid) if pid > 0 else [],
        started_at=started_at(properties.get("ExecMainStartTimestamp", "")),
        version=version(module, module.params["version_command"]),
    )


if __name__ == "__main__":
    main()
