"""Does a crowd of long-polls slow anyone else down? Ratios against a baseline of the same run.

    .venv/bin/python bench/bench_longpoll.py [--requests 100] [--callers 60] [--greedy 300]

The API (`grader serve`, SQLite, a private Redis, no worker: nothing gets graded, so every wait
lasts its full time) is measured twice, with the same sequence of requests:
(a) idle: `GET /healthz`, and another user's `GET /api/v1/challenges` and
    `GET /api/v1/submissions/{id}` (a plain read, no wait);
(b) while `--callers` candidates each hold as many long-polls as they may (4 each, up to the
    process's cap of 200) and one greedy candidate asks for `--greedy` more at once.
Printed: the medians and p95s of (b) as ratios to (a), and how many waits were held and refused.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from bench_grading import p95

from grader.supervisor import free_port, start_redis, terminate

PASSWORD = "bench-password-1"
WAIT_SECONDS = 30
APP = "from fastapi import FastAPI\napp = FastAPI()\n"


def serve(root: Path) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes], str]:
    redis, redis_url = start_redis(root / "redis")
    port = free_port()
    env = {
        **os.environ,
        "GRADER_DATABASE_URL": f"sqlite:///{root / 'grader.db'}",
        "GRADER_REDIS_URL": redis_url,
        "GRADER_SECRET_KEY": secrets.token_urlsafe(32),
        "GRADER_RATE_LIMIT_PER_MINUTE": "100000",
        "GRADER_MAX_WAIT_SECONDS": str(WAIT_SECONDS),
        "GRADER_ADMIN_PASSWORD": PASSWORD,
    }
    grader = str(Path(sys.executable).with_name("grader"))
    for args in (["db", "upgrade"], ["users", "create-admin", "admin"]):
        subprocess.run([grader, *args], env=env, check=True, capture_output=True)
    log = (root / "server.log").open("wb")
    server = subprocess.Popen(
        [grader, "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return server, redis, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"the API did not start; see {root / 'server.log'}")


def login(http: httpx.Client, username: str) -> dict[str, str]:
    token = http.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def candidate(http: httpx.Client, admin: dict[str, str], name: str) -> tuple[dict[str, str], int]:
    """A new candidate, logged in, with one submission (never graded here)."""
    http.post("/api/v1/users", headers=admin, json={"username": name, "password": PASSWORD})
    headers = login(http, name)
    body = {"challenge": "hello-world", "files": {"main.py": APP}}
    created = http.post("/api/v1/submissions", headers=headers, json=body)
    return headers, int(created.json()["id"])


def sample(
    http: httpx.Client, other: dict[str, str], mine: int, count: int
) -> dict[str, list[float]]:
    """`count` of each request, one after another, in seconds."""
    requests: dict[str, Callable[[], httpx.Response]] = {
        "GET /healthz": lambda: http.get("/healthz"),
        "another user's GET /challenges": lambda: http.get("/api/v1/challenges", headers=other),
        "another user's GET /submissions/{id}": lambda: http.get(
            f"/api/v1/submissions/{mine}", headers=other
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(count):
        for name, call in requests.items():
            start = time.perf_counter()
            response = call()
            times[name].append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {response.status_code} {response.text}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--callers", type=int, default=60)
    parser.add_argument("--greedy", type=int, default=300)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="grader-bench-longpoll-"))
    server, redis, url = serve(root)
    try:
        with httpx.Client(base_url=url, timeout=WAIT_SECONDS + 30) as http:
            admin = login(http, "admin")
            other, mine = candidate(http, admin, "other")
            idle = sample(http, other, mine, args.requests)
            callers = [candidate(http, admin, f"cand{i}") for i in range(args.callers)]
            greedy, greedy_id = candidate(http, admin, "greedy")
            outcomes: Counter[int] = Counter()
            lock = threading.Lock()

            def wait(headers: dict[str, str], submission_id: int) -> None:
                with httpx.Client(base_url=url, timeout=WAIT_SECONDS + 30) as own:
                    response = own.get(
                        f"/api/v1/submissions/{submission_id}",
                        headers=headers,
                        params={"wait": WAIT_SECONDS},
                    )
                with lock:
                    outcomes[response.status_code] += 1

            jobs = [(h, s) for h, s in callers for _ in range(4)]
            jobs += [(greedy, greedy_id)] * args.greedy
            pool = ThreadPoolExecutor(len(jobs))
            futures = [pool.submit(wait, h, s) for h, s in jobs]
            time.sleep(3)  # every wait is held or refused by now
            loaded = sample(http, other, mine, args.requests)
            refused_early = outcomes[429]
            for future in futures:
                future.result()
            pool.shutdown()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        terminate([redis])
    held = outcomes[200]
    others = {code: n for code, n in outcomes.items() if code not in (200, 429)}
    print(
        f"waits asked: {len(jobs)}; held {held}, refused (429) {outcomes[429]} "
        f"({refused_early} within 3 s); other answers: {others}"
    )
    print(f"{'request':40} {'idle median (p95)':>22} {'loaded median (p95)':>22} {'ratio':>7}")
    for name in idle:
        a, b = statistics.median(idle[name]), statistics.median(loaded[name])
        print(
            f"{name:40} {a * 1000:9.1f} ms ({p95(idle[name]) * 1000:6.1f}) "
            f"{b * 1000:9.1f} ms ({p95(loaded[name]) * 1000:6.1f}) {b / a:7.2f}"
        )


if __name__ == "__main__":
    main()
