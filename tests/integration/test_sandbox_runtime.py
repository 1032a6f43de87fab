"""The containers a slot starts are hardened as documented, and leftovers are reaped."""

from __future__ import annotations

import contextlib
import os
import socket
import time

import docker
import pytest

from worker.sandbox import Sandbox, sweep
from worker.sandbox.runtime import (
    DATA_VOLUME_PREFIX,
    LABEL,
    LABEL_DEADLINE,
    LABEL_OWNER,
    owner_id,
)

pytestmark = pytest.mark.docker


def test_slot_containers_are_hardened(sandbox: Sandbox) -> None:
    slot = sandbox.factory()
    try:
        assert slot.app is not None and slot.suite is not None
        app, suite = slot.app.attrs, slot.suite.attrs
    finally:
        slot.destroy()
    limits = sandbox.defaults
    for attrs, user in ((app, "1001:1001"), (suite, "1002:1002")):
        host = attrs["HostConfig"]
        assert attrs["Config"]["User"] == user
        assert host["CapDrop"] == ["ALL"]
        assert host["SecurityOpt"] == ["no-new-privileges"]
        assert host["ReadonlyRootfs"] is True
        assert host["Privileged"] is False
        assert host["PidsLimit"] == limits.pids
        assert host["Memory"] == host["MemorySwap"] > 0
        assert host["NanoCpus"] == int(limits.cpus * 1e9)
        assert host["Init"] is True
        assert host["CpuShares"] == 1024
        assert {u["Name"] for u in host["Ulimits"]} == {"nofile", "fsize", "core"}
        assert all("size=" in opts for opts in host["Tmpfs"].values())
        assert not any("docker.sock" in (m.get("Source") or "") for m in attrs["Mounts"])
    assert suite["HostConfig"]["NetworkMode"] == "none"
    assert app["HostConfig"]["NetworkMode"] == f"container:{suite['Id']}"
    assert app["HostConfig"]["Memory"] == limits.memory_mb * 1024 * 1024


def test_reap_removes_leftovers_of_dead_workers_and_keeps_live_ones(
    docker_client: docker.DockerClient, sandbox: Sandbox
) -> None:
    def leftover(owner: str, deadline: float) -> str:
        container = docker_client.containers.create(
            sandbox.image,
            ["sleep", "60"],
            network_mode="none",
            labels={LABEL: "app", LABEL_OWNER: owner, LABEL_DEADLINE: str(int(deadline))},
        )
        return str(container.id)

    here = owner_id().rpartition(":")[0]
    dead = leftover(f"{here}:999999999", time.time() + 3600)  # no such pid here
    overdue = leftover("elsewhere/pid:[1]:1", time.time() - 3600)
    live = leftover("elsewhere/pid:[1]:1", time.time() + 3600)
    # Same host name, other pid namespace: the pid cannot be checked, only the deadline.
    other_namespace = leftover(f"{socket.gethostname()}/pid:[1]:999999999", time.time() + 3600)
    try:
        sweep(docker_client)
        remaining = {c.id for c in docker_client.containers.list(all=True)}
        assert dead not in remaining
        assert overdue not in remaining
        assert live in remaining
        assert other_namespace in remaining
    finally:
        for cid in (dead, overdue, live, other_namespace):
            with contextlib.suppress(docker.errors.NotFound):
                docker_client.containers.get(cid).remove(force=True)


def test_reap_removes_unlabelled_orphan_data_volumes_but_not_used_ones(
    docker_client: docker.DockerClient, sandbox: Sandbox
) -> None:
    """What the daemon creates when a container names a data volume it no longer has."""
    orphan = docker_client.volumes.create(name=f"{DATA_VOLUME_PREFIX}orphan-{os.getpid()}")
    used = docker_client.volumes.create(name=f"{DATA_VOLUME_PREFIX}used-{os.getpid()}")
    other = docker_client.volumes.create(name=f"someone-else-{os.getpid()}")
    user = docker_client.containers.create(
        sandbox.image, ["sleep", "60"], network_mode="none", volumes={used.name: {"bind": "/v"}}
    )
    try:
        sweep(docker_client)
        remaining = {v.name for v in docker_client.volumes.list()}
        assert orphan.name not in remaining
        assert used.name in remaining
        assert other.name in remaining
    finally:
        user.remove(force=True)
        for volume in (orphan, used, other):
            with contextlib.suppress(docker.errors.NotFound):
                volume.remove(force=True)
