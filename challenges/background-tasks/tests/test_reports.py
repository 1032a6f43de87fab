import time
import uuid

import pytest

WORK_SECONDS = 2.0
POLL_DEADLINE = 10.0


def _create(client, numbers):
    """POST a report; return its JSON body (status code and id type are checked elsewhere)."""
    response = client.post("/reports", json={"numbers": numbers})
    assert 200 <= response.status_code < 300, (
        f"POST /reports with a valid body should succeed (202), got {response.status_code}"
    )
    body = response.json()
    assert body.get("id") not in (None, ""), f"POST /reports should answer with an 'id', got {body!r}"
    body["id"] = str(body["id"])
    return body


def _wait_done(client, report_id, started):
    """Poll GET /reports/{id} until it is done or the deadline passes; return the last body."""
    body = None
    while True:
        response = client.get(f"/reports/{report_id}")
        assert response.status_code == 200, (
            f"GET /reports/{report_id} for an existing report should answer 200, got {response.status_code}"
        )
        body = response.json()
        if body.get("status") == "done" or time.monotonic() - started > POLL_DEADLINE:
            return body
        time.sleep(0.1)


@pytest.mark.points(15)
def test_post_accepts_with_pending(client):
    response = client.post("/reports", json={"numbers": [1, 2, 3]})
    assert response.status_code == 202, (
        f"POST /reports should answer 202 Accepted (the work is done later), got {response.status_code}"
    )
    body = response.json()
    assert isinstance(body.get("id"), str) and body["id"], (
        f"POST /reports should answer with a non-empty string 'id', got {body.get('id')!r}"
    )
    assert body.get("status") == "pending", (
        f"POST /reports should answer with status 'pending' (the work is done later), got {body.get('status')!r}"
    )


@pytest.mark.points(17)
def test_get_right_after_post_is_pending(client):
    body = _create(client, [10, 20])
    response = client.get(f"/reports/{body['id']}")
    assert response.status_code == 200, (
        f"GET /reports/{{id}} right after creating the report should answer 200, got {response.status_code}"
    )
    got = response.json()
    assert str(got.get("id")) == body["id"], f"GET /reports/{{id}} should repeat the id, got {got.get('id')!r}"
    assert got.get("status") == "pending", (
        "the work takes 2 seconds and runs after the POST's response, so a GET made right after "
        f"the POST should still say status 'pending', got {got.get('status')!r}"
    )
    assert "result" in got and got["result"] is None, (
        f"a pending report should have 'result': null, got {got.get('result', '<missing>')!r}"
    )


@pytest.mark.points(10)
def test_post_does_not_wait_for_the_work(client):
    started = time.monotonic()
    _create(client, [5])
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, (
        f"POST /reports took {elapsed:.2f} s: it should answer at once and leave the 2-second work "
        "to a background task"
    )


@pytest.mark.points(20)
def test_report_completes_with_the_sum(client):
    started = time.monotonic()
    body = _create(client, [1, 2, 3, 4])
    done = _wait_done(client, body["id"], started)
    assert done.get("status") == "done", (
        f"a report should be 'done' about 2 s after the POST; after {POLL_DEADLINE:g} s its status "
        f"is still {done.get('status')!r}"
    )
    assert str(done.get("id")) == body["id"], f"GET /reports/{{id}} should repeat the id, got {done.get('id')!r}"
    assert done.get("result") == 10 and type(done.get("result")) is int, (
        f"the result of numbers [1, 2, 3, 4] should be the integer 10, got {done.get('result')!r}"
    )


@pytest.mark.points(18)
def test_reports_are_independent(client):
    started = time.monotonic()
    cases = [([7, -2, 100], 105), ([], 0), ([41, 1], 42)]
    created = [(_create(client, numbers)["id"], numbers, expected) for numbers, expected in cases]
    ids = [report_id for report_id, _, _ in created]
    assert len(set(ids)) == len(ids), f"each report should get its own id, got {ids}"
    for report_id, numbers, expected in created:
        done = _wait_done(client, report_id, started)
        assert done.get("status") == "done", (
            f"report {report_id} (numbers {numbers}) should be 'done' {POLL_DEADLINE:g} s after it was "
            f"created, status is {done.get('status')!r}"
        )
        assert done.get("result") == expected, (
            f"report {report_id} with numbers {numbers} should have result {expected}, "
            f"got {done.get('result')!r}"
        )


@pytest.mark.points(10)
def test_unknown_report_is_404(client):
    response = client.get(f"/reports/no-such-report-{uuid.uuid4()}")
    assert response.status_code == 404, (
        f"GET /reports/{{id}} for an id never created should answer 404, got {response.status_code}"
    )


@pytest.mark.points(10)
def test_invalid_body_is_422(client):
    for body in ({}, {"numbers": "1,2,3"}, {"numbers": ["one", "two"]}, {"values": [1, 2]}):
        response = client.post("/reports", json=body)
        assert response.status_code == 422, (
            f"POST /reports with body {body} (no list of integers in 'numbers') should answer 422, "
            f"got {response.status_code}"
        )
