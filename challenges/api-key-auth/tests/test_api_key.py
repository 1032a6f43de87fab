import pytest

WRONG_KEY = "definitely-not-the-key"
PROTECTED = [("GET", "/private"), ("POST", "/private/echo")]


def _json(response, what):
    try:
        return response.json()
    except ValueError:
        raise AssertionError(f"{what} should answer JSON, got {response.text[:200]!r}") from None


def _call(client, method, path, headers=None, **kwargs):
    if method == "POST":
        return client.post(path, json={"text": "hi"}, headers=headers, **kwargs)
    return client.get(path, headers=headers, **kwargs)


def _check_missing(response, what):
    assert response.status_code == 401, (
        f"{what} has no usable key, so it should answer 401, got {response.status_code}"
    )
    body = _json(response, what)
    assert body == {"detail": "Missing API key"}, (
        f"{what}: the 401 should have the JSON body {{'detail': 'Missing API key'}}, got {body!r}"
    )


def _check_invalid(response, what):
    assert response.status_code == 403, (
        f"{what} sends a wrong key, so it should answer 403, got {response.status_code}"
    )
    body = _json(response, what)
    assert body == {"detail": "Invalid API key"}, (
        f"{what}: the 403 should have the JSON body {{'detail': 'Invalid API key'}}, got {body!r}"
    )


def _check_public(response, what):
    assert response.status_code == 200, (
        f"{what}: /public ignores X-API-Key, so it should answer 200, got {response.status_code}"
    )
    body = _json(response, what)
    assert body == {"message": "public"}, f"{what} should answer {{'message': 'public'}}, got {body!r}"


# --- public ------------------------------------------------------------------------------


@pytest.mark.points(6)
@pytest.mark.rule("R2")
def test_public_without_key(client):
    _check_public(client.get("/public"), "GET /public without X-API-Key")


@pytest.mark.points(8)
@pytest.mark.rule("R2")
def test_public_ignores_any_key(client, app_env):
    for sent, label in ((WRONG_KEY, "a wrong"), ("", "an empty"), (app_env["API_KEY"], "the valid")):
        _check_public(client.get("/public", headers={"X-API-Key": sent}), f"GET /public with {label} X-API-Key")


# --- the valid key -------------------------------------------------------------------------


@pytest.mark.points(12)
@pytest.mark.rule("R1", "R3")
def test_private_with_the_valid_key(client, app_env):
    response = client.get("/private", headers={"X-API-Key": app_env["API_KEY"]})
    assert response.status_code == 200, (
        "GET /private with the valid key (the value of the API_KEY environment variable) should "
        f"answer 200, got {response.status_code}"
    )
    body = _json(response, "GET /private with the valid key")
    assert body == {"message": "private"}, (
        f"GET /private with the valid key should answer {{'message': 'private'}}, got {body!r}"
    )


@pytest.mark.points(10)
@pytest.mark.rule("R1", "R4")
def test_echo_with_the_valid_key(client, app_env):
    for text in ("hello, key holder", ""):
        response = client.post("/private/echo", json={"text": text}, headers={"X-API-Key": app_env["API_KEY"]})
        assert response.status_code == 200, (
            f"POST /private/echo with the valid key and text {text!r} should answer 200, got {response.status_code}"
        )
        body = _json(response, "POST /private/echo")
        assert body == {"text": text}, f"POST /private/echo with text {text!r} should answer {{'text': {text!r}}}, got {body!r}"


# --- no key: 401 -----------------------------------------------------------------------------


@pytest.mark.points(12)
@pytest.mark.rule("R5")
def test_protected_without_key_is_401(client):
    for method, path in PROTECTED:
        _check_missing(_call(client, method, path), f"{method} {path} without an X-API-Key header")


@pytest.mark.points(8)
@pytest.mark.rule("R5")
def test_protected_with_an_empty_key_is_401(client):
    for method, path in PROTECTED:
        _check_missing(
            _call(client, method, path, headers={"X-API-Key": ""}),
            f"{method} {path} with an empty X-API-Key header",
        )


@pytest.mark.points(10)
@pytest.mark.rule("R6")
def test_401_has_www_authenticate(client):
    for method, path in PROTECTED:
        for headers, label in ((None, "without X-API-Key"), ({"X-API-Key": ""}, "with an empty X-API-Key")):
            response = _call(client, method, path, headers=headers)
            assert response.status_code == 401, (
                f"{method} {path} {label} should answer 401, got {response.status_code}"
            )
            value = response.headers.get("www-authenticate")
            assert value == "APIKey", (
                f"the 401 to {method} {path} {label} should carry the header "
                f"'WWW-Authenticate: APIKey', got {value!r}"
            )


# --- wrong key: 403 --------------------------------------------------------------------------


@pytest.mark.points(12)
@pytest.mark.rule("R7")
def test_protected_with_a_wrong_key_is_403(client):
    for method, path in PROTECTED:
        _check_invalid(
            _call(client, method, path, headers={"X-API-Key": WRONG_KEY}),
            f"{method} {path} with X-API-Key {WRONG_KEY!r}",
        )


@pytest.mark.points(12)
@pytest.mark.rule("R7", "R8")
def test_key_comparison_is_exact(client, app_env):
    key = app_env["API_KEY"]
    variants = [
        (key.upper(), "the key in upper case"),
        (key.lower(), "the key in lower case"),
        (key + "x", "the key with one more character"),
        (key[:-1], "the key without its last character"),
    ]
    for sent, label in variants:
        if sent == key:
            continue
        response = client.get("/private", headers={"X-API-Key": sent})
        assert response.status_code == 403, (
            f"the key is compared exactly: X-API-Key {sent!r} ({label}) is a wrong key, so GET "
            f"/private should answer 403, got {response.status_code}"
        )


@pytest.mark.points(10)
@pytest.mark.rule("R9", "R5")
def test_key_elsewhere_does_not_count(client, app_env):
    key = app_env["API_KEY"]
    response = client.get("/private", params={"api_key": key, "X-API-Key": key, "x_api_key": key})
    _check_missing(response, "GET /private with the key only in the query string")
    response = client.get("/private", headers={"Authorization": f"Bearer {key}"})
    _check_missing(response, "GET /private with the key only in an Authorization header")
    response = client.get("/private", cookies={"X-API-Key": key, "api_key": key})
    _check_missing(response, "GET /private with the key only in a cookie")

