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

# The venv runs ansible-core 2.21, which needs Python 3.12 or newer on the controller. Its
# interpreter: PYTHON if set, else the newest Python 3.12+ this machine has: python3.13 on
# PATH, else pyenv's newest 3.13 build, then the same for 3.12 (a pyenv shim on PATH counts
# only if it runs). The venv is rebuilt from scratch when the requirements or that
# Python's version change (a hash of both is kept in the venv).
create_venv() {
  local python="" version candidate tried=() check='import sys; print("%d.%d.%d" % sys.version_info[:3])'
  if [ -n "${PYTHON:-}" ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
      || die "PYTHON=$PYTHON is not a Python 3.12 or newer interpreter, which ansible-core 2.21 needs"
    python=$PYTHON
  else
    for version in 3.13 3.12; do
      for candidate in "python$version" \
        "$(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}/versions/$version".*/bin/python | sort -V | tail -n 1)"; do
        tried+=("$candidate")
        if [[ "$("$candidate" -c "$check" 2>/dev/null)" == "$version".* ]]; then
          python=$("$candidate" -c 'import sys; print(sys.executable)')
          break 2
        fi
      done
    done
    [ -n "$python" ] || die "no Python 3.12 or newer found (tried: ${tried[*]}), which ansible-core" \
      "2.21 needs; install Python 3.13, or set PYTHON to a Python 3.12+ interpreter"
  fi
  local stamp="$ALERTMESH_VENV/.requirements.sha256" wanted python_version
  python_version=$("$python" -c "$check")
  wanted=$({ echo "python$python_version"; cat "$REPO_ROOT/requirements.txt" "$REPO_ROOT/requirements-dev.txt"; } \
    | sha256sum | cut -c1-16)
  [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return
  log "creating the Python venv in $ALERTMESH_VENV on Python $python_version ($python; about a minute)"
  rm -rf "${ALERTMESH_VENV:?}"
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
