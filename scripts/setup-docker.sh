#!/usr/bin/env bash
# Make a Docker daemon available on a Debian/Ubuntu machine: install Debian's docker.io,
# debootstrap and docker-compose if missing, start dockerd with no bridge and no iptables if none answers.
# Prints "started" on stdout when it started the daemon itself (so the caller can stop it).
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >&2
fi

if docker info >/dev/null 2>&1; then
  exit 0
fi
log=${DOCKERD_LOG:-/var/log/dockerd.log}
echo "starting dockerd (log: $log)" >&2
# --bridge=none --iptables=false: no sandbox ever gets a network besides its own loopback.
setsid dockerd --bridge=none --iptables=false >"$log" 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo started
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not come up; last lines of $log:" >&2
tail -20 "$log" >&2
exit 1
