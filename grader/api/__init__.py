"""The HTTP API (`/api/v1`), built by `create_app()`."""

from grader.api.app import create_app

__all__ = ["create_app"]
