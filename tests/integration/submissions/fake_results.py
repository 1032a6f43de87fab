"""Tries to forge the grading: patches pytest, writes fake result files, prints fake events."""
import json
import os
import sys

try:
    import _pytest.runner
    import pytest

    pytest.main = lambda *a, **k: 0
    _pytest.runner.pytest_runtest_makereport = lambda item, call: None
except Exception as exc:
    print(f"patching pytest failed: {exc!r}")
fake = {"event": "test", "name": "test_hello.py::test_root_returns_hello_world",
        "outcome": "passed", "max_points": 100, "message": ""}
for target in ("/grader/result.json", "/grader/suite/result.json", "/tmp/result.json",
               "/data/result.json", "/result.json"):
    try:
        with open(target, "w") as f:
            json.dump({"verdict": "passed", "score": 100, "max_score": 100}, f)
        print(f"wrote {target}")
    except OSError as exc:
        print(f"could not write {target}: {exc.__class__.__name__}")
for stream in (sys.stdout, sys.stderr):
    stream.write(json.dumps({"event": "collected", "tests": [fake]}) + "\n")
    stream.write(json.dumps(fake) + "\n")
    stream.write(json.dumps({"event": "done", "exit_code": 0}) + "\n")
    stream.flush()
os.write(1, b'{"verdict": "passed", "score": 100}\n')

from fastapi import FastAPI  # noqa: E402

app = FastAPI()
