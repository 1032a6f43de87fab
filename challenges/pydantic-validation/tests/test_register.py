import json
import uuid

import pytest

PASSWORD = "Tr0ub4dor&3 x"
DROP = object()


def unique_username() -> str:
    return "u" + uuid.uuid4().hex[:10]


def payload(**overrides):
    body = {
        "username": unique_username(),
        "email": "ada@example.com",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    for key, value in overrides.items():
        if value is DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def register(client, body):
    return client.post("/register", json=body)


def describe(body) -> str:
    shown = {k: v for k, v in body.items() if k != "confirm_password"}
    return json.dumps(shown)


def assert_created(response, body):
    assert response.status_code == 201, (
        f"POST /register with the valid body {describe(body)} should answer 201, "
        f"got {response.status_code}: {response.text[:300]}"
    )
    data = response.json()
    assert isinstance(data, dict), f"the 201 body should be a JSON object, got {data!r}"
    return data


def assert_422(response, body, field=None):
    assert response.status_code == 422, (
        f"POST /register with {describe(body)} breaks a rule and should answer 422, "
        f"got {response.status_code}: {response.text[:300]}"
    )
    data = response.json()
    detail = data.get("detail") if isinstance(data, dict) else None
    assert isinstance(detail, list) and detail, (
        'a 422 body should be FastAPI\'s standard shape {"detail": [{"loc": [...], "msg": "..."}, ...]} '
        f"with a non-empty list, got {data!r}"
    )
    for err in detail:
        assert isinstance(err, dict) and isinstance(err.get("loc"), list) and isinstance(
            err.get("msg"), str
        ), f"every error in detail should be an object with a `loc` list and a `msg` string, got {err!r}"
    if field is not None:
        locs = [err["loc"] for err in detail]
        assert any(field in loc for loc in locs), (
            f"one of the 422 errors should have {field!r} in its loc (the field whose value is "
            f"wrong), got locs {locs}"
        )


# --- valid bodies ------------------------------------------------------------------------


@pytest.mark.points(9)
@pytest.mark.rule("R1")
def test_valid_registration_returns_201_and_the_fields(client):
    username = unique_username()
    body = payload(
        username=username, email="grace@example.org", age=36, tags=["navy", "cobol", "compilers"]
    )
    data = assert_created(register(client, body), body)
    expected = {"username": username, "email": "grace@example.org", "age": 36,
                "tags": ["navy", "cobol", "compilers"]}
    for key, value in expected.items():
        assert key in data, f"the 201 body should have the key {key!r}, got {data!r}"
        assert data[key] == value, f"{key!r} should be {value!r}, got {data[key]!r}"


@pytest.mark.points(6)
@pytest.mark.rule("R1", "R6", "R7")
def test_optional_fields_default_to_null_and_empty_list(client):
    body = payload()
    data = assert_created(register(client, body), body)
    assert "age" in data and data["age"] is None, (
        f"without `age` the response's age should be null, got {data!r}"
    )
    assert "tags" in data and data["tags"] == [], (
        f"without `tags` the response's tags should be [], got {data!r}"
    )
    body = payload(age=None)
    data = assert_created(register(client, body), body)
    assert data.get("age") is None, f"with \"age\": null the response's age should be null, got {data!r}"


@pytest.mark.points(4)
@pytest.mark.rule("R1", "R2", "R4", "R6", "R7")
def test_boundary_values_are_accepted(client):
    cases = [
        payload(username="abc", password="abcdefg1", confirm_password="abcdefg1", age=18),
        payload(username="A" + "b_9" * 6 + "z", password="a1" * 32, confirm_password="a1" * 32),
        payload(tags=["a", "b", "c", "d", "e"]),
    ]
    for body in cases:
        assert_created(register(client, body), body)


@pytest.mark.points(6)
@pytest.mark.rule("R1", "R2", "R9")
def test_username_is_trimmed_and_length_checked_after_trimming(client):
    name = unique_username()
    body = payload(username=f"   {name}  ")
    data = assert_created(register(client, body), body)
    assert data.get("username") == name, (
        f"the username should be returned trimmed: sent {body['username']!r}, "
        f"expected {name!r}, got {data.get('username')!r}"
    )
    twenty = "Q" + uuid.uuid4().hex[:19]
    body = payload(username=f"  {twenty}   ")
    data = assert_created(register(client, body), body)
    assert data.get("username") == twenty, (
        f"a 20-character username with surrounding spaces is valid once trimmed: expected "
        f"{twenty!r}, got {data.get('username')!r}"
    )
    body = payload(username="   ab   ")
    assert_422(register(client, body), body, "username")


@pytest.mark.points(8)
@pytest.mark.rule("R2", "R9")
def test_invalid_usernames_are_rejected(client):
    for bad in ["ab", "a" * 21, "1abc", "_abc", "ab-cd", "ab cd", "ab.cd", "abc!", "", "jos\u00e9", "\u00c9mile", "  " + "b" * 21 + " "]:
        body = payload(username=bad)
        assert_422(register(client, body), body, "username")


@pytest.mark.points(7)
@pytest.mark.rule("R1")
def test_email_is_returned_lower_cased(client):
    body = payload(email="Ada.Lovelace@Example.COM")
    data = assert_created(register(client, body), body)
    assert data.get("email") == "ada.lovelace@example.com", (
        "the e-mail should be returned entirely lower-cased: sent 'Ada.Lovelace@Example.COM', "
        f"expected 'ada.lovelace@example.com', got {data.get('email')!r}"
    )


@pytest.mark.points(6)
@pytest.mark.rule("R3", "R9")
def test_invalid_emails_are_rejected(client):
    for bad in ["not-an-email", "ada@", "@example.com", "ada lovelace@example.com", "ada@@example.com"]:
        body = payload(email=bad)
        assert_422(register(client, body), body, "email")


@pytest.mark.points(8)
@pytest.mark.rule("R4", "R9")
def test_password_rules(client):
    for bad in ["abcdefg", "abcdef1", "abcdefgh", "12345678", "!!!!----", "a1" * 32 + "x", "\u00e9\u00e8\u00ea\u00eb1234"]:
        body = payload(password=bad, confirm_password=bad)
        assert_422(register(client, body), body, "password")


@pytest.mark.points(7)
@pytest.mark.rule("R5", "R9")
def test_passwords_must_match(client):
    body = payload(password="abcdefg1", confirm_password="abcdefg2")
    assert_422(register(client, body), body)
    body = payload(password="abcdefg1", confirm_password="ABCDEFG1")
    assert_422(register(client, body), body)


@pytest.mark.points(4)
@pytest.mark.rule("R5", "R9")
def test_mismatch_with_an_invalid_password_is_still_422(client):
    for body in [
        payload(password="short", confirm_password="different"),
        payload(password=DROP, confirm_password="abcdefg1"),
        payload(password="abcdefg1", confirm_password=DROP),
        payload(password=12345678, confirm_password="abcdefg1"),
    ]:
        assert_422(register(client, body), body)


@pytest.mark.points(5)
@pytest.mark.rule("R6", "R9")
def test_age_rules(client):
    for bad in [17, 0, -20, "old"]:
        body = payload(age=bad)
        assert_422(register(client, body), body, "age")


@pytest.mark.points(4)
@pytest.mark.rule("R7", "R9")
def test_too_many_tags_are_rejected(client):
    body = payload(tags=["a", "b", "c", "d", "e", "f"])
    assert_422(register(client, body), body, "tags")


@pytest.mark.points(4)
@pytest.mark.rule("R7", "R9")
def test_duplicate_tags_are_rejected(client):
    body = payload(tags=["math", "art", "math"])
    assert_422(register(client, body), body, "tags")


@pytest.mark.points(3)
@pytest.mark.rule("R7", "R9")
def test_empty_tags_are_rejected(client):
    body = payload(tags=["math", ""])
    assert_422(register(client, body), body, "tags")


@pytest.mark.points(4)
@pytest.mark.rule("R8", "R9")
def test_unknown_fields_are_rejected(client):
    body = payload(is_admin=True)
    assert_422(register(client, body), body)


@pytest.mark.points(4)
@pytest.mark.rule("R2", "R3", "R9")
def test_missing_required_fields_are_named(client):
    for field in ["username", "email"]:
        body = payload(**{field: DROP})
        assert_422(register(client, body), body, field)


@pytest.mark.points(6)
@pytest.mark.rule("R10")
def test_the_password_is_never_returned(client, reveals):
    body = payload()
    response = register(client, body)
    data = assert_created(response, body)
    keys = [key for key in data if "password" in key.lower()]
    assert not keys, f"the response must not contain password fields, got keys {keys}"
    assert not reveals(response, PASSWORD), "the response must not contain the password's text"


@pytest.mark.points(5)
@pytest.mark.rule("R1", "R7")
def test_near_duplicate_tags_are_distinct_and_kept_as_sent(client):
    tags = ["math", "Math", "math ", "MATH"]
    body = payload(tags=tags)
    data = assert_created(register(client, body), body)
    assert data.get("tags") == tags, (
        f"tags are compared and kept exactly as sent: {tags} are four different tags and should "
        f"come back unchanged and in order, got {data.get('tags')!r}"
    )
    body = payload(tags=[])
    data = assert_created(register(client, body), body)
    assert data.get("tags") == [], f'with "tags": [] the response\'s tags should be [], got {data!r}'
