"""Logging in: OAuth2 password flow, and what a bad credential gets."""

from __future__ import annotations

from datetime import timedelta

from grader.security import create_access_token
from tests.api.conftest import PASSWORD, SECRET, Api

TOKEN = "/api/v1/auth/token"


def test_a_user_logs_in_and_the_token_works(api: Api) -> None:
    api.user("carol")
    response = api.call("POST", TOKEN, data={"username": "carol", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert api.call("GET", "/api/v1/challenges", headers).status_code == 200


def test_a_wrong_password_or_unknown_user_gets_the_same_401(api: Api) -> None:
    api.user("carol")
    for username, password in [("carol", "wrong password"), ("nobody", PASSWORD), ("a\x00", "x")]:
        response = api.call("POST", TOKEN, data={"username": username, "password": password})
        assert response.status_code == 401
        assert response.json() == {"detail": "wrong username or password"}
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_login_without_a_password_is_refused_as_invalid(api: Api) -> None:
    assert api.call("POST", TOKEN, data={"username": "carol"}).status_code == 422


def test_expired_and_foreign_tokens_are_refused(api: Api) -> None:
    api.user("carol")
    for token in (
        create_access_token(1, SECRET, timedelta(seconds=-1)),
        create_access_token(1, "another server's secret", timedelta(hours=1)),
        create_access_token(999, SECRET, timedelta(hours=1)),
    ):
        response = api.call("GET", "/api/v1/challenges", {"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert "log in again" in response.json()["detail"]
