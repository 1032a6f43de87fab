"""Domain errors raised by services; the API maps each class to one status code."""

from __future__ import annotations


class GraderError(Exception):
    """Base of every error a service raises on purpose; `str()` is shown to the caller."""


class Forbidden(GraderError):
    """The caller may not do this (a revoked or expired invitation, a role without the right)."""


class NotFound(GraderError):
    """The thing asked for does not exist, or the caller may not know it exists."""


class InvalidInput(GraderError):
    """A request breaks a rule; nothing was changed."""


class MalformedInput(GraderError):
    """What was sent cannot be read at all (a broken archive); nothing was changed."""


class InvalidSubmission(InvalidInput):
    """The submission breaks a rule (files, names, encoding); nothing was stored."""


class SubmissionTooLarge(InvalidSubmission):
    """Too many bytes in the submission's files."""


class ChallengeClosed(GraderError):
    """The challenge exists but takes no submissions (archived)."""


class Conflict(GraderError):
    """The request clashes with existing state, e.g. a username taken."""


class RetryLater(GraderError):
    """Refused for now, nothing stored; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryLater):
    """Too many requests."""


class Unavailable(RetryLater):
    """A service the request needs (Redis) does not answer."""
