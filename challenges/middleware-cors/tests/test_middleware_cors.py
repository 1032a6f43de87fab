import json
import math
import time
import uuid

import pytest

ALLOWED = "https://app.example.com"
OTHER_ORIGINS = [
    "https://evil.example.com",
    "http://app.example.com",
    "https://app.example.com:8443",
    "https://app.example.com.evil.test",
    "https://notapp.example.com",
    "",
]


def _items(value):
    """A comma-separated header value as a set of lowercased, stripped items."""
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


def _assert_generated_id(response, what):
    value = response.headers.get("x-request-id")
    assert value is not None, f"{what}: the response has no X-Request-ID header"
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise AssertionError(
            f"{what}: without a non-empty incoming X-Request-ID the app should generate a UUID4, "
            f"got X-Request-ID {value!r}"
        ) from None
    assert str(parsed) == value and parsed.version == 4, (
        f"{what}: a generated X-Request-ID should be a version-4 UUID in canonical lowercase "
        f"36-character form (like str(uuid.uuid4())), got {value!r}"
    )
    return value


def _assert_process_time(response, what):
    value = response.headers.get("x-process-time")
    assert value is not None, f"{what}: the response has no X-Process-Time header"
    try:
        seconds = float(value)
    except ValueError:
        raise AssertionError(
            f"{what}: X-Process-Time should be a number of seconds, got {value!r}"
        ) from None
    assert math.isfinite(seconds) and seconds >= 0, (
        f"{what}: X-Process-Time should be a finite, non-negative number of seconds, got {value!r}"
    )
    return seconds


def _preflight(client, path, origin, method, headers=None):
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        sent["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=sent)


@pytest.mark.points(3)
@pytest.mark.rule("R1")
def test_ping(client):
    response = client.get("/ping")
    assert response.status_code == 200, f"GET /ping should answer 200, got {response.status_code}"
    assert response.json() == {"message": "pong"}, (
        f"GET /ping should answer {{'message': 'pong'}}, got {response.text[:200]!r}"
    )


@pytest.mark.points(5)
@pytest.mark.rule("R2")
def test_slow_waits_half_a_second(client):
    started = time.monotonic()
    response = client.get("/slow")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, f"GET /slow should answer 200, got {response.status_code}"
    assert response.json() == {"message": "done"}, (
        f"GET /slow should answer {{'message': 'done'}}, got {response.text[:200]!r}"
    )
    assert elapsed >= 0.5, (
        f"GET /slow should wait 0.5 s before answering, but its answer came after {elapsed:.3f} s"
    )
    assert elapsed < 5, f"GET /slow should answer within 5 s, it took {elapsed:.3f} s"


@pytest.mark.points(4)
@pytest.mark.rule("R3")
def test_echo(client):
    for body in ({"a": 1, "nested": {"list": [1, "two", None]}}, {}):
        response = client.post("/echo", json=body)
        assert response.status_code == 200, (
            f"POST /echo with the object {body} should answer 200, got {response.status_code}"
        )
        assert response.json() == {"echo": body}, (
            f"POST /echo with {body} should answer {{'echo': {body}}}, got {response.text[:300]!r}"
        )


@pytest.mark.points(3)
@pytest.mark.rule("R4")
def test_echo_refuses_json_that_is_not_an_object(client):
    for body in ([1, 2, 3], 42, "text", None):
        response = client.post(
            "/echo", content=json.dumps(body), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, (
            f"POST /echo with the JSON body {json.dumps(body)} (not an object) should answer 422, "
            f"got {response.status_code}"
        )


@pytest.mark.points(7)
@pytest.mark.rule("R7")
def test_request_id_is_generated(client):
    first = _assert_generated_id(client.get("/ping"), "GET /ping")
    second = _assert_generated_id(client.get("/ping"), "a second GET /ping")
    third = _assert_generated_id(client.post("/echo", json={"x": 1}), "POST /echo")
    assert len({first, second, third}) == 3, (
        f"each request should get a new random X-Request-ID, got {first!r}, {second!r}, {third!r}"
    )


@pytest.mark.points(4)
@pytest.mark.rule("R7")
def test_empty_request_id_gets_a_generated_one(client):
    seen = set()
    for response, what in (
        (client.get("/ping", headers={"X-Request-ID": ""}), "GET /ping with an empty X-Request-ID"),
        (
            client.post("/echo", json={"x": 1}, headers={"X-Request-ID": ""}),
            "POST /echo with an empty X-Request-ID",
        ),
    ):
        seen.add(_assert_generated_id(response, what))
    assert len(seen) == 2, f"each request should get a new random X-Request-ID, got {sorted(seen)}"


@pytest.mark.points(9)
@pytest.mark.rule("R6")
def test_request_id_is_echoed(client):
    for sent in ("req-abc-123", str(uuid.uuid4()), "Client.Trace:42", "x", "not a uuid at all"):
        response = client.get("/ping", headers={"X-Request-ID": sent})
        assert response.status_code == 200, (
            f"GET /ping with X-Request-ID {sent!r} should answer 200, got {response.status_code}"
        )
        got = response.headers.get("x-request-id")
        assert got == sent, (
            f"a request with X-Request-ID {sent!r} should get the same value back in the response's "
            f"X-Request-ID header, got {got!r}"
        )
    response = client.post("/echo", json={"k": "v"}, headers={"X-Request-ID": "post-req-7"})
    got = response.headers.get("x-request-id")
    assert got == "post-req-7", f"POST /echo with X-Request-ID 'post-req-7' should echo it, got {got!r}"


@pytest.mark.points(7)
@pytest.mark.rule("R5", "R6", "R7", "R8")
def test_headers_on_404(client):
    path = f"/no-such-page-{uuid.uuid4().hex}"
    response = client.get(path)
    assert response.status_code == 404, f"GET of an unknown path should answer 404, got {response.status_code}"
    _assert_generated_id(response, "a 404 response")
    _assert_process_time(response, "a 404 response")
    response = client.get(path, headers={"X-Request-ID": "lost-404"})
    got = response.headers.get("x-request-id")
    assert got == "lost-404", (
        f"a 404 response should echo the incoming X-Request-ID 'lost-404', got {got!r}"
    )


@pytest.mark.points(4)
@pytest.mark.rule("R4", "R5", "R6", "R7", "R8")
def test_headers_on_405_and_422(client):
    response = client.delete("/ping")
    assert response.status_code == 405, f"DELETE /ping should answer 405, got {response.status_code}"
    _assert_generated_id(response, "a 405 response")
    _assert_process_time(response, "a 405 response")
    response = client.post("/echo", json=[1, 2, 3], headers={"X-Request-ID": "bad-body"})
    assert response.status_code == 422, (
        f"POST /echo with a JSON list (not an object) should be a validation error (422), "
        f"got {response.status_code}"
    )
    assert response.headers.get("x-request-id") == "bad-body", (
        "a 422 response should echo the incoming X-Request-ID 'bad-body', got "
        f"{response.headers.get('x-request-id')!r}"
    )
    _assert_process_time(response, "a 422 response")


@pytest.mark.points(5)
@pytest.mark.rule("R8")
def test_process_time_is_a_number(client):
    for _ in range(3):
        seconds = _assert_process_time(client.get("/ping"), "GET /ping")
        assert seconds < 5, (
            f"X-Process-Time is in seconds: GET /ping should take well under 5 s, got {seconds}"
        )


@pytest.mark.points(7)
@pytest.mark.rule("R2", "R8")
def test_process_time_of_slow(client):
    response = client.get("/slow")
    assert response.status_code == 200, f"GET /slow should answer 200, got {response.status_code}"
    seconds = _assert_process_time(response, "GET /slow")
    assert 0.5 <= seconds < 5, (
        "GET /slow waits 0.5 s, so its X-Process-Time (wall-clock seconds) should be at least 0.5 "
        f"and under 5, got {seconds}"
    )


@pytest.mark.points(9)
@pytest.mark.rule("R9")
def test_cors_allowed_origin(client):
    for response, what in (
        (client.get("/ping", headers={"Origin": ALLOWED}), "GET /ping"),
        (client.post("/echo", json={"a": 1}, headers={"Origin": ALLOWED}), "POST /echo"),
    ):
        assert response.status_code == 200, (
            f"{what} from the allowed origin should answer 200, got {response.status_code}"
        )
        got = response.headers.get("access-control-allow-origin")
        assert got == ALLOWED, (
            f"{what} with Origin {ALLOWED} should get Access-Control-Allow-Origin: {ALLOWED}, "
            f"got {got!r}"
        )
        creds = response.headers.get("access-control-allow-credentials")
        assert creds == "true", (
            f"{what} with Origin {ALLOWED} should get Access-Control-Allow-Credentials: true, "
            f"got {creds!r}"
        )


@pytest.mark.points(5)
@pytest.mark.rule("R10")
def test_cors_exposes_the_custom_headers(client):
    for response, what in (
        (client.get("/ping", headers={"Origin": ALLOWED}), "GET /ping"),
        (client.post("/echo", json={"a": 1}, headers={"Origin": ALLOWED}), "POST /echo"),
    ):
        exposed = _items(response.headers.get("access-control-expose-headers"))
        missing = {"x-request-id", "x-process-time"} - exposed
        assert not missing, (
            f"{what} from the allowed origin should list X-Request-ID and X-Process-Time in "
            "Access-Control-Expose-Headers; got "
            f"{response.headers.get('access-control-expose-headers')!r}"
        )


@pytest.mark.points(9)
@pytest.mark.rule("R11")
def test_cors_preflight_allowed(client):
    cases = [
        ("/echo", "POST", "content-type"),
        ("/echo", "POST", "content-type, x-request-id"),
        ("/ping", "GET", None),
        ("/ping", "GET", "X-Request-ID"),
    ]
    for path, method, wanted in cases:
        what = f"preflight OPTIONS {path} from {ALLOWED} for {method}" + (
            f" with headers {wanted!r}" if wanted else ""
        )
        response = _preflight(client, path, ALLOWED, method, wanted)
        assert response.status_code == 200, f"{what} should answer 200, got {response.status_code}"
        got = response.headers.get("access-control-allow-origin")
        assert got == ALLOWED, f"{what}: Access-Control-Allow-Origin should be {ALLOWED}, got {got!r}"
        creds = response.headers.get("access-control-allow-credentials")
        assert creds == "true", f"{what}: Access-Control-Allow-Credentials should be 'true', got {creds!r}"
        methods = _items(response.headers.get("access-control-allow-methods"))
        assert method.lower() in methods, (
            f"{what}: Access-Control-Allow-Methods should list {method}, got "
            f"{response.headers.get('access-control-allow-methods')!r}"
        )
        if wanted:
            allowed_headers = _items(response.headers.get("access-control-allow-headers"))
            missing = _items(wanted) - allowed_headers
            assert not missing, (
                f"{what}: Access-Control-Allow-Headers should list {sorted(missing)}, got "
                f"{response.headers.get('access-control-allow-headers')!r}"
            )


@pytest.mark.points(4)
@pytest.mark.rule("R12")
def test_cors_preflight_other_method_not_approved(client):
    for method in ("DELETE", "PUT", "PATCH", ""):
        response = _preflight(client, "/echo", ALLOWED, method)
        methods = _items(response.headers.get("access-control-allow-methods"))
        approved = 200 <= response.status_code < 300 and (method.lower() in methods or "*" in methods)
        assert not approved, (
            f"only GET and POST are allowed: a preflight for {method or 'an empty method'} should "
            "not be approved, but it "
            f"got {response.status_code} with Access-Control-Allow-Methods "
            f"{response.headers.get('access-control-allow-methods')!r}"
        )


@pytest.mark.points(8)
@pytest.mark.rule("R13")
def test_cors_other_origins_get_no_allow_origin(client):
    for origin in OTHER_ORIGINS:
        response = client.get("/ping", headers={"Origin": origin})
        assert response.status_code == 200, (
            f"GET /ping from any origin still answers 200; with Origin {origin!r} it got "
            f"{response.status_code}"
        )
        got = response.headers.get("access-control-allow-origin")
        assert got is None, (
            f"GET /ping with Origin {origin!r} (not allowed) should get no Access-Control-Allow-Origin "
            f"header, got {got!r}"
        )
        response = _preflight(client, "/echo", origin, "POST")
        got = response.headers.get("access-control-allow-origin")
        assert got is None, (
            f"a preflight from Origin {origin!r} (not allowed) should get no Access-Control-Allow-Origin "
            f"header, got {got!r}"
        )


@pytest.mark.points(7)
@pytest.mark.rule("R5", "R6", "R7", "R8")
def test_preflight_responses_carry_the_headers(client):
    checks = [
        (_preflight(client, "/echo", ALLOWED, "POST", "content-type"), "an approved preflight"),
        (_preflight(client, "/echo", "https://evil.example.com", "POST"), "a preflight from a disallowed origin"),
        (_preflight(client, "/echo", ALLOWED, "DELETE"), "a preflight for DELETE"),
    ]
    for response, what in checks:
        _assert_generated_id(response, what)
        _assert_process_time(response, what)
    response = client.options(
        "/echo",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "X-Request-ID": "preflight-1",
        },
    )
    got = response.headers.get("x-request-id")
    assert got == "preflight-1", (
        f"a preflight with X-Request-ID 'preflight-1' should echo it, got {got!r}"
    )
