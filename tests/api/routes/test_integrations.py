"""What an applicant tracking system relies on: its own references, safe retries, its own rate
limit, knowing which key made what, one error shape."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from redis import Redis
from sqlalchemy import func, select

from grader.config import Settings
from grader.db.models import Role, Submission
from tests.api.conftest import Api, serving

APP = "from fastapi import FastAPI\napp = FastAPI()\n"
PATH = "/api/v1/submissions"
BODY = {"challenge": "hello-world", "files": {"main.py": APP}}


def stored(api: Api) -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_an_external_id_is_stored_returned_and_filterable(api: Api) -> None:
    key = api.api_key()
    made = api.call("POST", PATH, key, json={**BODY, "external_id": "app-17"}).json()
    assert made["external_id"] == "app-17"
    api.call("POST", PATH, key, json={**BODY, "external_id": "app-18"})
    page = api.call("GET", PATH, key, params={"external_id": "app-17"}).json()
    assert [s["id"] for s in page["items"]] == [made["id"]]
    assert api.call("GET", f"{PATH}/{made['id']}", key).json()["external_id"] == "app-17"


def test_unknown_fields_are_refused_not_dropped(api: Api) -> None:
    response = api.call("POST", PATH, api.user("carol"), json={**BODY, "calback_url": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "calback_url"]
    assert stored(api) == 0
    admin = api.user("boss", Role.ADMIN)
    assert (
        api.call(
            "POST", "/api/v1/users", admin, json={"username": "x1", "rol": "admin"}
        ).status_code
        == 422
    )


def test_a_retried_request_with_its_idempotency_key_answers_the_first_submission(api: Api) -> None:
    key = api.api_key()
    first = api.call("POST", PATH, {**key, "Idempotency-Key": "k-1"}, json=BODY)
    again = api.call("POST", PATH, {**key, "Idempotency-Key": "k-1"}, json=BODY)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and stored(api) == 1
    assert again.headers["Location"] == first.headers["Location"]
    other = api.call(
        "POST", PATH, {**key, "Idempotency-Key": "k-1"}, json={**BODY, "external_id": "x"}
    )
    assert other.status_code == 409 and "Idempotency-Key" in other.json()["detail"]
    # Keys are per caller: another one's "k-1" is its own.
    mine = api.call("POST", PATH, {**api.user("carol"), "Idempotency-Key": "k-1"}, json=BODY)
    assert mine.status_code == 202 and mine.json()["id"] != first.json()["id"]
    assert stored(api) == 2
    bad = api.call("POST", PATH, {**key, "Idempotency-Key": "has space"}, json=BODY)
    assert bad.status_code == 422


def test_ten_identical_requests_at_once_make_one_submission(api: Api) -> None:
    key = api.api_key()

    def post(_: int) -> Any:
        return api.http.post(PATH, headers={**key, "Idempotency-Key": "burst"}, json=BODY)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, range(10)))
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["id"] for a in answers}) == 1 and stored(api) == 1


def test_an_idempotency_key_is_kept_for_the_documented_time_only(
    settings: Settings,
    redis: Redis,  # type: ignore[type-arg]
) -> None:
    with serving(settings.model_copy(update={"idempotency_hours": 0.5 / 3600})) as api:
        key = {**api.api_key(), "Idempotency-Key": "short"}
        first = api.call("POST", PATH, key, json=BODY).json()["id"]
        time.sleep(0.6)
        assert api.call("POST", PATH, key, json=BODY).json()["id"] != first


def test_a_submission_made_with_an_api_key_says_which_key_and_whose(api: Api) -> None:
    key = api.api_key("greenhouse")
    made = api.call("POST", PATH, key, json=BODY).json()
    assert made["user"] is None
    assert made["api_key"]["name"] == "greenhouse"
    assert made["api_key"]["owner"] == "owner-of-greenhouse"
    by_user = api.call("POST", PATH, api.user("carol"), json=BODY).json()
    assert by_user["api_key"] is None and by_user["user"] == "carol"


def test_candidates_and_api_keys_have_rate_limits_of_their_own(
    settings: Settings,
    redis: Redis,  # type: ignore[type-arg]
) -> None:
    limits = {"rate_limit_per_minute": 1, "api_key_rate_limit_per_minute": 3}
    with serving(settings.model_copy(update=limits)) as api:
        carol, key = api.user("carol"), api.api_key("ats")
        assert [api.call("POST", PATH, carol, json=BODY).status_code for _ in range(2)] == [
            202,
            429,
        ]
        assert [api.call("POST", PATH, key, json=BODY).status_code for _ in range(4)] == [
            202,
            202,
            202,
            429,
        ]
        # An admin sets one key's own limit.
        admin = api.user("boss", Role.ADMIN)
        created = api.call(
            "POST", "/api/v1/api-keys", admin, json={"name": "bulk", "rate_limit_per_minute": 5}
        ).json()
        assert created["rate_limit_per_minute"] == 5
        bulk = {"X-API-Key": created["key"]}
        statuses = [api.call("POST", PATH, bulk, json=BODY).status_code for _ in range(6)]
        assert statuses == [202] * 5 + [429]
        patched = api.call(
            "PATCH", f"/api/v1/api-keys/{created['id']}", admin, json={"rate_limit_per_minute": 9}
        )
        assert patched.json()["rate_limit_per_minute"] == 9


def test_every_documented_error_has_the_one_error_shape(api: Api) -> None:
    schema = api.app.openapi()
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if not code.startswith("4"):
                    continue
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, code, ref)
                checked += 1
    assert checked > 100, checked  # every route documents several 4xx
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_a_multipart_upload_refuses_a_file_sent_twice_and_reports_real_sizes(api: Api) -> None:
    twice = api.call(
        "POST",
        f"{PATH}/upload",
        api.user("carol"),
        data={"challenge": "hello-world"},
        files=[("files", ("main.py", APP.encode())), ("files", ("main.py", b"x = 1\n"))],
    )
    assert twice.status_code == 422 and "'main.py' is uploaded twice" in twice.json()["detail"]
    big = b"#" * (api.settings.max_submission_bytes + 500)
    too_large = api.call(
        "POST",
        f"{PATH}/upload",
        api.user("dave"),
        data={"challenge": "hello-world"},
        files=[("files", ("main.py", APP.encode())), ("files", ("big.py", big))],
    )
    assert too_large.status_code == 413
    total = len(APP.encode()) + len(big)
    assert too_large.json()["detail"] == (
        f"the files hold {total} bytes; a submission holds at most "
        f"{api.settings.max_submission_bytes}"
    )
    assert stored(api) == 0


def test_every_route_with_a_body_documents_the_400_of_an_unreadable_one(api: Api) -> None:
    operations = [
        (method, path, operation)
        for path, methods in api.app.openapi()["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]
    assert len(operations) > 20
    undocumented = [(m, p) for m, p, o in operations if "400" not in o["responses"]]
    assert undocumented == []
    headers = {**api.user("boss", Role.ADMIN), "Content-Type": "application/json"}
    answered = api.call("PUT", "/api/v1/assessments/x", headers, content=b"\x00")
    assert answered.status_code == 400
