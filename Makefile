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
COVERAGE_MINIMUM := 90
VERSION := $(shell awk '$$1 == "version:" { print $$2 }' galaxy.yml)

.PHONY: help setup lint sanity unit docs test-quick molecule test build changelog demo demo-down bench clean

help:
	@echo "make test        lint, sanity, unit and docs tests, then every molecule scenario (what CI runs)"
	@echo "make test-quick  lint, unit and docs tests only"
	@echo "make sanity      ansible-test sanity on the built collection, without containers"
	@echo "make controllers unit tests on ansible-core 2.17, 2.18, 2.19, 2.20; docs tests on 2.17"
	@echo "make build       the collection tarball in .cache/build/"
	@echo "make changelog   fold changelogs/fragments/ into CHANGELOG.rst for the version in galaxy.yml"
	@echo "make demo        bring up the demo hosts and show them (again: seconds)"
	@echo "make demo-down   remove the demo hosts"
	@echo "make bench       deploy, verify and fail over at several sizes; writes BENCHMARKS.md"
	@echo "make clean       remove what the rig created, except images and the release mirror"

setup:
	tools/rig/setup.sh

lint: setup
	ruff check .
	ruff format --check .
	ansible-lint
	antsibull-changelog lint
	antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# Every sanity test of ansible-core's ansible-test runs; none is skipped. Two find nothing
# to check in what we ship: pslint (no PowerShell) and shellcheck (no shell scripts).
sanity: setup
	tools/quality/sanity.sh

unit: setup
	pytest tests/unit --cov=$(COVERAGE_TARGET) --cov-report=term --cov-fail-under=$(COVERAGE_MINIMUM)

docs: setup
	pytest tests/docs

test-quick: lint unit docs

# Two scenarios at a time (ALERTMESH_CONCURRENT_SCENARIOS); each one's wall time is
# printed when it ends, its output (.cache/scenarios/<scenario>.log) after it.
molecule: setup
	pytest -s tests/scenarios

# Unit tests on the other ansible-cores that meta/runtime.yml admits, docs tests on the
# oldest, each core in a venv of its own (.cache/controllers/<core>).
.PHONY: controllers
controllers: setup
	tools/quality/controller-matrix.sh

test: lint sanity unit docs controllers molecule

build: setup
	ansible-galaxy collection build --force --output-path .cache/build .
	tar -tzf .cache/build/alertmesh-ha-$(VERSION).tar.gz | grep -v '/$$'

# While VERSION is not yet released, new fragments go into it (--update-existing).
changelog: setup
	antsibull-changelog release --version $(VERSION) --update-existing --refresh --reload-plugins

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

# Figures are medians of BENCH_RUNS runs (at least 3); needs an otherwise idle machine.
BENCH_RUNS ?= 3
bench: setup
	python tools/bench/bench.py --runs $(BENCH_RUNS)

clean:
	-molecule destroy --all
	podman ps --all --quiet --filter label=alertmesh.scenario | xargs --no-run-if-empty podman rm --force
	podman network ls --quiet --filter name='^alertmesh-' | xargs --no-run-if-empty podman network rm
	rm -rf .venv .cache .coverage
