"""Helpers for the crud-items suite."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

UNKNOWN_ID = 987654321  # tests add their own offset so that no test sees another's writes
FIELDS = ("id", "name", "description", "price", "quantity")


def unique_name(prefix: str = "item") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def check_item(body: Any, expected: dict[str, Any], what: str) -> None:
    """`body` is an item object holding every field of `expected` with the expected value."""
    assert isinstance(body, dict), f"{what} should be a JSON object (an item), got {body!r}"
    for key in FIELDS:
        assert key in body, f"{what} should have the field {key!r}, got {body!r}"
    assert isinstance(body["id"], int) and not isinstance(body["id"], bool), (
        f"{what}: `id` should be an integer, got {body['id']!r}"
    )
    for key, value in expected.items():
        if key == "price":
            ok = isinstance(body[key], (int, float)) and not isinstance(body[key], bool) and (
                body[key] == pytest.approx(value)
            )
            assert ok, f"{what}: `price` should be the number {value!r}, got {body[key]!r}"
        else:
            assert body[key] == value, f"{what}: `{key}` should be {value!r}, got {body[key]!r}"


@pytest.fixture
def create_item(client):
    """POST an item (a unique name unless given) and return the response body; asserts success."""

    def create(**fields: Any) -> dict[str, Any]:
        payload = {"name": unique_name(), "price": 10.0, **fields}
        response = client.post("/items", json=payload)
        assert 200 <= response.status_code < 300, (  # the exact 201 is R7's test
            f"POST /items with a valid body should succeed (201), got {response.status_code}"
        )
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("id"), int), (
            f"POST /items should answer the created item with an integer `id`, got {body!r}"
        )
        return body

    return create
