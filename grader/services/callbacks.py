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
from urllib.parse import urlsplit, urlunsplit

import httpx

from grader.db.models import Submission
from grader.errors import InvalidSubmission

SIGNATURE_HEADER = "X-Grader-Signature"


class CallbackRefused(InvalidSubmission):
    """The callback URL is not one we will call."""


#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 / 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Not a public address, or an IPv6 one that embeds an IPv4 address that is not public
    (IPv4-mapped and -compatible, 6to4, Teredo, NAT64)."""
    if not address.is_global:
        return True
    if isinstance(address, ipaddress.IPv4Address):
        return False
    embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address.packed[:12] == bytes(12) or any(address in net for net in _NAT64):
        embedded.append(ipaddress.IPv4Address(address.packed[12:]))
    return any(v4 is not None and not v4.is_global for v4 in embedded)


def check_url(url: str, allow_private: bool) -> str:
    """The URL if it is http(s) with a host whose every address is public (unless
    `allow_private`); `CallbackRefused` otherwise."""
    resolve(url, allow_private)
    return url


def resolve(url: str, allow_private: bool) -> list[str]:
    """The addresses to connect to for `url`, each checked as `check_url` says (empty with
    `allow_private`: connect as the URL says)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("callback_url must be an absolute http(s) URL")
    if len(url) > 2000:
        raise CallbackRefused("callback_url is longer than 2000 characters")
    if allow_private:
        return []
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise CallbackRefused(f"callback_url host does not resolve: {exc}") from exc
    addresses = [str(info[4][0]).split("%")[0] for info in infos]
    if not addresses or any(_internal(ipaddress.ip_address(a)) for a in addresses):
        raise CallbackRefused("callback_url points at an internal address")
    return addresses


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


def deliver(url: str, body: bytes, secret: str, allow_private: bool, timeout: float = 10.0) -> None:
    """POST once; raise httpx.HTTPError unless the receiver answered 2xx.

    The host is resolved and checked here, and the request goes to the checked address itself
    (the name only in `Host` and TLS's SNI): a DNS answer that changes after the check
    (rebinding) cannot point the request elsewhere."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
    }
    target, extensions = url, dict[str, str]()
    addresses = resolve(url, allow_private)
    if addresses:
        parts = urlsplit(url)
        literal = addresses[0] if ":" not in addresses[0] else f"[{addresses[0]}]"
        netloc = literal + (f":{parts.port}" if parts.port else "")
        target = urlunsplit(parts._replace(netloc=netloc))
        headers["Host"] = parts.netloc.rpartition("@")[2]
        extensions = {"sni_hostname": parts.hostname or ""}
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        request = client.build_request(
            "POST", target, content=body, headers=headers, extensions=extensions
        )
        client.send(request).raise_for_status()
