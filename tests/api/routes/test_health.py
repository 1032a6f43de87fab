"""Liveness, readiness and metrics need no credentials."""

from __future__ import annotations

from tests.api.conftest import Api


def test_liveness_readiness_and_metrics(api: Api) -> None:
    assert api.call("GET", "/healthz").json() == {"status": "ok"}
    ready = api.call("GET", "/readyz").json()
    assert ready["database"] == "ok" and ready["redis"] == "ok"
    metrics = api.call("GET", "/metrics")
    assert metrics.status_code == 200 and "grader_queue_depth" in metrics.text
    assert 'grader_submissions{status="queued"} 0.0' in metrics.text
