import pytest
from conftest import UNKNOWN_ID, check_item, unique_name


@pytest.mark.points(6)
@pytest.mark.rule("R13")
def test_put_replaces_the_item(client, create_item):
    created = create_item(description="old", price=3.25, quantity=1)
    new = {"name": unique_name("renamed"), "description": "new text", "price": 8.75, "quantity": 12}
    r = client.put(f"/items/{created['id']}", json=new)
    assert r.status_code == 200, f"PUT /items/{{id}} with a valid body should answer 200, got {r.status_code}"
    check_item(r.json(), {**new, "id": created["id"]}, "the body of PUT /items/{id}")
    r = client.get(f"/items/{created['id']}")
    assert r.status_code == 200, f"GET /items/{{id}} after a PUT should answer 200, got {r.status_code}"
    check_item(r.json(), {**new, "id": created["id"]}, "GET /items/{id} after a PUT")


@pytest.mark.points(6)
@pytest.mark.rule("R13")
def test_put_resets_omitted_optional_fields(client, create_item):
    created = create_item(description="will be cleared", quantity=9)
    new = {"name": unique_name("bare"), "price": 2.5}
    r = client.put(f"/items/{created['id']}", json=new)
    assert r.status_code == 200, f"PUT /items/{{id}} with only name and price should answer 200, got {r.status_code}"
    expected = {**new, "id": created["id"], "description": None, "quantity": 0}
    check_item(
        r.json(), expected,
        "PUT replaces the whole item, so omitted description/quantity go back to null/0; the body of PUT",
    )
    check_item(client.get(f"/items/{created['id']}").json(), expected, "GET /items/{id} after that PUT")


@pytest.mark.points(3)
@pytest.mark.rule("R16")
def test_put_unknown_item_is_404(client):
    r = client.put(f"/items/{UNKNOWN_ID + 2}", json={"name": "ghost", "price": 1})
    assert r.status_code == 404, f"PUT /items/{{id}} of an unknown id should answer 404, got {r.status_code}"
    assert r.json() == {"detail": "Item not found"}, f"the 404 body should be {{'detail': 'Item not found'}}, got {r.text[:200]!r}"


@pytest.mark.points(3)
@pytest.mark.rule("R14", "R13")
def test_put_invalid_body_is_422_and_changes_nothing(client, create_item):
    created = create_item(description="keep me", price=4.5, quantity=2)
    for body, why in [
        ({"description": "no name or price"}, "no name and no price"),
        ({"name": unique_name(), "price": 0}, "price 0"),
        ({"name": "", "price": 4}, "an empty name"),
        ({"name": unique_name(), "price": 4, "quantity": -2}, "quantity -2"),
    ]:
        r = client.put(f"/items/{created['id']}", json=body)
        assert r.status_code == 422, f"PUT /items/{{id}} with {why} should answer 422, got {r.status_code}"
    check_item(client.get(f"/items/{created['id']}").json(), created, "an item after rejected PUTs (unchanged)")


@pytest.mark.points(8)
@pytest.mark.rule("R15")
def test_delete_answers_204_with_an_empty_body_and_removes_the_item(client, create_item):
    created = create_item()
    r = client.delete(f"/items/{created['id']}")
    assert r.status_code == 204, f"DELETE /items/{{id}} of an existing item should answer 204, got {r.status_code}"
    assert r.content == b"", f"a 204 answer to DELETE should have an empty body, got {r.content[:200]!r}"
    r = client.get(f"/items/{created['id']}")
    assert r.status_code == 404, f"GET /items/{{id}} of a deleted item should answer 404, got {r.status_code}"
    assert r.json() == {"detail": "Item not found"}, f"the 404 body should be {{'detail': 'Item not found'}}, got {r.text[:200]!r}"
    r = client.delete(f"/items/{created['id']}")
    assert r.status_code == 404, f"DELETE /items/{{id}} of an already deleted item should answer 404, got {r.status_code}"


@pytest.mark.points(3)
@pytest.mark.rule("R16")
def test_delete_unknown_item_is_404(client):
    r = client.delete(f"/items/{UNKNOWN_ID + 3}")
    assert r.status_code == 404, f"DELETE /items/{{id}} of an unknown id should answer 404, got {r.status_code}"
    assert r.json() == {"detail": "Item not found"}, f"the 404 body should be {{'detail': 'Item not found'}}, got {r.text[:200]!r}"
