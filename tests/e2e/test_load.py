"""Load: a burst of submissions through the real API, real workers, Redis, Docker, PostgreSQL.

Every submission must reach a terminal status with exactly one result (proved by a trigger that
records every write of every row), scored for what it is, and no container may be left.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker
import pytest
from sqlalchemy import select

from grader.db.models import Submission
from grader.db.session import get_sessionmaker
from tests.e2e.conftest import (
    TERMINAL,
    Service,
    audit,
    install_audit,
    sandbox_containers,
    terminal_writes,
)
from tests.e2e.test_service import SOLUTION, WRONG
from worker.sandbox.runtime import owner_is_dead

pytestmark = pytest.mark.docker

#: LOAD_SUBMISSIONS overrides it for a quick local run; CI runs the full burst.
BURST = int(os.environ.get("LOAD_SUBMISSIONS", "500"))
WORKERS = 3
BROKEN = {"main.py": "from fastapi import FastAPI\n\napp = FastAPI(\n"}  # a SyntaxError

#: What each kind of answer must get: (status, verdict, score predicate).
EXPECTED: dict[str, tuple[str, str, Callable[[int], bool]]] = {
    "right": ("completed", "passed", lambda score: score == 100),
    "wrong": ("completed", "failed", lambda score: 0 <= score < 100),
    "broken": ("completed", "error", lambda score: score == 0),
}
ANSWERS = {"right": SOLUTION, "wrong": WRONG, "broken": BROKEN}


def kind_of(i: int) -> str:
    return ("right", "right", "wrong", "wrong", "broken")[i % 5]


def leftovers(client: docker.DockerClient, before: set[str]) -> dict[str, dict[str, str]]:
    """New sandbox containers whose owner is gone: ours, once our workers are stopped (others'
    gradings may be running on this daemon meanwhile; their owners are alive)."""
    return {
        cid: labels
        for cid, labels in sandbox_containers(client).items()
        if cid not in before and owner_is_dead(labels)
    }


def create_api_key(svc: Service) -> str:
    with svc.client(svc.admin_token) as http:
        response = http.post("/api/v1/api-keys", json={"name": "load"})
        assert response.status_code == 201, response.text
        # The burst is the point: its key gets a limit above it (API keys default to 120/min).
        raised = http.patch(
            f"/api/v1/api-keys/{response.json()['id']}", json={"rate_limit_per_minute": 100_000}
        )
        assert raised.status_code == 200, raised.text
    return str(response.json()["key"])


def submit_all(svc: Service, api_key: str, kinds: list[str]) -> list[int]:
    """POST every submission from 16 threads; each must be accepted (202)."""

    def post(kind: str) -> int:
        with svc.client(api_key=api_key) as http:
            response = http.post(
                "/api/v1/submissions", json={"challenge": "hello-world", "files": ANSWERS[kind]}
            )
        assert response.status_code == 202, response.text  # accepted: queued
        return int(response.json()["id"])

    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(post, kinds))


def wait_terminal(svc: Service, ids: list[int], seconds: float) -> dict[int, Submission]:
    deadline = time.monotonic() + seconds
    while True:
        with get_sessionmaker(svc.database_url)() as session:
            rows = {
                row.id: row
                for row in session.scalars(select(Submission).where(Submission.id.in_(ids)))
            }
        pending = [i for i in ids if i not in rows or rows[i].status.value not in TERMINAL]
        if not pending:
            return rows
        assert time.monotonic() < deadline, (
            f"{len(pending)} of {len(ids)} submissions not terminal after {seconds} s: "
            f"{Counter(rows[i].status.value for i in pending if i in rows)}"
        )
        time.sleep(1.0)


def misgraded(
    svc: Service, ids: list[int], kinds: list[str], rows: dict[int, Submission]
) -> list[str]:
    """Submissions not graded exactly once (one terminal write, the last one, after a single
    insert as attempt 1) or not scored for what they are."""
    writes = audit(svc.database_url)
    wrong: list[str] = []
    for submission_id, kind in zip(ids, kinds, strict=True):
        row, history = rows[submission_id], writes.get(submission_id, [])
        status, verdict, score_ok = EXPECTED[kind]
        ends = terminal_writes(history)
        if len(ends) != 1 or history[-1] is not ends[0]:
            wrong.append(f"{submission_id} ({kind}): {len(ends)} terminal writes: {history}")
        elif (row.status.value, row.verdict) != (status, verdict) or not score_ok(row.score or 0):
            wrong.append(f"{submission_id} ({kind}): {row.status} {row.verdict} {row.score}")
        elif history[0].old is not None or history[0].attempts != 1:
            wrong.append(f"{submission_id} ({kind}): not inserted once as attempt 1: {history}")
    return wrong


@pytest.mark.timeout(max(300, int(BURST * 3)))  # 500 hello-worlds take ~11 min on 2 busy cores
def test_a_burst_of_submissions_is_graded_once_each(
    private_service: Callable[..., Service],
    docker_client: docker.DockerClient,
    record_property: Any,
) -> None:
    before = set(sandbox_containers(docker_client))
    svc = private_service(
        workers=WORKERS,
        GRADER_WARM_SLOTS="1",
        GRADER_RATE_LIMIT_PER_MINUTE=str(BURST * 2),
    )
    install_audit(svc.database_url)
    api_key = create_api_key(svc)
    kinds = [kind_of(i) for i in range(BURST)]

    started = time.monotonic()
    ids = submit_all(svc, api_key, kinds)
    submitted = time.monotonic() - started
    assert len(set(ids)) == BURST
    rows = wait_terminal(svc, ids, seconds=max(120.0, BURST * 2.4))
    drained = time.monotonic() - started
    svc.stop_worker()  # its pool's warm slots go too: then nothing of ours may remain

    wrong = misgraded(svc, ids, kinds, rows)
    assert not wrong, f"{len(wrong)} submissions wrong, e.g. {wrong[:5]}"
    assert svc.count_submissions() == BURST  # nothing lost, nothing extra
    assert not leftovers(docker_client, before), "sandbox containers left behind"

    durations = sorted(row.duration_ms or 0 for row in rows.values())
    stats = {
        "submissions": BURST,
        "workers": WORKERS,
        "accepted_in_s": round(submitted, 1),
        "all_terminal_in_s": round(drained, 1),
        "per_second": round(BURST / drained, 2),
        "grading_ms_median": statistics.median(durations),
        "grading_ms_p95": durations[int(0.95 * (len(durations) - 1))],
        "attempts": dict(Counter(row.attempts for row in rows.values())),
        "verdicts": dict(Counter(str(row.verdict) for row in rows.values())),
    }
    for name, value in stats.items():
        record_property(name, value)
    print(f"\nload: {stats}")
