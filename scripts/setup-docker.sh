#!/usr/bin/env bash
# Make a Docker daemon available on a Debian/Ubuntu machine: install Debian's docker.io, crun,
# debootstrap and docker-compose if missing, start dockerd with no bridge and no iptables if none answers.
# Prints "started" on stdout when it started the daemon itself (so the caller can stop it).
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v crun >/dev/null 2>&1 || need+=(crun)
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
# crun: sandboxes start on it when it is registered (GRADER_SANDBOX_OCI_RUNTIME=auto), for
# about 10% less CPU per slot than runc. With hybrid cgroups (v1 plus a v2 "unified" hierarchy)
# crun refuses to run while any controller sits on the v2 side, so such controllers (e.g. an
# unmounted hugetlb) get their v1 mount, as Debian's cgroupfs-mount does; failing that, runc.
runtime_args=()
unified=/sys/fs/cgroup/unified
if [ -f "$unified/cgroup.controllers" ]; then
  for controller in $(cat "$unified/cgroup.controllers"); do
    mkdir -p "/sys/fs/cgroup/$controller" &&
      mount -t cgroup -o "$controller" cgroup "/sys/fs/cgroup/$controller" >&2 || true
  done
fi
if [ ! -f "$unified/cgroup.controllers" ] || [ -z "$(tr -d '[:space:]' < "$unified/cgroup.controllers")" ]; then
  runtime_args=(--add-runtime "crun=$(command -v crun)")
else
  echo "cgroup controllers left on the v2 side of a hybrid setup: sandboxes use runc" >&2
fi
# --bridge=none --iptables=false: no sandbox ever gets a network besides its own loopback.
setsid dockerd --bridge=none --iptables=false "${runtime_args[@]}" >"$log" 2>&1 < /dev/null &
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
