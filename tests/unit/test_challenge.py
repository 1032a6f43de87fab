import re
from pathlib import Path

import pytest

from grader.config import REPO_ROOT
from worker.challenge import ChallengeError, load_challenge, read_files, resolve_challenge
from worker.limits import Limits


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


MINIMAL = {
    "challenge.toml": 'slug = "tiny"\ntitle = "T"\nsummary = "S"\ndifficulty = "easy"\n'
    '[limits]\ntime_seconds = 12\n[env]\nSECRET_KEY = "k"\n',
    "README.md": "prompt",
    "tests/test_a.py": "def test_a(client): pass\n",
    "solution/main.py": "app = None\n",
    "starter/main.py": "app = None\n",
    "mutants/one/main.py": "app = 1\n",
    "alternatives/other/main.py": "app = 2\n",
}


def test_loads_every_part_and_applies_limit_overrides(tmp_path: Path) -> None:
    challenge = load_challenge(write(tmp_path, MINIMAL))
    assert challenge.slug == "tiny"
    assert set(challenge.tests) == {"test_a.py"}
    assert set(challenge.mutants) == {"one"} and set(challenge.alternatives) == {"other"}
    assert challenge.meta.env == {"SECRET_KEY": "k"}
    limits = challenge.limits(Limits(memory_mb=300))
    assert (limits.time_seconds, limits.memory_mb) == (12, 300)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"challenge.toml": 'slug = "Bad Slug"\n'}, "challenge.toml"),
        ({"solution/main.py": None, "solution/app.py": "app = 1\n"}, "solution: no main.py"),
        ({"tests/test_a.py": None, "tests/helper.py": "x = 1\n"}, "no test_*.py"),
    ],
)
def test_malformed_folders_say_what_is_wrong(
    tmp_path: Path, change: dict[str, str | None], complaint: str
) -> None:
    files = {**MINIMAL, **{k: v for k, v in change.items() if v is not None}}
    for name, value in change.items():
        if value is None:
            files.pop(name)
    with pytest.raises(ChallengeError, match=re.escape(complaint)):
        load_challenge(write(tmp_path, files))


def test_read_files_skips_caches_and_hidden_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": "a",
            "__pycache__/main.cpython-311.pyc": "b",
            ".env": "c",
            "pkg/util.py": "d",
            "notes.bin": "e",
        },
    )
    assert read_files(tmp_path) == {"main.py": "a", "pkg/util.py": "d"}


def test_resolve_accepts_a_slug_or_a_folder_and_rejects_the_rest(tmp_path: Path) -> None:
    catalog = REPO_ROOT / "challenges"
    assert resolve_challenge("hello-world", catalog) == catalog / "hello-world"
    folder = write(tmp_path / "x", MINIMAL)
    assert resolve_challenge(str(folder), catalog) == folder
    with pytest.raises(ChallengeError, match="no challenge"):
        resolve_challenge("../etc", catalog)
