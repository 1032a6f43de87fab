"""Imports point one way: the service calls the sandbox library, never the reverse (the
contracts are in pyproject.toml, `[tool.importlinter]`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from grader.config import REPO_ROOT


def test_every_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
