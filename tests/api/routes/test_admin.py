"""Admin routes: users and API keys."""

from __future__ import annotations

from grader.db.models import Role
from tests.api.conftest import Api


def test_an_admin_creates_users_and_a_taken_name_is_a_409(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    created = api.call("POST", "/api/v1/users", admin, json={"username": "erin", "role": "admin"})
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("username", "role", "is_active")} == {
        "username": "erin",
        "role": "admin",
        "is_active": True,
    }
    again = api.call("POST", "/api/v1/users", admin, json={"username": "erin"})
    assert again.status_code == 409 and "taken" in again.json()["detail"]
    bad = api.call("POST", "/api/v1/users", admin, json={"username": "no spaces"})
    assert bad.status_code == 422
    short = api.call("POST", "/api/v1/users", admin, json={"username": "fred", "password": "x"})
    assert short.status_code == 422
    names = [u["username"] for u in api.call("GET", "/api/v1/users", admin).json()]
    assert names == ["boss", "erin"]


def test_an_api_key_is_shown_once_then_listed_without_its_secret(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    created = api.call("POST", "/api/v1/api-keys", admin, json={"name": "ats"}).json()
    assert created["key"].startswith(created["prefix"])
    listed = api.call("GET", "/api/v1/api-keys", admin).json()
    assert [k["name"] for k in listed] == ["ats"] and "key" not in listed[0]
    assert api.call("GET", "/api/v1/challenges", {"X-API-Key": created["key"]}).status_code == 200
    assert api.call("DELETE", "/api/v1/api-keys/999", admin).status_code == 404
    assert api.call("DELETE", "/api/v1/api-keys/0", admin).status_code == 422
    assert api.call("POST", "/api/v1/api-keys", admin, json={"name": ""}).status_code == 422
