"""Webhooks: each event (`submission.completed`, ...) is a delivery to a URL, tried until the
receiver answers 2xx or the attempts run out, every attempt logged.

Each POST carries the JSON event and the headers `X-Grader-Event`, `X-Grader-Delivery` (its id)
and `X-Grader-Signature: t=<unix seconds>,v1=<hex>`, where `<hex>` is
HMAC-SHA256(callback_secret, "<t>.<raw body>"): the timestamp is signed, so a receiver that
refuses old ones (a few minutes) cannot be replayed to. `verify` is what a receiver does.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grader.db.models import (
    DeliveryStatus,
    Submission,
    WebhookAttempt,
    WebhookDelivery,
    utcnow,
)
from grader.errors import InvalidSubmission, NotFound

SIGNATURE_HEADER = "X-Grader-Signature"
EVENT_HEADER = "X-Grader-Event"
DELIVERY_HEADER = "X-Grader-Delivery"
SUBMISSION_COMPLETED = "submission.completed"
#: A delivery handed to a worker is not due again for this long (then its job is presumed lost).
LEASE = timedelta(minutes=5)
#: Pause after the n-th failed attempt: 30 s, 1, 2, 4 ... minutes, at most an hour.
BACKOFF = (timedelta(seconds=30), timedelta(hours=1))


class CallbackRefused(InvalidSubmission):
    """The callback URL is not one we will call."""


#: IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 / 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


log = logging.getLogger(__name__)


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


def submission_event(submission: Submission) -> dict[str, Any]:
    """The `submission.completed` event: the submission's final status of this grading."""
    return {
        "event": SUBMISSION_COMPLETED,
        "submission": {
            "id": submission.id,
            "external_id": submission.external_id,
            "challenge": submission.challenge.slug,
            "status": submission.status.value,
            "verdict": submission.verdict,
            "score": submission.score,
            "max_score": submission.max_score,
            "round": submission.round,
            "attempts": submission.attempts,
            "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
        },
    }


def new_delivery(
    session: Session,
    event: dict[str, Any],
    url: str,
    submission_id: int | None = None,
    redelivery_of: int | None = None,
    requested_by: int | None = None,
    invitation_id: int | None = None,
) -> WebhookDelivery:
    """A pending delivery, due now (added and flushed; the caller commits)."""
    delivery = WebhookDelivery(
        event=str(event["event"]),
        submission_id=submission_id,
        invitation_id=invitation_id,
        url=url,
        payload=event,
        status=DeliveryStatus.PENDING,
        next_attempt_at=utcnow(),
        redelivery_of_id=redelivery_of,
        requested_by_id=requested_by,
    )
    session.add(delivery)
    session.flush()
    return delivery


def deliver_submission(session: Session, submission: Submission) -> WebhookDelivery | None:
    """The delivery of a submission's final grading to its callback URL, if it has one."""
    if not submission.callback_url or not submission.status.terminal:
        return None
    delivery = new_delivery(
        session, submission_event(submission), submission.callback_url, submission.id
    )
    session.commit()
    return delivery


def redeliver(session: Session, delivery_id: int, requested_by: int) -> WebhookDelivery:
    """Send an event again, as a new delivery (a fresh timestamp and signature)."""
    original = get_delivery(session, delivery_id)
    delivery = new_delivery(
        session,
        original.payload,
        original.url,
        original.submission_id,
        redelivery_of=original.id,
        requested_by=requested_by,
        invitation_id=original.invitation_id,
    )
    session.commit()
    return delivery


def get_delivery(session: Session, delivery_id: int) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    return delivery


def deliveries_of(session: Session, submission_id: int) -> list[WebhookDelivery]:
    if session.get(Submission, submission_id) is None:
        raise NotFound(f"no submission {submission_id}")
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.submission_id == submission_id)
            .order_by(WebhookDelivery.id)
        )
    )


def send_due(session: Session, enqueue: Callable[[int], None]) -> None:
    """Hand the deliveries due now to jobs at once (the reaper's pass would, later); a failure
    to enqueue leaves them to it."""
    for delivery_id in lease_due(session):
        try:
            enqueue(delivery_id)
        except Exception:  # Redis away: the lease expires and the reaper retries
            log.warning("webhook delivery %s left to the reaper", delivery_id, exc_info=True)


def lease_due(session: Session, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of pending deliveries that are due, each leased (not due again for `LEASE`) so that
    it is handed to exactly one job; a job lost meanwhile makes it due again later."""
    now = now or utcnow()
    due = session.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    leased = []
    for delivery_id in due:
        matched = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if matched == 1:
            leased.append(delivery_id)
    session.commit()
    return leased


def attempt(
    session: Session, delivery_id: int, secret: str, allow_private: bool, max_attempts: int
) -> DeliveryStatus:
    """Make one attempt of a pending delivery, log it, and decide what comes next."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status is not DeliveryStatus.PENDING:
        return delivery.status if delivery else DeliveryStatus.GAVE_UP
    number = len(delivery.attempts) + 1
    body = json.dumps({**delivery.payload, "delivery": delivery.id}, separators=(",", ":"))
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    try:
        status_code = deliver(
            delivery.url, body.encode(), secret, allow_private, delivery.event, delivery.id
        )
    except (httpx.HTTPError, CallbackRefused) as exc:
        error = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.HTTPStatusError):
            status_code = exc.response.status_code
    now = utcnow()
    delivery.attempts.append(
        WebhookAttempt(
            number=number,
            at=now,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    )
    if error is None:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.DELIVERED,
            now,
            None,
        )
    elif number >= max_attempts:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.GAVE_UP, None
    else:
        first, cap = BACKOFF
        delivery.next_attempt_at = now + min(first * 2 ** (number - 1), cap)
    session.commit()
    return delivery.status


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


def deliver(
    url: str,
    body: bytes,
    secret: str,
    allow_private: bool,
    event: str = SUBMISSION_COMPLETED,
    delivery_id: int = 0,
    timeout: float = 10.0,
) -> int:
    """POST once; the status code if the receiver answered 2xx, else `httpx.HTTPError`.

    The host is resolved and checked here, and the request goes to the checked address itself
    (the name only in `Host` and TLS's SNI): a DNS answer that changes after the check
    (rebinding) cannot point the request elsewhere."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(delivery_id),
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
        response = client.send(request).raise_for_status()
        return response.status_code
