import pytest
from conftest import check_item, unique_name


@pytest.mark.points(8)
def test_create_returns_201_with_the_item(client):
    payload = {"name": unique_name("Keyboard"), "description": "Mechanical", "price": 49.5, "quantity": 3}
    r = client.post("/items", json=payload)
    assert r.status_code == 201, f"POST /items with a valid body should answer 201, got {r.status_code}"
    check_item(r.json(), payload, "the body of POST /items")


@pytest.mark.points(5)
def test_create_applies_defaults(client):
    payload = {"name": unique_name("Mouse"), "price": 12}
    r = client.post("/items", json=payload)
    assert r.status_code == 201, f"POST /items with only name and price should answer 201, got {r.status_code}"
    check_item(
        r.json(),
        {**payload, "description": None, "quantity": 0},
        "an item created without description and quantity",
    )


@pytest.mark.points(3)
def test_create_accepts_boundary_values(client):
    payload = {"name": "n" * 100, "description": None, "price": 0.01, "quantity": 0}
    r = client.post("/items", json=payload)
    assert r.status_code == 201, (
        "POST /items with a 100-character name, price 0.01, quantity 0 and description null "
        f"is valid and should answer 201, got {r.status_code}"
    )
    check_item(r.json(), payload, "the body of POST /items")


def _assert_rejected(client, payload, why):
    r = client.post("/items", json=payload)
    assert r.status_code == 422, f"POST /items with {why} should answer 422, got {r.status_code}"


@pytest.mark.points(4)
def test_create_rejects_a_bad_name(client):
    _assert_rejected(client, {"price": 5}, "no name")
    _assert_rejected(client, {"name": "", "price": 5}, "an empty name")
    _assert_rejected(client, {"name": "n" * 101, "price": 5}, "a 101-character name")


@pytest.mark.points(5)
def test_create_rejects_a_bad_price(client):
    _assert_rejected(client, {"name": unique_name()}, "no price")
    _assert_rejected(client, {"name": unique_name(), "price": 0}, "price 0")
    _assert_rejected(client, {"name": unique_name(), "price": -3.5}, "a negative price")
    _assert_rejected(client, {"name": unique_name(), "price": "cheap"}, "a price that is not a number")


@pytest.mark.points(3)
def test_create_rejects_a_bad_quantity(client):
    _assert_rejected(client, {"name": unique_name(), "price": 5, "quantity": -1}, "quantity -1")
    _assert_rejected(client, {"name": unique_name(), "price": 5, "quantity": 1.5}, "quantity 1.5 (not an integer)")
    _assert_rejected(client, {"name": unique_name(), "price": 5, "quantity": "many"}, "a quantity that is not a number")


@pytest.mark.points(2)
def test_create_rejects_malformed_json(client):
    r = client.post("/items", content=b'{"name": "broken", "price": ', headers={"content-type": "application/json"})
    assert r.status_code == 422, f"POST /items with malformed JSON should answer 422, got {r.status_code}"


@pytest.mark.points(5)
def test_fresh_app_starts_at_id_1_and_ids_increase(client, restart_app, create_item):
    restart_app()
    first = create_item()
    assert first["id"] == 1, f"in a freshly started app the first item should get id 1, got {first['id']!r}"
    second = create_item()
    third = create_item()
    assert first["id"] < second["id"] < third["id"], (
        "each new item should get a larger id than the items before it, got ids "
        f"{first['id']!r}, {second['id']!r}, {third['id']!r}"
    )


@pytest.mark.points(5)
def test_ids_are_never_reused_after_a_delete(client, create_item):
    first = create_item()
    last = create_item()
    r = client.delete(f"/items/{last['id']}")
    assert r.status_code < 300, f"DELETE /items/{{id}} of an existing item should succeed (204), got {r.status_code}"
    after_last = create_item()
    assert after_last["id"] > last["id"], (
        f"after deleting the newest item (id {last['id']}), a new item should get a larger id "
        f"(ids are never reused), got {after_last['id']!r}"
    )
    r = client.delete(f"/items/{first['id']}")
    assert r.status_code < 300, f"DELETE /items/{{id}} of an existing item should succeed (204), got {r.status_code}"
    newest = create_item()
    assert newest["id"] > after_last["id"], (
        f"after deleting an older item, a new item should get an id larger than every earlier id "
        f"({after_last['id']}), got {newest['id']!r}"
    )
