"""Helpers for the student-management suite."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

UNKNOWN_ID = 876543210  # tests add their own offset so that no test sees another's writes
FIELDS = ("id", "name", "email", "age", "course")


def tag() -> str:
    return uuid.uuid4().hex[:10]


def unique_email(prefix: str = "student") -> str:
    return f"{prefix}.{tag()}@example.com"


def unique_course(prefix: str = "Course") -> str:
    return f"{prefix} {tag()}"


def new_student(**fields: Any) -> dict[str, Any]:
    return {"name": "Ada Lovelace", "email": unique_email(), "age": 20, "course": unique_course(), **fields}


def check_student(body: Any, expected: dict[str, Any], what: str) -> None:
    """`body` is a student object holding every field of `expected` (e-mail compared ignoring case)."""
    assert isinstance(body, dict), f"{what} should be a JSON object (a student), got {body!r}"
    for key in FIELDS:
        assert key in body, f"{what} should have the field {key!r}, got {body!r}"
    assert isinstance(body["id"], int) and not isinstance(body["id"], bool), (
        f"{what}: `id` should be an integer, got {body['id']!r}"
    )
    for key, value in expected.items():
        got = body[key]
        if key == "email":
            ok = isinstance(got, str) and got.lower() == value.lower()
            assert ok, f"{what}: `email` should be {value!r} (any case), got {got!r}"
        else:
            assert got == value, f"{what}: `{key}` should be {value!r}, got {got!r}"


@pytest.fixture
def create_student(client):
    """POST a student (unique e-mail and course unless given); asserts 201, returns the body."""

    def create(**fields: Any) -> dict[str, Any]:
        payload = new_student(**fields)
        response = client.post("/students", json=payload)
        assert response.status_code == 201, (
            f"POST /students with a valid body should answer 201, got {response.status_code}"
        )
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("id"), int), (
            f"POST /students should answer the created student with an integer `id`, got {body!r}"
        )
        return body

    return create
