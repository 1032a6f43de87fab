"""Run the service's processes side by side on one machine (what `grader up` does), with a
private Redis when none is configured."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from redis import Redis
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_fixed

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: The private Redis keeps nothing on disk: the database is the truth, Redis only a queue.
NO_DISK = ("--save", "", "--appendonly", "no")


class StopFlag:
    """True once SIGINT or SIGTERM arrived. A plain flag: a handler that takes a lock (as
    `threading.Event.set` does) can deadlock against the thread it interrupted."""

    def __init__(self) -> None:
        self.raised = False
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        self.raised = True

    def __bool__(self) -> bool:
        return self.raised


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A private, non-persistent redis-server on `port` of loopback (default: a free one)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server not found: install it (apt-get install redis-server) or set "
            "GRADER_REDIS_URL to a running Redis"
        )
    port = port or free_port()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Its own session: a Ctrl-C must not stop Redis before the workers have shut down.
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir), *NO_DISK],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    redis = Redis.from_url(url)

    def still_starting(exc: BaseException) -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}") from None
        return True

    try:
        Retrying(
            retry=retry_if_exception(still_starting),
            wait=wait_fixed(0.05),
            stop=stop_after_delay(5),
            reraise=True,
        )(redis.ping)
    except RuntimeError:
        raise
    except Exception:
        process.terminate()
        raise RuntimeError("redis-server did not answer within 5 s") from None
    finally:
        redis.close()
    return process, url


def supervise(commands: Sequence[Sequence[str]], env: dict[str, str]) -> int:
    """Run commands side by side until one exits or SIGINT/SIGTERM; then stop them all."""
    stopping = StopFlag()
    children = [subprocess.Popen(list(cmd), env=env) for cmd in commands]
    try:
        while not stopping:
            if any(child.poll() is not None for child in children):
                break
            time.sleep(0.5)
    finally:
        terminate(children)
    return max((child.returncode or 0) for child in children)


def terminate(children: Sequence[subprocess.Popen[bytes]], grace: float = 60.0) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def grader_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "grader", *args]
