#!/usr/bin/env bash
# The one idempotent setup entry point of the test rig; `make test` and `make demo` call
# it. A second run with nothing changed does nothing and takes seconds.
#   1. host packages: podman, runc, debootstrap, nftables (the failover scenario cuts links)
#   2. podman engine settings: runtime runc, explicit default ulimits
#   3. the Python venv (.venv) from the pinned requirements
#   4. the collection laid out as ansible_collections/alertmesh/ha (a symlink in .cache/)
#   5. the test-host images localhost/alertmesh-testhost:debian12, :debian13 and :debian14
#   6. the local release mirror
# MOLECULE_IMAGE set to a systemd image of your own skips the image build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_root

install_host_packages() {
  local missing=() package
  for package in podman runc debootstrap nftables; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# crun fails on this kind of host (cgroups in hybrid mode), and containers may not raise
# their rlimits, so every container gets explicit ones. A drop-in keeps any existing
# /etc/containers/containers.conf of the operator's intact.
configure_podman() {
  local conf=/etc/containers/containers.conf.d/50-alertmesh.conf
  local wanted
  wanted=$(cat <<'EOF'
# Written by alertmesh.ha tools/rig/setup.sh
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
)
  if [ "$(cat "$conf" 2>/dev/null)" != "$wanted" ]; then
    log "writing $conf"
    mkdir -p "$(dirname "$conf")"
    printf '%s\n' "$wanted" >"$conf"
  fi
}

create_venv() {
  local stamp="$ALERTMESH_VENV/.requirements.sha256" wanted
  wanted=$(cat "$REPO_ROOT/requirements.txt" "$REPO_ROOT/requirements-dev.txt" | sha256sum | cut -c1-16)
  [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return
  local python=${PYTHON:-python3}
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$python is older than 3.11; set PYTHON to a Python 3.11+ interpreter"
  log "creating the Python venv in $ALERTMESH_VENV (about a minute)"
  "$python" -m venv "$ALERTMESH_VENV"
  "$ALERTMESH_VENV/bin/pip" install -q --upgrade pip
  "$ALERTMESH_VENV/bin/pip" install -q -r "$REPO_ROOT/requirements-dev.txt"
  echo "$wanted" >"$stamp"
}

build_images() {
  if [ -n "${MOLECULE_IMAGE:-}" ]; then
    log "MOLECULE_IMAGE=$MOLECULE_IMAGE: using it instead of the local images"
    return
  fi
  local release image wanted
  wanted=$(image_recipe_hash)
  for release in "${!DEBIAN_SUITES[@]}"; do
    image="$IMAGE_REPO:$release"
    if [ "$(image_label "$image")" = "$wanted" ]; then
      continue
    fi
    "$RIG_DIR/build-image.sh" "$release"
  done
}

install_host_packages
configure_podman
create_venv
link_collection
build_images
"$RIG_DIR/build-mirror.sh"
log "rig ready"
