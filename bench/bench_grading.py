"""How long one grading takes, against the floor of a sandbox-less run, in one run.

    .venv/bin/python bench/bench_grading.py [--runs 9] [--challenge hello-world]

(a) bare host pytest of the hidden suite against the reference, in-process TestClient;
(b) naive `docker run --rm <sandbox image> pytest ...` (what a home-made grader does);
(c) `grader grade CHALLENGE <reference>`, the one-shot CLI (process start-up included);
(d) `Sandbox.grade` called in a running worker, cold: the slot is started per submission;
(e) the same with a warm pool slot ready (what a candidate waits when the pool keeps up).
Every figure is printed with its ratio to (a), measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from grader.config import REPO_ROOT
from worker.challenge import ChallengeSpec, load_challenge
from worker.sandbox import Sandbox, Slot, SlotPool, connect, image_tag
from worker.sandbox.image import HARNESS_DIR

#: The sandbox's `client`, `app_env` and `reveals` fixtures, in-process: what a grader without a
#: sandbox does (`restart_app` and `data_dir` are not offered: the benchmarked suites do not use
#: them).
INPROCESS_CONFTEST = """
import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harness_checks import reveals as _reveals

APP_ENV = json.loads((Path(__file__).parent / "app_env.json").read_text())
os.environ.update(APP_ENV)


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points")
    config.addinivalue_line("markers", "rule(*ids): rules")


@pytest.fixture
def app_env():
    return dict(APP_ENV)


@pytest.fixture
def reveals():
    return _reveals


@pytest.fixture
def client():
    from main import app
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
"""


def lay_out(challenge: ChallengeSpec, root: Path) -> Path:
    """The reference and the suite side by side, with the in-process conftest."""
    for name, text in {**challenge.solution, **challenge.tests}.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (root / "conftest.py").write_text(INPROCESS_CONFTEST)
    (root / "harness_checks.py").write_text((HARNESS_DIR / "checks.py").read_text())
    (root / "app_env.json").write_text(json.dumps(challenge.meta.env))
    return root


def timed(fn: Callable[[], None], runs: int) -> list[float]:
    fn()  # warm-up: caches, page cache, first image layer reads
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def host_python() -> Path:
    """A host venv with the sandbox's pinned packages, so that (a) runs the same versions."""
    requirements = REPO_ROOT / "worker" / "sandbox" / "image" / "requirements.txt"
    venv = REPO_ROOT / ".cache" / "bench-venv"
    stamp = venv / "requirements.txt"
    python = venv / "bin" / "python"
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        run([sys.executable, "-m", "venv", "--clear", str(venv)])
        run([str(python), "-m", "pip", "install", "-q", "-r", str(requirements)])
        stamp.write_text(requirements.read_text())
    return python


def offered_runtimes() -> list[str]:
    """runc and crun, as far as the daemon has them registered."""
    names = set(connect().info().get("Runtimes") or {})
    return [name for name in ("runc", "crun") if name in names]


def naive_docker_command(image: str, work: Path, oci_runtime: str | None = None) -> list[str]:
    """(b): one throw-away container running pytest over `work` (laid out by `lay_out`), on
    the daemon's default OCI runtime unless `oci_runtime` names another."""
    return [
        "docker",
        "run",
        *(["--runtime", oci_runtime] if oci_runtime else []),
        "--rm",
        "--network",
        "none",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "-v",
        f"{work}:/work:ro",
        "-w",
        "/work",
        "-e",
        "PYTHONDONTWRITEBYTECODE=1",
        image,
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        ".",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--challenge", default="hello-world")
    args = parser.parse_args()

    challenge = load_challenge(REPO_ROOT / "challenges" / args.challenge)
    image = image_tag()
    client = connect()
    sandbox = Sandbox(client, image)
    grader_cli = str(Path(sys.executable).with_name("grader"))
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        lay_out(challenge, work)
        pytest_cmd = [str(host_python()), "-m", "pytest", "-q", "-p", "no:cacheprovider", "."]
        docker_cmd = naive_docker_command(image, work)
        reference = REPO_ROOT / "challenges" / args.challenge / "solution"

        pool = SlotPool(sandbox.factory, size=1)

        def graded(slot: Slot | None = None) -> None:
            result = sandbox.grade(challenge, challenge.solution, slot=slot)
            if result.score != result.max_score:
                raise SystemExit(f"the reference did not pass: {result.verdict} {result.error}")

        def warm_run() -> float:
            while pool.ready < 1:  # the pool refills between submissions, off the clock
                time.sleep(0.01)
            start = time.perf_counter()
            graded(pool.acquire())
            return time.perf_counter() - start

        rows = [
            ("(a) host pytest, in-process", timed(lambda: run(pytest_cmd, work), args.runs)),
            ("(b) naive docker run pytest", timed(lambda: run(docker_cmd), args.runs)),
            (
                "(c) grader grade (CLI)",
                timed(
                    lambda: run([grader_cli, "grade", args.challenge, str(reference)]), args.runs
                ),
            ),
            ("(d) Sandbox.grade, cold slot", timed(graded, args.runs)),
            ("(e) Sandbox.grade, warm pool", [warm_run() for _ in range(args.runs + 1)][1:]),
        ]
        pool.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    floor = statistics.median(rows[0][1])
    print(f"challenge {args.challenge}, {args.runs} runs each, image {image}")
    print(f"{'':32} {'median':>9} {'p95':>9} {'ratio to (a)':>13}")
    for label, samples in rows:
        median = statistics.median(samples)
        print(f"{label:32} {median:8.3f}s {p95(samples):8.3f}s {median / floor:12.2f}x")


if __name__ == "__main__":
    main()
