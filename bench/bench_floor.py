"""What a grading costs at the least, whatever the grader does around it, in one run.

    .venv/bin/python bench/bench_floor.py [--runs 10] [--challenge jwt-login ...]

- CPU per container, per OCI runtime the daemon offers: `docker run --rm <image> true`, and
  per warm slot of ours (two containers and a volume, both runners' imports);
- CPU of a FastAPI import in the sandbox (every candidate app pays it, in a fresh container);
- CPU of a naive `docker run ... pytest` of each challenge (bench_grading's (b));
- each challenge's (a), a bare host pytest, and its suite body: the tests' own time (setup,
  call, teardown, from pytest's JUnit report), which no sandbox can shorten.

From these, per challenge: the CPU floor of one submission in a fresh container (container +
FastAPI import + suite body), hence the best throughput ratio against (b) on a CPU-bound
machine; and the best (d) latency ratio to (a) (a service can hide imports and start-up, not
the tests themselves).
CPU is the whole machine's busy time (/proc/stat), so run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from bench_grading import host_python, lay_out, naive_docker_command, offered_runtimes, run
from bench_service import busy_cpu_seconds

from grader.config import REPO_ROOT
from worker.challenge import load_challenge
from worker.sandbox import Sandbox, connect, image_tag


def cpu_per_run(cmd: list[str], runs: int) -> float:
    """Median busy CPU seconds of the whole machine per run of `cmd` (after one warm-up)."""
    run(cmd)
    samples = []
    for _ in range(runs):
        before = busy_cpu_seconds()
        run(cmd)
        samples.append(busy_cpu_seconds() - before)
    return statistics.median(samples)


def slot_cpu(runtime: str, runs: int) -> float:
    """Median busy CPU seconds to start a slot (two containers, a volume), let both runners
    import, and remove it: what the warm pool spends per submission."""
    sandbox = Sandbox(connect(), image_tag(), oci_runtime=runtime)
    samples = []
    for _ in range(runs + 1):
        before = busy_cpu_seconds()
        slot = sandbox.factory()
        if not slot.wait_warm(60):
            raise SystemExit("a slot did not warm up in 60 s")
        time.sleep(1.0)  # the app runner imports alongside the suite runner's ready line
        slot.destroy()
        samples.append(busy_cpu_seconds() - before)
    return statistics.median(samples[1:])


def suite_times(python: Path, work: Path, runs: int) -> tuple[float, float]:
    """Medians of (a) wall time and of the suite body (sum of the JUnit test case times)."""
    walls, bodies = [], []
    report = work / "junit.xml"
    cmd = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
    run(cmd, work)
    for _ in range(runs):
        start = time.perf_counter()
        run(cmd, work)
        walls.append(time.perf_counter() - start)
        cases = ET.parse(report).getroot().iter("testcase")
        bodies.append(sum(float(case.get("time", "0")) for case in cases))
    return statistics.median(walls), statistics.median(bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--challenge", action="append", help="default: hello-world, jwt-login")
    args = parser.parse_args()
    slugs = args.challenge or ["hello-world", "jwt-login"]
    image = image_tag()
    docker = ["docker", "run", "--rm", "--network", "none"]

    print(f"image {image}; {args.runs} runs each; medians")
    container: dict[str, float] = {}
    for name in offered_runtimes():
        container[name] = cpu_per_run([*docker, "--runtime", name, image, "true"], args.runs)
        print(f"container start+remove on {name:5} {container[name]:6.3f} CPU s")
        print(f"warm slot start+remove on {name:5} {slot_cpu(name, args.runs):6.3f} CPU s")
    cheapest = min(container, key=container.__getitem__)
    python = [*docker, "--runtime", cheapest, image, "python", "-c"]
    bare = cpu_per_run([*python, "pass"], args.runs)
    with_fastapi = cpu_per_run([*python, "import fastapi"], args.runs)
    fastapi = with_fastapi - bare
    start = container[cheapest] + fastapi
    print(f"import fastapi in the sandbox      {fastapi:6.3f} CPU s")
    print(f"fresh container ({cheapest}) + import  {start:6.3f} CPU s")

    host = host_python()
    for slug in slugs:
        challenge = load_challenge(REPO_ROOT / "challenges" / slug)
        with tempfile.TemporaryDirectory(prefix="grader-bench-floor-") as tmp:
            work = lay_out(challenge, Path(tmp))
            wall, body = suite_times(host, work, args.runs)
            naive = cpu_per_run(naive_docker_command(image, work), args.runs)
        floor = start + body  # CPU: client and app share a process (for suites that never sleep)
        print(
            f"{slug}: (a) {wall:.3f} s, suite body {body:.3f} s = {body / wall:.2f}x (a), the "
            f"best possible (d); naive (b) {naive:.3f} CPU s per submission against a floor of "
            f"{floor:.3f}: CPU-bound, throughput is at most {naive / floor:.2f}x (b)'s"
        )


if __name__ == "__main__":
    main()
