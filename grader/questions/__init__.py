"""The concept question bank (`questions/` at the repository root) and its grading.

Multiple choice is graded exactly (`grade_choice`); short answers get a proposed score from
their rubric (`propose_score`) for a reviewer to confirm. Pure functions over plain data: no
web framework, no database.
"""

from grader.questions.grading import grade_choice, validate_bank, validate_question
from grader.questions.loader import (
    Bank,
    QuestionBankError,
    load_bank,
    load_bank_file,
    load_synonyms,
    parse_bank_file,
    parse_question,
)
from grader.questions.matching import Synonyms, propose_score
from grader.questions.models import (
    BankFile,
    Grade,
    MultipleChoiceQuestion,
    PointMatch,
    Proposal,
    Question,
    RubricPoint,
    ShortAnswerQuestion,
)

__all__ = [
    "Bank",
    "BankFile",
    "Grade",
    "MultipleChoiceQuestion",
    "PointMatch",
    "Proposal",
    "Question",
    "QuestionBankError",
    "RubricPoint",
    "ShortAnswerQuestion",
    "Synonyms",
    "grade_choice",
    "load_bank",
    "load_bank_file",
    "load_synonyms",
    "parse_bank_file",
    "parse_question",
    "propose_score",
    "validate_bank",
    "validate_question",
]
