"""The rules a submission's files must follow before anything is stored."""

from __future__ import annotations

import pytest

from grader.errors import InvalidSubmission, SubmissionTooLarge
from grader.services.submissions import SubmissionRules, validate_files

RULES = SubmissionRules(max_files=20, max_bytes=256 * 1024)
APP = "from fastapi import FastAPI\napp = FastAPI()\n"


def test_a_plain_answer_is_accepted() -> None:
    files = {"main.py": APP, "app/models.py": "X = 1\n", "requirements.txt": ""}
    assert validate_files(files, RULES) == files


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({}, "main.py"),
        ({"app.py": APP}, "no main.py"),
        ({"main.py": APP, "../evil.py": ""}, "'..'"),
        ({"main.py": APP, "/etc/passwd.py": ""}, "relative"),
        ({"main.py": APP, "a//b.py": ""}, "empty"),
        ({"main.py": APP, "a\\b.py": ""}, "relative"),
        ({"main.py": APP, "sp ace.py": ""}, "letters, digits"),
        ({"main.py": APP, ".hidden.py": ""}, "letters, digits"),
        ({"main.py": APP, "caf\u00e9.py": ""}, "letters, digits"),
        ({"main.py": APP, "new\nline.py": ""}, "letters, digits"),
        ({"main.py": APP, "run.sh": ""}, "only"),
        ({"main.py": APP, "a/b/c/d/e/f.py": ""}, "deeper"),
        ({"main.py": "x = '\udcff'\n"}, "UTF-8"),
        ({"main.py": "x = '\x00'\n"}, "NUL"),
    ],
)
def test_a_broken_rule_is_refused_with_its_reason(files: dict[str, str], fragment: str) -> None:
    with pytest.raises(InvalidSubmission) as caught:
        validate_files(files, RULES)
    assert fragment in str(caught.value)


def test_too_many_files_are_refused() -> None:
    files = {"main.py": APP, **{f"m{i}.py": "" for i in range(20)}}
    with pytest.raises(InvalidSubmission, match="at most 20"):
        validate_files(files, RULES)


def test_exactly_the_byte_limit_is_accepted_and_one_more_is_not() -> None:
    padding = RULES.max_bytes - len(APP.encode())
    validate_files({"main.py": APP + "#" * (padding - 1) + "\n"}, RULES)
    with pytest.raises(SubmissionTooLarge):
        validate_files({"main.py": APP + "#" * padding + "\n"}, RULES)


def test_multibyte_characters_count_as_their_utf8_bytes() -> None:
    # 3 bytes each in UTF-8: under the limit in characters, over it in bytes.
    text = "\u20ac" * (RULES.max_bytes // 3 + 1)
    with pytest.raises(SubmissionTooLarge):
        validate_files({"main.py": text}, RULES)
