# Copyright: alertmesh.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unpack a verified release archive into the controller cache, once and safely.

Run by the internal alertmesh.ha._release_archive role on the controller, with the
controller's Python, after the archive's sha256 was checked against the release's
checksums (a collection's role cannot bring a module of its own):

    release_archive_unpack.py --archive FILE --sha256 HEX --dest DIR --member PATH...
    release_archive_unpack.py --recorded-only --dest DIR --member PATH...

- The archive's members are listed first. The archive is refused whole, nothing
  unpacked, when a member is not a regular file or a directory (symbolic and hard links,
  devices, FIFOs) or when its path is absolute or leads out of the directory (``..``).
- It is unpacked into a temporary directory next to DIR, which is then renamed to DIR.
  Only after that is ``DIR.sha256sums`` written: the sha256 of each ``--member`` (a path
  inside the archive), in sha256sum's format.
- When that record exists and each member under DIR is still a regular file, reached
  through no symbolic link, with the recorded sha256, nothing changes. Otherwise the
  archive is checked against ``--sha256`` again and unpacked anew, replacing DIR.

Prints ``{"changed": ..., "complete": true, "dest": DIR, "checksums": {member: sha256}}``
as JSON; on failure, prints why on stderr and exits with 1.

With ``--recorded-only`` it unpacks nothing and needs no archive: it answers what the
record says when each member is still the recorded file (``"complete": true``), or
``"complete": false`` with the ``"problems"``, the members' paths that are not. So a run
with an intact cache reads neither the archive nor its download again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import PurePosixPath
from typing import IO

RECORD_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
CHUNK = 1 << 20


class UnpackError(Exception):
    """The archive cannot be unpacked as a release archive."""


def member_parts(name: str) -> tuple[str, ...]:
    """The path components of a member's name, without empty and '.' components."""
    return tuple(part for part in PurePosixPath(name).parts if part not in ("", "."))


def member_problem(member: tarfile.TarInfo) -> str | None:
    """Why ``member`` may not be unpacked, or None when it is a regular file or a
    directory inside the directory it is unpacked into."""
    if member.issym():
        return f"is a symbolic link (to {member.linkname})"
    if member.islnk():
        return f"is a hard link (to {member.linkname})"
    if member.ischr():
        return "is a character device"
    if member.isblk():
        return "is a block device"
    if member.isfifo():
        return "is a FIFO"
    if not (member.isreg() or member.isdir()):
        return f"has the tar type {member.type!r}, not a regular file or a directory"
    if member.name.startswith("/"):
        return "is an absolute path"
    if ".." in member_parts(member.name):
        return "leads out of the directory (..)"
    if member.isreg() and not member_parts(member.name):
        return "is a file without a name"
    return None


def sha256_of(stream: IO[bytes], copy_to: IO[bytes] | None = None) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest()


def read_record(record: str) -> dict[str, str] | None:
    """Member path -> sha256 from the record of a complete unpacking, None without one."""
    try:
        with open(record, encoding="utf-8") as lines:
            matches = [RECORD_LINE.match(line.rstrip("\n")) for line in lines]
    except FileNotFoundError:
        return None
    if not matches or not all(matches):
        return None
    return {match.group(2): match.group(1) for match in matches if match}


def unpacked_checksum(dest: str, member: str) -> str | None:
    """The sha256 of ``member`` under ``dest`` when it is a regular file that no symbolic
    link leads to, else None."""
    path = os.path.join(dest, *member_parts(member))
    if os.path.realpath(path) != os.path.join(os.path.realpath(dest), *member_parts(member)):
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as unpacked:
        if not stat.S_ISREG(os.fstat(unpacked.fileno()).st_mode):
            return None
        return sha256_of(unpacked)


def unrecorded_members(dest: str, members: list[str]) -> tuple[dict[str, str], list[str]]:
    """The record of a complete unpacking into ``dest``, and the paths of the members that
    it does not list or that are no longer the file it lists (all without a record)."""
    record = read_record(dest + ".sha256sums") or {}
    problems = [
        os.path.join(dest, *member_parts(member))
        for member in members
        if member not in record or unpacked_checksum(dest, member) != record[member]
    ]
    return record, problems


def recorded_checksums(dest: str, members: list[str]) -> dict[str, str] | None:
    """The members' sha256 when the record of a complete unpacking into ``dest`` lists
    each of them and each is still that file; None when the archive must be unpacked."""
    record, problems = unrecorded_members(dest, members)
    if problems:
        return None
    return {member: record[member] for member in members}


def checked_members(archive: tarfile.TarFile, members: list[str]) -> list[tarfile.TarInfo]:
    """The archive's members, once none is refused and each of ``members`` is a regular
    file in it."""
    listed = archive.getmembers()
    refused = [
        f"member {info.name} {problem}"
        for info in listed
        if (problem := member_problem(info)) is not None
    ]
    if refused:
        raise UnpackError(
            "; ".join(refused)
            + ". A release archive holds only regular files and directories, so nothing was"
            " unpacked"
        )
    files = Counter(member_parts(info.name) for info in listed if info.isreg())
    directories = {member_parts(info.name) for info in listed if info.isdir()}
    duplicates = sorted(
        "/".join(name) for name, count in files.items() if count > 1 or name in directories
    )
    if duplicates:
        raise UnpackError(f"the archive holds more than one member {', '.join(duplicates)}")
    missing = [member for member in members if member_parts(member) not in files]
    if missing:
        raise UnpackError(f"the archive holds no file {', '.join(missing)}")
    return listed


def extract(archive: tarfile.TarFile, listed: list[tarfile.TarInfo], into: str) -> dict[str, str]:
    """Writes the checked members under ``into``; answers each file's sha256 by its path."""
    checksums = {}
    for info in listed:
        parts = member_parts(info.name)
        path = os.path.join(into, *parts)
        if info.isdir():
            os.makedirs(path, mode=0o755, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        mode = 0o755 if info.mode & 0o111 else 0o644
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        source = archive.extractfile(info)
        if source is None:
            raise UnpackError(f"member {info.name} cannot be read")
        with source, os.fdopen(descriptor, "wb") as unpacked:
            checksums["/".join(parts)] = sha256_of(source, copy_to=unpacked)
    return checksums


def replace_directory(staging: str, dest: str) -> None:
    """Puts ``staging`` where ``dest`` is, removing what was there."""
    if os.path.lexists(dest):
        retired = tempfile.mkdtemp(prefix=".retired-", dir=os.path.dirname(dest))
        os.rename(dest, os.path.join(retired, "tree"))
        shutil.rmtree(retired)
    os.rename(staging, dest)


def write_record(record: str, checksums: dict[str, str]) -> None:
    descriptor, partial = tempfile.mkstemp(prefix=".record-", dir=os.path.dirname(record))
    with os.fdopen(descriptor, "w", encoding="utf-8") as lines:
        lines.writelines(f"{sha256}  {member}\n" for member, sha256 in sorted(checksums.items()))
    os.chmod(partial, 0o644)
    os.replace(partial, record)


def unpack(archive_path: str, sha256: str, dest: str, members: list[str]) -> dict[str, str]:
    """Unpacks the archive into ``dest`` and records it; answers the members' sha256."""
    with open(archive_path, "rb") as archive_file:
        seen = sha256_of(archive_file)
    if seen != sha256.lower():
        raise UnpackError(f"{archive_path} has the sha256 {seen}, not {sha256}")
    record = dest + ".sha256sums"
    parent = os.path.dirname(dest)
    os.makedirs(parent, mode=0o755, exist_ok=True)
    with tarfile.open(archive_path, "r:*") as archive:
        listed = checked_members(archive, members)
        staging = tempfile.mkdtemp(prefix=".unpacking-", dir=parent)
        try:
            checksums = extract(archive, listed, staging)
            os.chmod(staging, 0o755)
            if os.path.lexists(record):
                os.unlink(record)
            replace_directory(staging, dest)
        finally:
            if os.path.lexists(staging):
                shutil.rmtree(staging)
    recorded = {member: checksums["/".join(member_parts(member))] for member in members}
    write_record(record, recorded)
    return recorded


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--archive", help="the archive, a tar file")
    parser.add_argument("--sha256", help="the archive's sha256")
    parser.add_argument(
        "--recorded-only",
        action="store_true",
        help="unpack nothing: answer whether the recorded unpacking is intact",
    )
    parser.add_argument("--dest", required=True, help="the directory to unpack into")
    parser.add_argument(
        "--member", action="append", required=True, dest="members", help="a file to record"
    )
    arguments = parser.parse_args(argv)
    dest = os.path.abspath(arguments.dest)
    if arguments.recorded_only:
        record, problems = unrecorded_members(dest, arguments.members)
        answer = {"changed": False, "complete": not problems, "dest": dest, "problems": problems}
        if not problems:
            answer["checksums"] = {member: record[member] for member in arguments.members}
        print(json.dumps(answer))
        return 0
    if not (arguments.archive and arguments.sha256):
        parser.error("--archive and --sha256 are required unless --recorded-only is given")
    checksums = recorded_checksums(dest, arguments.members)
    changed = checksums is None
    if checksums is None:
        try:
            checksums = unpack(arguments.archive, arguments.sha256, dest, arguments.members)
        except (UnpackError, tarfile.TarError, OSError) as error:
            print(error, file=sys.stderr)
            return 1
    print(json.dumps({"changed": changed, "complete": True, "dest": dest, "checksums": checksums}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
