#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine: install what is missing, build the sandbox
# image, start the whole service (`grader up`: SQLite, a private Redis, API, workers), grade a
# sample submission end to end, then keep serving until Ctrl-C. It installs packages and starts
# dockerd, so it runs as root: a user with sudo is asked for it here.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "run this as root (no sudo here)" >&2; exit 1; }
  exec sudo --preserve-env=GRADER_PORT,GRADER_PUBLIC_URL bash "$0" "$@"
fi
cd "$(dirname "$0")/.."
port=${GRADER_PORT:-8000}
export GRADER_PUBLIC_URL=${GRADER_PUBLIC_URL:-http://127.0.0.1:$port}

scripts/setup-docker.sh >/dev/null
if ! command -v redis-server >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
.venv/bin/grader sandbox build

mkdir -p var && chmod 700 var  # the database, the secret key and the admin password live here
if [ ! -s var/secret-key ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' > var/secret-key)
fi
export GRADER_SECRET_KEY
GRADER_SECRET_KEY=$(cat var/secret-key)
.venv/bin/grader db upgrade
if [ ! -s var/admin-password ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > var/admin-password)
  GRADER_ADMIN_PASSWORD=$(cat var/admin-password) .venv/bin/grader users create-admin admin
fi

# The sample assessment (three seed challenges, ten concept questions), published once.
.venv/bin/grader assessments create assessments/fastapi-backend-screen.toml --publish --exists-ok

.venv/bin/grader up --port "$port" &
up=$!
trap 'kill -INT $up 2>/dev/null; wait $up' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
token=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/auth/token" \
  --data-urlencode username=admin --data-urlencode "password=$(cat var/admin-password)" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
echo "== a sample submission, graded end to end"
.venv/bin/grader submit hello-world challenges/hello-world/solution \
  --url "http://127.0.0.1:$port" --token "$token"
link=$(.venv/bin/grader assessments invite fastapi-backend-screen --name "Sample Candidate" \
  --email candidate@example.com | tail -n 1)
echo
echo "The service runs on $GRADER_PUBLIC_URL (API docs: $GRADER_PUBLIC_URL/docs)."
echo "Staff pages:   $GRADER_PUBLIC_URL/login  (user admin, password in $(pwd)/var/admin-password)"
echo "A candidate's invitation to the sample assessment (open it in a browser):"
echo "  $link"
echo "Ctrl-C stops everything."
wait $up
