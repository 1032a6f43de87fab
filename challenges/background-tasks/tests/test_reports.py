import time
import uuid

import pytest

AT_ONCE = 1.5  # R3, R8: seconds within which the app answers
PENDING_UNTIL = 2.0  # R5: a report is pending for this long after its POST
DONE_BY = 4.0  # R6: a report is done at the latest this long after its POST
OBSERVE_AT = 1.7  # when the suite looks at a report that must still be pending
POLL_EVERY = 0.1


def _json(response, what):
    try:
        return response.json()
    except ValueError:
        raise AssertionError(f"{what} should answer JSON, got {response.text[:200]!r}") from None


def _create(client, numbers):
    """POST a report; return (id, monotonic time just before the request, time of its answer)."""
    sent = time.monotonic()
    response = client.post("/reports", json={"numbers": numbers})
    answered = time.monotonic()
    assert 200 <= response.status_code < 300, (  # the exact 202 is R1's test
        f"POST /reports with numbers {numbers} should succeed (202), got {response.status_code}"
    )
    body = _json(response, "POST /reports")
    report_id = body.get("id") if isinstance(body, dict) else None
    assert isinstance(report_id, str) and report_id, (
        f"POST /reports should answer a non-empty string `id`, got {body!r}"
    )
    return report_id, sent, answered


def _get(client, report_id):
    response = client.get(f"/reports/{report_id}")
    assert response.status_code == 200, (
        f"GET /reports/{report_id} for an existing report should answer 200, got {response.status_code}"
    )
    body = _json(response, f"GET /reports/{report_id}")
    assert isinstance(body, dict), f"GET /reports/{report_id} should answer a JSON object, got {body!r}"
    return body


def _check_pending(body, report_id, when):
    assert body.get("id") == report_id, (
        f"GET /reports/{report_id} should repeat the id {report_id!r}, got {body.get('id')!r}"
    )
    assert body.get("status") == "pending", (
        f"the work takes 2 seconds, so {when} the report should still say status 'pending', "
        f"got {body.get('status')!r} (body {body!r})"
    )
    assert "result" in body and body["result"] is None, (
        f"{when} the report is pending, so it should have \"result\": null, "
        f"got {body.get('result', '<no result key>')!r}"
    )


def _wait_done(client, report_id, answered):
    """Poll until done, or until a GET sent DONE_BY seconds after the POST's answer is not done."""
    while True:
        polled = time.monotonic()
        body = _get(client, report_id)
        if body.get("status") == "done" or polled - answered >= DONE_BY:
            return body, polled - answered
        time.sleep(POLL_EVERY)


def _check_done(body, elapsed, report_id, numbers):
    expected = sum(numbers)
    assert body.get("status") == "done", (
        f"report {report_id} (numbers {numbers}) should be done at the latest {DONE_BY:g} s after "
        f"its POST; {elapsed:.1f} s after it, GET /reports/{{id}} still says status {body.get('status')!r}"
    )
    assert body.get("id") == report_id, (
        f"GET /reports/{report_id} should repeat the id {report_id!r}, got {body.get('id')!r}"
    )
    result = body.get("result")
    assert type(result) is int and result == expected, (
        f"report {report_id} with numbers {numbers} should have the integer result {expected}, got {result!r}"
    )


# --- answering at once -----------------------------------------------------------------------


@pytest.mark.points(10)
@pytest.mark.rule("R1")
def test_post_answers_202_pending(client):
    for numbers in ([1, 2, 3], []):
        response = client.post("/reports", json={"numbers": numbers})
        assert response.status_code == 202, (
            f"POST /reports with numbers {numbers} should answer 202 Accepted, got {response.status_code}"
        )
        body = _json(response, "POST /reports")
        assert isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"], (
            f"POST /reports should answer a non-empty string `id`, got {body!r}"
        )
        assert body.get("status") == "pending", (
            f"POST /reports should answer status 'pending' (the work is done later), got {body.get('status')!r}"
        )


@pytest.mark.points(8)
@pytest.mark.rule("R3")
def test_post_answers_at_once(client):
    _, sent, answered = _create(client, [5])
    elapsed = answered - sent
    assert elapsed < AT_ONCE, (
        f"POST /reports took {elapsed:.2f} s to answer: it should answer within {AT_ONCE:g} s and "
        "leave the 2-second work for after the response"
    )


@pytest.mark.points(12)
@pytest.mark.rule("R4", "R8")
def test_get_right_after_post_is_pending_and_answered_at_once(client):
    report_id, _, _ = _create(client, [10, 20])
    started = time.monotonic()
    body = _get(client, report_id)
    elapsed = time.monotonic() - started
    assert elapsed < AT_ONCE, (
        f"GET /reports/{{id}} made while the report is pending took {elapsed:.2f} s to answer: the "
        f"app should keep answering within {AT_ONCE:g} s while reports are being worked on"
    )
    _check_pending(body, report_id, "right after the POST")


# --- the 2 seconds -----------------------------------------------------------------------------


@pytest.mark.points(16)
@pytest.mark.rule("R5")
def test_still_pending_before_two_seconds(client):
    late = []
    for _ in range(3):
        report_id, sent, _ = _create(client, [3, 4])
        time.sleep(max(0.0, sent + OBSERVE_AT - time.monotonic()))
        body = _get(client, report_id)
        seen = time.monotonic() - sent
        if seen < PENDING_UNTIL - 0.05:
            _check_pending(body, report_id, f"{seen:.2f} s after its POST")
            return
        late.append(f"{seen:.2f} s")  # the answer came too late to tell: try a fresh report
    raise AssertionError(
        f"a GET /reports/{{id}} sent {OBSERVE_AT:g} s after the POST should be answered before the "
        f"report's 2 seconds are up, but the answers came only {', '.join(late)} after the POST"
    )


@pytest.mark.points(16)
@pytest.mark.rule("R6")
def test_report_is_done_with_the_sum(client):
    numbers = [1, 2, 3, 4]
    report_id, _, answered = _create(client, numbers)
    body, elapsed = _wait_done(client, report_id, answered)
    _check_done(body, elapsed, report_id, numbers)


@pytest.mark.points(18)
@pytest.mark.rule("R2", "R7")
def test_reports_are_independent(client):
    cases = [[7, -2, 100], [], [41, 1], [-5, -6]]
    created = [(numbers, *_create(client, numbers)) for numbers in cases]
    ids = [report_id for _, report_id, _, _ in created]
    assert len(set(ids)) == len(ids), f"each report should get its own id, got {ids}"
    for numbers, report_id, _, answered in created:
        body, elapsed = _wait_done(client, report_id, answered)
        _check_done(body, elapsed, report_id, numbers)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.points(10)
@pytest.mark.rule("R9")
def test_unknown_report_is_404(client):
    unknown = f"no-such-report-{uuid.uuid4()}"
    response = client.get(f"/reports/{unknown}")
    assert response.status_code == 404, (
        f"GET /reports/{unknown} (an id never created) should answer 404, got {response.status_code}"
    )


@pytest.mark.points(10)
@pytest.mark.rule("R10")
def test_invalid_body_is_422(client):
    bodies = [
        ({}, "no `numbers`"),
        ({"numbers": "1,2,3"}, "a string instead of a list"),
        ({"numbers": ["one", "two"]}, "words in the list"),
        ({"numbers": [1, 2.5]}, "a non-integer number in the list"),
        ({"numbers": None}, "`numbers` null"),
        ({"values": [1, 2]}, "the list under another key"),
    ]
    for body, why in bodies:
        response = client.post("/reports", json=body)
        assert response.status_code == 422, (
            f"POST /reports with {why} ({body}) should answer 422, got {response.status_code}"
        )
