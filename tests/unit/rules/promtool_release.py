"""promtool of each Prometheus release the collection supports, from the rig's release mirror.

The mirror (tools/rig/build-mirror.sh, run by `make setup`) holds Debian's binaries in the
upstream layout. Each promtool is unpacked once into the clone's .cache/promtool/<version>/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PROMTOOL_CACHE = REPO_ROOT / ".cache/promtool"
# Debian 12, 13 and 14 ship these.
PROMETHEUS_VERSIONS = ("2.42.0", "2.53.3", "3.5.3")
PROMTOOL_TIMEOUT = 60


def release_mirror() -> Path:
    """The mirror as tools/rig/common.sh defines it."""
    cache_dir = os.environ.get("ALERTMESH_CACHE_DIR") or "/var/cache/alertmesh"
    return Path(os.environ.get("ALERTMESH_MIRROR_DIR") or f"{cache_dir}/mirror")


def promtool(version: str) -> Path:
    binary = PROMTOOL_CACHE / version / "promtool"
    if not binary.is_file():
        unpack_promtool(version, binary)
    return binary


def unpack_promtool(version: str, binary: Path) -> None:
    release = f"prometheus-{version}.linux-amd64"
    archive = release_mirror() / "prometheus" / f"v{version}" / f"{release}.tar.gz"
    if not archive.is_file():
        pytest.fail(
            f"No Prometheus {version} in the release mirror: {archive} is missing. "
            "Run `make setup` (tools/rig/build-mirror.sh builds the mirror)."
        )
    binary.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside its place and renamed into it, so that a parallel or an interrupted
    # run never leaves half a binary there.
    with (
        tempfile.TemporaryDirectory(dir=binary.parent, prefix=".unpacking-") as staging,
        tarfile.open(archive) as tarball,
    ):
        member = next((entry for entry in tarball if entry.name == f"{release}/promtool"), None)
        content = tarball.extractfile(member) if member and member.isfile() else None
        if content is None:
            pytest.fail(f"{archive} holds no regular file {release}/promtool")
        staged = Path(staging) / "promtool"
        with staged.open("wb") as unpacked:
            shutil.copyfileobj(content, unpacked)
        staged.chmod(0o755)
        staged.replace(binary)


def run_promtool(version: str, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """promtool's stdout and stderr are merged into ``stdout``, in the order written."""
    command = [str(promtool(version)), *arguments]
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=PROMTOOL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command)} still ran after {PROMTOOL_TIMEOUT} s")
