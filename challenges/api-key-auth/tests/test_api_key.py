import pytest

WRONG_KEY = "definitely-not-the-key"


def _check_missing(response, what):
    assert response.status_code == 401, (
        f"{what} without a usable X-API-Key header should answer 401, got {response.status_code}"
    )
    assert response.json() == {"detail": "Missing API key"}, (
        f"{what}: a 401 should have the JSON body {{'detail': 'Missing API key'}}"
    )


def _check_invalid(response, what):
    assert response.status_code == 403, (
        f"{what} with a wrong X-API-Key should answer 403, got {response.status_code}"
    )
    assert response.json() == {"detail": "Invalid API key"}, (
        f"{what}: a 403 should have the JSON body {{'detail': 'Invalid API key'}}"
    )


@pytest.mark.points(8)
def test_public_without_key(client):
    response = client.get("/public")
    assert response.status_code == 200, (
        f"GET /public without any key should answer 200, got {response.status_code}"
    )
    assert response.json() == {"message": "public"}


@pytest.mark.points(7)
def test_public_ignores_a_wrong_key(client):
    response = client.get("/public", headers={"X-API-Key": WRONG_KEY})
    assert response.status_code == 200, (
        f"GET /public must ignore X-API-Key, even a wrong one: expected 200, got {response.status_code}"
    )
    assert response.json() == {"message": "public"}


@pytest.mark.points(12)
def test_private_with_the_valid_key(client, app_env):
    response = client.get("/private", headers={"X-API-Key": app_env["API_KEY"]})
    assert response.status_code == 200, (
        f"GET /private with the valid key (from the API_KEY environment variable) should answer "
        f"200, got {response.status_code}"
    )
    assert response.json() == {"message": "private"}


@pytest.mark.points(10)
def test_private_without_key_is_401(client):
    _check_missing(client.get("/private"), "GET /private")


@pytest.mark.points(8)
def test_401_has_www_authenticate(client):
    response = client.get("/private")
    assert response.status_code == 401, f"GET /private without a key should answer 401, got {response.status_code}"
    assert response.headers.get("www-authenticate") == "APIKey", (
        "a 401 should carry the header 'WWW-Authenticate: APIKey'; got "
        f"{response.headers.get('www-authenticate')!r}"
    )


@pytest.mark.points(5)
def test_private_with_empty_key_is_401(client):
    _check_missing(client.get("/private", headers={"X-API-Key": ""}), "GET /private with an empty X-API-Key")


@pytest.mark.points(12)
def test_private_with_wrong_key_is_403(client):
    _check_invalid(client.get("/private", headers={"X-API-Key": WRONG_KEY}), "GET /private")


@pytest.mark.points(8)
def test_key_comparison_is_exact(client, app_env):
    key = app_env["API_KEY"]
    for sent in (key.upper(), key.lower(), key + "x", key[:-1]):
        if sent == key:
            continue
        response = client.get("/private", headers={"X-API-Key": sent})
        assert response.status_code == 403, (
            f"the key is compared exactly: X-API-Key {sent!r} is not the valid key, so GET /private "
            f"should answer 403, got {response.status_code}"
        )


@pytest.mark.points(8)
def test_key_elsewhere_does_not_count(client, app_env):
    key = app_env["API_KEY"]
    response = client.get("/private", params={"api_key": key, "X-API-Key": key, "x_api_key": key})
    _check_missing(response, "GET /private with the key only in the query string")
    response = client.get("/private", headers={"Authorization": f"Bearer {key}"})
    _check_missing(response, "GET /private with the key only in an Authorization header")
    response = client.get("/private", cookies={"X-API-Key": key, "api_key": key})
    _check_missing(response, "GET /private with the key only in a cookie")


@pytest.mark.points(10)
def test_echo_with_the_valid_key(client, app_env):
    response = client.post(
        "/private/echo", json={"text": "hello, key holder"}, headers={"X-API-Key": app_env["API_KEY"]}
    )
    assert response.status_code == 200, (
        f"POST /private/echo with the valid key should answer 200, got {response.status_code}"
    )
    assert response.json() == {"text": "hello, key holder"}


@pytest.mark.points(12)
def test_echo_is_protected(client):
    _check_missing(client.post("/private/echo", json={"text": "hi"}), "POST /private/echo")
    _check_invalid(
        client.post("/private/echo", json={"text": "hi"}, headers={"X-API-Key": WRONG_KEY}),
        "POST /private/echo",
    )
