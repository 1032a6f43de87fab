"""User management: admins list, create, edit, deactivate, reactivate and reset; users change
their own password; names are unique ignoring case."""

from __future__ import annotations

from grader.db.models import Role
from tests.api.conftest import PASSWORD, Api

TOKEN = "/api/v1/auth/token"


def login(api: Api, username: str, password: str) -> int:
    return api.call("POST", TOKEN, data={"username": username, "password": password}).status_code


def user_id(api: Api, admin: dict[str, str], username: str) -> int:
    users = api.call("GET", "/api/v1/users", admin).json()
    return int(next(u["id"] for u in users if u["username"] == username))


def test_names_are_unique_ignoring_case_and_logins_ignore_case(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    assert api.call("POST", "/api/v1/users", admin, json={"username": "Carol"}).status_code == 201
    taken = api.call("POST", "/api/v1/users", admin, json={"username": "carol"})
    assert taken.status_code == 409 and "ignoring case" in taken.json()["detail"]
    api.user("dave")
    assert login(api, "DAVE", PASSWORD) == 200


def test_an_admin_edits_lists_and_filters_users(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    api.user("carol")
    carol = user_id(api, admin, "carol")
    edited = api.call(
        "PATCH", f"/api/v1/users/{carol}", admin, json={"display_name": "Carol C.", "role": "admin"}
    ).json()
    assert (edited["display_name"], edited["role"]) == ("Carol C.", "admin")
    admins = api.call("GET", "/api/v1/users", admin, params={"role": "admin"}).json()
    assert {u["username"] for u in admins} == {"boss", "carol"}
    assert api.call("GET", "/api/v1/users/999", admin).status_code == 404


def test_deactivation_cuts_off_tokens_and_api_keys_at_once(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    carol = api.user("carol")
    key = api.api_key("ats")  # owned by "owner-of-ats", an admin
    carol_id = user_id(api, admin, "carol")
    owner_id = user_id(api, admin, "owner-of-ats")
    assert api.call("GET", "/api/v1/challenges", carol).status_code == 200
    for target in (carol_id, owner_id):
        answer = api.call("POST", f"/api/v1/users/{target}/deactivate", admin)
        assert answer.status_code == 200 and answer.json()["is_active"] is False
    assert api.call("GET", "/api/v1/challenges", carol).status_code == 401
    assert api.call("GET", "/api/v1/challenges", key).status_code == 401
    assert login(api, "carol", PASSWORD) == 401
    inactive = api.call("GET", "/api/v1/users", admin, params={"active": False}).json()
    assert {u["username"] for u in inactive} == {"carol", "owner-of-ats"}
    api.call("POST", f"/api/v1/users/{carol_id}/reactivate", admin)
    assert api.call("GET", "/api/v1/challenges", carol).status_code == 200
    self_off = api.call("POST", f"/api/v1/users/{user_id(api, admin, 'boss')}/deactivate", admin)
    assert self_off.status_code == 422


def test_a_reset_password_is_shown_once_and_replaces_the_old_one(api: Api) -> None:
    admin = api.user("boss", Role.ADMIN)
    api.user("carol")
    reset = api.call("POST", f"/api/v1/users/{user_id(api, admin, 'carol')}/reset-password", admin)
    new = reset.json()["password"]
    assert len(new) >= 12
    assert login(api, "carol", PASSWORD) == 401 and login(api, "carol", new) == 200


def test_users_change_their_own_password(api: Api) -> None:
    carol = api.user("carol")
    change = "/api/v1/auth/password"
    wrong = api.call(
        "POST", change, carol, json={"current_password": "nope", "new_password": "brand-new-1"}
    )
    assert wrong.status_code == 422
    short = api.call(
        "POST", change, carol, json={"current_password": PASSWORD, "new_password": "x"}
    )
    assert short.status_code == 422
    done = api.call(
        "POST", change, carol, json={"current_password": PASSWORD, "new_password": "brand-new-1"}
    )
    assert done.status_code == 204
    assert login(api, "carol", "brand-new-1") == 200
    key = api.api_key()
    no_password = api.call(
        "POST", change, key, json={"current_password": "a", "new_password": "brand-new-2"}
    )
    assert no_password.status_code == 403


def test_admins_list_archived_challenges_to_restore_them(api: Api) -> None:
    admin, carol = api.user("boss", Role.ADMIN), api.user("carol")
    api.call("POST", "/api/v1/challenges/hello-world/archive", admin)
    assert api.call("GET", "/api/v1/challenges", admin).json() == []
    archived = api.call("GET", "/api/v1/challenges", admin, params={"status": "archived"}).json()
    assert [c["slug"] for c in archived] == ["hello-world"]
    everything = api.call("GET", "/api/v1/challenges", admin, params={"include_archived": True})
    assert [c["status"] for c in everything.json()] == ["archived"]
    refused = api.call("GET", "/api/v1/challenges", carol, params={"include_archived": True})
    assert refused.status_code == 403
