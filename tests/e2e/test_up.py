"""`grader up`: one command brings up SQLite, a private Redis, the API and workers; Ctrl-C
brings all of it down."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis.exceptions
from redis import Redis

from grader.supervisor import free_port
from tests.e2e.conftest import HELLO, _processes_with
from worker.sandbox import image_tag

pytestmark = pytest.mark.docker


def test_up_serves_grades_and_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("`grader up` needs redis-server on PATH for its private Redis")
    catalog = tmp_path / "catalog"
    shutil.copytree(HELLO, catalog / "hello-world")
    port = free_port()
    marker = f"GRADER_CHALLENGES_DIR={catalog}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRADER_")} | {
        "GRADER_CHALLENGES_DIR": str(catalog),
        "GRADER_PORT": str(port),
        "GRADER_SANDBOX_IMAGE": image_tag(),
    }
    grader = [sys.executable, "-m", "grader"]
    log = (tmp_path / "up.log").open("wb")
    up = subprocess.Popen(
        [*grader, "up", "--workers", "1"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", up, tmp_path / "up.log")
        assert (tmp_path / "var" / "grader.db").is_file()  # SQLite under ./var by default
        made = subprocess.run(
            [*grader, "users", "create", "dora", "--password", "dora-pass-1"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert made.returncode == 0, made.stderr
        token = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            data={"username": "dora", "password": "dora-pass-1"},
        ).json()
        graded = subprocess.run(
            [
                *grader,
                "submit",
                "hello-world",
                str(HELLO / "solution"),
                "--url",
                f"http://127.0.0.1:{port}",
                "--token",
                token["access_token"],
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert graded.returncode == 0, graded.stdout + graded.stderr
        assert "score 100/100" in graded.stdout
    finally:
        os.killpg(up.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        try:
            up.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            raise
        finally:
            log.close()
    deadline = time.monotonic() + 15
    while (stray := _processes_with(marker.encode())) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not stray, f"`grader up` left processes behind: {stray}"
    # redis-server rewrites its process title over its environment: check its port instead.
    found = re.search(r"private Redis at (redis://\S+)", (tmp_path / "up.log").read_text())
    assert found, "`grader up` did not start its own Redis"
    with pytest.raises(redis.exceptions.ConnectionError):
        Redis.from_url(found.group(1), socket_connect_timeout=1).ping()


def _wait_ready(url: str, up: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert up.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"`grader up` not ready within {timeout} s:\n{log.read_text()}")
