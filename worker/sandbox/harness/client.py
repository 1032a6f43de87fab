"""The `client` the hidden suites use: Starlette's TestClient API, over real HTTP to the app.

Requests go over loopback to the app in the other container, with ordinary headers, so an app
cannot tell a test from a user. Response bodies are capped and every exchange is remembered so
that a failure message can say what the app answered.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

import httpx
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from .protocol import APP_HOST, APP_PORT

BASE_URL = f"http://{APP_HOST}:{APP_PORT}"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


class ResponseTooLarge(Exception):
    """The app sent a body larger than the suite reads."""


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        for chunk in self._inner:
            total += len(chunk)
            if total > self._limit:
                raise ResponseTooLarge(f"the response body is larger than {self._limit} bytes")
            yield chunk

    def close(self) -> None:
        self._inner.close()


#: httpx builds a TLS context (loading the CA bundle, ~40 ms of CPU) for every transport made
#: without one: a suite makes a client per test. The app speaks plain HTTP; one context, made
#: while the container warms up, serves every client.
_TLS_CONTEXT = httpx.create_ssl_context()


class _CappedTransport(httpx.HTTPTransport):
    def __init__(self, limit: int) -> None:
        super().__init__(retries=0, verify=_TLS_CONTEXT)
        self._limit = limit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self._limit),
            extensions=response.extensions,
        )


class WebSocketSession:
    """The subset of TestClient's WebSocket session that suites use."""

    def __init__(self, connection: ClientConnection, timeout: float) -> None:
        self._connection = connection
        self._timeout = timeout

    def __enter__(self) -> WebSocketSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_text(self, data: str) -> None:
        self._connection.send(data)

    def send_json(self, data: Any) -> None:
        self._connection.send(json.dumps(data))

    def receive_text(self, timeout: float | None = None) -> str:
        """The next message; `timeout` (seconds) defaults to the request timeout."""
        message = self._connection.recv(timeout=self._timeout if timeout is None else timeout)
        return message if isinstance(message, str) else message.decode()

    def receive_json(self, timeout: float | None = None) -> Any:
        return json.loads(self.receive_text(timeout))

    def close(self, code: int = 1000) -> None:
        self._connection.close(code)


class AppClient(httpx.Client):
    """An `httpx.Client` (which TestClient also is) bound to the candidate's app."""

    def __init__(self, timeout: float, response_limit: int, trail: deque[str]) -> None:
        self._trail = trail
        self._ws_timeout = timeout
        super().__init__(
            base_url=BASE_URL,
            timeout=timeout,
            follow_redirects=True,
            headers={"user-agent": USER_AGENT},
            transport=_CappedTransport(response_limit),
            event_hooks={"response": [self._remember]},
        )

    def _remember(self, response: httpx.Response) -> None:
        request = response.request
        target = request.url.raw_path.decode("ascii", "replace")
        self._trail.append(f"{request.method} {target} -> {response.status_code}")

    def websocket_connect(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        subprotocols: list[str] | None = None,
    ) -> WebSocketSession:
        self._trail.append(f"WEBSOCKET {path}")
        connection = ws_connect(
            f"ws://{APP_HOST}:{APP_PORT}{path}",
            additional_headers=headers,
            subprotocols=subprotocols,  # type: ignore[arg-type]
            open_timeout=self._ws_timeout,
            user_agent_header=USER_AGENT,
        )
        return WebSocketSession(connection, self._ws_timeout)
