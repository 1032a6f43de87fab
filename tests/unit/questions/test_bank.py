"""The shipped bank (`questions/`): it loads, every question passes `validate_question`, and it
covers the seed file (shared/seed/000_9c66b88f6d4aaf82.txt, sections 1-9)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grader.questions import (
    MultipleChoiceQuestion,
    Question,
    ShortAnswerQuestion,
    load_bank,
    propose_score,
    validate_question,
)
from grader.questions.loader import BANK_DIR
from grader.questions.matching import STOP_WORDS

BANK = load_bank(BANK_DIR)
SHORT = [q for q in BANK.questions if isinstance(q, ShortAnswerQuestion)]

# The seed's questions, section by section, as worded in its first half.
SEED_QUESTIONS: dict[int, list[str]] = {
    1: [
        "What is FastAPI?",
        "Why is FastAPI faster compared to Flask or Django?",
        "What are the key features of FastAPI?",
        "Is FastAPI synchronous or asynchronous?",
        "What is ASGI and how is it related to FastAPI?",
    ],
    2: [
        "What is a path operation in FastAPI?",
        "Difference between GET, POST, PUT, DELETE methods?",
        "What are path parameters and query parameters?",
        "What is request body in FastAPI?",
        "What is Pydantic and why is it used?",
    ],
    3: [
        "How does FastAPI validate request data?",
        "What is a response model?",
        "How do you return JSON in FastAPI?",
        "What are status codes in FastAPI?",
        "How do you handle form data?",
    ],
    4: [
        "How do you implement authentication in FastAPI?",
        "What is OAuth2 in FastAPI?",
        "What is JWT and how is it used?",
        "Difference between OAuth2PasswordBearer and API Key authentication?",
        "How do you secure APIs in FastAPI?",
    ],
    5: [
        "What is dependency injection in FastAPI?",
        "Why is Depends() used?",
        "How does FastAPI manage dependencies?",
        "Example of using dependencies in routes?",
    ],
    6: [
        "How do you connect FastAPI with a database?",
        "What is SQLAlchemy?",
        "Difference between ORM and raw SQL?",
        "How do you create models in FastAPI?",
        "What is Alembic used for?",
    ],
    7: [
        "What is async and await in FastAPI?",
        "When should you use async functions?",
        "How does FastAPI handle concurrency?",
        "What is event loop?",
        "Is FastAPI suitable for high-performance applications?",
    ],
    8: [
        "How do you test FastAPI applications?",
        "What is TestClient?",
        "How do you handle exceptions in FastAPI?",
        "What is middleware in FastAPI?",
    ],
    9: [
        "What is middleware in FastAPI?",
        "How do you handle CORS in FastAPI?",
        "What is background task in FastAPI?",
        "What is WebSocket in FastAPI?",
        "How do you deploy FastAPI applications?",
    ],
}

# The seed questions that have a reference answer (worded as in the seed's second half), with
# their section there and the short-answer question written from that answer.
REFERENCE_ANSWERED: dict[str, tuple[int, str]] = {
    "What is FastAPI?": (1, "basics-what-is-fastapi"),
    "Why is FastAPI faster than Flask/Django?": (1, "basics-why-faster"),
    "Is FastAPI synchronous or asynchronous?": (1, "basics-sync-or-async"),
    "What is ASGI?": (1, "basics-asgi"),
    "What is a path operation?": (2, "core-path-operation"),
    "Path parameters vs Query parameters?": (2, "core-path-vs-query"),
    "What is request body?": (2, "core-request-body"),
    "What is Pydantic?": (2, "core-pydantic"),
    "What is response model?": (3, "resp-response-model"),
    "How does FastAPI validate data?": (3, "resp-validation"),
    "How do you return JSON?": (3, "resp-return-json"),
    "How do you implement authentication?": (4, "auth-implement"),
    "What is JWT?": (4, "auth-jwt"),
    "What is Depends()?": (5, "di-depends"),
    "How do you connect FastAPI to a database?": (6, "db-connect"),
    "ORM vs SQL?": (6, "db-orm-vs-sql"),
    "What is async/await?": (7, "async-await"),
    "When to use async?": (7, "async-when"),
    "How to test FastAPI?": (8, "test-how"),
    "What is middleware?": (9, "adv-middleware"),
    "What is CORS?": (9, "adv-cors"),
}


def test_one_file_per_seed_section_in_order() -> None:
    assert [f.section for f in BANK.files] == list(range(1, 10))
    names = sorted(p.name for p in BANK_DIR.glob("*.toml") if p.name != "synonyms.toml")
    assert [n[:3] for n in names] == [f"{s:02d}-" for s in range(1, 10)]


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_question_validates(question: Question) -> None:
    assert validate_question(question, BANK.synonyms) == []


@pytest.mark.parametrize("section", range(1, 10))
def test_every_seed_question_is_in_its_section(section: int) -> None:
    (bank_file,) = [f for f in BANK.files if f.section == section]
    assert {q.seed for q in bank_file.questions} == set(SEED_QUESTIONS[section])


@pytest.mark.parametrize("section", range(1, 10))
def test_at_least_two_multiple_choice_per_section(section: int) -> None:
    (bank_file,) = [f for f in BANK.files if f.section == section]
    mc = [q for q in bank_file.questions if isinstance(q, MultipleChoiceQuestion)]
    assert len(mc) >= 2


@pytest.mark.parametrize("seed_question", REFERENCE_ANSWERED)
def test_reference_answered_seed_questions_are_short_answers(seed_question: str) -> None:
    section, question_id = REFERENCE_ANSWERED[seed_question]
    question = BANK.question(question_id)
    assert isinstance(question, ShortAnswerQuestion)
    assert question.section == section


def test_reference_mapping_covers_every_short_answer_seed() -> None:
    """The mapping above is the whole list: 21 reference answers in the seed."""
    assert len(REFERENCE_ANSWERED) == 21
    assert len({qid for _, qid in REFERENCE_ANSWERED.values()}) == 21


@pytest.mark.parametrize("question", SHORT, ids=lambda q: q.id)
def test_short_answers_have_enough_examples(question: ShortAnswerQuestion) -> None:
    assert len(question.right_answers) >= 4
    assert len(question.wrong_answers) >= 4
    assert "" in question.wrong_answers
    assert len(set(question.right_answers) | set(question.wrong_answers)) == len(
        question.right_answers
    ) + len(question.wrong_answers)


@pytest.mark.parametrize("question", SHORT, ids=lambda q: q.id)
def test_keyword_list_of_the_rubric_does_not_get_full_marks(question: ShortAnswerQuestion) -> None:
    """Every keyword of every phrasing, listed in alphabetical order without sentences: a
    candidate who guessed all the keywords."""
    words = {
        w.strip(".,;:!?()'\"").lower()
        for point in question.rubric
        for phrasing in point.phrasings
        for w in phrasing.split()
    }
    stuffed = ", ".join(sorted(w for w in words if w and w not in STOP_WORDS))
    proposal = propose_score(question, stuffed, BANK.synonyms)
    assert proposal.points < question.points
    assert proposal.points * 3 <= question.points


@pytest.mark.parametrize("question", SHORT, ids=lambda q: q.id)
def test_reference_answer_gets_full_marks_and_blank_nothing(question: ShortAnswerQuestion) -> None:
    assert propose_score(question, question.reference, BANK.synonyms).points == question.points
    for blank in ("", "   ", "\n\t"):
        assert propose_score(question, blank, BANK.synonyms).points == 0


def test_package_imports_no_web_framework_nor_database() -> None:
    code = (
        "import sys, grader.questions; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'fastapi', 'starlette', 'sqlalchemy', 'redis', 'docker'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
