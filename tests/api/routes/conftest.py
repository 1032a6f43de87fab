"""Fixtures of the assessment route tests (`kit`): see tests/api/assessment_kit.py. Named apart
from tests/api/conftest.py's, so the other route tests keep their hello-world-only catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from grader.config import Settings
from tests.api.assessment_kit import Kit, kit_settings, running_kit, template_database


@pytest.fixture(scope="session")
def kit_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the template database, the catalog folder), made once."""
    root = tmp_path_factory.mktemp("assessments")
    template = template_database(root)
    return template, root / "catalog"


@pytest.fixture
def kit_config(tmp_path: Path, kit_template: tuple[Path, Path]) -> Settings:
    template, catalog = kit_template
    return kit_settings(tmp_path, template, catalog)


@pytest.fixture
def kit(kit_config: Settings, redis: Redis) -> Iterator[Kit]:  # type: ignore[type-arg]
    yield from running_kit(kit_config)
