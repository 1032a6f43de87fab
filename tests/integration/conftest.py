"""Fixtures for tests against a real Docker daemon and the built sandbox image."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from grader.config import REPO_ROOT
from worker.challenge import ChallengeSpec, Files, LimitOverrides, load_challenge
from worker.limits import Limits
from worker.sandbox import Sandbox, connect, image_tag
from worker.sandbox.runtime import LABEL_OWNER, owner_id

HERE = Path(__file__).parent
SUBMISSIONS = HERE / "submissions"


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    # A missing daemon or image is a failure, never a skip: these tests are the proof.
    return connect()


@pytest.fixture(scope="session")
def sandbox(docker_client: docker.DockerClient) -> Sandbox:
    return Sandbox(docker_client, image_tag(), Limits(request_timeout_seconds=3.0))


@pytest.fixture(autouse=True)
def no_sandbox_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every Docker test: no sandbox container or volume may remain."""
    yield
    if "docker_client" not in request.fixturenames and "sandbox" not in request.fixturenames:
        return
    client = request.getfixturevalue("docker_client")
    mine = {"label": f"{LABEL_OWNER}={owner_id()}"}  # other processes may be grading too
    containers = client.containers.list(all=True, filters=mine)
    volumes = client.volumes.list(filters=mine)
    assert not containers, f"sandbox containers left behind: {[c.name for c in containers]}"
    assert not volumes, f"sandbox volumes left behind: {[v.name for v in volumes]}"


def catalog(slug: str, time_seconds: float | None = None) -> ChallengeSpec:
    challenge = load_challenge(REPO_ROOT / "challenges" / slug)
    return with_time_limit(challenge, time_seconds) if time_seconds else challenge


def probe_challenge() -> ChallengeSpec:
    return load_challenge(HERE / "challenges" / "probe")


def with_time_limit(challenge: ChallengeSpec, seconds: float) -> ChallengeSpec:
    meta = challenge.meta.model_copy(
        update={
            "limits": LimitOverrides(
                time_seconds=seconds, memory_mb=challenge.meta.limits.memory_mb
            )
        }
    )
    return challenge.model_copy(update={"meta": meta})


def submission(name: str) -> Files:
    return {"main.py": (SUBMISSIONS / f"{name}.py").read_text()}
