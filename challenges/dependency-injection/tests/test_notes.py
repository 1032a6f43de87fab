import uuid

import pytest

ALICE = ("token-alice", "acme")
BOB = ("token-bob", "acme")
CAROL = ("token-carol", "globex")
IDENTITY_ROUTES = [("GET", "/whoami"), ("POST", "/notes"), ("GET", "/notes"), ("GET", "/notes/mine")]


def headers(token=None, tenant=None, scheme="Bearer"):
    out = {}
    if tenant is not None:
        out["X-Tenant"] = tenant
    if token is not None:
        out["Authorization"] = f"{scheme} {token}" if scheme else token
    return out


def who(caller):
    return headers(*caller)


def call(client, method, path, hdrs):
    if method == "POST":
        return client.post(path, json={"text": "a note"}, headers=hdrs)
    return client.get(path, headers=hdrs)


def describe(hdrs):
    return ", ".join(f"{k}: {v!r}" for k, v in hdrs.items()) or "no identity headers"


def expect_error(response, status, detail, what):
    assert response.status_code == status, (
        f"{what} should answer {status} {{'detail': {detail!r}}}, got {response.status_code}: {response.text[:200]}"
    )
    assert response.json() == {"detail": detail}, (
        f"{what} should answer {{'detail': {detail!r}}}, got {response.text[:200]}"
    )


def new_note(client, caller, text=None):
    text = text or "note " + uuid.uuid4().hex[:8]
    response = client.post("/notes", json={"text": text}, headers=who(caller))
    assert response.status_code in (200, 201), (
        f"POST /notes as a valid caller should succeed (201), got {response.status_code}: {response.text[:300]}"
    )
    note = response.json()
    assert isinstance(note, dict) and isinstance(note.get("id"), int), (
        f"POST /notes should answer the new note with an integer `id`, got {note!r}"
    )
    return note


def page(client, path, caller, **params):
    response = client.get(path, params=params, headers=who(caller))
    assert response.status_code == 200, (
        f"GET {path} with {params or 'no query'} as a valid caller should answer 200, got "
        f"{response.status_code}: {response.text[:300]}"
    )
    body = response.json()
    assert isinstance(body, dict) and {"total", "offset", "limit", "items"} <= set(body), (
        f"GET {path} should answer {{'total', 'offset', 'limit', 'items'}}, got {body!r}"
    )
    assert isinstance(body["items"], list), f"GET {path}: `items` should be a list, got {body['items']!r}"
    return body


def latest(client, path, caller):
    """The last (up to 50) notes of a listing: the newest ones, since ids increase."""
    total = page(client, path, caller, limit=1)["total"]
    assert isinstance(total, int), f"GET {path}: `total` should be an integer, got {total!r}"
    offset = max(total - 50, 0)
    params = {"offset": offset, "limit": 50} if offset else {"limit": 50}
    return page(client, path, caller, **params)["items"]


# --- identity --------------------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.rule("R6")
def test_whoami(client):
    for caller, user in ((ALICE, "alice"), (BOB, "bob"), (CAROL, "carol")):
        response = client.get("/whoami", headers=who(caller))
        assert response.status_code == 200, (
            f"GET /whoami with {describe(who(caller))} should answer 200, got {response.status_code}"
        )
        expected = {"user": user, "tenant": caller[1]}
        assert response.json() == expected, f"GET /whoami as {user} should answer {expected}, got {response.json()!r}"


@pytest.mark.points(8)
@pytest.mark.rule("R2")
def test_missing_or_empty_tenant_is_400(client):
    for hdrs in (headers("token-alice"), headers("token-alice", "")):
        expect_error(client.get("/whoami", headers=hdrs), 400, "X-Tenant header required",
                     f"GET /whoami with {describe(hdrs)}")


@pytest.mark.points(6)
@pytest.mark.rule("R3")
def test_unknown_tenant_is_404(client):
    for tenant in ("umbrella", "ACME"):
        hdrs = headers("token-alice", tenant)
        expect_error(client.get("/whoami", headers=hdrs), 404, "Unknown tenant", f"GET /whoami with {describe(hdrs)}")


@pytest.mark.points(8)
@pytest.mark.rule("R4")
def test_missing_or_bad_token_is_401(client):
    cases = [
        headers(None, "acme"),
        headers("token-alice", "acme", scheme=None),
        headers("token-alice", "acme", scheme="Basic"),
        headers("token-nobody", "acme"),
        headers("Bearer", "acme", scheme=None),
        headers("", "acme", scheme=None),
    ]
    for hdrs in cases:
        expect_error(client.get("/whoami", headers=hdrs), 401, "Not authenticated", f"GET /whoami with {describe(hdrs)}")


@pytest.mark.points(8)
@pytest.mark.rule("R5")
def test_token_of_another_tenant_is_403(client):
    for hdrs in (headers("token-alice", "globex"), headers("token-carol", "acme")):
        expect_error(client.get("/whoami", headers=hdrs), 403, "Token not valid for this tenant",
                     f"GET /whoami with {describe(hdrs)}")


@pytest.mark.points(5)
@pytest.mark.rule("R1", "R2", "R3")
def test_tenant_is_checked_before_token(client):
    hdrs = headers(None, "umbrella")
    expect_error(client.get("/whoami", headers=hdrs), 404, "Unknown tenant",
                 f"GET /whoami with {describe(hdrs)} (the tenant is checked first)")
    hdrs = headers("token-nobody")
    expect_error(client.get("/whoami", headers=hdrs), 400, "X-Tenant header required",
                 f"GET /whoami with {describe(hdrs)} (the tenant is checked first)")
    hdrs = headers("token-carol", "umbrella")
    expect_error(client.get("/whoami", headers=hdrs), 404, "Unknown tenant",
                 f"GET /whoami with {describe(hdrs)} (the tenant is checked first)")


@pytest.mark.points(5)
@pytest.mark.rule("R1", "R2", "R4", "R5")
def test_every_notes_route_checks_identity(client):
    for method, path in IDENTITY_ROUTES:
        what = f"{method} {path}"
        response = call(client, method, path, headers(None, "acme"))
        assert response.status_code == 401, f"{what} without a token should answer 401, got {response.status_code}"
        response = call(client, method, path, headers("token-alice"))
        assert response.status_code == 400, f"{what} without X-Tenant should answer 400, got {response.status_code}"
        response = call(client, method, path, headers("token-alice", "globex"))
        assert response.status_code == 403, (
            f"{what} with alice's token for tenant globex should answer 403, got {response.status_code}"
        )


# --- notes -----------------------------------------------------------------------------------


@pytest.mark.points(7)
@pytest.mark.rule("R7", "R9")
def test_create_note(client):
    response = client.post("/notes", json={"text": "buy milk"}, headers=who(BOB))
    assert response.status_code == 201, f"POST /notes should answer 201, got {response.status_code}"
    note = response.json()
    assert isinstance(note.get("id"), int), f"the new note should have an integer `id`, got {note!r}"
    got = {key: note.get(key) for key in ("text", "owner", "tenant")}
    expected = {"text": "buy milk", "owner": "bob", "tenant": "acme"}
    assert got == expected, f"POST /notes as bob in acme should answer a note with {expected}, got {got}"
    second = new_note(client, BOB)
    assert second["id"] > note["id"], f"ids should increase: got {note['id']} then {second['id']}"


@pytest.mark.points(4)
@pytest.mark.rule("R8", "R7")
def test_create_note_validates_text(client):
    for body, what in (({"text": ""}, "an empty text"), ({"text": "x" * 201}, "a 201-character text"), ({}, "no text")):
        response = client.post("/notes", json=body, headers=who(ALICE))
        assert response.status_code == 422, f"POST /notes with {what} should answer 422, got {response.status_code}"
    for text, what in (("x" * 200, "a 200-character text"), ("x", "a 1-character text")):
        response = client.post("/notes", json={"text": text}, headers=who(ALICE))
        assert response.status_code == 201, (
            f"POST /notes with {what} is valid and should answer 201, got {response.status_code}"
        )


@pytest.mark.points(4)
@pytest.mark.rule("R9")
def test_ids_are_unique_and_increase_across_tenants(client):
    created = []
    for caller in (ALICE, CAROL, BOB, CAROL, ALICE):
        note = new_note(client, caller)
        created.append((caller[1], note["id"]))
    ids = [note_id for _, note_id in created]
    assert all(a < b for a, b in zip(ids, ids[1:])), (
        "note ids are unique across tenants and each new note gets a larger id than every note "
        f"before it; notes created in turn in (tenant, id) order got {created}"
    )


@pytest.mark.points(7)
@pytest.mark.rule("R10", "R9", "R12")
def test_tenants_are_isolated(client):
    mine = [new_note(client, ALICE), new_note(client, BOB)]
    theirs = new_note(client, CAROL)
    acme = latest(client, "/notes", ALICE)
    acme_ids = [n.get("id") for n in acme]
    for note in mine:
        assert note["id"] in acme_ids, f"GET /notes in acme should list acme note {note['id']} (any owner)"
    assert theirs["id"] not in acme_ids, f"GET /notes in acme must not list globex note {theirs['id']}"
    assert all(n.get("tenant") == "acme" for n in acme), "GET /notes in acme should only list acme notes"
    assert acme_ids == sorted(acme_ids), f"GET /notes should be sorted by id, got {acme_ids}"
    globex_ids = [n.get("id") for n in latest(client, "/notes", CAROL)]
    assert theirs["id"] in globex_ids, f"GET /notes in globex should list globex note {theirs['id']}"
    assert not {n["id"] for n in mine} & set(globex_ids), "GET /notes in globex must not list acme notes"


@pytest.mark.points(8)
@pytest.mark.rule("R11", "R12")
def test_mine_lists_only_the_callers_notes(client):
    alice_note = new_note(client, ALICE)
    bob_note = new_note(client, BOB)
    items = latest(client, "/notes/mine", ALICE)
    ids = [n.get("id") for n in items]
    assert alice_note["id"] in ids, f"GET /notes/mine as alice should list her note {alice_note['id']}"
    assert bob_note["id"] not in ids, f"GET /notes/mine as alice must not list bob's note {bob_note['id']}"
    assert all(n.get("owner") == "alice" and n.get("tenant") == "acme" for n in items), (
        "GET /notes/mine as alice should only list notes owned by alice in acme"
    )


@pytest.mark.points(8)
@pytest.mark.rule("R12")
def test_pagination_on_both_listings(client, restart_app):
    restart_app()
    created = [new_note(client, CAROL, f"carol {i}")["id"] for i in range(12)]
    for path in ("/notes", "/notes/mine"):
        body = page(client, path, CAROL)
        got = (body["total"], body["offset"], body["limit"], [n.get("id") for n in body["items"]])
        expected = (12, 0, 10, created[:10])
        assert got == expected, (
            f"after a restart and 12 new notes, GET {path} without query should answer total 12, offset 0, "
            f"limit 10 and the first 10 notes: expected (total, offset, limit, ids) {expected}, got {got}"
        )
        for params, ids in (({"offset": 10}, created[10:]), ({"offset": 3, "limit": 4}, created[3:7]),
                            ({"offset": 12}, [])):
            body = page(client, path, CAROL, **params)
            got = (body["total"], body["offset"], body["limit"], [n.get("id") for n in body["items"]])
            expected = (12, params["offset"], params.get("limit", 10), ids)
            assert got == expected, (
                f"GET {path} with {params} should answer (total, offset, limit, ids) {expected}, got {got}"
            )


@pytest.mark.points(7)
@pytest.mark.rule("R13")
def test_pagination_bounds(client):
    for path in ("/notes", "/notes/mine"):
        for params in ({"limit": 0}, {"limit": 51}, {"offset": -1}, {"limit": "ten"}):
            response = client.get(path, params=params, headers=who(ALICE))
            assert response.status_code == 422, (
                f"GET {path} with {params} should answer 422, got {response.status_code}"
            )
        for params in ({"limit": 50}, {"limit": 1}, {"offset": 0}, {"offset": 0, "limit": 1}):
            response = client.get(path, params=params, headers=who(ALICE))
            assert response.status_code == 200, (
                f"GET {path} with {params} is valid and should answer 200, got {response.status_code}"
            )


# --- admin -----------------------------------------------------------------------------------


@pytest.mark.points(4)
@pytest.mark.rule("R15")
def test_admin_key_is_required(client):
    cases = ({}, {"X-Admin-Key": ""}, {"X-Admin-Key": "letmeout"}, {"X-Admin-Key": "LETMEIN"},
             {"X-Admin-Key": "letmein2"}, who(ALICE))
    for hdrs in cases:
        expect_error(client.get("/admin/stats", headers=hdrs), 401, "Invalid admin key",
                     f"GET /admin/stats with {describe(hdrs)}")


@pytest.mark.points(4)
@pytest.mark.rule("R14")
def test_admin_stats(client):
    response = client.get("/admin/stats", headers={"X-Admin-Key": "letmein"})
    assert response.status_code == 200, f"GET /admin/stats with the admin key should answer 200, got {response.status_code}"
    before = response.json().get("notes")
    assert isinstance(before, dict) and set(before) >= {"acme", "globex"}, (
        f"GET /admin/stats should answer {{'notes': {{'acme': n, 'globex': m}}}}, got {response.json()!r}"
    )
    new_note(client, ALICE)
    new_note(client, BOB)
    new_note(client, CAROL)
    after = client.get("/admin/stats", headers={"X-Admin-Key": "letmein"}).json().get("notes", {})
    delta = {t: after.get(t, 0) - before[t] for t in ("acme", "globex")}
    assert delta == {"acme": 2, "globex": 1}, (
        f"after 2 new acme notes and 1 new globex note, the admin counts should grow by {{'acme': 2, 'globex': 1}}, "
        f"grew by {delta}"
    )
