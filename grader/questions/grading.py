"""Exact grading of multiple choice, and the checks a question must pass to enter the bank."""

from __future__ import annotations

from collections.abc import Sequence

from grader.questions.loader import Bank
from grader.questions.matching import Synonyms, analyse, phrasing_terms, propose_score
from grader.questions.models import (
    Grade,
    MultipleChoiceQuestion,
    Proposal,
    Question,
    ShortAnswerQuestion,
)


def grade_choice(question: MultipleChoiceQuestion, answer: int | Sequence[int]) -> Grade:
    """Full points iff the chosen options are exactly the correct ones, else 0.

    No partial credit: with several keys, ticking every option would otherwise pay.
    Raises ValueError for an index that is not an option."""
    chosen = {answer} if isinstance(answer, int) else set(answer)
    bad = sorted(i for i in chosen if not 0 <= i < len(question.options))
    if bad:
        raise ValueError(f"option {bad[0]} does not exist ({len(question.options)} options)")
    correct = chosen == set(question.correct)
    return Grade(
        question_id=question.id,
        points=question.points if correct else 0,
        max_points=question.points,
        correct=correct,
        explanation=question.explanation,
    )


def validate_question(question: Question, synonyms: Synonyms) -> list[str]:
    """Problems that keep `question` out of the bank; empty when it may enter.

    Short answers: the reference and every right answer must get full marks, every wrong
    answer, the empty answer and the prompt echoed back at most a third."""
    if isinstance(question, MultipleChoiceQuestion):
        return _validate_choice(question)
    return _validate_short(question, synonyms)


def _validate_choice(q: MultipleChoiceQuestion) -> list[str]:
    problems: list[str] = []
    options = [o.strip().lower() for o in q.options]
    if any(not o for o in options):
        problems.append("an option is empty")
    if len(set(options)) != len(options):
        problems.append("two options are the same")
    if not q.correct or any(not 0 <= i < len(q.options) for i in q.correct):
        return [*problems, "correct must list valid option indices"]
    distractors = [i for i in range(len(q.options)) if i not in q.correct]
    if not distractors:
        problems.append("every option is correct: there is no distractor")
    if not grade_choice(q, q.correct).correct:
        problems.append("the key itself is refused")
    for i in distractors:
        if grade_choice(q, [i]).points or grade_choice(q, [*q.correct, i]).points:
            problems.append(f"distractor {i} is accepted")
    if len(q.correct) > 1:
        for i in q.correct:
            if grade_choice(q, [i]).points:
                problems.append(f"key {i} alone gets full points")
    return problems


def _describe(proposal: Proposal) -> str:
    got = [
        f"{m.point!r} via {m.phrasing!r} in {m.evidence!r}" for m in proposal.matches if m.matched
    ]
    missing = [repr(m.point) for m in proposal.matches if not m.matched]
    return f"matched [{'; '.join(got)}], missing [{', '.join(missing)}]"


def _validate_short(q: ShortAnswerQuestion, synonyms: Synonyms) -> list[str]:
    problems: list[str] = []
    total = sum(p.points for p in q.rubric)
    if total != q.points:
        problems.append(f"rubric points sum to {total}, the question is worth {q.points}")
    prompt_terms = {t.term for t in analyse(q.prompt, synonyms).terms}
    for p in q.rubric:
        for phrasing in p.phrasings:
            terms = phrasing_terms(phrasing, synonyms)
            if not terms:
                problems.append(f"phrasing {phrasing!r} has only stop words ({p.point!r})")
            elif set(terms) <= prompt_terms:
                problems.append(f"phrasing {phrasing!r} is in the prompt itself ({p.point!r})")
    if not q.right_answers:
        problems.append("no right_answers to prove the rubric")
    if not q.wrong_answers:
        problems.append("no wrong_answers to prove the rubric")
    full = [("the reference", q.reference)]
    full += [(f"right answer #{n}", a) for n, a in enumerate(q.right_answers, 1)]
    for label, text in full:
        proposal = propose_score(q, text, synonyms)
        if proposal.points != q.points:
            problems.append(
                f"{label} gets {proposal.points}/{q.points}, not full marks: {_describe(proposal)}"
            )
    low = [("the empty answer", ""), ("the prompt echoed back", q.prompt)]
    low += [(f"wrong answer #{n}", a) for n, a in enumerate(q.wrong_answers, 1)]
    for label, text in low:
        proposal = propose_score(q, text, synonyms)
        if proposal.points * 3 > q.points:
            problems.append(
                f"{label} gets {proposal.points}/{q.points}, more than a third: "
                f"{_describe(proposal)}"
            )
    return problems


def validate_bank(bank: Bank) -> list[str]:
    """Every question's problems, each prefixed with its id."""
    return [f"{q.id}: {p}" for q in bank.questions for p in validate_question(q, bank.synonyms)]
