"""Faults under a backlog: Redis flushed, Redis restarted, the Docker daemon restarted, while
submissions are queued and gradings run. Nothing may be lost, nothing graded twice, and the
grader's outages must never become a candidate's verdict."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from sqlalchemy import select

from grader.config import REPO_ROOT
from grader.db.models import Submission, SubmissionStatus
from grader.db.session import get_sessionmaker
from tests.e2e.conftest import REAPER_DEADLINE, Service, audit, install_audit
from tests.e2e.test_load import (
    create_api_key,
    kind_of,
    misgraded,
    submit_all,
    wait_terminal,
)
from worker.sandbox.runtime import daemon_answers

pytestmark = [pytest.mark.docker, pytest.mark.timeout(600)]

BACKLOG = 24
DOCKER_PID_FILE = Path("/var/run/docker.pid")


def statuses(svc: Service, ids: list[int]) -> dict[int, str]:
    with get_sessionmaker(svc.database_url)() as session:
        rows = session.execute(
            select(Submission.id, Submission.status).where(Submission.id.in_(ids))
        ).all()
    return {row.id: row.status.value for row in rows}


def wait_for(
    svc: Service, ids: list[int], ready: Callable[[Counter[str]], bool], seconds: float = 120
) -> dict[int, str]:
    """Poll the rows until `ready(Counter of statuses)`; the statuses at that moment."""
    deadline = time.monotonic() + seconds
    while True:
        now = statuses(svc, ids)
        if ready(Counter(now.values())):
            return now
        assert time.monotonic() < deadline, f"never ready: {Counter(now.values())}"
        time.sleep(0.1)


def backlog_with_gradings_running(counts: Counter[str]) -> bool:
    return counts["running"] >= 1 and counts["queued"] >= BACKLOG // 2


def start(private_service: Callable[..., Service], **settings: str) -> tuple[Service, str]:
    svc = private_service(workers=2, GRADER_RATE_LIMIT_PER_MINUTE="1000", **settings)
    install_audit(svc.database_url)
    return svc, create_api_key(svc)


def report(name: str, record_property: Any, **stats: Any) -> None:
    for key, value in stats.items():
        record_property(key, value)
    print(f"\n{name}: {stats}")


def test_a_flush_with_a_backlog_queued_loses_nothing(
    private_service: Callable[..., Service], record_property: Any
) -> None:
    """FLUSHALL while gradings run and most submissions wait in the queue: the running ones
    finish as attempt 1, the reaper re-enqueues each lost one exactly once."""
    svc, key = start(private_service)
    kinds = [kind_of(i) for i in range(BACKLOG)]
    started = time.monotonic()
    ids = submit_all(svc, key, kinds)
    wait_for(svc, ids, backlog_with_gradings_running)
    assert svc.private_redis is not None
    svc.private_redis.client.flushall()
    flushed = time.monotonic()
    # A job a worker took just before the flush claims its row just after: look once that
    # is done. What is still queued now lost its job.
    time.sleep(1.0)
    at_flush = statuses(svc, ids)
    lost = [i for i, status in at_flush.items() if status == "queued"]
    rows = wait_terminal(svc, ids, seconds=REAPER_DEADLINE + 240)
    assert not (wrong := misgraded(svc, ids, kinds, rows)), wrong
    attempts = {i: rows[i].attempts for i in ids}
    assert all(attempts[i] == 2 for i in lost), {i: attempts[i] for i in lost}
    assert all(a <= 2 for a in attempts.values()), attempts
    report(
        "flush",
        record_property,
        submissions=BACKLOG,
        queued_at_flush=len(lost),
        running_at_flush=Counter(at_flush.values())["running"],
        reenqueued=sum(1 for a in attempts.values() if a == 2),
        all_terminal_s_after_flush=round(time.monotonic() - flushed, 1),
        total_s=round(time.monotonic() - started, 1),
    )


def test_a_redis_restart_with_a_backlog_queued_and_gradings_running_loses_nothing(
    private_service: Callable[..., Service], record_property: Any
) -> None:
    """Stop redis-server (it persists nothing: every queued job is gone) while gradings run,
    keep it down a few seconds, start it again on the same port. The workers and the reaper
    reconnect on their own; every submission is graded exactly once; while Redis is down the
    API refuses new submissions (503, Retry-After) without storing them and is not ready."""
    svc, key = start(private_service)
    assert svc.private_redis is not None
    kinds = [kind_of(i) for i in range(BACKLOG)]
    ids = submit_all(svc, key, kinds)
    wait_for(svc, ids, backlog_with_gradings_running)
    svc.private_redis.stop()
    stopped = time.monotonic()
    # A job a worker took just before the stop claims its row just after: look once that
    # is done. What is still queued now lost its job with Redis.
    time.sleep(1.0)
    at_stop = statuses(svc, ids)
    try:
        with svc.client(api_key=key) as http:
            try:
                refused = str(
                    http.post(
                        "/api/v1/submissions",
                        json={"challenge": "hello-world", "files": {"main.py": ""}},
                    ).status_code
                )
            except httpx.TransportError as exc:
                refused = type(exc).__name__
        with svc.client() as http:  # a new connection: the API dropped the last one
            ready = http.get("/readyz")
        time.sleep(max(0.0, 5 - (time.monotonic() - stopped)))  # gradings end meanwhile
    finally:
        svc.private_redis.start()
    down_for = time.monotonic() - stopped
    assert refused == "503", refused  # refused with a retry time, never accepted...
    assert svc.count_submissions() == BACKLOG  # ...and nothing half-accepted was stored
    assert ready.status_code == 503, ready.text
    rows = wait_terminal(svc, ids, seconds=REAPER_DEADLINE + 240)
    assert not (wrong := misgraded(svc, ids, kinds, rows)), wrong
    lost = [i for i, status in at_stop.items() if status == "queued"]
    assert all(rows[i].attempts == 2 for i in lost), {i: rows[i].attempts for i in lost}
    with svc.client() as http:
        assert http.get("/readyz").status_code == 200
    assert svc.worker is not None and svc.worker.poll() is None, "the worker pool died"
    restarts = (svc.logs / "worker.log").read_text().count("starting another")
    report(
        "redis restart",
        record_property,
        submissions=BACKLOG,
        queued_at_stop=len(lost),
        running_at_stop=Counter(at_stop.values())["running"],
        redis_down_s=round(down_for, 1),
        api_answer_while_down=refused,
        rq_worker_restarts=restarts,
        attempts=dict(Counter(r.attempts for r in rows.values())),
    )


def _dockerd_pid() -> int:
    return int(DOCKER_PID_FILE.read_text().strip())


def _wait_gone(pid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state == "Z":
            return  # exited; its parent has not reaped it yet
        assert time.monotonic() < deadline, f"dockerd {pid} did not exit in {seconds} s"
        time.sleep(0.1)


def _start_dockerd() -> None:
    """Run scripts/setup-docker.sh: no daemon answers, so it starts one as it always does."""
    done = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "setup-docker.sh")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(
    not DOCKER_PID_FILE.exists() or os.geteuid() != 0,
    reason="needs to restart the local Docker daemon (root, /var/run/docker.pid)",
)
def test_a_docker_daemon_restart_mid_grading_costs_no_verdict(
    private_service: Callable[..., Service],
    docker_client: docker.DockerClient,
    record_property: Any,
) -> None:
    """SIGTERM dockerd while gradings run (with warm slots), start it again as
    scripts/setup-docker.sh does. The gradings it cut short are the grader's fault: retried,
    never a candidate verdict; the queued ones wait for the daemon instead of burning attempts;
    the warm pools recover."""
    svc, key = start(private_service, GRADER_WARM_SLOTS="1", GRADER_MAX_ATTEMPTS="3")
    kinds = [kind_of(i) for i in range(12)]
    ids = submit_all(svc, key, kinds)
    at_stop = wait_for(svc, ids, lambda c: c["running"] >= 2)
    pid = _dockerd_pid()
    stopped = time.monotonic()
    try:
        os.kill(pid, signal.SIGTERM)
        _wait_gone(pid, seconds=60)
        gone = time.monotonic()
    finally:
        if not daemon_answers():
            _start_dockerd()
    back = time.monotonic()
    docker_client.api.close()  # drop pooled connections to the old daemon
    rows = wait_terminal(svc, ids, seconds=300)
    writes = audit(svc.database_url)
    # Whatever happened in between, no write ever gave a candidate verdict for our outage:
    # each submission's only terminal write is the right verdict for its answer.
    assert not (wrong := misgraded(svc, ids, kinds, rows)), wrong
    cut_short = [i for i in ids if any(w.new == "queued" and w.old == "running" for w in writes[i])]
    assert cut_short, "no grading was running when the daemon stopped: the test proved nothing"
    log = (svc.logs / "worker.log").read_text()
    assert "the Docker daemon answers again" in log  # jobs waited instead of burning attempts
    assert max(r.attempts for r in rows.values()) <= 2, Counter(r.attempts for r in rows.values())
    # And the service grades again as usual (the fixture then checks no container is left).
    with svc.client(api_key=key) as http:
        after = [
            http.post(
                "/api/v1/submissions",
                json={"challenge": "hello-world", "files": rows[ids[0]].files},
            ).json()["id"]
        ]
    final = wait_terminal(svc, after, seconds=120)[after[0]]
    assert (final.status, final.score) == (SubmissionStatus.COMPLETED, 100)
    report(
        "docker restart",
        record_property,
        submissions=len(ids),
        running_at_stop=Counter(at_stop.values())["running"],
        daemon_stop_s=round(gone - stopped, 1),
        daemon_down_s=round(back - stopped, 1),
        retried=len(cut_short),
        attempts=dict(Counter(r.attempts for r in rows.values())),
        all_terminal_s_after_restart=round(time.monotonic() - back, 1),
    )
