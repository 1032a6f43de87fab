"""A small client of the HTTP API, for `grader submit`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from grader.security import API_KEY_PREFIX
from worker.challenge import Files

TERMINAL = ("completed", "error")


class ClientError(Exception):
    """The server refused the request or could not be reached; the message says why."""


def auth_headers(token: str) -> dict[str, str]:
    """API keys go in X-API-Key, access tokens as a bearer token."""
    if token.startswith(API_KEY_PREFIX):
        return {"X-API-Key": token}
    return {"Authorization": f"Bearer {token}"}


class GraderClient:
    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.http = httpx.Client(
            base_url=url.rstrip("/"), headers=auth_headers(token), timeout=timeout
        )

    def __enter__(self) -> GraderClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ClientError(f"{self.http.base_url} not reachable: {exc}") from exc
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ClientError(f"{response.status_code}: {detail}")
        body: dict[str, Any] = response.json()
        return body

    def submit(self, challenge: str, files: Files) -> dict[str, Any]:
        return self._call(
            "POST", "/api/v1/submissions", json={"challenge": challenge, "files": files}
        )

    def wait(
        self, submission_id: int, on_update: Callable[[dict[str, Any]], None], poll: float = 10.0
    ) -> dict[str, Any]:
        """Long-poll until the submission's status is final."""
        while True:
            submission = self._call(
                "GET",
                f"/api/v1/submissions/{submission_id}",
                params={"wait": poll},
                timeout=poll + 30,
            )
            on_update(submission)
            if submission["status"] in TERMINAL:
                return submission
