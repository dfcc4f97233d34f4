#!/usr/bin/env bash
# Build one test-host image: Debian minbase + systemd + python3, imported into podman.
# Usage: build-image.sh debian12|debian13|debian14
# The sha256 of this file is the image's recipe hash (label alertmesh.recipe): editing
# the recipe below makes setup.sh rebuild the image, leaving it alone does not.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_root

release=${1:?usage: build-image.sh debian12|debian13|debian14}
suite=${DEBIAN_SUITES[$release]:-}
[ -n "$suite" ] || die "unknown release '$release' (known: ${!DEBIAN_SUITES[*]})"

# What a systemd host needs for Ansible (python3, python3-apt, sudo for become), for the
# roles (tzdata for Go binaries, ca-certificates) and for tests (iproute2, procps).
packages=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,iproute2,procps,ca-certificates,tzdata,less

rootfs="$ALERTMESH_CACHE_DIR/rootfs-$release"
rm -rf "$rootfs"
mkdir -p "$ALERTMESH_CACHE_DIR"
trap 'rm -rf "$rootfs"' EXIT

# A debootstrap older than the suite has no script for it; testing bootstraps like sid.
script=/usr/share/debootstrap/scripts/$suite
[ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid

log "debootstrap $suite into $rootfs (about a minute)"
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$(debian_mirror)" "$script" \
  >"$ALERTMESH_CACHE_DIR/debootstrap-$release.log" 2>&1 \
  || die "debootstrap failed; see $ALERTMESH_CACHE_DIR/debootstrap-$release.log"

# systemd generates a machine id at boot when the file is empty; podman provides
# hostname, hosts and resolv.conf.
: >"$rootfs/etc/machine-id"
rm -f "$rootfs/var/lib/dbus/machine-id" "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
# apt's cache_valid_time takes the lists directory's time as the last update, so the
# emptied lists would pass as fresh for an hour and a package install would find nothing.
touch -d @0 "$rootfs/var/lib/apt/lists"
# The host's mirror may serve a dated snapshot, which outlives the Valid-Until of
# testing's Release files (stable releases carry none), and apt would refuse them.
printf 'Acquire::Check-Valid-Until "false";\n' >"$rootfs/etc/apt/apt.conf.d/50alertmesh-snapshot"

# systemd 258 and newer boot only on the unified cgroup hierarchy. On a host with hybrid
# cgroups podman hands containers the v1 layout; in a private cgroup namespace (create.yml)
# mounting cgroup2 gives the container its own subtree of the host's unified hierarchy.
install -m 0755 /dev/stdin "$rootfs/usr/local/sbin/rig-init" <<'INIT'
#!/bin/sh
systemd_version=$(/lib/systemd/systemd --version | awk 'NR == 1 { print $2 }')
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && [ "${systemd_version%%[!0-9]*}" -ge 258 ]; then
  umount -R /sys/fs/cgroup && mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
fi
exec /lib/systemd/systemd
INIT

image="$IMAGE_REPO:$release"
log "importing $image"
tar -C "$rootfs" -c . | podman import \
  --change 'CMD ["/usr/local/sbin/rig-init"]' \
  --change 'STOPSIGNAL=SIGRTMIN+3' \
  --change "LABEL=alertmesh.recipe=$(image_recipe_hash)" \
  --change "LABEL=alertmesh.release=$release" \
  --quiet - "$image" >/dev/null
# The image this one replaces is left dangling; drop it.
podman image prune --force --filter "label=alertmesh.release=$release" >/dev/null
log "built $image"
