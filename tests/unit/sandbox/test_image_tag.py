from pathlib import Path

import pytest

from worker.sandbox import image


def test_tag_is_stable_for_the_same_inputs() -> None:
    assert image.image_tag() == image.image_tag()
    assert image.image_tag().startswith("interview-grader-sandbox:")


def test_tag_changes_when_the_harness_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = tmp_path / "harness"
    harness.mkdir()
    (harness / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(image, "HARNESS_DIR", harness)
    first = image.image_tag()
    (harness / "a.py").write_text("x = 2\n")
    assert image.image_tag() != first
    assert image.base_tag() == image.base_tag()  # the base does not depend on the harness
