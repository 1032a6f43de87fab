"""Reading the bank: one TOML file per seed section, plus `synonyms.toml`, in one folder.

Structural errors (bad TOML, unknown kinds, bad indices, rubric points that do not add up,
duplicate ids or sections) raise `QuestionBankError` naming the file and the question. Whether
the rubric grades its own example answers right is `grading.validate_question`'s job.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from grader.questions.matching import Synonyms
from grader.questions.models import KINDS, BankFile, Question

SYNONYMS_FILE = "synonyms.toml"
BANK_DIR = Path(__file__).resolve().parents[2] / "questions"
"""The bank shipped with the repository (like `challenges/`, it needs the editable install)."""
# Keys of a question that are never keys of a rubric point: found in a rubric point, they were
# written below a [[question.rubric]] header by mistake.
_QUESTION_KEYS = frozenset(
    {"id", "kind", "seed", "prompt", "reference", "right_answers", "wrong_answers"}
    | {"options", "correct", "explanation"}
)
_QUESTION: TypeAdapter[Question] = TypeAdapter(Question)


class QuestionBankError(Exception):
    """A bank file or question is malformed; `file` and `question_id` say where."""

    def __init__(self, message: str, *, file: str, question_id: str | None = None) -> None:
        where = file if question_id is None else f"{file}, question {question_id!r}"
        super().__init__(f"{where}: {message}")
        self.file = file
        self.question_id = question_id
        self.message = message


@dataclass(frozen=True)
class Bank:
    files: list[BankFile]
    synonyms: Synonyms = field(default_factory=Synonyms)

    @property
    def questions(self) -> list[Question]:
        return [q for bank_file in self.files for q in bank_file.questions]

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if there is none."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if p not in KINDS)
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def parse_question(raw: Any, section: int, source: str, position: int = 1) -> Question:
    """One question from its TOML table; `section` comes from its bank file."""
    if not isinstance(raw, dict):
        raise QuestionBankError(f"question #{position} is not a table", file=source)
    qid = raw.get("id")
    label = qid if isinstance(qid, str) else f"#{position}"
    kind = raw.get("kind")
    if kind not in KINDS:
        raise QuestionBankError(
            f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})",
            file=source,
            question_id=label,
        )
    rubric = raw.get("rubric")
    for point in rubric if isinstance(rubric, list) else []:
        if isinstance(point, dict) and (misplaced := sorted(_QUESTION_KEYS & point.keys())):
            raise QuestionBankError(
                f"{misplaced[0]} is inside a [[question.rubric]] table (in TOML, keys after "
                f"a table header belong to it): move it above the first [[question.rubric]]",
                file=source,
                question_id=label,
            )
    if "section" in raw:
        raise QuestionBankError(
            "section is set once, at the top of the file", file=source, question_id=label
        )
    try:
        return _QUESTION.validate_python({**raw, "section": section})
    except ValidationError as exc:
        raise QuestionBankError(_explain(exc), file=source, question_id=label) from None


def parse_bank_file(text: str, source: str) -> BankFile:
    """A bank file from its TOML text; `source` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionBankError(f"not valid TOML: {exc}", file=source) from None
    unknown = sorted(set(data) - {"section", "title", "question"})
    if unknown:
        raise QuestionBankError(f"unknown top-level keys: {', '.join(unknown)}", file=source)
    section = data.get("section")
    if not isinstance(section, int) or isinstance(section, bool) or section < 1:
        raise QuestionBankError("section must be a positive integer", file=source)
    raws = data.get("question", [])
    if not isinstance(raws, list):
        raise QuestionBankError("question must be an array of tables ([[question]])", file=source)
    questions = [parse_question(raw, section, source, n) for n, raw in enumerate(raws, 1)]
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise QuestionBankError("duplicate id", file=source, question_id=q.id)
        seen.add(q.id)
    try:
        return BankFile(section=section, title=data.get("title", ""), questions=questions)
    except ValidationError as exc:
        raise QuestionBankError(_explain(exc), file=source) from None


def load_bank_file(path: Path) -> BankFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionBankError(f"cannot read: {exc}", file=str(path)) from None
    return parse_bank_file(text, path.name)


def load_synonyms(path: Path) -> Synonyms:
    """`synonyms.toml`: `name = ["synonym", "other phrase", ...]`, one group per key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QuestionBankError(f"cannot read: {exc}", file=path.name) from None
    groups: dict[str, list[str]] = {}
    for name, members in data.items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise QuestionBankError(f"{name!r} must be a list of strings", file=path.name)
        groups[name] = members
    try:
        return Synonyms.from_groups(groups)
    except ValueError as exc:
        raise QuestionBankError(str(exc), file=path.name) from None


def load_bank(folder: Path) -> Bank:
    """Every `*.toml` of `folder` (but `synonyms.toml`) as a bank, in file-name order."""
    paths = sorted(p for p in folder.glob("*.toml") if p.name != SYNONYMS_FILE)
    if not paths:
        raise QuestionBankError("no bank files (*.toml)", file=str(folder))
    files: list[BankFile] = []
    id_file: dict[str, str] = {}
    section_file: dict[int, str] = {}
    for path in paths:
        bank_file = load_bank_file(path)
        if bank_file.section in section_file:
            raise QuestionBankError(
                f"section {bank_file.section} is also in {section_file[bank_file.section]}",
                file=path.name,
            )
        section_file[bank_file.section] = path.name
        for q in bank_file.questions:
            if q.id in id_file:
                raise QuestionBankError(
                    f"duplicate id, also in {id_file[q.id]}", file=path.name, question_id=q.id
                )
            id_file[q.id] = path.name
        files.append(bank_file)
    synonyms_path = folder / SYNONYMS_FILE
    synonyms = load_synonyms(synonyms_path) if synonyms_path.exists() else Synonyms()
    return Bank(files, synonyms)
