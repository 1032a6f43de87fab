"""The grading service end to end: HTTP API, Redis queue, rq workers, Docker, both databases."""

from __future__ import annotations

import io
import json
import os
import queue
import re
import secrets
import signal
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import docker
import pytest
from rq import Queue
from rq.job import JobStatus

from grader.queue import JOB_FUNCTION, QUEUE_NAME
from grader.services.webhooks import SIGNATURE_HEADER, verify
from tests.e2e.conftest import (
    ARCHIVED_SLUG,
    CALLBACK_SECRET,
    HELLO,
    REAPER_DEADLINE,
    Service,
    sandbox_containers,
)
from worker.challenge import load_challenge
from worker.sandbox.runtime import owner_is_dead

pytestmark = pytest.mark.docker

SPEC = load_challenge(HELLO)
SOLUTION = SPEC.solution
WRONG = SPEC.mutants["wrong-message"]
APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def submit(http: Any, files: dict[str, str], challenge: str = "hello-world") -> Any:
    return http.post("/api/v1/submissions", json={"challenge": challenge, "files": files})


def wait_final(http: Any, submission_id: int, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = http.get(f"/api/v1/submissions/{submission_id}", params={"wait": 30})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in ("completed", "error"):
            return body
    raise AssertionError(f"submission {submission_id} not graded within {seconds} s: {body}")


def test_reference_answer_is_graded_100(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        response = submit(http, SOLUTION)
        assert response.status_code == 202, response.text
        created = response.json()
        assert created["status"] == "queued"
        assert response.headers["Location"] == f"/api/v1/submissions/{created['id']}"
        final = wait_final(http, created["id"])
    assert final["status"] == "completed", final
    assert (final["verdict"], final["score"], final["max_score"]) == ("passed", 100, 100)
    assert final["result"]["tests"] and all(
        t["outcome"] == "passed" for t in final["result"]["tests"]
    )


def test_wrong_answer_is_graded_below_100(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        final = wait_final(http, submit(http, WRONG).json()["id"])
    assert final["status"] == "completed" and final["verdict"] == "failed"
    assert 0 <= final["score"] < 100


def test_long_poll_returns_early_once_graded(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        created = submit(http, SOLUTION).json()
        started = time.monotonic()
        response = http.get(f"/api/v1/submissions/{created['id']}", params={"wait": 60})
        elapsed = time.monotonic() - started
    assert response.json()["status"] == "completed"
    assert elapsed < 45, f"long poll held {elapsed:.1f} s after the grade was in"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/challenges"),
        ("GET", "/api/v1/challenges/hello-world"),
        ("POST", "/api/v1/submissions"),
        ("GET", "/api/v1/submissions"),
        ("GET", "/api/v1/submissions/1"),
        ("POST", "/api/v1/api-keys"),
        ("GET", "/api/v1/users"),
    ],
)
def test_unauthenticated_requests_get_401(service: Service, method: str, path: str) -> None:
    for creds in ({}, {"token": "not-a-jwt"}, {"api_key": "igk_not-a-key"}):
        with service.client(**creds) as http:
            response = http.request(method, path, json={})
        assert response.status_code == 401, (creds, response.text)


def test_wrong_password_gets_401(service: Service) -> None:
    with service.client() as http:
        response = http.post(
            "/api/v1/auth/token", data={"username": "admin", "password": "wrong-password"}
        )
    assert response.status_code == 401


def test_candidate_cannot_read_another_candidates_submission(service: Service) -> None:
    _, alice = service.new_candidate()
    bob_name, bob = service.new_candidate()
    with service.client(bob) as http:
        bob_id = submit(http, WRONG).json()["id"]
    with service.client(alice) as http:
        assert http.get(f"/api/v1/submissions/{bob_id}").status_code == 404
        assert http.get(f"/api/v1/submissions/{bob_id + 10_000}").status_code == 404
        listed = http.get("/api/v1/submissions", params={"user": bob_name}).json()
        assert listed["total"] == 0 and listed["items"] == []
    with service.client(service.admin_token) as http:
        assert http.get(f"/api/v1/submissions/{bob_id}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/api-keys", {"name": "x"}),
        ("GET", "/api/v1/api-keys", None),
        ("DELETE", "/api/v1/api-keys/1", None),
        ("POST", "/api/v1/users", {"username": "eve1"}),
        ("GET", "/api/v1/users", None),
    ],
)
def test_candidate_cannot_call_admin_routes(
    service: Service, method: str, path: str, body: dict[str, str] | None
) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        response = http.request(method, path, json=body)
    assert response.status_code == 403, response.text


def test_api_key_reads_all_submits_and_stops_working_once_revoked(service: Service) -> None:
    _, candidate = service.new_candidate()
    with service.client(candidate) as http:
        theirs = submit(http, WRONG).json()["id"]
    with service.client(service.admin_token) as http:
        created = http.post("/api/v1/api-keys", json={"name": "ats"})
        assert created.status_code == 201, created.text
        key = created.json()
        listed = http.get("/api/v1/api-keys").json()
        assert all("key" not in k for k in listed)
    with service.client(api_key=key["key"]) as http:
        assert http.get(f"/api/v1/submissions/{theirs}").status_code == 200
        assert submit(http, WRONG).status_code == 202
        assert http.post("/api/v1/api-keys", json={"name": "y"}).status_code == 403
    with service.client(service.admin_token) as http:
        assert http.delete(f"/api/v1/api-keys/{key['id']}").status_code == 204
    with service.client(api_key=key["key"]) as http:
        assert http.get(f"/api/v1/submissions/{theirs}").status_code == 401


def _hidden_lines() -> set[str]:
    """Distinctive lines of the suite, solution, mutants and alternatives: ones the candidate's
    own material (prompt, starter) does not contain."""
    public = SPEC.prompt + "\n".join(SPEC.starter.values())
    hidden = [SPEC.tests, SPEC.solution, *SPEC.mutants.values(), *SPEC.alternatives.values()]
    lines = {
        line.strip() for files in hidden for text in files.values() for line in text.splitlines()
    }
    return {line for line in lines if len(line) >= 12 and line not in public}


def test_no_response_contains_hidden_content(service: Service) -> None:
    hidden = _hidden_lines()
    assert len(hidden) > 10  # the check below must have something to find
    own_answer = {
        "main.py": APP + '\n@app.get("/")\ndef root() -> dict[str, str]:\n'
        '    return {"message": "hi"}\n'
    }
    _, token = service.new_candidate()
    bodies: list[str] = []
    with service.client(token) as http:
        submission_id = submit(http, own_answer).json()["id"]
        final = wait_final(http, submission_id)
        assert final["status"] == "completed" and final["result"]["tests"]
        for path in (
            "/api/v1/challenges",
            "/api/v1/challenges/hello-world",
            f"/api/v1/submissions/{submission_id}",
            "/api/v1/submissions",
        ):
            bodies.append(http.get(path).text)
    with service.client(service.admin_token) as http:
        bodies += [
            http.get(p).text
            for p in (
                "/api/v1/challenges/hello-world",
                f"/api/v1/submissions/{submission_id}",
                "/api/v1/submissions",
            )
        ]
    detail = json.loads(bodies[1])
    assert detail["prompt"] == SPEC.prompt and detail["starter"] == SPEC.starter
    for body in bodies:
        text = json.loads(body)  # compare decoded text, not JSON escapes
        flat = json.dumps(text, ensure_ascii=False).replace("\\n", "\n").replace('\\"', '"')
        leaked = [line for line in hidden if line in flat]
        assert not leaked, f"hidden content in a response: {leaked[:3]}"
        for key in ("solution", "mutants", "alternatives"):
            assert f'"{key}"' not in body, f"a response has a {key!r} field"


BAD_INPUTS: list[tuple[str, Any, int]] = [
    ("unknown challenge", {"challenge": "no-such-thing", "files": {"main.py": APP}}, 404),
    ("archived challenge", {"challenge": ARCHIVED_SLUG, "files": {"main.py": APP}}, 422),
    ("no main.py", {"challenge": "hello-world", "files": {"app.py": APP}}, 422),
    ("no files", {"challenge": "hello-world", "files": {}}, 422),
    ("files not a map", {"challenge": "hello-world", "files": ["main.py"]}, 422),
    (
        "21 files",
        {
            "challenge": "hello-world",
            "files": {"main.py": APP, **{f"m{i}.py": "" for i in range(20)}},
        },
        422,
    ),
    (
        "over 256 KiB",
        {"challenge": "hello-world", "files": {"main.py": APP + "#" * (256 * 1024) + "\n"}},
        413,
    ),
    (
        "dot-dot name",
        {"challenge": "hello-world", "files": {"main.py": APP, "../escape.py": ""}},
        422,
    ),
    (
        "absolute name",
        {"challenge": "hello-world", "files": {"main.py": APP, "/tmp/x.py": ""}},
        422,
    ),
    (
        "odd characters",
        {"challenge": "hello-world", "files": {"main.py": APP, "a b;rm.py": ""}},
        422,
    ),
    (
        "lone surrogate",
        '{"challenge": "hello-world", "files": {"main.py": "x = \\"\\udcff\\""}}',
        422,
    ),
    (
        "invalid UTF-8 bytes",
        b'{"challenge": "hello-world", "files": {"main.py": "x = \xff\xfe"}}',
        400,
    ),
    (
        "callback not http",
        {"challenge": "hello-world", "files": {"main.py": APP}, "callback_url": "ftp://x/y"},
        422,
    ),
    (
        "body over the request cap",
        {"challenge": "hello-world", "files": {"main.py": "#" * (3 * 1024 * 1024)}},
        413,
    ),
]


@pytest.mark.parametrize(("case", "body", "status"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_and_nothing_is_stored(
    service: Service, case: str, body: Any, status: int
) -> None:
    _, token = service.new_candidate()
    before = service.count_submissions()
    with service.client(token) as http:
        if isinstance(body, dict):
            response = http.post("/api/v1/submissions", json=body)
        else:
            raw = body.encode() if isinstance(body, str) else body
            response = http.post(
                "/api/v1/submissions", content=raw, headers={"Content-Type": "application/json"}
            )
    assert response.status_code == status, (case, response.text[:300])
    assert response.json()["detail"], "a refusal must say why"
    assert service.count_submissions() == before


def test_chunked_body_over_the_cap_is_refused_while_streaming(service: Service) -> None:
    _, token = service.new_candidate()
    before = service.count_submissions()
    # Past the app's streaming backstop (twice the 2 MiB request cap): cut while it streams.
    body = json.dumps({"challenge": "hello-world", "files": {"main.py": "#" * (8 << 20)}}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1 << 16):
            yield body[start : start + (1 << 16)]

    with service.client(token) as http:
        response = http.post(
            "/api/v1/submissions", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert "content-length" not in response.request.headers, "the body must really be chunked"
    assert response.status_code == 413, response.text[:300]
    # Cut by the streaming cap, not refused by the service after parsing all 8 MiB.
    assert response.json()["detail"] == "Content Too Large", response.text[:300]
    assert service.count_submissions() == before


def test_rate_limit_answers_429_with_retry_after(service: Service) -> None:
    if time.time() % 60 > 45:  # keep all 11 requests in one one-minute window
        time.sleep(61 - time.time() % 60)
    _, token = service.new_candidate()
    _, other = service.new_candidate()
    body = {"challenge": "no-such-thing", "files": {"main.py": APP}}  # cheap: nothing graded
    with service.client(token) as http:
        codes = [http.post("/api/v1/submissions", json=body).status_code for _ in range(10)]
        limited = http.post("/api/v1/submissions", json=body)
    assert codes == [404] * 10
    assert limited.status_code == 429, limited.text
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    with service.client(other) as http:
        assert http.post("/api/v1/submissions", json=body).status_code == 404


def test_submissions_list_filters_and_paginates(service: Service) -> None:
    name, token = service.new_candidate()
    with service.client(token) as http:
        ids = [submit(http, files).json()["id"] for files in (WRONG, SOLUTION)]
        for submission_id in ids:
            wait_final(http, submission_id)
        mine = http.get("/api/v1/submissions", params={"limit": 1}).json()
        assert mine["total"] == 2 and [s["id"] for s in mine["items"]] == [ids[1]]
        second = http.get("/api/v1/submissions", params={"limit": 1, "offset": 1}).json()
        assert [s["id"] for s in second["items"]] == [ids[0]]
    with service.client(service.admin_token) as http:
        theirs = http.get(
            "/api/v1/submissions",
            params={"user": name, "challenge": "hello-world", "status": "completed"},
        ).json()
        assert sorted(s["id"] for s in theirs["items"]) == sorted(ids)
        assert (
            http.get("/api/v1/submissions", params={"user": name, "status": "queued"}).json()[
                "total"
            ]
            == 0
        )
        assert (
            http.get(
                "/api/v1/submissions", params={"user": name, "challenge": ARCHIVED_SLUG}
            ).json()["total"]
            == 0
        )


def test_challenges_list_shows_only_active_ones(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        slugs = [c["slug"] for c in http.get("/api/v1/challenges").json()]
        assert slugs == ["hello-world"]
        assert http.get(f"/api/v1/challenges/{ARCHIVED_SLUG}").status_code == 404
        detail = http.get("/api/v1/challenges/hello-world").json()
    assert detail["limits"] == {"time_seconds": 30.0, "memory_mb": 256}
    assert detail["version"] == 1


def test_reaper_requeues_a_lost_job_and_it_completes(service: Service) -> None:
    _, token = service.new_candidate()
    service.stop_worker()
    try:
        with service.client(token) as http:
            submission_id = submit(http, SOLUTION).json()["id"]
        assert service.redis.llen("rq:queue:grading") == 1
        service.redis.flushdb()  # the job is lost; only the database remembers
        assert service.redis.llen("rq:queue:grading") == 0
    finally:
        service.start_worker()
    with service.client(token) as http:
        final = wait_final(http, submission_id, seconds=REAPER_DEADLINE + 60)
    assert final["status"] == "completed" and final["score"] == 100, final
    assert final["attempts"] >= 2


def test_health_readiness_and_metrics(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        wait_final(http, submit(http, SOLUTION).json()["id"])
    with service.client() as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        ready = http.get("/readyz")
        metrics = http.get("/metrics").text
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "redis": "ok", "docker": "ok"}
    passed = re.search(r'^grader_gradings\{verdict="passed"\} (\d+)', metrics, re.M)
    assert passed and float(passed.group(1)) >= 1
    count = re.search(r"^grader_grading_duration_seconds_count (\S+)", metrics, re.M)
    assert count and float(count.group(1)) >= 1
    assert re.search(r'^grader_queue_depth\{queue="grading"\} \d', metrics, re.M)
    assert 'grader_http_requests_total{method="POST",route="/submissions",status="202"}' in metrics


def test_cli_submit_waits_and_prints_the_score(service: Service) -> None:
    _, token = service.new_candidate()
    done = service.cli("submit", "hello-world", str(HELLO / "solution"), "--token", token)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "score 100/100" in done.stdout


def test_admin_archives_and_restores_a_challenge(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(service.admin_token) as admin, service.client(token) as http:
        assert http.post(f"/api/v1/challenges/{ARCHIVED_SLUG}/restore").status_code == 403
        restored = admin.post(f"/api/v1/challenges/{ARCHIVED_SLUG}/restore")
        try:
            assert restored.status_code == 200 and restored.json()["status"] == "active"
            assert http.get(f"/api/v1/challenges/{ARCHIVED_SLUG}").status_code == 200
        finally:
            archived = admin.post(f"/api/v1/challenges/{ARCHIVED_SLUG}/archive")
        assert archived.json()["status"] == "archived"
        assert http.get(f"/api/v1/challenges/{ARCHIVED_SLUG}").status_code == 404
        assert submit(http, SOLUTION, ARCHIVED_SLUG).status_code == 422
        assert admin.get(f"/api/v1/challenges/{ARCHIVED_SLUG}").status_code == 200


def test_admin_regrades_a_finished_submission(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        submission_id = submit(http, WRONG).json()["id"]
        first = wait_final(http, submission_id)
        assert http.post(f"/api/v1/submissions/{submission_id}/regrade").status_code == 403
    with service.client(service.admin_token) as admin:
        again = admin.post(f"/api/v1/submissions/{submission_id}/regrade")
        assert again.status_code == 202, again.text
        assert again.json()["status"] == "queued" and again.json()["result"] is None
        assert admin.post("/api/v1/submissions/999999/regrade").status_code == 404
        second = wait_final(admin, submission_id)
    # A new round with retries of its own; the first grading stays in the history.
    assert (second["round"], second["attempts"]) == (first["round"] + 1, 1)
    assert (second["verdict"], second["score"]) == (first["verdict"], first["score"])
    history = second["gradings"]
    assert [(g["round"], g["reason"], g["requested_by"]) for g in history] == [
        (1, "first", None),
        (2, "regrade", "admin"),
    ]
    assert all(g["status"] == "completed" and g["score"] == first["score"] for g in history)


def test_admin_regrades_the_latest_submission_of_every_user_of_a_challenge(
    service: Service,
) -> None:
    finished = []
    for files in (WRONG, SOLUTION):  # two candidates; the first submits twice
        _, token = service.new_candidate()
        with service.client(token) as http:
            ids = [submit(http, files).json()["id"] for _ in range(2 if files is WRONG else 1)]
            finished += [wait_final(http, i) for i in ids]
            assert http.post("/api/v1/challenges/hello-world/regrade").status_code == 403
    older, latest_wrong, latest_right = finished
    with service.client(service.admin_token) as admin:
        response = admin.post("/api/v1/challenges/hello-world/regrade")
        assert response.status_code == 202, response.text
        regraded = {s["id"] for s in response.json()}
        assert {latest_wrong["id"], latest_right["id"]} <= regraded
        assert older["id"] not in regraded, "only each user's latest submission is regraded"
        assert admin.post("/api/v1/challenges/no-such-challenge/regrade").status_code == 404
        again = wait_final(admin, latest_right["id"])
        untouched = admin.get(f"/api/v1/submissions/{older['id']}").json()
    assert again["round"] == latest_right["round"] + 1 and again["score"] == 100
    assert untouched["round"] == older["round"] and len(untouched["gradings"]) == 1


def test_multipart_upload_is_graded_like_json(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        response = http.post(
            "/api/v1/submissions/upload",
            data={"challenge": "hello-world"},
            files=[("files", ("main.py", SOLUTION["main.py"].encode(), "text/x-python"))],
        )
        assert response.status_code == 202, response.text
        assert response.headers["location"].endswith(f"/submissions/{response.json()['id']}")
        assert wait_final(http, response.json()["id"])["score"] == 100
        before = service.count_submissions()
        binary = http.post(
            "/api/v1/submissions/upload",
            data={"challenge": "hello-world"},
            files=[("files", ("main.py", b"\xff\xfe\x00binary", "application/octet-stream"))],
        )
        assert binary.status_code == 422 and "UTF-8" in binary.json()["detail"]
        no_main = http.post(
            "/api/v1/submissions/upload",
            data={"challenge": "hello-world"},
            files=[("files", ("app.py", APP.encode(), "text/x-python"))],
        )
        assert no_main.status_code == 422
        assert service.count_submissions() == before, "a refused upload stores nothing"


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _hello_as(slug: str, tests: dict[str, str] | None = None) -> bytes:
    """hello-world under another slug, optionally with another hidden suite."""
    entries = {
        p.relative_to(HELLO).as_posix(): p.read_text()
        for p in HELLO.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    entries["challenge.toml"] = entries["challenge.toml"].replace(
        'slug = "hello-world"', f'slug = "{slug}"'
    )
    if tests is not None:
        entries = {k: v for k, v in entries.items() if not k.startswith("tests/")}
        entries.update({f"tests/{name}": text for name, text in tests.items()})
    return _zip({f"{slug}/{name}": text for name, text in entries.items()})


def _wait_version(http: Any, slug: str, seconds: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        versions = http.get(f"/api/v1/challenges/{slug}/versions").json()
        if versions[-1]["status"] != "pending":
            return dict(versions[-1])
        time.sleep(1)
    raise AssertionError(f"{slug} still pending after {seconds} s")


def test_uploaded_challenge_goes_live_only_after_validation(service: Service) -> None:
    slug = f"up-{secrets.token_hex(3)}"
    _, token = service.new_candidate()
    with service.client(service.admin_token) as admin, service.client(token) as http:
        files = {"file": (f"{slug}.zip", _hello_as(slug), "application/zip")}
        assert http.post("/api/v1/challenges", files=files).status_code == 403
        created = admin.post("/api/v1/challenges", files=files)
        assert created.status_code == 202, created.text
        assert created.json()["status"] == "pending"
        assert http.get(f"/api/v1/challenges/{slug}").status_code == 404  # not live yet
        assert submit(http, SOLUTION, slug).status_code == 404
        version = _wait_version(admin, slug)
        assert version["status"] == "live", version
        assert http.get(f"/api/v1/challenges/{slug}").status_code == 200
        final = wait_final(http, submit(http, SOLUTION, slug).json()["id"])
    assert final["score"] == 100


def test_uploaded_challenge_with_a_weak_suite_is_rejected(service: Service) -> None:
    slug = f"weak-{secrets.token_hex(3)}"
    weak = {"test_hello.py": "def test_anything(client):\n    assert True\n"}
    with service.client(service.admin_token) as admin:
        files = {"file": (f"{slug}.zip", _hello_as(slug, weak), "application/zip")}
        created = admin.post("/api/v1/challenges", files=files)
        assert created.status_code == 202, created.text
        version = _wait_version(admin, slug)
    assert version["status"] == "rejected"
    assert version["problems"], "a rejection must say why"
    _, token = service.new_candidate()
    with service.client(token) as http:
        assert http.get(f"/api/v1/challenges/{slug}").status_code == 404


@pytest.mark.parametrize(
    ("name", "payload", "status"),
    [
        ("escape.zip", _zip({"../challenge.toml": "x"}), 422),
        ("text.zip", b"not an archive", 400),
        ("conflict.zip", _zip({"tests": "x", "tests/test_a.py": "y"}), 400),
        ("broken.zip", _zip({"challenge.toml": 'slug = "x"'}), 422),
        ("huge.zip", b"PK\x03\x04" + b"0" * (3 * 1024 * 1024), 413),
    ],
)
def test_bad_challenge_archives_are_refused(
    service: Service, name: str, payload: bytes, status: int
) -> None:
    with service.client(service.admin_token) as admin:
        response = admin.post("/api/v1/challenges", files={"file": (name, payload)})
    assert response.status_code == status, response.text


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[queue.Queue[tuple[bytes, str]]] = queue.Queue()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.put((body, self.headers.get(SIGNATURE_HEADER, "")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def test_webhooks_are_signed_logged_redelivered_and_sent_again_on_regrade(
    service: Service,
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        _, token = service.new_candidate()
        with service.client(token) as http:
            body = {
                "challenge": "hello-world",
                "files": WRONG,
                "callback_url": url,
                "external_id": "ats-app-42",
            }
            created = http.post("/api/v1/submissions", json=body)
            assert created.status_code == 202, created.text
            final = wait_final(http, created.json()["id"])
            assert http.get(f"/api/v1/submissions/{final['id']}/deliveries").status_code == 403
        raw, signature = _Receiver.received.get(timeout=60)
        assert verify(CALLBACK_SECRET, raw, signature)
        document = json.loads(raw)
        assert document["event"] == "submission.completed"
        event = document["submission"]
        assert (event["id"], event["status"], event["external_id"]) == (
            final["id"],
            "completed",
            "ats-app-42",
        )
        assert event["score"] == final["score"] < 100
        with service.client(service.admin_token) as admin:
            path = f"/api/v1/submissions/{final['id']}/deliveries"
            log = poll(lambda: admin.get(path).json(), lambda d: d[0]["status"] == "delivered")
            (delivery,) = log
            assert [(a["number"], a["status_code"]) for a in delivery["attempts"]] == [(1, 204)]
            again = admin.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver")
            assert again.status_code == 202 and again.json()["redelivery_of"] == delivery["id"]
            raw_again, signature_again = _Receiver.received.get(timeout=60)
            assert json.loads(raw_again)["submission"] == event
            assert verify(CALLBACK_SECRET, raw_again, signature_again)
            assert admin.post(f"/api/v1/submissions/{final['id']}/regrade").status_code == 202
            wait_final(admin, final["id"])
            raw_regrade, _ = _Receiver.received.get(timeout=60)
            assert json.loads(raw_regrade)["submission"]["round"] == 2
            log = poll(
                lambda: admin.get(path).json(),
                lambda d: len(d) == 3 and all(x["status"] != "pending" for x in d),
            )
    finally:
        server.shutdown()
        server.server_close()
    assert [d["status"] for d in log] == ["delivered"] * 3


def poll(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while not done(value := read()):
        assert time.monotonic() < deadline, value
        time.sleep(0.2)
    return value


def test_a_duplicate_job_never_writes_a_second_result(service: Service) -> None:
    _, token = service.new_candidate()
    with service.client(token) as http:
        first = wait_final(http, submit(http, WRONG).json()["id"])
    duplicate = Queue(QUEUE_NAME, connection=service.redis).enqueue_call(
        JOB_FUNCTION, args=(first["id"],), result_ttl=300
    )
    deadline = time.monotonic() + 60
    while duplicate.get_status(refresh=True) not in (JobStatus.FINISHED, JobStatus.FAILED):
        assert time.monotonic() < deadline, "the duplicate job never ran"
        time.sleep(0.2)
    assert str(duplicate.return_value()).startswith("skipped")
    with service.client(token) as http:
        after = http.get(f"/api/v1/submissions/{first['id']}").json()
    assert after == first


def test_a_worker_killed_mid_grading_is_recovered(service: Service) -> None:
    """SIGKILL every worker process while a grading runs: the submission stays `running` until
    the reaper re-enqueues it; the restarted worker removes the dead grading's containers."""
    slow = {"main.py": "import time\ntime.sleep(6)\n" + SOLUTION["main.py"]}
    _, token = service.new_candidate()
    with service.client(token) as http:
        submission_id = submit(http, slow).json()["id"]
        deadline = time.monotonic() + 60
        while http.get(f"/api/v1/submissions/{submission_id}").json()["status"] != "running":
            assert time.monotonic() < deadline, "the grading never started"
            time.sleep(0.1)
    assert service.worker is not None
    for pid in _process_tree(service.worker.pid):
        os.kill(pid, signal.SIGKILL)  # the pool, its rq workers and the grading horse
    service.worker.wait()
    service.worker = None
    service.start_worker()
    with service.client(token) as http:
        final = wait_final(http, submission_id, seconds=REAPER_DEADLINE + 90)
    assert final["status"] == "completed" and final["score"] == 100, final
    assert final["attempts"] >= 2


def _process_tree(root: int) -> list[int]:
    """`root` and all its descendants (rq workers leave the process group, so no killpg)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = [root]
    for pid in tree:
        tree += [child for child, parent in parents.items() if parent == pid]
    return tree


def test_warm_slots_grade_and_leave_no_container_behind(
    service: Service, docker_client: docker.DockerClient
) -> None:
    """Workers with a warm pool run jobs in-process and grade right; once stopped, none of
    their slots is left (closed by the worker, else reaped by its parent)."""
    before = set(sandbox_containers(docker_client))
    service.stop_worker()
    service.start_worker(GRADER_WARM_SLOTS="1")
    try:
        _, token = service.new_candidate()
        with service.client(token) as http:
            ids = [submit(http, files).json()["id"] for files in (SOLUTION, WRONG, SOLUTION)]
            scores = [wait_final(http, i)["score"] for i in ids]
        assert scores[0] == scores[2] == 100 and scores[1] < 100
    finally:
        service.stop_worker()
        leftover = {
            cid: labels
            for cid, labels in sandbox_containers(docker_client).items()
            if cid not in before and owner_is_dead(labels)
        }
        service.start_worker()
    assert not leftover, f"warm slots left behind: {leftover}"


def test_ten_identical_retries_at_once_make_one_submission(service: Service) -> None:
    with service.client(service.admin_token) as admin:
        created = admin.post("/api/v1/api-keys", json={"name": "ats-retries"}).json()
    body = {"challenge": "hello-world", "files": SOLUTION, "external_id": "ats-77"}
    key = secrets.token_hex(8)

    def post(_: int) -> Any:
        with service.client(api_key=created["key"]) as http:
            return http.post("/api/v1/submissions", json=body, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, range(10)))
    assert {a.status_code for a in answers} == {202}, [a.text for a in answers]
    ids = {a.json()["id"] for a in answers}
    assert len(ids) == 1
    with service.client(api_key=created["key"]) as http:
        listed = http.get("/api/v1/submissions", params={"external_id": "ats-77"}).json()
        assert [s["id"] for s in listed["items"]] == list(ids)
        final = wait_final(http, ids.pop())
    assert (final["score"], final["api_key"]["name"]) == (100, "ats-retries")


def test_deactivating_a_user_cuts_off_their_live_token(service: Service) -> None:
    username, token = service.new_candidate()
    with service.client(token) as http:
        assert http.get("/api/v1/challenges").status_code == 200
        with service.client(service.admin_token) as admin:
            users = admin.get("/api/v1/users").json()
            user_id = next(u["id"] for u in users if u["username"] == username)
            assert admin.post(f"/api/v1/users/{user_id}/deactivate").status_code == 200
        assert http.get("/api/v1/challenges").status_code == 401
        assert submit(http, SOLUTION).status_code == 401
