"""The whole service's latency and throughput against a bare host pytest, in one run.

    .venv/bin/python bench/bench_service.py [--challenge hello-world] [--runs 15] [--burst 200]

(a) bare host pytest of the hidden suite against the reference, in-process (as in
    bench_grading.py): the floor of a sandbox-less run;
(b) naive `docker run --rm <sandbox image> pytest ...`: one at a time (latency), then
    `--burst` of them two at a time (throughput), on the daemon's default OCI runtime (what a
    home-made grader gets) and, when the daemon has it, on crun (which the service uses);
(d) the service started by `grader up` (API, 2 rq workers with warm pools, a private Redis,
    SQLite): from POST to terminal status seen by the client (long-poll), one submission
    after another, with the median of each stage (POST, queue, grading, notification);
(e) the same service's throughput for a burst of `--burst` submissions posted at once, from the
    first POST to the last terminal status.
Latencies are printed as ratios to (a); throughputs as ratios to (a)'s rate (1/median(a)) and
(e) against (b) two at a time. CPU seconds per submission (the whole machine, /proc/stat) tell
whether a figure is bound by CPU.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from bench_grading import (
    host_python,
    lay_out,
    naive_docker_command,
    offered_runtimes,
    p95,
    run,
    timed,
)

from grader.config import REPO_ROOT
from grader.supervisor import free_port
from worker.challenge import ChallengeSpec, load_challenge
from worker.sandbox import image_tag

ADMIN_PASSWORD = secrets.token_urlsafe(12)
CLIENT_THREADS = 8


def busy_cpu_seconds() -> float:
    """CPU time the whole machine spent not idle, summed over cores."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


@dataclass
class Throughput:
    per_second: float
    cpu_per_submission: float


def throughput(count: int, work: Callable[[ThreadPoolExecutor], None], threads: int) -> Throughput:
    cpu, start = busy_cpu_seconds(), time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        work(pool)
    elapsed = time.perf_counter() - start
    return Throughput(count / elapsed, (busy_cpu_seconds() - cpu) / count)


class Service:
    """`grader up` in a temporary directory, with an admin token."""

    def __init__(self, root: Path, warm_slots: int, workers: int, database_url: str | None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "GRADER_DATABASE_URL": database_url or f"sqlite:///{root / 'grader.db'}",
            "GRADER_PORT": str(self.port),
            "GRADER_SECRET_KEY": secrets.token_urlsafe(32),
            "GRADER_WARM_SLOTS": str(warm_slots),
            "GRADER_WORKER_COUNT": str(workers),
            "GRADER_RATE_LIMIT_PER_MINUTE": "1000000",
            # The burst's client threads long-poll as one admin: past the per-caller cap
            # (4 by default) they would be answered 429 instead of measured.
            "GRADER_MAX_WAITS_PER_CALLER": str(CLIENT_THREADS),
            "GRADER_SANDBOX_IMAGE": image_tag(),
        }
        self.env.pop("GRADER_REDIS_URL", None)  # `grader up` starts a private one
        grader = str(Path(sys.executable).with_name("grader"))
        run([grader, "db", "upgrade"], env=self.env)
        run([grader, "users", "create-admin", "bench", "--password", ADMIN_PASSWORD], env=self.env)
        self.log = (root / "service.log").open("wb")
        self.process = subprocess.Popen(
            [grader, "up"],
            cwd=root,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.http = httpx.Client(base_url=self.url, timeout=120)
        self.stages: dict[str, list[float]] = {}
        self._wait_ready()
        token = self.http.post(
            "/api/v1/auth/token", data={"username": "bench", "password": ADMIN_PASSWORD}
        ).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def _wait_ready(self) -> None:
        for _ in range(240):
            if self.process.poll() is not None:
                raise SystemExit(f"`grader up` exited; see {self.log.name}")
            try:
                if self.http.get("/readyz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"the service did not get ready; see {self.log.name}")

    def submit(self, challenge: ChallengeSpec) -> int:
        body = {"challenge": challenge.meta.slug, "files": challenge.solution}
        response = self.http.post("/api/v1/submissions", json=body)
        if response.status_code != 202:
            raise SystemExit(f"POST /submissions: {response.status_code} {response.text}")
        return int(response.json()["id"])

    def final(self, submission_id: int) -> dict[str, Any]:
        """Long-poll until the submission's status is terminal; the reference must pass."""
        while True:
            response = self.http.get(f"/api/v1/submissions/{submission_id}", params={"wait": 60})
            detail: dict[str, Any] = response.json()
            if response.status_code != 200:
                raise SystemExit(f"GET /submissions/{submission_id}: {response.text}")
            if detail["status"] in ("completed", "error"):
                if detail["score"] != detail["max_score"] or not detail["max_score"]:
                    raise SystemExit(f"the reference did not pass: {detail}")
                return detail

    def grade(self, challenge: ChallengeSpec) -> None:
        """One submission; its time in each stage goes to `stages` (seconds, wall clock)."""
        posted = time.time()
        submission_id = self.submit(challenge)
        accepted = time.time()
        detail = self.final(submission_id)
        seen = time.time()
        started, finished = (
            datetime.fromisoformat(detail[k]).timestamp() for k in ("started_at", "finished_at")
        )
        for stage, seconds in (
            ("POST answered", accepted - posted),
            ("queued until a worker claims it", started - accepted),
            ("grading, result stored", finished - started),
            ("stored until the client has it", seen - finished),
        ):
            self.stages.setdefault(stage, []).append(seconds)

    def close(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # `grader up` stops workers, API, Redis
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@contextmanager
def service(warm_slots: int, workers: int, database_url: str | None) -> Iterator[Service]:
    root = Path(tempfile.mkdtemp(prefix="grader-bench-service-"))
    svc = Service(root, warm_slots, workers, database_url)
    try:
        yield svc
    finally:
        svc.close()
        shutil.rmtree(root, ignore_errors=True)


def runs_of(cmd: list[str], count: int) -> Callable[[ThreadPoolExecutor], None]:
    """`count` runs of `cmd`, spread over a pool's threads."""

    def work(pool: ThreadPoolExecutor) -> None:
        list(pool.map(lambda _: run(cmd), range(count)))

    return work


def naive_commands(image: str, work: Path) -> dict[str, list[str]]:
    """(b) on the daemon's default runtime and, when the daemon has it, on crun."""
    commands = {"default runtime": naive_docker_command(image, work)}
    if "crun" in offered_runtimes():
        commands["crun"] = naive_docker_command(image, work, "crun")
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--challenge", default="hello-world")
    parser.add_argument("--runs", type=int, default=15, help="sequential runs for latencies")
    parser.add_argument("--burst", type=int, default=200, help="submissions in the burst")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warm-slots", type=int, default=2, help="per worker process")
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    args = parser.parse_args()

    challenge = load_challenge(REPO_ROOT / "challenges" / args.challenge)
    image = image_tag()
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        lay_out(challenge, work)
        pytest_cmd = [str(host_python()), "-m", "pytest", "-q", "-p", "no:cacheprovider", "."]
        docker_cmd = naive_docker_command(image, work)
        host = timed(lambda: run(pytest_cmd, work), args.runs)
        naive = timed(lambda: run(docker_cmd), args.runs)
        naive_bursts = {
            label: throughput(args.burst, runs_of(cmd, args.burst), threads=2)
            for label, cmd in naive_commands(image, work).items()
        }
        with service(args.warm_slots, args.workers, args.database_url) as svc:
            for _ in range(3):  # warm-up: imports, first pooled slots, connections
                svc.grade(challenge)
            time.sleep(5)  # let every worker's pool fill before timing
            svc.stages.clear()  # the warm-up's are not counted
            sequential = timed(lambda: svc.grade(challenge), args.runs)
            # timed() runs once more as its own warm-up: drop that one too.
            stages = {name: times[1:] for name, times in svc.stages.items()}
            time.sleep(5)

            def burst(pool: ThreadPoolExecutor) -> None:
                ids = list(pool.map(lambda _: svc.submit(challenge), range(args.burst)))
                list(pool.map(svc.final, ids))

            service_burst = throughput(args.burst, burst, threads=CLIENT_THREADS)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    floor = statistics.median(host)
    print(
        f"challenge {args.challenge}; {args.runs} sequential runs, bursts of {args.burst}; "
        f"{args.workers} workers x {args.warm_slots} warm slots; {os.cpu_count()} CPUs; "
        f"image {image}"
    )
    print(f"{'latency':40} {'median':>9} {'p95':>9} {'ratio to (a)':>13}")
    for label, samples in (
        ("(a) host pytest, in-process", host),
        ("(b) naive docker run pytest", naive),
        ("(d) service, POST -> terminal status", sequential),
    ):
        median = statistics.median(samples)
        print(f"{label:40} {median:8.3f}s {p95(samples):8.3f}s {median / floor:12.2f}x")
    for stage, times in stages.items():
        print(f"    {stage:36} {statistics.median(times) * 1000:7.0f}ms")
    print(f"{'throughput':40} {'per s':>9} {'CPU s/sub':>9} {'ratio to (a)':>13}")
    rows = {
        **{f"(b) naive docker run ({name}), 2 at a time": m for name, m in naive_bursts.items()},
        f"(e) service, burst of {args.burst}": service_burst,
    }
    for label, measured in rows.items():
        print(
            f"{label:40} {measured.per_second:9.2f} {measured.cpu_per_submission:9.2f} "
            f"{measured.per_second * floor:12.2f}x"
        )
    for name, naive_burst in naive_bursts.items():
        ratio = service_burst.per_second / naive_burst.per_second
        print(f"(e) / (b) on {name}, 2 at a time: {ratio:.2f}x")


if __name__ == "__main__":
    main()
