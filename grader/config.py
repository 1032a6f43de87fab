"""Settings: the only reader of the environment (variables prefixed `GRADER_`, or `.env`)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.limits import Limits
from worker.sandbox.image import BuildMethod

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRADER_", env_file=".env", extra="ignore")

    docker_url: str = Field(
        default="unix:///var/run/docker.sock", description="Docker daemon the sandboxes run on."
    )
    challenges_dir: Path = Field(
        default=REPO_ROOT / "challenges", description="Folder of the built-in challenge catalog."
    )
    sandbox_image: str | None = Field(
        default=None, description="Sandbox image tag; default: the tag hashed from its inputs."
    )
    sandbox_oci_runtime: str = Field(
        default="auto",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="OCI runtime of sandbox containers: `auto` (crun when the daemon has it "
        "registered, else the daemon's default), `default`, or a runtime name the daemon has.",
    )
    sandbox_build_method: BuildMethod = Field(
        default=BuildMethod.AUTO, description="How `grader sandbox build` makes the base image."
    )
    debian_mirror: str = Field(
        default="http://deb.debian.org/debian", description="Mirror for the offline image build."
    )
    sandbox_limits: Limits = Field(
        default_factory=Limits,
        description="Default sandbox limits as JSON, e.g. '{\"time_seconds\": 20}'.",
    )
    # --- the service -------------------------------------------------------------------
    database_url: str = Field(
        default="sqlite:///./var/grader.db",
        description="SQLAlchemy URL; SQLite (relative to the working directory) or PostgreSQL.",
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Redis holding the grading queue only."
    )
    secret_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Signs access tokens; the random default invalidates tokens at each restart.",
    )
    access_token_minutes: int = Field(default=60, ge=1, description="Lifetime of an access token.")
    rate_limit_per_minute: int = Field(
        default=10, ge=1, description="Submissions each user may post per minute."
    )
    api_key_rate_limit_per_minute: int = Field(
        default=120,
        ge=1,
        description="Submissions each API key may post per minute, unless the key has its own.",
    )
    idempotency_hours: float = Field(
        default=24, gt=0, description="How long an `Idempotency-Key` answers its first request."
    )
    max_files: int = Field(default=20, ge=1, description="Most files one submission may hold.")
    max_submission_bytes: int = Field(
        default=256 * 1024, ge=1024, description="Most UTF-8 bytes of file content per submission."
    )
    max_request_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted (JSON escaping can inflate content).",
    )
    max_upload_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, description="Largest challenge archive an admin uploads."
    )
    max_unpacked_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="Most bytes a challenge archive unpacks to."
    )
    callback_secret: SecretStr | None = Field(
        default=None,
        description="Signs result callbacks (HMAC-SHA256); unset: submissions may not ask for one.",
    )
    callback_allow_private: bool = Field(
        default=False,
        description="Allow callbacks to loopback/private addresses (tests, one-machine setups).",
    )
    callback_attempts: int = Field(default=5, ge=1, description="Deliveries tried per callback.")
    max_wait_seconds: float = Field(
        default=60.0, ge=0, description="Longest `?wait=` long-poll on a submission."
    )
    max_waits_per_caller: int = Field(
        default=4,
        ge=1,
        description="Long-polls one user or API key may hold at once (per API "
        "process); more answer 429.",
    )
    max_waits: int = Field(
        default=200, ge=1, description="Long-polls one API process holds at once; more answer 429."
    )
    job_timeout_seconds: int = Field(
        default=720, ge=30, description="rq job timeout; a sandbox never runs over 600 s."
    )
    reaper_interval_seconds: float = Field(
        default=15.0, gt=0, description="How often the worker process runs the reaper."
    )
    reaper_deadline_seconds: float = Field(
        default=900.0,
        gt=0,
        description="A submission queued or running for longer than this is re-enqueued.",
    )
    max_attempts: int = Field(
        default=3, ge=1, description="Gradings tried per submission before it is marked `error`."
    )
    warm_slots: int = Field(
        default=0,
        ge=0,
        le=8,
        description="Warm sandbox slots kept per worker process (0: off). When on, jobs run in "
        "the worker process itself (rq SimpleWorker) so the slots outlive each job.",
    )
    worker_count: int = Field(
        default=1, ge=1, description="rq worker processes of `grader worker`."
    )
    host: str = Field(default="127.0.0.1", description="Address `grader serve` listens on.")
    port: int = Field(default=8000, description="Port `grader serve` listens on.")
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach the service: invitation links start with it.",
    )
    login_attempts_per_minute: int = Field(
        default=10, ge=1, description="Log-in attempts per username a minute (API and pages)."
    )
    web_session_hours: float = Field(
        default=8, gt=0, le=24 * 30, description="A staff member's browser session lasts this long."
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Send the session cookie only over HTTPS. Default: when the request came "
        "over HTTPS (or `public_url` is https).",
    )
    questions_dir: Path = Field(
        default=REPO_ROOT / "questions", description="Folder of the built-in question bank."
    )
    api_url: str = Field(
        default="http://127.0.0.1:8000", description="Server `grader submit` talks to."
    )
    api_token: SecretStr | None = Field(
        default=None, description="Access token or API key for `grader submit`."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment plus `overrides`, for child processes (`grader up`)."""
    return {**os.environ, **overrides}
