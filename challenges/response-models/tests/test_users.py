import uuid

import pytest

PUBLIC_KEYS = {"id", "username", "email"}
MISSING_ID = 987654321


def unique_username():
    return "u" + uuid.uuid4().hex[:12]


def new_user_body(**overrides):
    username = overrides.pop("username", None) or unique_username()
    body = {
        "username": username,
        "email": f"{username}@example.com",
        "password": "pw-" + uuid.uuid4().hex[:16],
    }
    body.update(overrides)
    return body


def create(client, **overrides):
    """Create a user for a test; only test_create_returns_201_with_public_user insists on 201."""
    body = new_user_body(**overrides)
    response = client.post("/users", json=body)
    assert response.status_code in (200, 201), (
        f"POST /users with a valid body should succeed (201 Created), got {response.status_code}: "
        f"{response.text[:300]}"
    )
    user = response.json()
    assert isinstance(user, dict) and isinstance(user.get("id"), int), (
        f"POST /users should return the public user with an integer `id`, got {user!r}"
    )
    return body, user, response


def email_as_sent(got, sent):
    """R3: the email as sent, or with only its domain lower-cased (as EmailStr gives it)."""
    local, _, domain = sent.rpartition("@")
    return got in (sent, f"{local}@{domain.lower()}")


def check_public(user, body, where):
    """`user` is exactly the public view of the user created from `body`."""
    assert isinstance(user, dict), f"{where} should be a JSON object, got {user!r}"
    expected_keys = PUBLIC_KEYS | ({"full_name"} if body.get("full_name") is not None else set())
    assert set(user) == expected_keys, (
        f"{where} should have exactly the keys {sorted(expected_keys)}, got {sorted(user)}"
    )
    assert isinstance(user["id"], int), f"{where}: `id` should be an integer, got {user['id']!r}"
    assert user["username"] == body["username"], (
        f"{where}: `username` should be {body['username']!r}, got {user['username']!r}"
    )
    assert email_as_sent(user["email"], body["email"]), (
        f"{where}: `email` should be {body['email']!r} as sent (its domain may be lower-cased), "
        f"got {user['email']!r}"
    )
    if body.get("full_name") is not None:
        assert user["full_name"] == body["full_name"], (
            f"{where}: `full_name` should be {body['full_name']!r}, got {user['full_name']!r}"
        )


def check_no_password(reveals, response, password, where):
    assert not reveals(response, password), f"{where} must never contain the password"


def listed_by_id(client):
    response = client.get("/users")
    assert response.status_code == 200, f"GET /users should answer 200, got {response.status_code}"
    listed = response.json()
    assert isinstance(listed, list), f"GET /users should return a JSON list, got {listed!r}"
    return {e["id"]: e for e in listed if isinstance(e, dict) and "id" in e}


def delete_ok(client, user_id):
    response = client.delete(f"/users/{user_id}")
    assert response.status_code < 300, (
        f"DELETE /users/{user_id} of an existing user should succeed (204), got {response.status_code}"
    )


@pytest.mark.points(10)
@pytest.mark.rule("R1", "R2", "R3", "R14")
def test_create_returns_201_with_public_user(client, reveals):
    body, user, response = create(client, full_name="Ada Lovelace")
    assert response.status_code == 201, (
        f"POST /users with a valid body should answer 201 Created, got {response.status_code}"
    )
    check_public(user, body, "the POST /users response")
    check_no_password(reveals, response, body["password"], "the POST /users response")


@pytest.mark.points(8)
@pytest.mark.rule("R2", "R9")
def test_missing_or_null_full_name_is_left_out(client):
    body, user, _ = create(client)
    assert "full_name" not in user, (
        f"a user created without full_name should have no `full_name` key at all, got {user!r}"
    )
    check_public(user, body, "the POST /users response (no full_name)")
    body, user, _ = create(client, full_name=None)
    assert "full_name" not in user, (
        f"a user created with \"full_name\": null should have no `full_name` key at all, got {user!r}"
    )
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 200, (
        f"GET /users/{user['id']} for an existing user should answer 200, got {response.status_code}"
    )
    assert "full_name" not in response.json(), (
        f"GET /users/{{id}} of a user without full_name should have no `full_name` key, got {response.json()!r}"
    )


@pytest.mark.points(9)
@pytest.mark.rule("R2", "R9", "R11", "R14")
def test_password_never_returned_anywhere(client, reveals):
    body, user, _ = create(client, full_name="Grace Hopper")
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 200, (
        f"GET /users/{user['id']} for an existing user should answer 200, got {response.status_code}"
    )
    check_public(response.json(), body, f"GET /users/{user['id']}")
    check_no_password(reveals, response, body["password"], f"GET /users/{user['id']}")
    response = client.get("/users")
    assert response.status_code == 200, f"GET /users should answer 200, got {response.status_code}"
    check_no_password(reveals, response, body["password"], "GET /users")
    listed = response.json()
    assert isinstance(listed, list), f"GET /users should return a JSON list, got {type(listed).__name__}"
    for entry in listed:
        assert isinstance(entry, dict), f"GET /users should list user objects, got {entry!r}"
        leaked = [key for key in entry if "password" in key.lower()]
        assert not leaked, f"GET /users must not return password fields, found {leaked}"


@pytest.mark.points(6)
@pytest.mark.rule("R9")
def test_get_user_by_id(client):
    body, user, _ = create(client, full_name="Alan Turing")
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 200, (
        f"GET /users/{user['id']} for an existing user should answer 200, got {response.status_code}"
    )
    assert response.json() == user, (
        "GET /users/{id} should return the same public user as the POST /users response"
    )


@pytest.mark.points(6)
@pytest.mark.rule("R10")
def test_unknown_user_is_404(client):
    response = client.get(f"/users/{MISSING_ID}")
    assert response.status_code == 404, (
        f"GET /users/{MISSING_ID} (no such user) should answer 404, got {response.status_code}"
    )
    assert response.json() == {"detail": "User not found"}, (
        "GET /users/{id} for an unknown user should answer {'detail': 'User not found'}"
    )


@pytest.mark.points(7)
@pytest.mark.rule("R2", "R11")
def test_list_shows_public_users_sorted_by_id(client):
    created = [create(client, **({"full_name": "Listed Person"} if i == 1 else {})) for i in range(3)]
    response = client.get("/users")
    assert response.status_code == 200, f"GET /users should answer 200, got {response.status_code}"
    listed = response.json()
    assert isinstance(listed, list), f"GET /users should return a JSON list, got {listed!r}"
    ids = [entry.get("id") if isinstance(entry, dict) else entry for entry in listed]
    assert ids == sorted(ids, key=lambda i: (not isinstance(i, int), i if isinstance(i, int) else 0)), (
        f"GET /users should be sorted by id ascending, got ids {ids}"
    )
    by_id = {entry["id"]: entry for entry in listed if isinstance(entry, dict) and "id" in entry}
    for body, user, _ in created:
        assert user["id"] in by_id, f"GET /users should list the user created with id {user['id']}"
        check_public(by_id[user["id"]], body, f"the GET /users entry for id {user['id']}")


@pytest.mark.points(7)
@pytest.mark.rule("R7")
def test_duplicate_username_is_409(client):
    body, user, _ = create(client)
    again = new_user_body(username=body["username"], email="someone.else@example.com")
    response = client.post("/users", json=again)
    assert response.status_code == 409, (
        f"POST /users with an existing username should answer 409, got {response.status_code}"
    )
    assert response.json() == {"detail": "Username already taken"}, (
        "POST /users with an existing username should answer {'detail': 'Username already taken'}"
    )
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 200 and email_as_sent(response.json().get("email"), body["email"]), (
        "a rejected duplicate sign-up must leave the existing user unchanged"
    )


@pytest.mark.points(4)
@pytest.mark.rule("R6")
def test_password_rules_are_validated(client):
    for case, body in [
        ("a 7-character password", new_user_body(password="1234567")),
        ("no password", {k: v for k, v in new_user_body().items() if k != "password"}),
    ]:
        response = client.post("/users", json=body)
        assert response.status_code == 422, (
            f"POST /users with {case} should answer 422, got {response.status_code}"
        )
    response = client.post("/users", json=new_user_body(password="12345678"))
    assert response.status_code in (200, 201), (
        f"POST /users with an 8-character password is valid and should answer 201, got {response.status_code}"
    )


@pytest.mark.points(5)
@pytest.mark.rule("R4", "R5")
def test_username_and_email_are_validated(client):
    for case, body in [
        ("an invalid email", new_user_body(email="not-an-email")),
        ("a 2-character username", new_user_body(username="ab")),
        ("a 21-character username", new_user_body(username="u" * 20 + "v")),
        ("no username", {k: v for k, v in new_user_body().items() if k != "username"}),
        ("no email", {k: v for k, v in new_user_body().items() if k != "email"}),
    ]:
        response = client.post("/users", json=body)
        assert response.status_code == 422, (
            f"POST /users with {case} should answer 422, got {response.status_code}"
        )
    for case, username in [
        ("a 3-character username", "u" + uuid.uuid4().hex[:2]),
        ("a 20-character username", "u" + uuid.uuid4().hex[:19]),
    ]:
        response = client.post("/users", json=new_user_body(username=username))
        assert response.status_code in (200, 201), (
            f"POST /users with {case} ({username!r}) is valid and should answer 201, got {response.status_code}"
        )


@pytest.mark.points(8)
@pytest.mark.rule("R12")
def test_delete_returns_204_and_removes_the_user(client):
    _, user, _ = create(client)
    response = client.delete(f"/users/{user['id']}")
    assert response.status_code == 204, (
        f"DELETE /users/{user['id']} should answer 204 No Content, got {response.status_code}"
    )
    assert response.content == b"", (
        f"DELETE /users/{{id}} should answer with an empty body, got {response.text[:100]!r}"
    )
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 404, (
        f"GET /users/{user['id']} after deleting it should answer 404, got {response.status_code}"
    )
    listed = client.get("/users").json()
    assert all(not (isinstance(e, dict) and e.get("id") == user["id"]) for e in listed), (
        "GET /users should no longer list a deleted user"
    )


@pytest.mark.points(5)
@pytest.mark.rule("R10", "R12")
def test_delete_unknown_user_is_404(client):
    response = client.delete(f"/users/{MISSING_ID}")
    assert response.status_code == 404, (
        f"DELETE /users/{MISSING_ID} (no such user) should answer 404, got {response.status_code}"
    )
    assert response.json() == {"detail": "User not found"}, (
        "DELETE /users/{id} for an unknown user should answer {'detail': 'User not found'}"
    )
    _, user, _ = create(client)
    client.delete(f"/users/{user['id']}")
    response = client.delete(f"/users/{user['id']}")
    assert response.status_code == 404, (
        f"deleting the same user twice should answer 404 the second time, got {response.status_code}"
    )


@pytest.mark.points(2)
@pytest.mark.rule("R8")
def test_ids_are_unique(client):
    ids = {create(client)[1]["id"] for _ in range(3)}
    assert len(ids) == 3, f"three new users should get three different ids, got {sorted(ids)}"


@pytest.mark.points(4)
@pytest.mark.rule("R3")
def test_email_is_shown_as_sent(client):
    local = "Ada.L" + uuid.uuid4().hex[:8].upper()
    body, user, _ = create(client, email=f"{local}@Example.COM")
    accepted = (f"{local}@Example.COM", f"{local}@example.com")
    assert user["email"] in accepted, (
        f"`email` should be shown as sent ({accepted[0]!r}; only its domain may be lower-cased, "
        f"{accepted[1]!r}), got {user['email']!r}"
    )
    response = client.get(f"/users/{user['id']}")
    assert response.status_code == 200, (
        f"GET /users/{user['id']} for an existing user should answer 200, got {response.status_code}"
    )
    got = response.json().get("email")
    assert got in accepted, (
        f"GET /users/{{id}} should show `email` as sent ({accepted[0]!r}, or {accepted[1]!r}), got {got!r}"
    )


@pytest.mark.points(5)
@pytest.mark.rule("R7")
def test_usernames_are_compared_exactly(client):
    base = "Nd" + uuid.uuid4().hex[:10]
    create(client, username=base)
    for variant in (base.lower(), base.upper(), base + " ", " " + base):
        body = new_user_body(username=variant, email=f"nd.{uuid.uuid4().hex[:12]}@example.com")
        response = client.post("/users", json=body)
        assert response.status_code in (200, 201), (
            f"{base!r} is taken, but usernames are compared exactly: {variant!r} is another username "
            f"and POST /users with it should answer 201, got {response.status_code}"
        )
        got = response.json().get("username")
        assert got == variant, f"the username should be shown exactly as sent, {variant!r}, got {got!r}"
    response = client.post("/users", json=new_user_body(username=base))
    assert response.status_code == 409, (
        f"POST /users with the exact username {base!r} again should answer 409, got {response.status_code}"
    )


@pytest.mark.points(3)
@pytest.mark.rule("R7")
def test_username_of_a_deleted_user_is_free_again(client):
    body, user, _ = create(client)
    delete_ok(client, user["id"])
    response = client.post("/users", json=new_user_body(username=body["username"]))
    assert response.status_code in (200, 201), (
        "once its user is deleted, a username is free again: POST /users with it should answer 201, "
        f"got {response.status_code}"
    )


def _assert_fresh_id_and_nothing_overwritten(client, before, new_user, deleted_id, situation):
    assert new_user["id"] not in before, (
        f"{situation}, the new user got id {new_user['id']}, which "
        + ("the deleted user had" if new_user["id"] == deleted_id else "a live user already has")
        + f": ids are never reused (ids before: {sorted(before)})"
    )
    after = listed_by_id(client)
    for user_id, entry in before.items():
        if user_id == deleted_id:
            continue
        assert after.get(user_id) == entry, (
            f"{situation}, user {user_id} should be unchanged ({entry}), got {after.get(user_id)}"
        )


@pytest.mark.points(2)
@pytest.mark.rule("R8")
def test_first_user_after_a_start_gets_id_1(client, restart_app):
    restart_app()
    _, user, _ = create(client)
    assert user["id"] == 1, (
        f"in a freshly started app (no users yet) the first user created should get id 1, got {user['id']!r}"
    )


@pytest.mark.points(4)
@pytest.mark.rule("R8")
def test_ids_after_deleting_the_newest_user(client, restart_app):
    restart_app()
    ids = [create(client)[1]["id"] for _ in range(3)]
    assert len(set(ids)) == 3, f"three new users should get three different ids, got {ids}"
    before = listed_by_id(client)
    delete_ok(client, ids[-1])
    _, user, _ = create(client)
    _assert_fresh_id_and_nothing_overwritten(
        client, before, user, ids[-1], f"after creating users {ids} and deleting {ids[-1]}"
    )


@pytest.mark.points(3)
@pytest.mark.rule("R8")
def test_ids_after_deleting_a_middle_user(client, restart_app):
    restart_app()
    ids = [create(client)[1]["id"] for _ in range(3)]
    assert len(set(ids)) == 3, f"three new users should get three different ids, got {ids}"
    before = listed_by_id(client)
    delete_ok(client, ids[1])
    _, user, _ = create(client)
    _assert_fresh_id_and_nothing_overwritten(
        client, before, user, ids[1], f"after creating users {ids} and deleting {ids[1]}"
    )


@pytest.mark.points(2)
@pytest.mark.rule("R13")
def test_user_id_must_be_an_integer(client):
    for method in ("GET", "DELETE"):
        response = client.request(method, "/users/abc")
        assert response.status_code == 422, (
            f"{method} /users/abc (not an integer id) should answer 422, got {response.status_code}"
        )
