"""The internal _release_archive role: what its controller cache lets through to the hosts.

The tests run ansible-playbook on localhost against release archives built here (fake
binaries that are shell scripts) on file:// mirrors under tmp_path, with the cache in a
temporary XDG_CACHE_HOME; nothing reaches the network. Fetch runs through the
alertmanager role, as in a deployment. Install stands in for the alertmanager role's
install.yml without its system user, which would be created on this machine.

The member checks of the role's unpack script are tested on their own, without Ansible.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from fake_apis import FakeApp, FakeServer, TlsFiles

REPO_ROOT = Path(__file__).resolve().parents[3]
UNPACK_SCRIPT = REPO_ROOT / "roles/_release_archive/files/release_archive_unpack.py"
VERSION = "0.28.1"
RELEASE = f"alertmanager-{VERSION}.linux-amd64"
ARCHIVE = f"{RELEASE}.tar.gz"
BINARIES = ("alertmanager", "amtool")
VARIABLES = "alertmanager_version, alertmanager_archive_url and alertmanager_checksums_url"
# The install phase copies files as owner root, as on the hosts.
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="install copies files as owner root")

PLAYBOOK = """\
- name: Fetch and install a release archive on localhost
  hosts: localhost
  connection: local
  gather_facts: false
  handlers:
    - name: Note the new binaries
      ansible.builtin.debug:
        msg: new binaries installed
  tasks:
    - name: Fetch and check the archive as the alertmanager role does
      ansible.builtin.include_role:
        name: alertmesh.ha.alertmanager
        tasks_from: fetch

    - name: Replace a cached binary with a link between fetch and install
      ansible.builtin.file:
        path: "{{ cache_link.path }}"
        src: "{{ cache_link.target }}"
        state: link
        force: true
      when: cache_link is defined

    - name: Install the binaries as the alertmanager role's install.yml does
      ansible.builtin.include_role:
        name: alertmesh.ha._release_archive
        tasks_from: install
      vars:
        ansible_parent_role_names: [alertmesh.ha.alertmanager]
        release_archive_name: "alertmanager-{{ alertmanager_version }}.linux-amd64"
        release_archive_binaries: [alertmanager, amtool]
        release_archive_binary_dir: "{{ alertmanager_binary_dir }}"
        release_archive_notify: Note the new binaries
"""


def fake_binary(name: str, mirror: str) -> bytes:
    return f"#!/bin/sh\necho '{name} {VERSION} from {mirror}'\n".encode()


def add_file(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size = len(content)
    member.mode = 0o755
    archive.addfile(member, io.BytesIO(content))


def build_release(mirror: Path, members: dict[str, bytes | Path]) -> str:
    """A release archive on ``mirror`` with ``members`` under its top directory (bytes
    for a regular file, a Path for a symbolic link to it), and its sha256sums.txt.
    Answers the archive's sha256."""
    mirror.mkdir(parents=True)
    with tarfile.open(mirror / ARCHIVE, "w:gz") as archive:
        top = tarfile.TarInfo(RELEASE)
        top.type = tarfile.DIRTYPE
        top.mode = 0o755
        archive.addfile(top)
        for name, content in members.items():
            if isinstance(content, Path):
                link = tarfile.TarInfo(f"{RELEASE}/{name}")
                link.type = tarfile.SYMTYPE
                link.linkname = str(content)
                archive.addfile(link)
            else:
                add_file(archive, f"{RELEASE}/{name}", content)
    sha256 = hashlib.sha256((mirror / ARCHIVE).read_bytes()).hexdigest()
    (mirror / "sha256sums.txt").write_text(f"{sha256}  {ARCHIVE}\n")
    return sha256


def private_key(directory: Path) -> Path:
    """A controller file that must never reach a host."""
    secret = directory / "private-key.pem"
    secret.write_text("-----BEGIN PRIVATE KEY-----\n")
    secret.chmod(0o600)
    return secret


def good_release(mirror: Path) -> str:
    return build_release(mirror, {name: fake_binary(name, mirror.name) for name in BINARIES})


@dataclass
class Run:
    returncode: int
    output: str

    @property
    def changed(self) -> int:
        recap = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", self.output)
        assert recap, self.output
        return int(recap.group(1))


@dataclass
class Controller:
    """A playbook directory, a cache and the binary directory of one test."""

    root: Path
    collections: Path

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def archives(self) -> Path:
        return self.cache / "alertmesh.ha/archives"

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def installed(self, name: str) -> bytes:
        return (self.bin / name).read_bytes()

    def play(self, mirror: Path, **settings: object) -> Run:
        self.bin.mkdir(parents=True, exist_ok=True)
        playbook = self.root / "play.yml"
        playbook.write_text(PLAYBOOK)
        extra_vars = self.root / "vars.json"
        extra_vars.write_text(
            json.dumps(
                {
                    "ansible_python_interpreter": sys.executable,
                    "alertmanager_arch": "amd64",
                    "alertmanager_version": VERSION,
                    "alertmanager_archive_url": f"file://{mirror}/{ARCHIVE}",
                    "alertmanager_checksums_url": f"file://{mirror}/sha256sums.txt",
                    "alertmanager_binary_dir": str(self.bin),
                }
                | settings
            )
        )
        environment = os.environ | {
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_NOCOLOR": "true",
            "ANSIBLE_PIPELINING": "true",
            "ANSIBLE_FORCE_COLOR": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_STDOUT_CALLBACK": "default",
            "XDG_CACHE_HOME": str(self.cache),
        }
        completed = subprocess.run(
            [
                str(Path(sys.executable).parent / "ansible-playbook"),
                "-i",
                "localhost,",
                "-e",
                f"@{extra_vars}",
                str(playbook),
            ],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        return Run(completed.returncode, completed.stdout + completed.stderr)

    def copy_of(self, root: Path) -> Controller:
        """Another controller with this one's cache and installed binaries."""
        other = Controller(root, self.collections)
        shutil.copytree(self.cache, other.cache, symlinks=True)
        shutil.copytree(self.bin, other.bin, symlinks=True)
        return other


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection path that holds this repository as alertmesh.ha."""
    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections/alertmesh").mkdir(parents=True)
    (root / "ansible_collections/alertmesh/ha").symlink_to(REPO_ROOT, target_is_directory=True)
    return root


@pytest.fixture(scope="module")
def mirror_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mirror = tmp_path_factory.mktemp("mirrors") / "mirror-a"
    good_release(mirror)
    return mirror


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory, collections: Path, mirror_a: Path
) -> Controller:
    """A controller that installed mirror A's release once; tests work on copies."""
    controller = Controller(tmp_path_factory.mktemp("installed"), collections)
    run = controller.play(mirror_a)
    assert run.returncode == 0, run.output
    return controller


def cached_files(controller: Controller, name: str) -> list[Path]:
    """The unpacked copies of the binary ``name`` in the controller's cache."""
    return [path for path in controller.archives.rglob(name) if not path.is_dir()]


@needs_root
def test_a_second_run_with_a_good_cache_changes_nothing(
    installed: Controller, mirror_a: Path, tmp_path: Path
) -> None:
    controller = installed.copy_of(tmp_path)

    run = controller.play(mirror_a)

    assert run.returncode == 0, run.output
    assert run.changed == 0, run.output
    assert controller.installed("alertmanager") == fake_binary("alertmanager", "mirror-a")


@needs_root
def test_an_intact_cache_needs_neither_the_archive_nor_its_download_again(
    installed: Controller, mirror_a: Path, tmp_path: Path
) -> None:
    controller = installed.copy_of(tmp_path / "controller")
    mirror = tmp_path / "mirror-without-archive"
    mirror.mkdir()
    shutil.copy(mirror_a / "sha256sums.txt", mirror / "sha256sums.txt")
    for download in controller.archives.rglob(ARCHIVE):
        download.unlink()

    run = controller.play(mirror)

    assert run.returncode == 0, run.output
    assert run.changed == 0, run.output
    assert not list(controller.archives.rglob(ARCHIVE))


@needs_root
def test_a_cache_whose_record_is_gone_is_downloaded_and_unpacked_again(
    installed: Controller, mirror_a: Path, tmp_path: Path
) -> None:
    controller = installed.copy_of(tmp_path / "controller")
    for download in controller.archives.rglob(ARCHIVE):
        download.unlink()
    for record in controller.archives.rglob("*.sha256sums"):
        record.unlink()

    run = controller.play(mirror_a)

    assert run.returncode == 0, run.output
    assert [path.name for path in controller.archives.rglob(ARCHIVE)] == [ARCHIVE]
    assert list(controller.archives.rglob("*.sha256sums"))
    assert controller.installed("amtool") == fake_binary("amtool", "mirror-a")


@needs_root
def test_the_same_version_from_another_mirror_installs_that_mirror_s_binaries(
    installed: Controller, mirror_a: Path, tmp_path: Path
) -> None:
    controller = installed.copy_of(tmp_path / "controller")
    mirror_b = tmp_path / "mirror-b"
    sha256_b = good_release(mirror_b)
    sha256_a = hashlib.sha256((mirror_a / ARCHIVE).read_bytes()).hexdigest()

    run = controller.play(mirror_b)

    assert run.returncode == 0, run.output
    for name in BINARIES:
        assert controller.installed(name) == fake_binary(name, "mirror-b")
    assert (controller.archives / sha256_a / "unpacked" / RELEASE / "alertmanager").is_file()
    assert (controller.archives / sha256_b / "unpacked" / RELEASE / "alertmanager").is_file()


@needs_root
def test_tampered_binaries_in_the_cache_are_not_installed(
    installed: Controller, mirror_a: Path, tmp_path: Path
) -> None:
    controller = installed.copy_of(tmp_path / "controller")
    secret = private_key(tmp_path)
    (controller.bin / "amtool").unlink()
    for path in cached_files(controller, "alertmanager"):
        path.write_bytes(b"#!/bin/sh\necho tampered\n")
    for path in cached_files(controller, "amtool"):
        path.unlink()
        path.symlink_to(secret)

    run = controller.play(mirror_a)

    assert run.returncode == 0, run.output
    for name in BINARIES:
        assert controller.installed(name) == fake_binary(name, "mirror-a")
        for path in cached_files(controller, name):
            assert not path.is_symlink()
            assert path.read_bytes() == fake_binary(name, "mirror-a")


@needs_root
def test_a_half_unpacked_cache_is_unpacked_again(
    installed: Controller, mirror_a: Path, tmp_path: Path
) -> None:
    controller = installed.copy_of(tmp_path)
    for marker in controller.archives.rglob("*.sha256sums"):
        marker.unlink()
    for path in cached_files(controller, "amtool"):
        path.unlink()

    run = controller.play(mirror_a)

    assert run.returncode == 0, run.output
    assert controller.installed("amtool") == fake_binary("amtool", "mirror-a")
    assert [path.read_bytes() for path in cached_files(controller, "amtool")] == [
        fake_binary("amtool", "mirror-a")
    ]
    assert list(controller.archives.rglob("*.sha256sums"))


@needs_root
def test_a_binary_replaced_by_a_link_after_fetch_is_not_copied(
    installed: Controller, mirror_a: Path, tmp_path: Path
) -> None:
    controller = installed.copy_of(tmp_path / "controller")
    secret = private_key(tmp_path)
    (controller.bin / "amtool").unlink()
    [cached] = cached_files(controller, "amtool")

    run = controller.play(mirror_a, cache_link={"path": str(cached), "target": str(secret)})

    assert run.returncode != 0
    message = " ".join(run.output.split())
    assert f"{cached} in the controller cache is no longer the regular file" in message, run.output
    assert not (controller.bin / "amtool").exists()


@needs_root
def test_an_archive_whose_binary_is_a_symlink_is_refused(collections: Path, tmp_path: Path) -> None:
    secret = private_key(tmp_path)
    mirror = tmp_path / "mirror"
    build_release(mirror, {"alertmanager": secret, "amtool": fake_binary("amtool", "mirror")})
    controller = Controller(tmp_path / "controller", collections)

    run = controller.play(mirror)

    assert run.returncode != 0
    message = " ".join(run.output.split())
    assert f"{RELEASE}/alertmanager is a symbolic link" in message, run.output
    assert f"file://{mirror}/{ARCHIVE}" in message
    assert VARIABLES in message
    assert not (controller.bin / "alertmanager").exists()
    assert not [path for path in controller.archives.rglob("*") if path.is_symlink()]


def test_a_missing_checksums_file_reports_why_it_cannot_be_read(
    collections: Path, mirror_a: Path, tmp_path: Path
) -> None:
    controller = Controller(tmp_path, collections)

    run = controller.play(
        mirror_a, alertmanager_checksums_url=f"file://{tmp_path}/nowhere/sha256sums.txt"
    )

    assert run.returncode != 0
    message = " ".join(run.output.split())
    assert f"cannot be read, so there is no release {RELEASE} there" in message, run.output
    assert "No such file or directory" in message
    assert VARIABLES in message


def test_an_untrusted_certificate_is_reported_as_such_and_plain_http_is_warned_about(
    collections: Path, mirror_a: Path, tmp_path: Path
) -> None:
    server = FakeServer(FakeApp(), tls=TlsFiles(tmp_path).server_context())
    controller = Controller(tmp_path, collections)
    try:
        run = controller.play(
            mirror_a,
            alertmanager_archive_url=f"http://127.0.0.1:1/{ARCHIVE}",
            alertmanager_checksums_url=f"{server.url}/sha256sums.txt",
        )
    finally:
        server.close()

    assert run.returncode != 0
    message = " ".join(run.output.split())
    assert "WARNING: http://127.0.0.1:1/" in message, run.output
    assert f"{server.url}/sha256sums.txt could not be read" in message, run.output
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert "so there is no release" not in message
    assert VARIABLES in message


def unpack_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_archive_unpack", UNPACK_SCRIPT)
    assert spec is not None, f"no script at {UNPACK_SCRIPT}"
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


@pytest.mark.parametrize(
    ("info", "problem"),
    [
        (member("r/alertmanager", tarfile.SYMTYPE, "/etc/shadow"), "is a symbolic link"),
        (member("r/amtool", tarfile.LNKTYPE, "r/alertmanager"), "is a hard link"),
        (member("r/tty", tarfile.CHRTYPE), "is a character device"),
        (member("r/disk", tarfile.BLKTYPE), "is a block device"),
        (member("r/pipe", tarfile.FIFOTYPE), "is a FIFO"),
        (member("/etc/cron.d/job"), "is an absolute path"),
        (member("r/../../bashrc"), "leads out of the directory"),
        (member(".."), "leads out of the directory"),
    ],
)
def test_members_other_than_files_and_directories_within_the_archive_are_refused(
    info: tarfile.TarInfo, problem: str
) -> None:
    assert problem in unpack_script().member_problem(info)


@pytest.mark.parametrize(
    "info",
    [member("r/alertmanager"), member("./r/", tarfile.DIRTYPE), member("r/./LICENSE")],
)
def test_regular_files_and_directories_within_the_archive_are_accepted(
    info: tarfile.TarInfo,
) -> None:
    assert unpack_script().member_problem(info) is None


def build_archive(path: Path, members: list[tuple[str, bytes | None]]) -> str:
    """A tar.gz at ``path`` with regular files (bytes) and directories (None), in order."""
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members:
            if content is None:
                directory = tarfile.TarInfo(name)
                directory.type = tarfile.DIRTYPE
                archive.addfile(directory)
            else:
                add_file(archive, name, content)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        (
            [("r/alertmanager", b"1"), ("r/alertmanager", b"2")],
            "more than one member r/alertmanager",
        ),
        (
            [("r/alertmanager", None), ("r/alertmanager", b"1")],
            "more than one member r/alertmanager",
        ),
        ([("r/amtool", b"1")], "the archive holds no file r/alertmanager"),
    ],
)
def test_an_archive_that_is_not_one_release_tree_is_not_unpacked(
    members: list[tuple[str, bytes | None]], problem: str, tmp_path: Path
) -> None:
    script = unpack_script()
    sha256 = build_archive(tmp_path / "release.tar.gz", members)

    with pytest.raises(script.UnpackError, match=problem):
        script.unpack(
            str(tmp_path / "release.tar.gz"), sha256, str(tmp_path / "unpacked"), ["r/alertmanager"]
        )

    assert sorted(path.name for path in tmp_path.iterdir()) == ["release.tar.gz"]
