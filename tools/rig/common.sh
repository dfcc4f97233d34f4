# Shared settings of the test rig, sourced by the scripts beside it.
# shellcheck shell=bash

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$RIG_DIR/../.." && pwd)

# Machine-wide caches survive fresh clones: images live in podman's storage and the
# release mirror under ALERTMESH_CACHE_DIR. Per-clone state lives in .cache/ and .venv/.
ALERTMESH_CACHE_DIR=${ALERTMESH_CACHE_DIR:-/var/cache/alertmesh}
ALERTMESH_MIRROR_DIR=${ALERTMESH_MIRROR_DIR:-$ALERTMESH_CACHE_DIR/mirror}
ALERTMESH_VENV=${ALERTMESH_VENV:-$REPO_ROOT/.venv}
ALERTMESH_COLLECTIONS_DIR=$REPO_ROOT/.cache/collections

IMAGE_REPO=localhost/alertmesh-testhost
# Debian release tag -> suite. Debian 12 ships Prometheus 2.42 / Alertmanager 0.25,
# Debian 13 ships Prometheus 2.53 / Alertmanager 0.28, Debian 14 (testing) ships
# Prometheus 3.5 / Alertmanager 0.33.
declare -A DEBIAN_SUITES=([debian12]=bookworm [debian13]=trixie [debian14]=forky)

log() { printf '\033[1m[rig]\033[0m %s\n' "$*" >&2; }
die() { printf '[rig] error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "the rig needs root (rootful podman, apt, debootstrap); run it with sudo"
}

# The Debian mirror the host's apt already uses, so that no address is hard-coded here.
# DEBIAN_MIRROR overrides it.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    echo "$DEBIAN_MIRROR"
    return
  fi
  local uri
  uri=$(grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -E '/debian/?$' | head -n 1)
  [ -n "$uri" ] || uri=$(grep -hsE '^\s*deb\s' /etc/apt/sources.list | awk '{print $2}' | grep -E '/debian/?$' | head -n 1)
  [ -n "$uri" ] || die "cannot find a Debian mirror in the host's apt sources; set DEBIAN_MIRROR"
  echo "${uri%/}"
}

# The checkout as ansible_collections/alertmesh/ha (a symlink in .cache/collections).
link_collection() {
  local link="$ALERTMESH_COLLECTIONS_DIR/ansible_collections/alertmesh/ha"
  [ "$(readlink "$link" 2>/dev/null)" = "$REPO_ROOT" ] && return
  mkdir -p "$(dirname "$link")"
  ln -sfn "$REPO_ROOT" "$link"
}

image_recipe_hash() {
  sha256sum "$RIG_DIR/build-image.sh" | cut -c1-16
}

image_label() {
  podman image inspect --format '{{ index .Labels "alertmesh.recipe" }}' "$1" 2>/dev/null || true
}
