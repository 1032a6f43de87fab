"""A container that exits, is killed or is gone at any step of a slot's life is an ordinary
event: the grading never fails with the Docker API's error, and nothing the candidate did not
do becomes the candidate's verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from docker.models.containers import Container

from tests.integration.conftest import catalog, submission
from worker.result import Verdict
from worker.sandbox import Sandbox, runtime
from worker.sandbox.runtime import LABEL

pytestmark = pytest.mark.docker

HELLO = catalog("hello-world")


def role(container: Container) -> str:
    container.reload()
    return str(container.labels.get(LABEL))


@pytest.fixture
def before_update(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Callable[[Container], None]]]:
    """Hooks run on a container just before the engine updates its resources."""
    hooks: list[Callable[[Container], None]] = []
    real = runtime.update_resources

    def update(container: Container, memory_mb: int, foreground: bool) -> None:
        for hook in hooks:
            hook(container)
        real(container, memory_mb, foreground)

    monkeypatch.setattr(runtime, "update_resources", update)
    yield hooks


@pytest.mark.parametrize("which", ["app", "suite"])
def test_a_container_killed_before_the_submission_reaches_it_costs_a_fresh_slot(
    sandbox: Sandbox, which: str
) -> None:
    slot = sandbox.factory(background=True)
    assert slot.wait_warm(60)
    target = slot.app if which == "app" else slot.suite
    assert target is not None
    target.kill()
    target.wait(timeout=30)
    result = sandbox.grade(HELLO, HELLO.solution, slot=slot)
    assert (result.verdict, result.score) == (Verdict.PASSED, 100), result


@pytest.mark.parametrize("which", ["app", "suite"])
def test_a_container_that_stopped_before_its_update_is_no_internal_error(
    sandbox: Sandbox, before_update: list[Callable[[Container], None]], which: str
) -> None:
    """The race seen in CI: the candidate's app exits at once, and the warm slot's resource
    update then meets a stopped container."""

    def stop_first(container: Container) -> None:
        if role(container) == which:
            if which == "suite":
                container.kill()
            container.wait(timeout=30)

    before_update.append(stop_first)
    slot = sandbox.factory(background=True)  # a pooled slot: its update comes after the input
    assert slot.wait_warm(60)
    if which == "app":  # the candidate's app exits at once: its own verdict
        result = sandbox.grade(HELLO, submission("exit_at_import"), slot=slot)
        assert result.verdict is Verdict.ERROR, result
        assert "exited with code 0" in (result.error or "")
    else:  # the suite killed under a right answer: a fresh slot if it had not started, else ours
        result = sandbox.grade(HELLO, HELLO.solution, slot=slot)
        assert result.verdict in (Verdict.PASSED, Verdict.INTERNAL_ERROR), result
        assert result.score in (0, 100)
        assert result.error in (None, "the suite runner stopped before reporting"), result


def test_a_container_removed_before_its_update_is_no_internal_error(
    sandbox: Sandbox, before_update: list[Callable[[Container], None]]
) -> None:
    def remove_app(container: Container) -> None:
        if role(container) == "app":
            container.remove(force=True)

    before_update.append(remove_app)
    slot = sandbox.factory(background=True)
    assert slot.wait_warm(60)
    result = sandbox.grade(HELLO, HELLO.solution, slot=slot)
    # The app vanished after it got the submission: not the candidate's doing, and no crash.
    assert result.verdict is not Verdict.PASSED or result.score == 100
    assert "Server Error" not in (result.error or "") and "sandbox failed" not in (
        result.error or ""
    )


def test_an_app_that_exits_mid_suite_only_fails_the_tests_left(sandbox: Sandbox) -> None:
    files = {
        "main.py": (
            "import os\nfrom fastapi import FastAPI\napp = FastAPI()\n\n"
            "@app.get('/')\ndef home():\n    return {'message': 'Hello World'}\n\n"
            "@app.get('/hello/{name}')\ndef hello(name: str):\n    os._exit(0)\n"
        )
    }
    result = sandbox.grade(HELLO, files)
    assert (result.verdict, result.score) == (Verdict.FAILED, 40), result
