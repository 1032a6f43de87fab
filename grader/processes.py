"""Long-running processes: the rq worker pool with its reaper, and `grader up`'s supervisor."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

import docker
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker, Worker

from grader.config import Settings, get_settings
from grader.queue import RedisClient, grading_queue
from grader.services.reaper import reap_once, run_reaper
from worker.sandbox import connect, reap

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _work() -> None:
    """One rq worker process (spawned: no state inherited from the parent).

    It leaves the terminal's process group, so a Ctrl-C reaches only the parent, which sends
    exactly one SIGTERM (rq's warm shutdown; a second signal would kill a grading mid-way).
    If the parent dies without doing so, the worker shuts itself down the same way.
    """
    os.setsid()
    parent = os.getppid()

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch_parent, daemon=True).start()
    settings = get_settings()
    redis = Redis.from_url(settings.redis_url)
    wait_for_redis(redis)  # else a Redis outage makes the pool restart us in a loop
    queues = [grading_queue(redis, settings.job_timeout_seconds)]
    if settings.warm_slots == 0:
        Worker(queues, connection=redis).work(with_scheduler=False, logging_level="INFO")
        return
    # A forked work-horse per job would throw a warm pool away after every job: run jobs here.
    from worker.jobs import close_sandbox

    try:
        SimpleWorker(queues, connection=redis).work(with_scheduler=False, logging_level="INFO")
    finally:
        close_sandbox()


def wait_for_redis(
    redis: RedisClient, sleep: Callable[[float], None] = time.sleep, max_delay: float = 10.0
) -> None:
    """Block until Redis answers a ping, retrying with backoff and logging (no bound: a worker
    has nothing to do without Redis; its parent stops it as usual meanwhile)."""
    delay = 0.5
    waited = 0.0
    while True:
        try:
            redis.ping()
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            log.warning("Redis does not answer (%s); retrying in %g s", exc, delay)
            sleep(delay)
            waited += delay
            delay = min(delay * 2, max_delay)
            continue
        if waited:
            log.warning("Redis answers again after about %.0f s", waited)
        return


class Respawn:
    """When to replace an exited worker: at once if it ran a while, else after a delay that
    doubles with each quick exit in a row (1 s to 60 s), so a failure at start-up does not
    become a restart loop."""

    QUICK_SECONDS = 30.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.quick_exits = 0
        self.not_before = 0.0

    def exited(self, ran_for: float) -> float:
        """Record an exit after `ran_for` seconds; returns the delay before the next start."""
        self.quick_exits = self.quick_exits + 1 if ran_for < self.QUICK_SECONDS else 0
        delay = 0.0 if self.quick_exits == 0 else min(2.0 ** (self.quick_exits - 1), 60.0)
        self.not_before = max(self.not_before, self.clock() + delay)
        return delay

    def may_start(self) -> bool:
        return self.clock() >= self.not_before


def run_worker_pool(settings: Settings, count: int) -> None:
    """Run `count` rq workers plus the reaper until SIGINT/SIGTERM.

    On a stop signal the workers finish their current grading (rq's warm shutdown), then the
    sandbox containers of any worker that died are removed.
    """
    client = connect(settings.docker_url)
    removed = reap(client)
    if removed:
        log.warning("removed %s stale sandbox container(s)", removed)
    redis = Redis.from_url(settings.redis_url)
    redis.ping()
    stopping = _StopFlag()
    stop = threading.Event()  # for the reaper thread; set by this thread, never by a handler
    reap_once(settings, redis)
    reaper = threading.Thread(target=run_reaper, args=(settings, redis, stop), daemon=True)
    reaper.start()
    sweeper = threading.Thread(target=_sweep_sandboxes, args=(client, stop), daemon=True)
    sweeper.start()
    context = multiprocessing.get_context("spawn")
    workers: list[BaseProcess] = []
    born: dict[BaseProcess, float] = {}
    respawn = Respawn()
    try:
        while not stopping:
            for process in [w for w in workers if not w.is_alive()]:
                delay = respawn.exited(time.monotonic() - born.pop(process))
                log.warning(
                    "%s exited with %s; starting another in %g s",
                    process.name,
                    process.exitcode,
                    delay,
                )
                workers.remove(process)
            while len(workers) < count and not stopping and respawn.may_start():
                process = context.Process(target=_work, name=f"grader-worker-{len(workers)}")
                process.start()
                born[process] = time.monotonic()
                workers.append(process)
            time.sleep(0.5)
    finally:
        stop.set()
        for process in workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        # rq finishes the grading in hand (bounded by the job timeout); a worker stuck past
        # that (e.g. retrying a Redis that is gone) is killed. Its submission stays `running`
        # in the database, and the reaper re-enqueues it.
        deadline = time.monotonic() + settings.job_timeout_seconds
        for process in workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.warning("%s did not stop in time; killing it", process.name)
                process.kill()
                process.join()
        reap(client)  # containers of horses that did not end cleanly


#: How often the pool's parent removes sandbox containers of dead gradings while it runs.
SWEEP_SECONDS = 60.0


def _sweep_sandboxes(client: docker.DockerClient, stop: threading.Event) -> None:
    """Remove leftovers of gradings whose process died (a horse killed, a clean-up that failed
    while the Docker daemon was away) now and then, not only at start-up and shutdown."""
    while not stop.wait(SWEEP_SECONDS):
        try:
            removed = reap(client)
        except Exception as exc:  # the daemon is away: next time
            log.warning("could not sweep sandbox containers: %s", exc)
            continue
        if removed:
            log.warning("removed %s sandbox container(s) of dead gradings", removed)


class _StopFlag:
    """True once SIGINT or SIGTERM arrived. A plain flag: a handler that takes a lock (as
    `threading.Event.set` does) can deadlock against the thread it interrupted."""

    def __init__(self) -> None:
        self.raised = False
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        self.raised = True

    def __bool__(self) -> bool:
        return self.raised


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A private, non-persistent redis-server on `port` of loopback (default: a free one)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server not found: install it (apt-get install redis-server) or set "
            "GRADER_REDIS_URL to a running Redis"
        )
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    # Its own session: a Ctrl-C must not stop Redis before the workers have shut down.
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    redis = Redis.from_url(url)
    for _ in range(100):
        try:
            redis.ping()
            return process, url
        except Exception:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}") from None
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("redis-server did not answer within 5 s")


def supervise(commands: Sequence[Sequence[str]], env: dict[str, str]) -> int:
    """Run commands side by side until one exits or SIGINT/SIGTERM; then stop them all."""
    stopping = _StopFlag()
    children = [subprocess.Popen(list(cmd), env=env) for cmd in commands]
    try:
        while not stopping:
            if any(child.poll() is not None for child in children):
                break
            time.sleep(0.5)
    finally:
        terminate(children)
    return max((child.returncode or 0) for child in children)


def terminate(children: Sequence[subprocess.Popen[bytes]], grace: float = 60.0) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def grader_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "grader", *args]
