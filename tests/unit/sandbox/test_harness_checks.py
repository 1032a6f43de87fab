"""`reveals`: a leaked secret is found however the app encodes it; an honest body is clean."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from worker.sandbox.harness.checks import reveals

SECRET = "Sup3r-secret!pw"


def response(body: bytes, content_type: str = "application/json", **headers: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": content_type, **headers})


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json.dumps({"echo": SECRET}).encode(), "application/json"),
        (json.dumps({"echo": SECRET}).encode(), "application/json; charset=cp037"),
        (json.dumps({"echo": SECRET}).encode(), "application/json; charset=utf-7"),
        (json.dumps({"echo": SECRET}).encode("utf-16"), "application/json"),
        (json.dumps({"echo": SECRET}).encode("utf-32-be"), "application/json"),
        (b"x" + json.dumps({"echo": SECRET}).encode("utf-16-le"), "application/json"),
        (
            b'{"e": "' + "".join(f"\\u{ord(c):04x}" for c in SECRET).encode() + b'"}',
            "application/json",
        ),
        (("<p>" + "".join(f"&#{ord(c)};" for c in SECRET) + "</p>").encode(), "text/html"),
        (b"token=" + base64.b64encode(SECRET.encode()), "text/plain"),
        (SECRET.encode().hex().encode(), "text/plain"),
        (SECRET.encode("cp037"), "text/plain; charset=cp037"),
        (json.dumps({SECRET: 1}).encode(), "application/json"),
    ],
)
def test_a_secret_is_found_however_it_is_encoded(body: bytes, content_type: str) -> None:
    assert reveals(response(body, content_type), SECRET)


def test_a_secret_in_a_header_is_found() -> None:
    assert reveals(response(b"{}", **{"x-debug": SECRET}), SECRET)


def test_an_honest_body_reveals_nothing() -> None:
    body = json.dumps({"id": 1, "username": "ada", "email": "ada@example.com"}).encode()
    assert not reveals(response(body), SECRET)
    assert not reveals(response(b""), SECRET)
