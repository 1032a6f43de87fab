"""The `client` the hidden suites use: Starlette's TestClient API, over real HTTP to the app.

Requests go over loopback to the app in the other container, with a browser's headers. What the
app sends back is read on the grader's terms, never the app's:
- every request has a total deadline (connect, send, headers and body together), so a body that
  trickles in a byte at a time cannot stall the grading;
- the body is capped after decompression (a small gzip or deflate body cannot inflate into
  gigabytes in the suite's memory), and fed to the decompressor in small pieces;
- `.text` is always decoded as UTF-8 and `.json()` parses UTF-8 only, whatever charset the app
  declares (a misleading charset cannot hide a leaked secret from a check on `.text`).
Every exchange is remembered so that a failure message can say what the app answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from .protocol import APP_HOST, APP_PORT

BASE_URL = f"http://{APP_HOST}:{APP_PORT}"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
#: Raw body bytes handed to the decompressor at a time: deflate inflates at most ~1000-fold,
#: so no single step can exceed about a megabyte before the cap is checked again.
DECODE_PIECE = 1024


class ResponseTooLarge(Exception):
    """The app sent a body larger than the suite reads."""


class _Deadline(threading.local):
    """The end of the request in flight on this thread (monotonic seconds)."""

    at: float = float("inf")

    def left(self, timeout: float | None) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the request's total deadline passed")
        return remaining if timeout is None else min(timeout, remaining)


_deadline = _Deadline()


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the request's total deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _deadline.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _deadline.left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = super().connect_tcp(
            host, port, _deadline.left(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)


class _CappedStream(httpx.SyncByteStream):
    """The raw body, cut into small pieces, capped in total (compressed bytes)."""

    def __init__(self, inner: httpx.SyncByteStream, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        for chunk in self._inner:
            total += len(chunk)
            if total > self._limit:
                raise ResponseTooLarge(f"the response body is larger than {self._limit} bytes")
            for start in range(0, len(chunk), DECODE_PIECE):
                yield chunk[start : start + DECODE_PIECE]

    def close(self) -> None:
        self._inner.close()


class AppResponse(httpx.Response):
    """A response read on the grader's terms (see the module's docstring)."""

    limit: int = 0

    @property
    def encoding(self) -> str:
        return "utf-8"

    @encoding.setter
    def encoding(self, value: str) -> None:
        """Ignored: the app does not choose how its body is read."""

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        total = 0
        for chunk in super().iter_bytes(chunk_size):
            total += len(chunk)
            if total > self.limit:
                raise ResponseTooLarge(
                    f"the response body is larger than {self.limit} bytes once decompressed"
                )
            yield chunk

    def json(self, **kwargs: Any) -> Any:
        return json.loads(self.content.decode("utf-8-sig"), **kwargs)


#: httpx builds a TLS context (loading the CA bundle, ~40 ms of CPU) for every transport made
#: without one: a suite makes a client per test. The app speaks plain HTTP; one context, made
#: while the container warms up, serves every client.
_TLS_CONTEXT = httpx.create_ssl_context()


class _CappedTransport(httpx.HTTPTransport):
    def __init__(self, limit: int, total_timeout: float) -> None:
        super().__init__(retries=0, verify=_TLS_CONTEXT)
        # The pool httpx made, again with a network backend that enforces the total deadline.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_TLS_CONTEXT, retries=0, network_backend=_DeadlineBackend()
        )
        self._limit = limit
        self._total = total_timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _deadline.at = time.monotonic() + self._total
        response = super().handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        capped = AppResponse(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self._limit),
            extensions=response.extensions,
        )
        capped.limit = self._limit
        return capped


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
            transport=_CappedTransport(response_limit, timeout),
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
