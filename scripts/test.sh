#!/usr/bin/env bash
# The project's one test command: on a fresh Debian machine it installs and starts what it
# needs (Docker, debootstrap, Redis, PostgreSQL, a virtualenv), builds the sandbox image if its
# input hash is not built yet, then runs lint, types, every test and the catalog's validation.
set -euo pipefail
cd "$(dirname "$0")/.."

started_docker=$(scripts/setup-docker.sh)
cleanup() {
  if [ "$started_docker" = "started" ]; then
    pkill -TERM -x dockerd 2>/dev/null || true
  fi
}
trap cleanup EXIT
scripts/setup-services.sh
scripts/setup-browser.sh

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -e ".[dev]"

echo "== compose file"
GRADER_SECRET_KEY=ci docker-compose -f docker-compose.yml config -q
echo "== sandbox image"
.venv/bin/grader sandbox build
echo "== ruff"
.venv/bin/ruff check grader worker tests bench
echo "== mypy"
.venv/bin/mypy
echo "== import contracts"
.venv/bin/lint-imports
echo "== challenge catalog"
.venv/bin/grader challenges validate
echo "== pytest"
.venv/bin/pytest -q -p no:cacheprovider "$@"
