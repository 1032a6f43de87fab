"""Settings: the only reader of the environment (variables prefixed `GRADER_`, or `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.sandbox.image import BuildMethod
from worker.sandbox.limits import Limits

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
    sandbox_build_method: BuildMethod = Field(
        default=BuildMethod.AUTO, description="How `grader sandbox build` makes the base image."
    )
    debian_mirror: str = Field(
        default="http://deb.debian.org/debian", description="Mirror for the offline image build."
    )
    sandbox_limits: Limits = Field(
        default_factory=Limits,
        description="Default sandbox limits (JSON), e.g. GRADER_SANDBOX_LIMITS='{\"time_seconds\": 20}'.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
