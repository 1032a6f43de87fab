"""Scale-out across hosts, on one machine: two Docker daemons (the second with its own socket,
data root and exec root, the sandbox image loaded into it), one API, one PostgreSQL, one Redis,
one worker per daemon. A daemon that stops mid-burst must cost neither attempts nor time beyond
what the healthy host needs to grade the rest."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.e2e.conftest import Service, _stop
from tests.e2e.test_faults import report, start, wait_for
from tests.e2e.test_load import kind_of, misgraded, submit_all, wait_terminal
from worker.sandbox import image_tag
from worker.sandbox.runtime import LABEL, daemon_answers

pytestmark = [pytest.mark.docker, pytest.mark.timeout(900)]


class SecondDaemon:
    """A dockerd of the test's own (no bridge, no iptables, like the first)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="grader-dockerd2-", dir="/var/tmp"))
        self.url = f"unix://{self.root / 'docker.sock'}"
        self.log = self.root / "dockerd.log"
        crun = shutil.which("crun")
        command = [
            "dockerd",
            "--bridge=none",
            "--iptables=false",
            "--ip-masq=false",
            f"--data-root={self.root / 'data'}",
            f"--exec-root={self.root / 'exec'}",
            f"--pidfile={self.root / 'docker.pid'}",
            f"--host={self.url}",
            *(["--add-runtime", f"crun={crun}"] if crun else []),
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while not daemon_answers(self.url):
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the second dockerd did not come up in 60 s"
            time.sleep(0.3)

    def load_image(self, tag: str) -> None:
        """No registry: the sandbox image goes from the first daemon to this one by save/load."""
        save = subprocess.Popen(["docker", "save", tag], stdout=subprocess.PIPE)
        loaded = subprocess.run(
            ["docker", "-H", self.url, "load"], stdin=save.stdout, capture_output=True, check=False
        )
        assert save.wait() == 0 and loaded.returncode == 0, loaded.stderr

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def remove(self) -> None:
        self.stop()
        subprocess.run(["umount", "-R", str(self.root / "data")], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def second_daemon() -> Iterator[SecondDaemon]:
    assert shutil.which("dockerd"), "needs dockerd (scripts/setup-docker.sh installs it)"
    daemon = SecondDaemon()
    try:
        daemon.load_image(image_tag())
        yield daemon
    finally:
        daemon.remove()


def slots_started(url: str, since: float) -> int:
    """Sandbox slots a daemon started since `since` (its app containers' create events)."""
    client = docker.DockerClient(base_url=url, timeout=10)
    try:
        events = client.events(
            since=int(since),
            until=int(time.time()) + 1,
            filters={"type": "container", "event": "create", "label": f"{LABEL}=app"},
            decode=True,
        )
        return sum(1 for _ in events)
    finally:
        client.close()


def test_a_host_whose_daemon_stops_hands_its_work_to_the_healthy_one(
    private_service: Callable[..., Service],
    second_daemon: SecondDaemon,
    record_property: Any,
) -> None:
    svc, key = start(private_service)  # its workers grade on the first daemon
    svc.stop_worker()
    first_log, second_log = svc.logs / "worker-1.log", svc.logs / "worker-2.log"
    hosts = [("unix:///var/run/docker.sock", first_log), (second_daemon.url, second_log)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "grader", "worker", "--count", "1"],
            env=svc.env | {"GRADER_DOCKER_URL": url, "PYTHONUNBUFFERED": "1"},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for url, log in hosts
    ]
    try:
        # Healthy: both hosts grade.
        kinds = [kind_of(i) for i in range(10)]
        since = time.time()
        started = time.monotonic()
        healthy_ids = submit_all(svc, key, kinds)
        healthy = wait_terminal(svc, healthy_ids, seconds=300)
        healthy_seconds = time.monotonic() - started
        assert not (wrong := misgraded(svc, healthy_ids, kinds, healthy)), wrong
        by_host = [slots_started(url, since) for url, _ in hosts]
        assert min(by_host) >= 1, f"one host did all: {by_host}"
        # A burst, and the second daemon stops while it grades.
        kinds = [kind_of(i) for i in range(20)]
        ids = submit_all(svc, key, kinds)
        wait_for(svc, ids, lambda c: c["running"] >= 2)
        stopped = time.monotonic()
        second_daemon.stop()
        rows = wait_terminal(svc, ids, seconds=600)
        burst_seconds = time.monotonic() - stopped
    finally:
        for process in workers:
            _stop(process)
    assert not (wrong := misgraded(svc, ids, kinds, rows)), wrong
    # Handed back, not retried: the outage cost no candidate an attempt.
    assert Counter(r.attempts for r in rows.values()) == {1: len(ids)}
    # The healthy host alone grades the burst at about its healthy pace: per grading, both
    # hosts together took healthy_seconds / 10, so one host takes about twice that; the stop
    # adds at most the hand-back wait (10 s) and the restarts' start-up.
    one_host = 2 * healthy_seconds / len(healthy_ids)
    bound = len(ids) * one_host * 1.5 + 30
    assert burst_seconds < bound, (burst_seconds, bound)
    handed_back = len(re.findall(r"handing it back|no Docker daemon at", second_log.read_text()))
    report(
        "two daemons, one stopped mid-burst",
        record_property,
        healthy_10_s=round(healthy_seconds, 1),
        burst_20_after_stop_s=round(burst_seconds, 1),
        bound_s=round(bound, 1),
        hand_backs=handed_back,
        healthy_slots_by_host=by_host,
    )
