"""Result callbacks: when a submission reaches a final status, its `callback_url` is POSTed a
small JSON document, signed so the receiver can trust it.

Signature: header `X-Grader-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
HMAC-SHA256(callback_secret, "<t>.<raw body>"). Receivers should recompute it, compare in
constant time, and refuse timestamps older than a few minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import httpx

from grader.db.models import Submission
from grader.errors import InvalidSubmission

SIGNATURE_HEADER = "X-Grader-Signature"


class CallbackRefused(InvalidSubmission):
    """The callback URL is not one we will call."""


def check_url(url: str, allow_private: bool) -> str:
    """The URL if it is http(s) with a host that does not resolve to an internal address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("callback_url must be an absolute http(s) URL")
    if len(url) > 2000:
        raise CallbackRefused("callback_url is longer than 2000 characters")
    if not allow_private:
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise CallbackRefused(f"callback_url host does not resolve: {exc}") from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise CallbackRefused("callback_url points at an internal address")
    return url


def body_of(submission: Submission) -> bytes:
    document = {
        "id": submission.id,
        "status": submission.status.value,
        "verdict": submission.verdict,
        "score": submission.score,
        "max_score": submission.max_score,
        "attempts": submission.attempts,
    }
    return json.dumps(document, separators=(",", ":")).encode()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, max_age: float = 300) -> bool:
    """What a receiver does (used by our tests)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, timestamp)
    return hmac.compare_digest(expected, header) and abs(time.time() - timestamp) <= max_age


def deliver(url: str, body: bytes, secret: str, timeout: float = 10.0) -> None:
    """POST once; raise httpx.HTTPError unless the receiver answered 2xx."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
    }
    response = httpx.post(
        url, content=body, headers=headers, timeout=timeout, follow_redirects=False
    )
    response.raise_for_status()
