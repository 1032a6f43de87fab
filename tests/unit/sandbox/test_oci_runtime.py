"""Which OCI runtime sandboxes ask for, from what the daemon offers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import docker
import pytest

from grader.config import Settings
from worker.sandbox import SandboxError
from worker.sandbox.runtime import choose_oci_runtime


def daemon(*runtimes: str) -> docker.DockerClient:
    info = {"Runtimes": {name: {"path": name} for name in runtimes}}
    return cast(docker.DockerClient, SimpleNamespace(info=lambda: info))


def test_auto_prefers_crun_and_falls_back_to_the_daemons_default() -> None:
    assert choose_oci_runtime(daemon("runc", "crun"), "auto") == "crun"
    assert choose_oci_runtime(daemon("runc"), "auto") is None


def test_default_asks_for_nothing_and_a_registered_name_is_used() -> None:
    assert choose_oci_runtime(daemon("runc", "crun"), "default") is None
    assert choose_oci_runtime(daemon("runc", "crun"), "runc") == "runc"


def test_an_unregistered_runtime_is_a_clear_error() -> None:
    with pytest.raises(SandboxError, match=r"no OCI runtime 'runsc' \(it has: crun, runc\)"):
        choose_oci_runtime(daemon("runc", "crun"), "runsc")


@pytest.mark.parametrize("bad", ["", "crun; rm -rf /", "-x"])
def test_the_setting_refuses_what_cannot_be_a_runtime_name(bad: Any) -> None:
    with pytest.raises(ValueError, match="sandbox_oci_runtime"):
        Settings(sandbox_oci_runtime=bad)
