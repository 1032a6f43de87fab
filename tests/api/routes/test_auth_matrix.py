"""Who may call what: every route against every kind of caller."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from grader.db.models import Role, User
from tests.api.conftest import Api

APP = "from fastapi import FastAPI\napp = FastAPI()\n"
SUBMISSION = {"challenge": "hello-world", "files": {"main.py": APP}}

Caller = Callable[[Api], dict[str, str]]
CALLERS: dict[str, Caller] = {
    "anonymous": lambda api: {},
    "bad token": lambda api: {"Authorization": "Bearer not-a-token"},
    "bad key": lambda api: {"X-API-Key": "igk_not-a-key"},
    "candidate": lambda api: api.user("cand"),
    "api key": lambda api: api.api_key(),
    "admin": lambda api: api.user("boss", Role.ADMIN),
}

# (method, path, json body or None) -> expected status per caller, in CALLERS' order.
ROUTES: list[tuple[str, str, object, tuple[int, ...]]] = [
    ("GET", "/api/v1/challenges", None, (401, 401, 401, 200, 200, 200)),
    ("GET", "/api/v1/challenges/hello-world", None, (401, 401, 401, 200, 200, 200)),
    ("GET", "/api/v1/challenges/hello-world/versions", None, (401, 401, 401, 403, 403, 200)),
    ("POST", "/api/v1/challenges/hello-world/archive", None, (401, 401, 401, 403, 403, 200)),
    ("POST", "/api/v1/challenges/hello-world/restore", None, (401, 401, 401, 403, 403, 200)),
    ("POST", "/api/v1/challenges/hello-world/regrade", None, (401, 401, 401, 403, 403, 202)),
    ("POST", "/api/v1/submissions", SUBMISSION, (401, 401, 401, 202, 202, 202)),
    ("GET", "/api/v1/submissions", None, (401, 401, 401, 200, 200, 200)),
    ("GET", "/api/v1/api-keys", None, (401, 401, 401, 403, 403, 200)),
    ("POST", "/api/v1/api-keys", {"name": "x"}, (401, 401, 401, 403, 403, 201)),
    ("GET", "/api/v1/users", None, (401, 401, 401, 403, 403, 200)),
    ("POST", "/api/v1/users", {"username": "new-user"}, (401, 401, 401, 403, 403, 201)),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ROUTES)
def test_each_route_answers_each_kind_of_caller_as_documented(
    api: Api, method: str, path: str, body: object, expected: tuple[int, ...]
) -> None:
    for (name, caller), status in zip(CALLERS.items(), expected, strict=True):
        kwargs = {"json": body} if body is not None else {}
        response = api.call(method, path, caller(api), **kwargs)
        assert response.status_code == status, (name, response.text)
        if status == 401:
            assert response.headers["WWW-Authenticate"] == "Bearer"
        api.http.cookies.clear()


def test_a_candidate_sees_only_their_own_submissions(api: Api) -> None:
    alice, bob = api.user("alice"), api.user("bob")
    mine = api.call("POST", "/api/v1/submissions", alice, json=SUBMISSION).json()["id"]
    assert api.call("GET", f"/api/v1/submissions/{mine}", alice).status_code == 200
    hidden = api.call("GET", f"/api/v1/submissions/{mine}", bob)
    assert hidden.status_code == 404  # the same answer as for an id that does not exist
    assert hidden.json() == {"detail": f"no submission {mine}"}
    assert api.call("GET", "/api/v1/submissions", bob).json()["total"] == 0
    assert api.call("GET", "/api/v1/submissions", alice).json()["total"] == 1


def test_staff_and_api_keys_see_every_submission(api: Api) -> None:
    alice = api.user("alice")
    mine = api.call("POST", "/api/v1/submissions", alice, json=SUBMISSION).json()["id"]
    for reader in (api.user("boss", Role.ADMIN), api.api_key()):
        assert api.call("GET", f"/api/v1/submissions/{mine}", reader).status_code == 200


def test_a_deactivated_users_token_stops_working(api: Api) -> None:
    headers = api.user("leaver")
    assert api.call("GET", "/api/v1/challenges", headers).status_code == 200
    with api.session() as session:
        user = session.scalars(select(User).where(User.username == "leaver")).one()
        user.is_active = False
        session.commit()
    assert api.call("GET", "/api/v1/challenges", headers).status_code == 401


def test_a_revoked_api_key_stops_working(api: Api) -> None:
    admin, key = api.user("boss", Role.ADMIN), api.api_key("to-revoke")
    keys = api.call("GET", "/api/v1/api-keys", admin).json()
    key_id = next(k["id"] for k in keys if k["name"] == "to-revoke")
    assert api.call("DELETE", f"/api/v1/api-keys/{key_id}", admin).status_code == 204
    assert api.call("GET", "/api/v1/challenges", key).status_code == 401
