"""Submitting and reading back, in process: every documented refusal stores nothing."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from redis import Redis
from sqlalchemy import func, select, update

from grader.config import Settings
from grader.db.models import Role, Submission, SubmissionStatus
from grader.db.session import get_engine
from tests.api.conftest import Api, serving

APP = "from fastapi import FastAPI\napp = FastAPI()\n"
PATH = "/api/v1/submissions"


def stored(api: Api) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_an_accepted_submission_is_queued_with_its_location(
    api: Api,
    redis: Redis,  # type: ignore[type-arg]
) -> None:
    response = api.call(
        "POST",
        PATH,
        api.user("carol"),
        json={"challenge": "hello-world", "files": {"main.py": APP}},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["user"] == "carol" and body["attempts"] == 1
    assert response.headers["Location"] == f"{PATH}/{body['id']}"
    assert redis.llen("rq:queue:grading") == 1


def test_malformed_json_is_refused(api: Api) -> None:
    response = api.call(
        "POST",
        PATH,
        {**api.user("carol"), "Content-Type": "application/json"},
        content=b'{"challenge": ',
    )
    assert response.status_code == 400 and stored(api) == 0
    assert response.json()["detail"] == "the body is not valid JSON"


def test_refusals_store_nothing(api: Api) -> None:
    headers = api.user("carol")
    cases = [
        ({"challenge": "nope", "files": {"main.py": APP}}, 404),
        ({"challenge": "hello-world", "files": {}}, 422),
        ({"challenge": "hello-world", "files": {"app.py": APP}}, 422),
        ({"challenge": "hello-world", "files": {"main.py": APP, "../x.py": ""}}, 422),
        ({"challenge": "hello-world", "files": {"main.py": APP, "a.exe": ""}}, 422),
        ({"challenge": "hello-world", "files": {"main.py": "x\x00"}}, 422),
        ({"challenge": "hello-world", "files": {"main.py": APP}, "callback_url": "ftp://x"}, 422),
        ({"challenge": "hello-world", "files": {"main.py": 3}}, 422),
        ({"challenge": "a\x00b", "files": {"main.py": APP}}, 422),
    ]
    for body, status in cases:
        response = api.call("POST", PATH, headers, json=body)
        assert response.status_code == status, (body, response.text)
    assert stored(api) == 0


def test_a_body_over_the_limit_is_a_413(api: Api) -> None:
    headers = api.user("carol")
    body = b'{"challenge": "hello-world", "files": {"main.py": ""}}'
    padded = body + b" " * (api.settings.max_request_bytes + 1 - len(body))
    response = api.call(
        "POST", PATH, {**headers, "Content-Type": "application/json"}, content=padded
    )
    assert response.status_code == 413 and str(api.settings.max_request_bytes) in response.text


def test_files_over_the_submission_limit_are_a_413(api: Api) -> None:
    text = APP + "#" * api.settings.max_submission_bytes
    response = api.call(
        "POST",
        PATH,
        api.user("carol"),
        json={"challenge": "hello-world", "files": {"main.py": text}},
    )
    assert response.status_code == 413 and stored(api) == 0


def test_an_archived_challenge_takes_no_submission(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    api.call("POST", "/api/v1/challenges/hello-world/archive", admin)
    body = {"challenge": "hello-world", "files": {"main.py": APP}}
    response = api.call("POST", PATH, api.user("carol"), json=body)
    assert response.status_code == 422 and "archived" in response.json()["detail"]


def test_the_rate_limit_answers_429_with_retry_after(
    settings: Settings,
    redis: Redis,  # type: ignore[type-arg]
) -> None:
    with serving(settings.model_copy(update={"rate_limit_per_minute": 2})) as api:
        headers = api.user("carol")
        body = {"challenge": "hello-world", "files": {"main.py": APP}}
        assert [api.call("POST", PATH, headers, json=body).status_code for _ in range(2)] == [
            202,
            202,
        ]
        refused = api.call("POST", PATH, headers, json=body)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # Another caller has a window of its own.
        assert api.call("POST", PATH, api.user("dave"), json=body).status_code == 202
        assert stored(api) == 3


def test_without_redis_a_submission_is_a_503_and_nothing_is_stored(settings: Settings) -> None:
    with serving(settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})) as api:
        body = {"challenge": "hello-world", "files": {"main.py": APP}}
        response = api.call("POST", PATH, api.user("carol"), json=body)
        assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 1
        assert stored(api) == 0


def test_the_list_filters_and_pages(api: Api) -> None:
    carol, dave, admin = api.user("carol"), api.user("dave"), api.user("boss", Role.ADMIN)
    body = {"challenge": "hello-world", "files": {"main.py": APP}}
    for headers in (carol, carol, dave):
        api.call("POST", PATH, headers, json=body)
    page = api.call("GET", PATH, admin, params={"user": "carol", "limit": 1}).json()
    assert (page["total"], len(page["items"]), page["items"][0]["user"]) == (2, 1, "carol")
    assert api.call("GET", PATH, admin, params={"status": "completed"}).json()["total"] == 0
    assert api.call("GET", PATH, admin, params={"offset": 2**31}).status_code == 422
    assert api.call("GET", PATH, admin, params={"limit": 101}).status_code == 422


def test_a_long_poll_answers_the_current_state_when_the_wait_is_over(api: Api) -> None:
    headers = api.user("carol")
    body = {"challenge": "hello-world", "files": {"main.py": APP}}
    created = api.call("POST", PATH, headers, json=body).json()
    # No worker here: after the (capped) wait the submission is still queued.
    polled = api.call("GET", f"{PATH}/{created['id']}", headers, params={"wait": 120})
    assert polled.status_code == 200 and polled.json()["status"] == "queued"
    assert polled.json()["files"] == {"main.py": APP}


def test_a_regrade_of_a_submission_still_in_progress_is_a_409(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    body = {"challenge": "hello-world", "files": {"main.py": APP}}
    created = api.call("POST", PATH, admin, json=body).json()
    response = api.call("POST", f"{PATH}/{created['id']}/regrade", admin)
    assert response.status_code == 409 and "queued" in response.json()["detail"]
    assert api.call("POST", f"{PATH}/999999/regrade", admin).status_code == 404


def test_a_multipart_upload_is_taken_like_json(api: Api) -> None:
    response = api.call(
        "POST",
        f"{PATH}/upload",
        api.user("carol"),
        data={"challenge": "hello-world"},
        files=[("files", ("main.py", APP.encode(), "text/x-python"))],
    )
    assert response.status_code == 202, response.text
    refused = api.call(
        "POST",
        f"{PATH}/upload",
        api.user("dave"),
        data={"challenge": "hello-world"},
        files=[("files", ("main.py", "é".encode("latin-1"), "text/x-python"))],
    )
    assert refused.status_code == 422 and "UTF-8" in refused.json()["detail"]
    assert json.loads(response.text)["challenge"] == "hello-world"


def test_long_polls_hold_no_database_connection_and_are_capped_per_caller(
    settings: Settings,
    redis: Redis,  # type: ignore[type-arg]
) -> None:
    capped = settings.model_copy(update={"max_waits_per_caller": 2, "max_wait_seconds": 2})
    with serving(capped) as api:
        headers = api.user("carol")
        body = {"challenge": "hello-world", "files": {"main.py": APP}}
        created = api.call("POST", PATH, headers, json=body).json()
        url = f"{PATH}/{created['id']}"
        with ThreadPoolExecutor(3) as pool:
            waits = [pool.submit(api.call, "GET", url, headers, params={"wait": 2}) for _ in "ab"]
            time.sleep(0.5)  # both are waiting now
            engine = get_engine(capped.database_url)
            assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
            third = api.call("GET", url, headers, params={"wait": 2})
            assert third.status_code == 429 and third.headers["Retry-After"] == "1"
            # Another caller, and a read without waiting, are not held back.
            assert (
                api.call("GET", url, api.user("boss", Role.ADMIN), params={"wait": 0.1}).status_code
                == 200
            )
            assert api.call("GET", url, headers).status_code == 200
            assert [w.result().status_code for w in waits] == [200, 200]
        assert api.call("GET", url, headers, params={"wait": 0.1}).status_code == 200


def test_a_stored_result_with_unprintable_text_is_served_clean(api: Api) -> None:
    """A result written before text was made printable (a lone surrogate, terminal escapes)
    must not break the submission or the list for anyone."""
    headers = api.user("carol")
    body = {"challenge": "hello-world", "files": {"main.py": APP}}
    created = api.call("POST", PATH, headers, json=body).json()
    bad = "\ud800 \x1b[2J [/] \u202e"
    result = {
        "verdict": "failed",
        "score": 0,
        "max_score": 100,
        "duration_ms": 5,
        "log": bad,
        "error": None,
        "tests": [
            {"name": "t", "outcome": "failed", "points": 0, "max_points": 100, "message": bad}
        ],
    }
    with api.session() as session:
        session.execute(
            update(Submission)
            .where(Submission.id == created["id"])
            .values(status=SubmissionStatus.COMPLETED, verdict="failed", score=0, result=result)
        )
        session.commit()
    for reader in (headers, api.user("boss", Role.ADMIN)):
        one = api.call("GET", f"{PATH}/{created['id']}", reader)
        assert one.status_code == 200
        message = one.json()["result"]["tests"][0]["message"]
        assert "\x1b" not in message and "\u202e" not in message and "[/]" in message
        assert api.call("GET", PATH, reader).status_code == 200
