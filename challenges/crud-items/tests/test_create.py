import pytest
from conftest import check_item, unique_name


@pytest.mark.points(7)
@pytest.mark.rule("R7", "R1")
def test_create_returns_201_with_the_item(client):
    payload = {"name": unique_name("Keyboard"), "description": "Mechanical", "price": 49.5, "quantity": 3}
    r = client.post("/items", json=payload)
    assert r.status_code == 201, f"POST /items with a valid body should answer 201, got {r.status_code}"
    check_item(r.json(), payload, "the body of POST /items")


@pytest.mark.points(5)
@pytest.mark.rule("R7", "R3", "R5")
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
@pytest.mark.rule("R2", "R4", "R5", "R7")
def test_create_accepts_boundary_values(client):
    cases = [
        ({"name": "n" * 100, "description": None, "price": 0.01, "quantity": 0},
         "a 100-character name, price 0.01, quantity 0 and description null"),
        ({"name": "n", "price": 0.01, "quantity": 0}, "a 1-character name, price 0.01 and quantity 0"),
    ]
    for payload, why in cases:
        r = client.post("/items", json=payload)
        assert r.status_code == 201, (
            f"POST /items with {why} is valid and should answer 201, got {r.status_code}"
        )
        check_item(r.json(), payload, "the body of POST /items")


def _assert_rejected(client, payload, why):
    r = client.post("/items", json=payload)
    assert r.status_code == 422, f"POST /items with {why} should answer 422, got {r.status_code}"


@pytest.mark.points(4)
@pytest.mark.rule("R2")
def test_create_rejects_a_bad_name(client):
    _assert_rejected(client, {"price": 5}, "no name")
    _assert_rejected(client, {"name": "", "price": 5}, "an empty name")
    _assert_rejected(client, {"name": "n" * 101, "price": 5}, "a 101-character name")


@pytest.mark.points(5)
@pytest.mark.rule("R4")
def test_create_rejects_a_bad_price(client):
    _assert_rejected(client, {"name": unique_name()}, "no price")
    _assert_rejected(client, {"name": unique_name(), "price": 0}, "price 0")
    _assert_rejected(client, {"name": unique_name(), "price": -3.5}, "a negative price")
    _assert_rejected(client, {"name": unique_name(), "price": "cheap"}, "a price that is not a number")


@pytest.mark.points(3)
@pytest.mark.rule("R5")
def test_create_rejects_a_bad_quantity(client):
    _assert_rejected(client, {"name": unique_name(), "price": 5, "quantity": -1}, "quantity -1")
    _assert_rejected(client, {"name": unique_name(), "price": 5, "quantity": 1.5}, "quantity 1.5 (not an integer)")
    _assert_rejected(client, {"name": unique_name(), "price": 5, "quantity": "many"}, "a quantity that is not a number")


@pytest.mark.points(2)
@pytest.mark.rule("R6")
def test_create_rejects_malformed_json(client):
    r = client.post("/items", content=b'{"name": "broken", "price": ', headers={"content-type": "application/json"})
    assert r.status_code == 422, f"POST /items with malformed JSON should answer 422, got {r.status_code}"


@pytest.mark.points(5)
@pytest.mark.rule("R8")
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


@pytest.mark.points(8)
@pytest.mark.rule("R8")
def test_ids_are_never_reused_after_a_delete(client, create_item):
    def delete(item, which):
        r = client.delete(f"/items/{item['id']}")
        assert r.status_code == 204, (
            f"DELETE /items/{item['id']} ({which}) should answer 204, got {r.status_code}"
        )

    def still_there(item, when):
        r = client.get(f"/items/{item['id']}")
        assert r.status_code == 200, (
            f"{when}, item {item['id']} ({item['name']}) should still exist: GET /items/{item['id']} "
            f"should answer 200, got {r.status_code}"
        )
        check_item(r.json(), item, f"{when}, the untouched item {item['id']} (creating an item must not change it)")

    first, middle, last = create_item(), create_item(), create_item()
    delete(last, "the newest of three new items")
    after_last = create_item()
    assert after_last["id"] > last["id"], (
        f"after creating items {first['id']}, {middle['id']}, {last['id']} and deleting the newest "
        f"({last['id']}), a new item should get an id larger than {last['id']} (ids are never "
        f"reused), got {after_last['id']!r}"
    )
    for item in (first, middle):
        still_there(item, "after deleting the newest item and creating another")
    delete(middle, "the middle item")
    newest = create_item()
    assert newest["id"] > after_last["id"], (
        f"after deleting item {middle['id']} (an older one), a new item should get an id larger "
        f"than every earlier id (the largest so far is {after_last['id']}), got {newest['id']!r}"
    )
    for item in (first, after_last):
        still_there(item, "after deleting a middle item and creating another")
    r = client.get(f"/items/{newest['id']}")
    assert r.status_code == 200, f"GET /items/{newest['id']} (just created) should answer 200, got {r.status_code}"
    check_item(r.json(), newest, "the item just created")
