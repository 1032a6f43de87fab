"""Every limit a sandbox runs under, with its default, in one place.

A challenge may override `time_seconds` and `memory_mb` in its `challenge.toml` (`[limits]`);
the rest are the same for every grading. Values are picked so that an honest FastAPI answer
never comes near them while a runaway one is stopped quickly.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

KIB = 1024
MIB = 1024 * KIB


class Limits(BaseModel):
    time_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Wall-clock limit for the whole grading, start-up included; enforced by kill.",
    )
    memory_mb: int = Field(
        default=256,
        ge=64,
        le=4096,
        description="Memory of the app container (tmpfs included); swap is the same, so none.",
    )
    suite_memory_mb: int = Field(
        default=256, ge=64, le=4096, description="Memory of the container running the hidden suite."
    )
    cpus: float = Field(default=1.0, gt=0, le=8, description="CPU quota of each container.")
    pids: int = Field(
        default=64, ge=8, description="Processes and threads per container (stops fork bombs)."
    )
    open_files: int = Field(default=256, ge=16, description="RLIMIT_NOFILE in the containers.")
    file_size_mb: int = Field(default=16, ge=1, description="RLIMIT_FSIZE: largest file written.")
    tmpfs_mb: int = Field(
        default=16, ge=1, description="Size of each writable tmpfs (/app, /tmp, /data)."
    )
    output_limit_bytes: int = Field(
        default=1 * MIB,
        ge=KIB,
        description="Output the app may print in all before the verdict is output_limit.",
    )
    log_keep_bytes: int = Field(
        default=64 * KIB, ge=KIB, description="Head of the app's output kept in the result's log."
    )
    request_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Per HTTP request the hidden suite makes to the app."
    )
    response_limit_bytes: int = Field(
        default=4 * MIB,
        ge=KIB,
        description="Largest response body the suite reads; a larger one fails that test.",
    )

    def with_overrides(self, time_seconds: float | None, memory_mb: int | None) -> Limits:
        """The limits a challenge asks for: only time and memory may change."""
        update: dict[str, float | int] = {}
        if time_seconds is not None:
            update["time_seconds"] = time_seconds
        if memory_mb is not None:
            update["memory_mb"] = memory_mb
        return Limits.model_validate({**self.model_dump(), **update}) if update else self
