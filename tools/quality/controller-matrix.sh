#!/usr/bin/env bash
# The unit tests on every ansible-core that meta/runtime.yml's requires_ansible admits
# besides the core in .venv (2.21 with its `ansible` package, the newest; `make unit` and
# `make docs` test it), and the docs tests on the oldest; `make controllers` calls it.
# Arguments name the cores to run (default: all of them).
#
# Each core gets a venv of its own in $ALERTMESH_CACHE_DIR/controllers/<core>/ (linked from
# the clone's .cache/controllers/<core>), on a Python that core
# supports as a controller, with ansible-core pinned to a patch release and the packages
# the tests import. A venv is created once and reused while its Python and pins stay the
# same (a hash of both is kept in the venv). The tests run against the collection path
# the rig lays out (.cache/collections), one summary line per core.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../rig
source "$(dirname "${BASH_SOURCE[0]}")/../rig/common.sh"

# The venvs are machine-wide caches like the rig's images and mirror, so that a fresh clone
# (CI) reuses them; .cache/controllers/<core> in the clone links to them.
CONTROLLERS_DIR=${ALERTMESH_CONTROLLERS_DIR:-$ALERTMESH_CACHE_DIR/controllers}
CLONE_CONTROLLERS_DIR=$REPO_ROOT/.cache/controllers

# core -> "<controller Python> <pins>". Each Python is one the core supports as a
# controller: 2.17 on 3.10-3.12, 2.18 and 2.19 on 3.11-3.13, 2.20 on 3.12-3.14. Together
# with .venv's 2.21 on 3.13 they cover the controller Pythons 3.11, 3.12 and 3.13.
declare -A CONTROLLERS=(
  [2.17]="3.12 ansible-core==2.17.14"
  [2.18]="3.13 ansible-core==2.18.19"
  [2.19]="3.11 ansible-core==2.19.14"
  [2.20]="3.12 ansible-core==2.20.10"
)
CORES=(2.17 2.18 2.19 2.20)

# What tests/unit and tests/docs import besides ansible-core: the pins of .venv where it
# has them, and the TLS test CA's cryptography and the docs' PyYAML at .venv's versions.
test_pins() {
  grep -hE '^(pytest|requests|bcrypt)==' "$REPO_ROOT/requirements.txt" "$REPO_ROOT/requirements-dev.txt"
  printf '%s\n' cryptography==50.0.2 PyYAML==6.0.4
}

# The interpreter for Python X.Y: PYTHON_X_Y if set, else pythonX.Y on PATH, else the
# newest pyenv build of X.Y.
find_python() {
  local version=$1 override="PYTHON_${1/./_}" pyenv_build candidate candidates
  if [ -n "${!override:-}" ]; then
    candidates=("${!override}")
  else
    pyenv_build=$(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}/versions/$version".*/bin/python \
      | sort -V | tail -n 1)
    candidates=("python$version" "$pyenv_build")
  fi
  for candidate in "${candidates[@]}"; do
    if [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$version" ]; then
      command -v "$candidate"
      return
    fi
  done
  die "ansible-core $2 runs its tests on Python $version, and none was found (tried:" \
    "${candidates[*]}); install Python $version, or set $override to its interpreter"
}

create_venv() {
  local core=$1 python_version=$2 venv=$3
  shift 3
  local pins
  mapfile -t pins < <(test_pins)
  pins=("$@" "${pins[@]}")
  local stamp="$venv/.requirements.sha256" wanted python
  wanted=$(printf '%s\n' "python$python_version" "${pins[@]}" | sha256sum | cut -c1-16)
  [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return
  python=$(find_python "$python_version" "$core")
  log "creating the venv for ansible-core $core on Python $python_version in $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check "${pins[@]}" >"$venv/pip.log" 2>&1 \
    || { tail -n 20 "$venv/pip.log"; die "pip could not install ${pins[*]}; full log: $venv/pip.log"; }
  echo "$wanted" >"$stamp"
}

# The last line pytest prints ("1077 passed in 23.3s"); its whole output goes to the log.
run_pytest() {
  local log_file=$1
  shift
  local status=0
  pytest "$@" >"$log_file" 2>&1 || status=$?
  tail -n 1 "$log_file"
  return "$status"
}

# Runs in a subshell so that PATH and VIRTUAL_ENV stay with this core. The docs tests run
# on the oldest core only here (the newest, .venv's, has them in `make docs`):
# ansible-doc's output changes between major releases, rarely within the range.
test_core() (
  local core=$1 venv=$2 unit docs="skipped (oldest core only)" status=0
  export VIRTUAL_ENV=$venv PATH=$venv/bin:$PATH
  export ANSIBLE_COLLECTIONS_PATH=$ALERTMESH_COLLECTIONS_DIR
  local oldest=false unit_args=(tests/unit -q)
  [ "$core" = "${CORES[0]}" ] && oldest=true
  # The role tests drive ansible-playbook (about a minute); the oldest core runs them here,
  # the newest in `make unit`.
  [ "$oldest" = true ] || unit_args+=(--ignore=tests/unit/roles/test_release_archive.py)
  rm -f "$venv/unit.log" "$venv/docs.log"
  unit=$(run_pytest "$venv/unit.log" "${unit_args[@]}") || status=1
  if [ "$oldest" = true ]; then
    docs=$(run_pytest "$venv/docs.log" tests/docs -q) || status=1
  fi
  printf '%-5s %-8s %-12s unit: %s; docs: %s\n' "$core" \
    "$(python -c 'import platform; print("py" + platform.python_version())')" \
    "$(python -c 'from ansible.release import __version__; print(__version__)')" "$unit" "$docs"
  if [ "$status" -ne 0 ]; then
    echo "      the failures are in $venv/unit.log and $venv/docs.log"
  fi
  return "$status"
)

main() {
  local cores=("$@") core python_version pins failed=()
  [ ${#cores[@]} -gt 0 ] || cores=("${CORES[@]}")
  link_collection
  for core in "${cores[@]}"; do
    [ -n "${CONTROLLERS[$core]:-}" ] || die "no controller $core; known: ${CORES[*]}"
    read -r python_version pins <<<"${CONTROLLERS[$core]}"
    # shellcheck disable=SC2086 # the pins are words
    create_venv "$core" "$python_version" "$CONTROLLERS_DIR/$core" $pins
    mkdir -p "$CLONE_CONTROLLERS_DIR"
    # A venv an earlier version of this script made in the clone gives way to the link.
    [ -L "$CLONE_CONTROLLERS_DIR/$core" ] || rm -rf "${CLONE_CONTROLLERS_DIR:?}/$core"
    ln -sfn "$CONTROLLERS_DIR/$core" "$CLONE_CONTROLLERS_DIR/$core"
  done
  cd "$REPO_ROOT"
  for core in "${cores[@]}"; do
    test_core "$core" "$CONTROLLERS_DIR/$core" || failed+=("$core")
  done
  [ ${#failed[@]} -eq 0 ] || die "tests failed on ansible-core ${failed[*]}"
}

main "$@"
