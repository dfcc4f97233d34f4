"""Connection plugin of the test rig; it is not part of the collection."""

import os
import shlex
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

DOCUMENTATION = r"""
name: rig_nsenter
short_description: Run tasks in a local podman container by entering its namespaces
description:
  - Enters the mount, UTS, IPC, network and PID namespaces of a container's init process
    with nsenter, as community.docker.nsenter does, and adds pipelining.
  - A module then costs one short process start. The containers.podman connection costs
    several C(podman exec) calls and file copies per module, which made a no-change run
    of the demo take two minutes instead of well under one.
  - Needs root on the controller, which the rig has anyway (rootful podman).
author: alertmesh.ha developers
options:
  rig_pid:
    description:
      - PID, on the controller, of the container's init process, as printed by
        C(podman inspect --format '{{.State.Pid}}' <container>).
      - It changes when the container restarts; the rig records it when it creates a host.
    type: int
    required: true
    vars:
      - name: rig_pid
"""

display = Display()

NSENTER = ["nsenter", "--mount", "--uts", "--ipc", "--net", "--pid"]

# Commands see the environment of a fresh root login in the container, not the controller's.
CONTAINER_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
}


class Connection(ConnectionBase):
    transport = "rig_nsenter"
    has_pipelining = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pid = None

    def _connect(self):
        if not self._connected:
            pid = self.get_option("rig_pid")
            if not os.path.exists(f"/proc/{pid}/ns/mnt"):
                raise AnsibleConnectionFailure(
                    f"{self._play_context.remote_addr}: no process {pid}; the container was "
                    "restarted or removed since the rig recorded rig_pid. Recreate the "
                    "scenario's hosts (molecule destroy, then create)."
                )
            self._pid = pid
            self._connected = True
        return self

    def _nsenter(self, argv, stdin=subprocess.DEVNULL, in_data=None, stdout=subprocess.PIPE):
        display.vvv(f"EXEC {shlex.join(argv)}", host=self._play_context.remote_addr)
        process = subprocess.run(
            [*NSENTER, f"--target={self._pid}", "--", *argv],
            stdin=None if in_data is not None else stdin,
            input=in_data,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=CONTAINER_ENVIRONMENT,
            check=False,
        )
        return process.returncode, process.stdout or b"", process.stderr

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        return self._nsenter(["/bin/sh", "-c", to_text(cmd)], in_data=in_data)

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        with open(to_bytes(in_path, errors="surrogate_or_strict"), "rb") as source:
            write = f"cat > {shlex.quote(out_path)}"
            rc, _stdout, stderr = self._nsenter(["/bin/sh", "-c", write], stdin=source)
        if rc != 0:
            raise AnsibleError(f"failed to copy {in_path} to {out_path}: {to_text(stderr)}")

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        with open(to_bytes(out_path, errors="surrogate_or_strict"), "wb") as target:
            rc, _stdout, stderr = self._nsenter(["cat", in_path], stdout=target)
        if rc != 0:
            raise AnsibleError(f"failed to fetch {in_path} to {out_path}: {to_text(stderr)}")

    def close(self):
        self._connected = False
