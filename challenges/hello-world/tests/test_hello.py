import pytest


def _get_json(client, path):
    """GET `path` without following redirects; assert 200 and a JSON object, return it."""
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 200, (
        f"GET {path} should answer 200 directly, got {response.status_code}"
        + (f" (a redirect to {response.headers.get('location')!r})" if 300 <= response.status_code < 400 else "")
    )
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"GET {path} should answer JSON, got {response.text[:200]!r}") from None
    return body


def _check_greeting(client, path, expected_message):
    body = _get_json(client, path)
    expected = {"message": expected_message}
    assert body == expected, f"GET {path} should answer exactly {expected!r}, got {body!r}"


@pytest.mark.points(40)
@pytest.mark.rule("R1")
def test_root_returns_hello_world(client):
    _check_greeting(client, "/", "Hello World")


@pytest.mark.points(20)
@pytest.mark.rule("R2")
def test_hello_name_greets_the_name(client):
    _check_greeting(client, "/hello/Ada", "Hello Ada")


@pytest.mark.points(20)
@pytest.mark.rule("R2")
def test_hello_name_keeps_the_name_as_sent(client):
    for name in ("grace_hopper", "ADA", "R2-D2", "mcCarthy"):
        _check_greeting(client, f"/hello/{name}", f"Hello {name}")


@pytest.mark.points(20)
@pytest.mark.rule("R3")
def test_hello_name_decodes_the_segment(client):
    _check_greeting(client, "/hello/Jos%C3%A9%20Mar%C3%ADa", "Hello José María")
