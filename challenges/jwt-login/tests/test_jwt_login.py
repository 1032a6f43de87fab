import base64
import json
import re
import time
import uuid

import jwt
import pytest

PASSWORD = "correct-horse-42"
WRONG_KEY = "this-is-not-the-secret-key-0123456789abcdef0123456789abcdef"
HASH_MARKERS = ("$2a$", "$2b$", "$2y$", "$argon2", "$pbkdf2", "$scrypt")


def new_username() -> str:
    return "user_" + uuid.uuid4().hex[:12]


def register(client, username, password=PASSWORD):
    return client.post("/register", json={"username": username, "password": password})


def registered_user(client) -> str:
    username = new_username()
    response = register(client, username)
    assert response.status_code == 201, (
        f"POST /register with a new username {username!r} and a valid password should answer "
        f"201, got {response.status_code}: {response.text[:300]}"
    )
    return username


def login(client, username, password=PASSWORD):
    return client.post(
        "/token", data={"username": username, "password": password, "grant_type": "password"}
    )


def issued_token(client, username) -> str:
    response = login(client, username)
    assert response.status_code == 200, (
        f"POST /token with the right username and password (form-encoded) should answer 200, "
        f"got {response.status_code}: {response.text[:300]}"
    )
    data = response.json()
    token = data.get("access_token") if isinstance(data, dict) else None
    assert isinstance(token, str) and token, (
        f"POST /token should answer {{\"access_token\": \"<jwt>\", \"token_type\": \"bearer\"}}, got {data!r}"
    )
    return token


# Password hashing is slow on purpose: tests that only need "some registered user" share one
# (registered by whichever test needs it first), so the suite hashes as few passwords as it can.
_shared: dict[str, object] = {}


def shared_registration(client):
    """(username, response of its POST /register) for the shared user."""
    if "username" not in _shared:
        username = new_username()
        response = register(client, username)
        if response.status_code != 201:
            return username, response
        _shared["username"], _shared["register"] = username, response
    return _shared["username"], _shared["register"]


def shared_user(client) -> str:
    username, response = shared_registration(client)
    assert response.status_code == 201, (
        f"POST /register with a new username {username!r} and a valid password should answer "
        f"201, got {response.status_code}: {response.text[:300]}"
    )
    return username


def shared_login(client):
    """(response of POST /token for the shared user, time just before it was sent, time just
    after its answer came)."""
    username = shared_user(client)
    if "login" not in _shared:
        before = time.time()
        response = login(client, username)
        after = time.time()
        if response.status_code != 200:
            return response, before, after
        _shared["login"] = (response, before, after)
    return _shared["login"]


def me(client, token=None, authorization=None):
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if authorization is not None:
        headers["Authorization"] = authorization
    return client.get("/users/me", headers=headers)


def forge(claims, key, algorithm="HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assert_401(response, what):
    assert response.status_code == 401, (
        f"{what} should answer 401, got {response.status_code}: {response.text[:300]}"
    )
    value = response.headers.get("www-authenticate")
    assert value is not None, f"{what}: the 401 should carry the header `WWW-Authenticate: Bearer`, it has none"
    scheme = re.split(r"[\s,]", value.strip(), maxsplit=1)[0]
    assert scheme.lower() == "bearer", (
        f"{what}: the 401's WWW-Authenticate header should be `Bearer`, got {value!r}"
    )


def assert_me_is(response, username, what):
    assert response.status_code == 200, (
        f"{what} should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    data = response.json()
    assert isinstance(data, dict) and data.get("username") == username, (
        f"{what} should answer {{\"username\": {username!r}}}, got {data!r}"
    )


# --- registration ------------------------------------------------------------------------


@pytest.mark.points(5)
@pytest.mark.rule("R2")
def test_register_returns_201_and_the_username(client):
    username, response = shared_registration(client)
    assert response.status_code == 201, (
        f"POST /register with a new user should answer 201, got {response.status_code}: {response.text[:300]}"
    )
    data = response.json()
    assert isinstance(data, dict) and data.get("username") == username, (
        f"POST /register should answer {{\"username\": {username!r}}}, got {data!r}"
    )


@pytest.mark.points(6)
@pytest.mark.rule("R4")
def test_register_twice_is_409(client):
    username = shared_user(client)
    response = register(client, username, "another-password-7")
    assert response.status_code == 409, (
        f"registering the username {username!r} a second time should answer 409, "
        f"got {response.status_code}: {response.text[:300]}"
    )
    token = issued_token(client, username)
    assert_me_is(me(client, token), username, "the first registration should still hold: GET /users/me")


@pytest.mark.points(4)
@pytest.mark.rule("R3", "R2")
def test_register_rejects_invalid_bodies(client):
    cases = [
        ({"username": "ab", "password": PASSWORD}, "a 2-character username"),
        ({"username": "u" * 51, "password": PASSWORD}, "a 51-character username"),
        ({"username": new_username(), "password": "short12"}, "a 7-character password"),
        ({"username": new_username()}, "a missing password"),
    ]
    for body, what in cases:
        response = client.post("/register", json=body)
        assert response.status_code == 422, (
            f"POST /register with {what} should answer 422, got {response.status_code}: {response.text[:300]}"
        )
    for body in [
        {"username": "abc", "password": "12345678"},
        {"username": "v" * 38 + uuid.uuid4().hex[:12], "password": "12345678"},
    ]:
        response = client.post("/register", json=body)
        assert response.status_code == 201, (
            f"POST /register with a {len(body['username'])}-character username and an 8-character "
            f"password is valid and should answer 201, got {response.status_code}: {response.text[:300]}"
        )


@pytest.mark.points(5)
@pytest.mark.rule("R5")
def test_usernames_are_case_sensitive(client):
    lower = new_username()
    upper = lower.upper()
    first = register(client, lower)
    assert first.status_code == 201, (
        f"POST /register with a new username {lower!r} should answer 201, got {first.status_code}: {first.text[:300]}"
    )
    second = register(client, upper, "another-password-7")
    assert second.status_code == 201, (
        f"usernames are compared exactly: after {lower!r}, registering {upper!r} is a new user and "
        f"should answer 201, got {second.status_code}: {second.text[:300]}"
    )
    assert_me_is(me(client, issued_token(client, lower)), lower, f"GET /users/me with {lower!r}'s token")
    response = login(client, upper, "another-password-7")
    assert response.status_code == 200, (
        f"POST /token as {upper!r} with its own password should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    token = response.json().get("access_token")
    assert_me_is(me(client, token), upper, f"GET /users/me with {upper!r}'s token")
    assert_401(login(client, upper, PASSWORD), f"POST /token as {upper!r} with {lower!r}'s password")


# --- login ---------------------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.rule("R6")
def test_login_returns_a_bearer_token(client):
    response, _, _ = shared_login(client)
    assert response.status_code == 200, (
        f"POST /token with the right credentials should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    data = response.json()
    assert isinstance(data, dict), f"POST /token should answer a JSON object, got {data!r}"
    assert isinstance(data.get("access_token"), str) and data["access_token"], (
        f"the token response should have a non-empty string access_token, got {data!r}"
    )
    assert str(data.get("token_type", "")).lower() == "bearer", (
        f"the token response's token_type should be \"bearer\", got {data.get('token_type')!r}"
    )


@pytest.mark.points(9)
@pytest.mark.rule("R1")
def test_token_is_hs256_with_secret_key_sub_and_exp(client, app_env):
    username = shared_user(client)
    response, before, after = shared_login(client)
    assert response.status_code == 200, (
        f"POST /token with the right credentials should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    data = response.json()
    token = data.get("access_token") if isinstance(data, dict) else None
    assert isinstance(token, str) and token, f"POST /token should answer an access_token, got {data!r}"
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise AssertionError(f"the access_token is not a JWT: {exc}") from None
    assert header.get("alg") == "HS256", f"the token should be signed with HS256, its header says {header!r}"
    try:
        claims = jwt.decode(
            token, app_env["SECRET_KEY"], algorithms=["HS256"], options={"require": ["sub", "exp"]}
        )
    except jwt.InvalidSignatureError:
        raise AssertionError(
            "the token's signature does not verify with the SECRET_KEY from the environment"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise AssertionError(f"the token does not decode with HS256 and SECRET_KEY: {exc}") from None
    assert claims["sub"] == username, f"the token's sub should be {username!r}, got {claims['sub']!r}"
    # The token was issued between `before` and `after`; its exp is 30 minutes later, give or
    # take one (R1), plus a second either way since a NumericDate is whole seconds.
    exp = float(claims["exp"])
    earliest, latest = before + 29 * 60 - 1, after + 31 * 60 + 1
    assert earliest <= exp <= latest, (
        f"the token's exp should be 30 minutes (give or take one) after it was issued, it is "
        f"{(exp - before) / 60:.2f} minutes after POST /token was sent and "
        f"{(exp - after) / 60:.2f} minutes after its answer came"
    )


@pytest.mark.points(6)
@pytest.mark.rule("R7", "R14")
def test_login_with_wrong_password_is_401(client):
    username = shared_user(client)
    assert_401(login(client, username, "wrong-password-99"), "POST /token with a wrong password")


@pytest.mark.points(5)
@pytest.mark.rule("R7", "R14")
def test_login_with_unknown_user_is_401(client):
    assert_401(login(client, new_username()), "POST /token with an unknown username")


# --- the protected route -------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.rule("R8")
def test_me_with_the_issued_token(client):
    first = shared_user(client)
    second = registered_user(client)
    assert_me_is(me(client, issued_token(client, first)), first, "GET /users/me with the token from POST /token")
    assert_me_is(me(client, issued_token(client, second)), second, "GET /users/me with another user's token")


@pytest.mark.points(6)
@pytest.mark.rule("R8")
def test_me_accepts_any_valid_token_signed_with_secret_key(client, app_env):
    username = shared_user(client)
    for ahead, label in ((600, "10 minutes"), (60, "1 minute")):
        token = forge({"sub": username, "exp": int(time.time()) + ahead}, app_env["SECRET_KEY"])
        assert_me_is(
            me(client, token),
            username,
            f"GET /users/me with a token holding only sub and exp ({label} ahead), signed HS256 with SECRET_KEY,",
        )


@pytest.mark.points(6)
@pytest.mark.rule("R9", "R14")
def test_me_without_a_bearer_token_is_401(client):
    assert_401(me(client), "GET /users/me without an Authorization header")
    assert_401(me(client, authorization=""), "GET /users/me with an empty Authorization header")
    assert_401(
        me(client, authorization="Basic dXNlcjpwYXNzd29yZA=="),
        "GET /users/me with `Authorization: Basic ...` (not a Bearer token)",
    )
    assert_401(me(client, authorization="Bearer"), "GET /users/me with `Authorization: Bearer` and no token")


@pytest.mark.points(5)
@pytest.mark.rule("R10", "R14")
def test_me_with_a_malformed_token_is_401(client):
    assert_401(me(client, "not-a-jwt"), "GET /users/me with `Bearer not-a-jwt`")
    assert_401(me(client, "abc.def.ghi"), "GET /users/me with `Bearer abc.def.ghi`")


@pytest.mark.points(6)
@pytest.mark.rule("R11", "R14")
def test_me_with_a_wrongly_signed_token_is_401(client):
    username = shared_user(client)
    token = forge({"sub": username, "exp": int(time.time()) + 600}, WRONG_KEY)
    assert_401(me(client, token), "GET /users/me with a token signed with another key")


@pytest.mark.points(4)
@pytest.mark.rule("R11", "R14")
def test_me_with_an_unsigned_token_is_401(client):
    username = shared_user(client)
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": username, "exp": int(time.time()) + 600}).encode())
    assert_401(me(client, f"{header}.{payload}."), 'GET /users/me with an unsigned token ("alg": "none")')


@pytest.mark.points(6)
@pytest.mark.rule("R12", "R14")
def test_me_with_an_expired_token_is_401(client, app_env):
    username = shared_user(client)
    for ago, label in ((3600, "an hour"), (10, "10 seconds")):
        token = forge({"sub": username, "exp": int(time.time()) - ago}, app_env["SECRET_KEY"])
        assert_401(me(client, token), f"GET /users/me with a token that expired {label} ago (signed with SECRET_KEY)")


@pytest.mark.points(6)
@pytest.mark.rule("R13", "R14")
def test_me_with_an_unknown_user_is_401(client, app_env):
    token = forge({"sub": new_username(), "exp": int(time.time()) + 600}, app_env["SECRET_KEY"])
    assert_401(me(client, token), "GET /users/me with a valid token whose sub is no registered user")


@pytest.mark.points(7)
@pytest.mark.rule("R15")
def test_no_response_contains_the_password_or_a_hash(client, reveals):
    username, first = shared_registration(client)
    responses = {"POST /register": first}
    responses["POST /register (again)"] = register(client, username)
    token_response, _, _ = shared_login(client)
    responses["POST /token"] = token_response
    token = token_response.json().get("access_token") if token_response.status_code == 200 else None
    if token:
        responses["GET /users/me"] = me(client, token)
    try:
        claims = jwt.decode(token, options={"verify_signature": False}) if token else {}
    except jwt.InvalidTokenError:
        claims = {}
    for what, response in responses.items():
        assert not reveals(response, PASSWORD), f"{what}: the response contains the password"
        for marker in HASH_MARKERS:
            assert not reveals(response, marker), f"{what}: the response contains a password hash ({marker}...)"
        try:
            data = response.json()
        except ValueError:
            continue
        keys = [k for k in data if "password" in k.lower() or "hash" in k.lower()] if isinstance(data, dict) else []
        assert not keys, f"{what}: the body should not have password or hash fields, got keys {keys}"
    text = json.dumps(claims)
    assert PASSWORD not in text and not any(m in text for m in HASH_MARKERS), (
        "the token's claims contain the password or its hash"
    )
    assert "GET /users/me" in responses, "POST /token should give a token to the registered user"
