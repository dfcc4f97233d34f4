#!/usr/bin/env bash
# `ansible-test sanity` for the collection as it ships, with the ansible-test of the venv
# ALERTMESH_VENV (default .venv) on that venv's Python, without containers; `make sanity`
# calls it. Arguments go to ansible-test (--test pylint).
#
# ansible-test must run from an ansible_collections/<namespace>/<name> directory. The
# collection is built with `ansible-galaxy collection build` (galaxy.yml's build_ignore
# leaves out the test rig and the dev tooling) and unpacked into a fresh temporary
# layout, so the checkout is never moved, uncommitted work is tested as it is, and the
# tests see exactly what Galaxy would receive. The rig's own Python is checked by ruff.
#
# ansible-test installs each test's pinned requirements into a virtual environment of
# its own, and bootstraps pip there with a get-pip script that it downloads from
# ci-files.testing.ansible.com, which our machines cannot reach. It reads that script
# from its cache first, so we put a stand-in there that installs the interpreter's
# bundled pip (ensurepip) and then the pip version ansible-test asks for from PyPI, with
# the machine's usual pip settings. The per-test venvs stay in ansible-test's cache
# (~/.ansible/test/venv) and are reused by the next run; the first run takes ~4 minutes.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The venv's ansible-galaxy, ansible-test and python, whatever PATH holds; its Python is
# the one ansible-test runs the tests on (SANITY_PYTHON_VERSION to pick another X.Y).
VENV=${ALERTMESH_VENV:-$REPO_ROOT/.venv}
[ -x "$VENV/bin/ansible-test" ] || { echo "sanity.sh: no ansible-test in $VENV (run tools/rig/setup.sh)" >&2; exit 1; }
export VIRTUAL_ENV=$VENV PATH=$VENV/bin:$PATH
PYTHON_VERSION=${SANITY_PYTHON_VERSION:-$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')}

workdir=$(mktemp -d -t alertmesh-sanity-XXXXXX)
trap 'rm -rf "$workdir"' EXIT

ansible-galaxy collection build --output-path "$workdir" "$REPO_ROOT" >/dev/null
tarball=$(echo "$workdir"/*.tar.gz)
namespace_name=$(basename "$tarball" | sed -E 's/^([^-]+)-([^-]+)-.*$/\1\/\2/')
collection_dir=$workdir/ansible_collections/$namespace_name
mkdir -p "$collection_dir"
tar -xzf "$tarball" -C "$collection_dir"

# The pip version ansible-test bootstraps into its venvs, asked from ansible-test itself.
pip_version=$(PYTHON_VERSION=$PYTHON_VERSION python - <<'PY'
import os
from types import SimpleNamespace

from ansible_test._internal.python_requirements import get_venv_packages

print(get_venv_packages(SimpleNamespace(version=os.environ["PYTHON_VERSION"]))["pip"])
PY
)
get_pip=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$get_pip")"
cat >"$get_pip" <<'PY'
"""Stand-in for get-pip.py, written by alertmesh.ha tools/quality/sanity.sh.

Installs the interpreter's bundled pip, then the requested packages with it. ensurepip
runs in a process of its own because it switches pip's configuration off for the rest of
the process it runs in.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
requested = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", *requested]))
PY

cd "$collection_dir"
ansible-test sanity --local --python "$PYTHON_VERSION" --color no "$@"
