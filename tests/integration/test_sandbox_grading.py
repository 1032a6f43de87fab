"""The sandbox engine against real Docker: honest answers, broken answers, hostile answers.

Every hostile submission must get the right verdict, leave no container behind (checked by the
autouse fixture) and never score above honest code with the same behaviour.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.integration.conftest import catalog, probe_challenge, submission
from worker.result import Outcome, Verdict
from worker.sandbox import Sandbox

pytestmark = pytest.mark.docker


def test_reference_solution_scores_full_marks(sandbox: Sandbox) -> None:
    challenge = catalog("hello-world")
    result = sandbox.grade(challenge, challenge.solution)
    assert result.verdict is Verdict.PASSED
    assert (result.score, result.max_score) == (100, 100)
    assert all(t.outcome is Outcome.PASSED and t.points == t.max_points for t in result.tests)


def test_wrong_solution_scores_less_with_a_readable_message(sandbox: Sandbox) -> None:
    challenge = catalog("hello-world")
    result = sandbox.grade(challenge, challenge.mutants["wrong-message"])
    assert result.verdict is Verdict.FAILED
    assert result.score == 60
    failed = [t for t in result.tests if t.outcome is Outcome.FAILED]
    assert [t.name for t in failed] == ["test_hello.py::test_root_returns_hello_world"]
    # Values and the request made, never the test's source line.
    assert "Hello, World!" in failed[0].message
    assert "GET / -> 200" in failed[0].message
    assert "response.json()" not in failed[0].message


def test_syntax_error_is_an_error_with_file_and_line(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("syntax_error"))
    assert result.verdict is Verdict.ERROR
    assert result.error == "main.py, line 3: SyntaxError: invalid syntax"
    assert result.score == 0 and result.max_score == 100


def test_module_without_app_is_an_error(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("no_app"))
    assert result.verdict is Verdict.ERROR
    assert result.error is not None and "does not define `app`" in result.error


def test_import_error_names_the_candidates_line(sandbox: Sandbox) -> None:
    files = {"main.py": "from fastapi import FastAPI\nimport flask\napp = FastAPI()\n"}
    result = sandbox.grade(catalog("hello-world"), files)
    assert result.verdict is Verdict.ERROR
    assert result.error == "main.py, line 2: ModuleNotFoundError: No module named 'flask'"


def test_exit_at_import_is_an_error_not_a_pass(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("exit_at_import"))
    assert result.verdict is Verdict.ERROR
    assert result.score == 0
    assert "exited with code 0" in (result.error or "")
    assert "leaving before the tests start" in result.log


def test_infinite_loop_times_out(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world", time_seconds=4), submission("infinite_loop"))
    assert result.verdict is Verdict.TIMEOUT
    assert result.score == 0
    assert 4000 <= result.duration_ms < 30000


def test_fork_bomb_is_contained(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world", time_seconds=4), submission("fork_bomb"))
    assert result.verdict in (Verdict.TIMEOUT, Verdict.ERROR)
    assert result.score == 0
    # The host can still start processes.
    assert subprocess.run(["true"], check=False).returncode == 0


def test_memory_hog_hits_the_memory_limit(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("memory_hog"))
    assert result.verdict is Verdict.MEMORY_LIMIT
    assert result.score == 0
    assert "256 MB" in (result.error or "")


def test_output_flood_hits_the_output_limit_and_the_log_is_capped(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("output_flood"))
    assert result.verdict is Verdict.OUTPUT_LIMIT
    assert result.score == 0
    assert len(result.log.encode()) < sandbox.defaults.log_keep_bytes + 200
    assert result.log.rstrip().endswith("bytes of output dropped ...]")


def test_a_gigabyte_file_cannot_be_written(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("big_file"))
    # The app survives the refused write and is graded on its behaviour: a full hello-world.
    assert result.verdict is Verdict.PASSED
    assert "write stopped after" in result.log
    stopped_at = int(result.log.split("write stopped after ")[1].split(" MB")[0])
    assert stopped_at <= sandbox.defaults.file_size_mb
    assert "WHOLE GIGABYTE" not in result.log


def test_no_network_but_loopback(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("network_probe"))
    assert "interfaces=['lo']" in result.log
    assert "routes=[]" in result.log
    assert "outside=refused" in result.log and "CONNECTED" not in result.log


def test_hidden_suite_and_other_processes_are_out_of_reach(sandbox: Sandbox) -> None:
    result = sandbox.grade(probe_challenge(), submission("search_for_tests"))
    scanned = int(result.log.split("scanned=")[1].split(" ")[0])
    assert scanned > 1000, "the search must really have run"
    assert "found=[]" in result.log
    assert "HIDDEN-MARKER-5f1c2e9a" not in result.log
    assert "suite_runner" not in result.log, "the suite's process must not be visible"
    assert "pytest" not in result.log.split("processes=")[1].split("\n")[0]


def test_forged_results_and_patched_pytest_do_not_count(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("fake_results"))
    # Honest code with no routes scores 0: so must this.
    assert result.verdict is Verdict.FAILED
    assert result.score == 0
    assert result.max_score == 100
    assert len(result.tests) == 4
    assert "could not write /grader/result.json" in result.log


def test_killing_the_parent_and_pid_1_gains_nothing(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("kill_parent"))
    # It serves GET / only, like an honest app with one route: 40 points.
    assert result.verdict is Verdict.FAILED
    assert result.score == 40


def test_service_environment_is_invisible_to_the_app(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_SECRET_KEY", "service-secret-that-must-not-leak")
    result = sandbox.grade(probe_challenge(), submission("read_environment"))
    assert "own=" in result.log
    assert "service-secret-that-must-not-leak" not in result.log
    assert "GRADER_" not in result.log
    # It sees the challenge's own variables, which are meant for it.
    assert "PROBE_SETTING" in result.log


def test_restart_app_restarts_with_same_env_and_keeps_data(sandbox: Sandbox) -> None:
    challenge = probe_challenge()
    result = sandbox.grade(challenge, challenge.solution)
    assert result.verdict is Verdict.PASSED, [t.message for t in result.tests]
    assert result.score == 100


def test_huge_response_fails_only_that_test(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("huge_response"))
    assert result.verdict is Verdict.FAILED
    assert result.score == 60
    root = next(t for t in result.tests if t.name.endswith("test_root_returns_hello_world"))
    assert "larger than" in root.message


def test_slow_handler_fails_its_test_by_request_timeout(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("slow_handler"))
    assert result.verdict is Verdict.FAILED
    assert result.score == 60
    root = next(t for t in result.tests if t.name.endswith("test_root_returns_hello_world"))
    assert "did not answer within 3 s" in root.message


def test_memory_hog_inside_a_request_is_a_memory_limit(sandbox: Sandbox) -> None:
    result = sandbox.grade(catalog("hello-world"), submission("memory_in_handler"))
    assert result.verdict is Verdict.MEMORY_LIMIT
    assert result.score == 0
