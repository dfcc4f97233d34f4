# alertmesh.ha: `make test` is what CI runs; `make demo` shows the collection working.
# The rig needs root (rootful podman, apt, debootstrap).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

export PATH := $(CURDIR)/.venv/bin:$(PATH)
export MOLECULE_GLOB := molecule/*/molecule.yml
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export ANSIBLE_FORCE_COLOR := false
export PY_COLORS := 0

COVERAGE_TARGET := ansible_collections.alertmesh.ha.plugins

.PHONY: help setup lint unit test-quick molecule test demo demo-down clean

help:
	@echo "make test        lint, unit tests, then every molecule scenario (what CI runs)"
	@echo "make test-quick  lint and unit tests only"
	@echo "make demo        bring up the demo hosts and show them (again: seconds)"
	@echo "make demo-down   remove the demo hosts"
	@echo "make clean       remove what the rig created, except images and the release mirror"

setup:
	tools/rig/setup.sh

lint: setup
	ruff check .
	ruff format --check .
	ansible-lint

unit: setup
	pytest tests/unit --cov=$(COVERAGE_TARGET) --cov-report=term

test-quick: lint unit

molecule: setup
	pytest -s tests/scenarios

test: lint unit molecule

demo: setup
	molecule converge --scenario-name demo >.cache/demo.log 2>&1 \
	  || { tail -n 40 .cache/demo.log; echo "make demo failed; full log: .cache/demo.log"; exit 1; }
	@cat .cache/demo-verify.txt
	@echo
	@echo "Hosts (full log: .cache/demo.log):"
	@cat .cache/demo-summary.txt
	@echo
	@awk '/^PLAY RECAP/ { recap = ""; inside = 1 } inside { recap = recap $$0 "\n" } /^$$/ { inside = 0 } END { printf "%s", recap }' .cache/demo.log

demo-down:
	molecule destroy --scenario-name demo

clean:
	-molecule destroy --all
	podman ps --all --quiet --filter label=alertmesh.scenario | xargs --no-run-if-empty podman rm --force
	podman network ls --quiet --filter name='^alertmesh-' | xargs --no-run-if-empty podman network rm
	rm -rf .venv .cache .coverage
