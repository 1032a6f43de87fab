"""The low layer over the Docker SDK: hardened containers and volumes, their stdio and state,
waiting for the daemon, sweeping leftovers.

The layers above (slot, engine, pool) speak in terms of submissions, limits and verdicts;
`image` builds the image these containers run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container
from docker.types import LogConfig, Mount, Ulimit
from docker.utils.socket import frames_iter
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
    wait_incrementing,
)

from worker.limits import MIB, Limits
from worker.sandbox.errors import DockerUnavailable, ImageMissing, SandboxError
from worker.sandbox.harness.protocol import APP_DIR, DATA_DIR
from worker.sandbox.image import image_exists

log = logging.getLogger(__name__)

LABEL = "interview-grader.sandbox"
"""Every container and volume the engine makes carries this label (value: its role)."""
LABEL_OWNER = "interview-grader.owner"
LABEL_DEADLINE = "interview-grader.deadline"

APP_USER = "1001:1001"
SUITE_USER = "1002:1002"
PYTHON = "/opt/venv/bin/python"

#: Grace after a container's deadline before any worker may sweep it away.
SWEEP_GRACE_SECONDS = 60


def connect(base_url: str | None = None, timeout: int = 60) -> docker.DockerClient:
    """A client for the daemon, or `DockerUnavailable` saying how to start one."""
    try:
        client = (
            docker.DockerClient(base_url=base_url, timeout=timeout)
            if base_url
            else (docker.from_env(timeout=timeout))
        )
        client.ping()
    except (docker.errors.DockerException, OSError) as exc:
        where = base_url or os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        raise DockerUnavailable(
            f"Docker daemon not reachable at {where} ({exc}). Start it, e.g. "
            "`dockerd --bridge=none --iptables=false > /var/log/dockerd.log 2>&1 &`, "
            "or run scripts/setup-docker.sh."
        ) from exc
    return client


def daemon_answers(base_url: str | None = None, timeout: int = 5) -> bool:
    """The daemon answers a ping right now. Always through a fresh client: an old client's open
    connection is still answered while the daemon shuts down (its socket file already gone),
    and may be dead after a restart."""
    try:
        client = (
            docker.DockerClient(base_url=base_url, timeout=timeout)
            if base_url
            else docker.from_env(timeout=timeout)
        )
    except (docker.errors.DockerException, OSError):
        return False
    try:
        return bool(client.ping())
    except (docker.errors.DockerException, OSError):
        return False
    finally:
        client.close()


def wait_for_daemon(
    base_url: str | None,
    timeout: float,
    answers: Callable[[str | None], bool] = daemon_answers,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Wait until the daemon answers, at most `timeout` seconds, polling with backoff (0.5 s,
    doubling to 10 s) and logging while it waits. True once it answers; False if it never did."""
    started = clock()
    backoff = wait_exponential(multiplier=0.5, max=10)

    def left() -> float:
        return max(0.0, timeout - (clock() - started))

    def waiting(state: RetryCallState) -> None:
        if state.attempt_number == 1:
            log.warning("the Docker daemon does not answer; waiting up to %g s for it", timeout)
        else:
            log.warning("still no Docker daemon after %.0f s", clock() - started)

    retrying = Retrying(
        retry=retry_if_result(lambda answered: not answered),
        wait=lambda state: min(backoff(state), left()),
        stop=lambda state: left() <= 0,
        sleep=sleep,
        before_sleep=waiting,
        retry_error_callback=lambda state: False,
    )
    answered = bool(retrying(answers, base_url))
    if answered and clock() > started:
        log.warning("the Docker daemon answers again after %.1f s", clock() - started)
    return answered


def remove_exited_own(client: docker.DockerClient) -> int:
    """Remove this process's sandbox containers that no longer run (those a daemon restart
    killed, whose removal failed while it was down). Only between gradings: a running grading's
    containers run, and a pooled slot whose container exited is dead anyway."""
    removed = 0
    mine = f"{LABEL_OWNER}={owner_id()}"
    for status in ("exited", "dead"):
        for container in client.containers.list(
            all=True, sparse=True, filters={"label": [LABEL, mine], "status": status}
        ):
            remove_container(container)
            removed += 1
    return removed


#: The OCI runtime `auto` picks when the daemon has it registered: it applies the same OCI spec
#: as runc (capabilities, seccomp, cgroup limits, read-only root) for less CPU: measured here,
#: a warm slot (two containers and a volume, started and removed) cost 0.70 CPU s against 0.79.
PREFERRED_OCI_RUNTIME = "crun"


def choose_oci_runtime(client: docker.DockerClient, wanted: str) -> str | None:
    """The runtime name to give each container, or None for the daemon's default.

    `auto`: crun when the daemon offers it, else the default; `default`: the daemon's default;
    any other name must be registered with the daemon (`--add-runtime` or daemon.json).
    """
    if wanted == "default":
        return None
    offered = set(client.info().get("Runtimes") or {})
    if wanted == "auto":
        return PREFERRED_OCI_RUNTIME if PREFERRED_OCI_RUNTIME in offered else None
    if wanted not in offered:
        raise SandboxError(
            f"the Docker daemon has no OCI runtime {wanted!r} (it has: "
            f"{', '.join(sorted(offered)) or 'none'}); register it with `dockerd --add-runtime "
            f"{wanted}=/path/to/{wanted}` or in /etc/docker/daemon.json, or set "
            "GRADER_SANDBOX_OCI_RUNTIME=auto"
        )
    return wanted


def app_runtime(suite_runtime: str | None) -> str | None:
    """The OCI runtime of the app container, given the suite container's.

    crun (1.8) drops the `noexec,nosuid,nodev` options of the shared data volume when it binds
    it into a container, so the candidate could run files written to /data; runc keeps them.
    The app container therefore runs on the daemon's default (runc) when the suite runs on
    crun; any other runtime (runsc, kata) holds for both."""
    return None if suite_runtime == PREFERRED_OCI_RUNTIME else suite_runtime


def require_image(client: docker.DockerClient, tag: str) -> None:
    if not image_exists(client, tag):
        raise ImageMissing(f"sandbox image {tag} is not built: run `grader sandbox build`")


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return "unknown"


def owner_id() -> str:
    """`host/pid-namespace:pid` of this process: a pid means something only in its namespace."""
    return f"{socket.gethostname()}/{_pid_namespace()}:{os.getpid()}"


def _labels(role: str, deadline: float) -> dict[str, str]:
    return {LABEL: role, LABEL_OWNER: owner_id(), LABEL_DEADLINE: str(int(deadline))}


def _tmpfs(path: str, size_mb: int, uid: int) -> tuple[str, str]:
    return path, f"rw,nosuid,nodev,noexec,size={size_mb}m,uid={uid},gid={uid},mode=0700"


#: CPU weight of a pooled slot while it warms up: it gets only what gradings leave idle.
BACKGROUND_CPU_SHARES = 2
NORMAL_CPU_SHARES = 1024


def _hardening(
    limits: Limits, memory_mb: int, background: bool, oci_runtime: str | None
) -> dict[str, Any]:
    """What every sandbox container gets, app and suite alike."""
    file_size = limits.file_size_mb * MIB
    return {
        **({"runtime": oci_runtime} if oci_runtime else {}),
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "read_only": True,
        "pids_limit": limits.pids,
        "mem_limit": f"{memory_mb}m",
        "memswap_limit": f"{memory_mb}m",
        "nano_cpus": int(limits.cpus * 1e9),
        "cpu_shares": BACKGROUND_CPU_SHARES if background else NORMAL_CPU_SHARES,
        "ulimits": [
            Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
            Ulimit(name="fsize", soft=file_size, hard=file_size),
            Ulimit(name="core", soft=0, hard=0),
        ],
        "init": True,
        "stdin_open": True,
        "tty": False,
        "log_config": LogConfig(type="none"),
        "detach": True,
    }


DATA_VOLUME_PREFIX = "grader-data-"


def create_data_volume(client: docker.DockerClient, limits: Limits, deadline: float) -> str:
    """A size-capped tmpfs volume the app writes and the suite reads (e.g. a SQLite file)."""
    name = f"{DATA_VOLUME_PREFIX}{uuid.uuid4().hex[:16]}"
    uid = APP_USER.split(":")[0]
    client.volumes.create(
        name=name,
        driver="local",
        driver_opts={
            "type": "tmpfs",
            "device": "tmpfs",
            "o": f"size={limits.tmpfs_mb}m,uid={uid},gid={uid},mode=0755,nosuid,nodev,noexec",
        },
        labels=_labels("data", deadline),
    )
    return name


def create_suite_container(
    client: docker.DockerClient,
    image: str,
    limits: Limits,
    volume: str,
    deadline: float,
    background: bool = False,
    oci_runtime: str | None = None,
) -> Container:
    """The container that runs the hidden suite and owns the network namespace (no network)."""
    uid = int(SUITE_USER.split(":")[0])
    return client.containers.create(
        image,
        [PYTHON, "-m", "harness.suite_runner"],
        user=SUITE_USER,
        network_mode="none",
        hostname="sandbox",  # the app container shares it with the network namespace
        working_dir="/grader",
        tmpfs=dict([_tmpfs("/grader", limits.tmpfs_mb, uid), _tmpfs("/tmp", limits.tmpfs_mb, uid)]),
        mounts=[Mount(target=DATA_DIR, source=volume, type="volume", read_only=True, no_copy=True)],
        labels=_labels("suite", deadline),
        **_hardening(limits, limits.suite_memory_mb, background, oci_runtime),
    )


def create_app_container(
    client: docker.DockerClient,
    image: str,
    limits: Limits,
    volume: str,
    suite: Container,
    deadline: float,
    background: bool = False,
    oci_runtime: str | None = None,
) -> Container:
    """The container that serves the candidate's app, on the suite container's loopback only."""
    uid = int(APP_USER.split(":")[0])
    return client.containers.create(
        image,
        [PYTHON, "-m", "harness.app_runner"],
        user=APP_USER,
        network_mode=f"container:{suite.id}",
        working_dir="/tmp",
        tmpfs=dict([_tmpfs(APP_DIR, limits.tmpfs_mb, uid), _tmpfs("/tmp", limits.tmpfs_mb, uid)]),
        mounts=[
            Mount(target=DATA_DIR, source=volume, type="volume", read_only=False, no_copy=True)
        ],
        labels=_labels("app", deadline),
        **_hardening(limits, limits.memory_mb, background, oci_runtime),
    )


class Stdio:
    """A container's stdin, stdout and stderr over one attach socket.

    Attach before start so that no output is missed. A daemon thread reads frames and hands
    each `(stream, data)` to `on_output` (1 = stdout, 2 = stderr); `on_close` runs once the
    streams end, which is when the container's main process has exited.
    """

    def __init__(
        self,
        client: docker.DockerClient,
        container: Container,
        on_output: Callable[[int, bytes], None],
        on_close: Callable[[], None],
    ) -> None:
        self._socket = client.api.attach_socket(
            container.id or "", params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        )
        self._raw = getattr(self._socket, "_sock", self._socket)
        self._on_output = on_output
        self._on_close = on_close
        self.closed = False
        self._thread = threading.Thread(
            target=self._pump, daemon=True, name=f"stdio-{container.short_id}"
        )
        self._thread.start()

    def _pump(self) -> None:
        try:
            for stream, data in frames_iter(self._socket, tty=False):  # type: ignore[no-untyped-call]
                if data:
                    self._on_output(stream, data)
        except (OSError, ValueError):
            pass
        finally:
            self.closed = True
            self._on_close()

    def send(self, data: bytes) -> None:
        self._raw.sendall(data)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._raw.close()


def update_resources(container: Container, memory_mb: int, foreground: bool) -> None:
    """Set a running container's memory (swap the same, so none) and, with `foreground`,
    give a pooled container its normal CPU weight now that its submission has arrived.

    The memory is sent even when unchanged: crun (1.8, cgroup v1) fails any update without it.
    A container that has already stopped (the candidate's app exited at once, the suite ended)
    needs no update: its end reaches the grading as an event of its own.
    """
    memory = f"{memory_mb}m"
    cpu_shares = NORMAL_CPU_SHARES if foreground else None
    try:
        container.update(mem_limit=memory, memswap_limit=memory, cpu_shares=cpu_shares)
    except docker.errors.NotFound:
        return
    except docker.errors.APIError as exc:
        if not _stopped(container, exc):
            raise


def _stopped(container: Container, exc: docker.errors.APIError) -> bool:
    """The API refused because the container is not running (any more)."""
    if "stopped" in str(exc) or "not running" in str(exc):
        return True
    return not container_state(container).running


def remove_container(container: Container | None) -> None:
    """Kill and remove, whatever state the container is in."""
    if container is None:
        return
    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if "already in progress" not in str(exc):
            raise


#: A volume stays "in use" for a moment after its containers are removed.
_volume_busy = Retrying(
    retry=retry_if_exception_type(docker.errors.APIError),
    wait=wait_incrementing(start=0.1, increment=0.1),
    stop=stop_after_attempt(6),
    reraise=True,
)


def remove_volume(client: docker.DockerClient, name: str | None) -> None:
    if name is None:
        return

    def remove() -> None:
        with contextlib.suppress(docker.errors.NotFound):
            client.volumes.get(name).remove(force=True)

    _volume_busy(remove)


@dataclass(frozen=True)
class ContainerState:
    running: bool
    exit_code: int
    oom: bool
    """Killed by the kernel's OOM killer."""


def container_state(container: Container) -> ContainerState:
    """Whether it runs and, once stopped, how it ended. A container that is gone (removed
    under us) reads as stopped with exit code -1."""
    try:
        container.reload()
    except docker.errors.NotFound:
        return ContainerState(running=False, exit_code=-1, oom=False)
    state = container.attrs["State"]
    return ContainerState(
        running=bool(state.get("Running")),
        exit_code=int(state.get("ExitCode", -1)),
        oom=bool(state.get("OOMKilled", False)),
    )


def owner_is_dead(labels: dict[str, str]) -> bool:
    """The process that made this sandbox object is known to be gone.

    Only a process in our own pid namespace can be checked: the same host name is not enough
    (containers with host networking, sandboxed shells), and a wrong "dead" kills live work.
    """
    where, _, pid = labels.get(LABEL_OWNER, "").rpartition(":")
    if where != owner_id().rpartition(":")[0] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _is_stale(labels: dict[str, str], now: float) -> bool:
    if owner_is_dead(labels):
        return True
    try:
        return now > float(labels.get(LABEL_DEADLINE, "0")) + SWEEP_GRACE_SECONDS
    except ValueError:
        return True


def sweep(client: docker.DockerClient, everything: bool = False) -> int:
    """Remove sandbox containers and volumes left behind by dead or overdue gradings.

    With `everything`, remove all of them (only when no grading can be running).
    Returns how many containers were removed.
    """
    now = time.time()
    removed = 0
    # Sparse: one list call, no per-container inspect that races with other gradings' removals.
    for container in client.containers.list(all=True, filters={"label": LABEL}, sparse=True):
        if everything or _is_stale(container.attrs.get("Labels") or {}, now):
            remove_container(container)
            removed += 1
    for volume in client.volumes.list(filters={"label": LABEL}):
        labels = volume.attrs.get("Labels") or {}
        if everything or _is_stale(labels, now):
            # Still in use by a live grading's container: its own clean-up removes it.
            with contextlib.suppress(docker.errors.APIError):
                volume.remove(force=True)
    # A container created while the daemon shuts down can find its data volume gone, and the
    # daemon then creates a plain one of that name: no labels, no tmpfs. Only ours bear the
    # name; one that no container uses any more is an orphan (in use: Docker refuses, 409).
    for volume in client.volumes.list(filters={"name": DATA_VOLUME_PREFIX}):
        if volume.name.startswith(DATA_VOLUME_PREFIX) and not volume.attrs.get("Labels"):
            with contextlib.suppress(docker.errors.APIError):
                volume.remove()
    return removed
