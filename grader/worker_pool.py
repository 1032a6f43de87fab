"""The rq worker pool: worker processes (respawned with backoff when they exit), the reaper
that re-enqueues lost gradings, and the sweep that removes dead gradings' containers."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess

import docker
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker, Worker
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential

from grader.config import Settings, get_settings
from grader.engine import close_process_sandbox
from grader.queue import RedisClient, grading_queue, upgrade_legacy_jobs
from grader.services.reaper import reap_once, run_reaper
from grader.supervisor import StopFlag
from worker.sandbox import connect, sweep
from worker.sandbox.runtime import daemon_answers

log = logging.getLogger(__name__)


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
    try:
        SimpleWorker(queues, connection=redis).work(with_scheduler=False, logging_level="INFO")
    finally:
        close_process_sandbox()


def wait_for_redis(
    redis: RedisClient, sleep: Callable[[float], None] = time.sleep, max_delay: float = 10.0
) -> None:
    """Block until Redis answers a ping, retrying with backoff and logging (no bound: a worker
    has nothing to do without Redis; its parent stops it as usual meanwhile)."""
    started = time.monotonic()

    def waiting(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0
        log.warning("Redis does not answer (%s); retrying in %g s", error, delay)

    Retrying(
        retry=retry_if_exception_type((RedisConnectionError, RedisTimeoutError, OSError)),
        wait=wait_exponential(multiplier=0.5, max=max_delay),
        sleep=sleep,
        before_sleep=waiting,
        reraise=True,
    )(redis.ping)
    if time.monotonic() - started > 1:
        log.warning("Redis answers again after about %.0f s", time.monotonic() - started)


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


class DaemonGate:
    """Whether this host's Docker daemon answers, asked at most every `GATE_SECONDS`.

    Workers run only while it does: a worker whose daemon is gone would take jobs that a
    healthy host could grade (it hands them back, `grader.jobs.DaemonAway`, but only after
    holding them)."""

    def __init__(
        self,
        docker_url: str | None,
        answers: Callable[[str | None], bool] = daemon_answers,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.docker_url = docker_url
        self.answers = answers
        self.clock = clock
        self.open = True
        self._checked = -GATE_SECONDS

    def check(self) -> bool:
        now = self.clock()
        if now - self._checked >= GATE_SECONDS:
            self._checked = now
            was, self.open = self.open, self.answers(self.docker_url)
            if was and not self.open:
                log.warning("the Docker daemon does not answer: stopping this host's workers")
            elif self.open and not was:
                log.warning("the Docker daemon answers again: starting this host's workers")
        return self.open


#: How often the pool's parent asks whether its Docker daemon answers.
GATE_SECONDS = 2.0


def run_worker_pool(settings: Settings, count: int) -> None:
    """Run `count` rq workers plus the reaper until SIGINT/SIGTERM.

    On a stop signal the workers finish their current grading (rq's warm shutdown), then the
    sandbox containers of any worker that died are removed. While the Docker daemon does not
    answer, no worker runs (`DaemonGate`): jobs wait in the queue for this host or another.
    """
    client = connect(settings.docker_url)
    removed = sweep(client)
    if removed:
        log.warning("removed %s stale sandbox container(s)", removed)
    redis = Redis.from_url(settings.redis_url)
    redis.ping()
    upgrade_legacy_jobs(grading_queue(redis, settings.job_timeout_seconds))
    stopping = StopFlag()
    stop = threading.Event()  # for the reaper thread; set by this thread, never by a handler
    reap_once(settings, redis)
    reaper = threading.Thread(target=run_reaper, args=(settings, redis, stop), daemon=True)
    reaper.start()
    sweeper = threading.Thread(target=_sweep_sandboxes, args=(client, stop), daemon=True)
    sweeper.start()
    context = multiprocessing.get_context("spawn")
    workers: list[BaseProcess] = []
    born: dict[BaseProcess, float] = {}
    gated: set[BaseProcess] = set()  # stopped because the daemon went away: no respawn delay
    respawn = Respawn()
    gate = DaemonGate(settings.docker_url)
    try:
        while not stopping:
            for process in [w for w in workers if not w.is_alive()]:
                ran_for = time.monotonic() - born.pop(process)
                workers.remove(process)
                if process in gated:
                    gated.discard(process)
                    continue
                delay = respawn.exited(ran_for)
                log.warning(
                    "%s exited with %s; starting another in %g s",
                    process.name,
                    process.exitcode,
                    delay,
                )
            if not gate.check():
                for process in workers:
                    if process not in gated and process.pid is not None:
                        os.kill(process.pid, signal.SIGTERM)  # warm shutdown: the job in hand
                        gated.add(process)  # ends (handed back if it needs the daemon)
                time.sleep(0.5)
                continue
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
        sweep(client)  # containers of horses that did not end cleanly


#: How often the pool's parent removes sandbox containers of dead gradings while it runs.
SWEEP_SECONDS = 60.0


def _sweep_sandboxes(client: docker.DockerClient, stop: threading.Event) -> None:
    """Remove leftovers of gradings whose process died (a horse killed, a clean-up that failed
    while the Docker daemon was away) now and then, not only at start-up and shutdown."""
    while not stop.wait(SWEEP_SECONDS):
        try:
            removed = sweep(client)
        except Exception as exc:  # the daemon is away: next time
            log.warning("could not sweep sandbox containers: %s", exc)
            continue
        if removed:
            log.warning("removed %s sandbox container(s) of dead gradings", removed)
