"""The suite's `client`: cheap to make, as a suite makes one per test."""

from __future__ import annotations

import ssl
from collections import deque
from typing import Any

import pytest

from worker.sandbox.harness.client import AppClient


def test_a_client_per_test_builds_no_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the CA bundle for each client cost ~40 ms of CPU per test in the sandbox."""
    built: list[Any] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    for _ in range(5):
        with AppClient(timeout=1.0, response_limit=1024, trail=deque()) as client:
            assert client.base_url.host == "127.0.0.1"
    assert built == []
