"""The concept question bank in the database: the repository's `questions/` folder is synced in
at start-up (like the challenge catalog), and admins upload more, validated the same way: a
multiple-choice key must be accepted and its distractors refused, a rubric must give its own
paraphrased right answers full marks and its wrong ones at most a third."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.db.models import QuestionRecord, utcnow
from grader.errors import Conflict, InvalidInput, NotFound
from grader.questions import (
    BankFile,
    Question,
    QuestionBankError,
    Synonyms,
    load_bank,
    load_synonyms,
    parse_bank_file,
    validate_question,
)
from grader.questions.loader import SYNONYMS_FILE

log = logging.getLogger(__name__)

_QUESTION = TypeAdapter(Question)


@lru_cache
def synonyms(folder: Path) -> Synonyms:
    """The synonym table every rubric is matched with (the bank folder's `synonyms.toml`)."""
    path = folder / SYNONYMS_FILE
    return load_synonyms(path) if path.is_file() else Synonyms()


def question_of(record: QuestionRecord) -> Question:
    return _QUESTION.validate_python(record.content)


@dataclass
class BankSync:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _store(session: Session, question: Question, source: str) -> str:
    """Insert or update one question; 'added', 'updated' or 'unchanged'."""
    content = question.model_dump(mode="json")
    record = session.scalar(select(QuestionRecord).where(QuestionRecord.key == question.id))
    if record is None:
        session.add(
            QuestionRecord(
                key=question.id,
                section=question.section,
                kind=question.kind,
                content=content,
                source=source,
            )
        )
        return "added"
    if record.content == content:
        return "unchanged"
    record.content, record.section, record.kind = content, question.section, question.kind
    record.updated_at = utcnow()
    return "updated"


def sync_bank(session: Session, folder: Path) -> BankSync:
    """Load the repository's bank into the database (a changed question is updated: the
    assessments that use it keep the copy made when they were published)."""
    report = BankSync()
    if not folder.is_dir():
        return report
    bank = load_bank(folder)
    for question in bank.questions:
        outcome = _store(session, question, "bank")
        if outcome == "added":
            report.added.append(question.id)
        elif outcome == "updated":
            report.updated.append(question.id)
    session.commit()
    return report


def get_question(session: Session, key: str) -> Question:
    record = session.scalar(select(QuestionRecord).where(QuestionRecord.key == key))
    if record is None:
        raise NotFound(f"no question {key!r} in the bank")
    return question_of(record)


def list_questions(
    session: Session, section: int | None = None, search: str | None = None
) -> list[Question]:
    query = select(QuestionRecord).order_by(QuestionRecord.section, QuestionRecord.key)
    if section is not None:
        query = query.where(QuestionRecord.section == section)
    found = [question_of(record) for record in session.scalars(query)]
    if search:
        needle = search.lower()
        found = [q for q in found if needle in q.prompt.lower() or needle in q.id]
    return found


def upload_bank_file(session: Session, text: str, source: str, folder: Path) -> list[str]:
    """Add the questions of one bank file (TOML, the repository's format) after validating
    each; nothing is stored if any fails. A question id already in the bank with other content
    is a `Conflict`."""
    try:
        bank_file: BankFile = parse_bank_file(text, source)
    except QuestionBankError as exc:
        raise InvalidInput(str(exc)) from exc
    problems = [
        f"{q.id}: {p}" for q in bank_file.questions for p in validate_question(q, synonyms(folder))
    ]
    if problems:
        raise InvalidInput("the questions do not hold: " + "; ".join(problems))
    added = []
    for question in bank_file.questions:
        existing = session.scalar(select(QuestionRecord).where(QuestionRecord.key == question.id))
        if existing is not None and existing.content != question.model_dump(mode="json"):
            session.rollback()
            raise Conflict(f"the bank already has a different question {question.id!r}")
        if _store(session, question, "upload") == "added":
            added.append(question.id)
    session.commit()
    return added
