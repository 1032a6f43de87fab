import pytest
from conftest import UNKNOWN_ID, check_item


def _list(client, query=""):
    r = client.get("/items" + query)
    assert r.status_code == 200, f"GET /items{query} should answer 200, got {r.status_code}"
    body = r.json()
    assert isinstance(body, list), f"GET /items{query} should answer a JSON array, got {body!r}"
    return body


def _ids(items):
    return [item.get("id") if isinstance(item, dict) else item for item in items]


@pytest.mark.points(5)
@pytest.mark.rule("R12", "R1")
def test_get_one_item(client, create_item):
    created = create_item(description="A lamp", price=19.99, quantity=7)
    r = client.get(f"/items/{created['id']}")
    assert r.status_code == 200, f"GET /items/{{id}} of an existing item should answer 200, got {r.status_code}"
    check_item(r.json(), created, "the body of GET /items/{id}")


@pytest.mark.points(5)
@pytest.mark.rule("R16")
def test_get_unknown_item_is_404(client):
    r = client.get(f"/items/{UNKNOWN_ID + 1}")
    assert r.status_code == 404, f"GET /items/{{id}} of an unknown id should answer 404, got {r.status_code}"
    assert r.json() == {"detail": "Item not found"}, f"the 404 body should be {{'detail': 'Item not found'}}, got {r.text[:200]!r}"


@pytest.mark.points(4)
@pytest.mark.rule("R9")
def test_list_returns_items_in_creation_order(client, restart_app, create_item):
    restart_app()
    listed = _list(client)
    assert listed == [], f"GET /items in a freshly started app should answer [], got {listed!r}"
    created = [create_item(price=1.5 + n, quantity=n) for n in range(3)]
    listed = _list(client)
    assert _ids(listed) == _ids(created), (
        f"GET /items should list every item in creation order: expected ids {_ids(created)}, got {_ids(listed)}"
    )
    for got, want in zip(listed, created):
        check_item(got, want, "an item in GET /items")


@pytest.mark.points(6)
@pytest.mark.rule("R10")
def test_list_skip_and_limit(client, restart_app, create_item):
    restart_app()
    ids = [create_item()["id"] for _ in range(5)]
    cases = [
        ("?skip=1&limit=2", ids[1:3]),
        ("?limit=3", ids[:3]),
        ("?skip=3", ids[3:]),
        ("?skip=0&limit=1", ids[:1]),
        ("?skip=4&limit=100", ids[4:]),
        ("?skip=5", []),
        ("?skip=50&limit=10", []),
    ]
    for query, expected in cases:
        got = _ids(_list(client, query))
        assert got == expected, (
            f"with items {ids} (in creation order), GET /items{query} should list ids {expected}, got {got}"
        )


@pytest.mark.points(4)
@pytest.mark.rule("R10")
def test_list_default_limit_is_100(client, restart_app, create_item):
    restart_app()
    ids = [create_item()["id"] for _ in range(105)]
    got = _ids(_list(client))
    assert got == ids[:100], (
        f"with 105 items, GET /items (default limit 100) should list the first 100, got {len(got)} items"
    )
    got = _ids(_list(client, "?skip=100"))
    assert got == ids[100:], f"with 105 items, GET /items?skip=100 should list the last 5, got {got}"
    got = _ids(_list(client, "?limit=100"))
    assert got == ids[:100], f"GET /items?limit=100 is valid and should list 100 items, got {len(got)}"


@pytest.mark.points(5)
@pytest.mark.rule("R11")
def test_list_rejects_a_bad_query(client):
    for query in ("?skip=-1", "?limit=0", "?limit=101", "?limit=-5", "?limit=ten", "?skip=one"):
        r = client.get("/items" + query)
        assert r.status_code == 422, f"GET /items{query} should answer 422, got {r.status_code}"
