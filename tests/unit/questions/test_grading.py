"""`grade_choice` and `validate_question`."""

from __future__ import annotations

import pytest

from grader.questions import (
    MultipleChoiceQuestion,
    RubricPoint,
    ShortAnswerQuestion,
    Synonyms,
    grade_choice,
    validate_question,
)

SINGLE = MultipleChoiceQuestion(
    kind="multiple_choice",
    id="t-single",
    section=1,
    seed="s",
    points=2,
    prompt="Pick",
    options=["right", "wrong", "also wrong"],
    correct=[0],
    explanation="because",
)
MULTI = SINGLE.model_copy(
    update={"id": "t-multi", "options": ["a", "b", "c", "d"], "correct": [0, 2]}
)

SHORT = ShortAnswerQuestion(
    kind="short_answer",
    id="t-short",
    section=1,
    seed="s",
    points=6,
    prompt="Why use a response model?",
    reference="It filters the output and documents the schema.",
    rubric=[
        RubricPoint(point="Filters output", points=3, phrasings=["filters output"]),
        RubricPoint(point="Documents schema", points=3, phrasings=["documents schema"]),
    ],
    right_answers=["The schema gets documented, and the output filtered."],
    wrong_answers=["", "It stores the output in the database."],
)
NONE = Synonyms()


def test_single_choice() -> None:
    grade = grade_choice(SINGLE, 0)
    assert (grade.points, grade.max_points, grade.correct) == (2, 2, True)
    assert grade.explanation == "because"
    assert grade_choice(SINGLE, [0]).points == 2
    assert grade_choice(SINGLE, 1).points == 0
    assert not grade_choice(SINGLE, 1).correct


@pytest.mark.parametrize(
    ("answer", "points"),
    [([0, 2], 2), ([2, 0], 2), ([0, 2, 2], 2), ([0], 0), ([2], 0), ([0, 1, 2], 0), ([], 0)],
)
def test_multiple_choice_is_all_or_nothing(answer: list[int], points: int) -> None:
    assert grade_choice(MULTI, answer).points == points


@pytest.mark.parametrize("answer", [3, -1, [0, 7]])
def test_choosing_an_option_that_does_not_exist(answer: int | list[int]) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        grade_choice(SINGLE, answer)


def test_valid_questions_have_no_problems() -> None:
    assert validate_question(SINGLE, NONE) == []
    assert validate_question(MULTI, NONE) == []
    assert validate_question(SHORT, NONE) == []


def test_choice_structure_problems() -> None:
    all_right = SINGLE.model_copy(update={"correct": [0, 1, 2]})
    assert "every option is correct: there is no distractor" in validate_question(all_right, NONE)
    twice = SINGLE.model_copy(update={"options": ["same", "Same ", "other"]})
    assert "two options are the same" in validate_question(twice, NONE)
    out_of_range = SINGLE.model_copy(update={"correct": [5]})
    assert "correct must list valid option indices" in validate_question(out_of_range, NONE)


def test_right_answer_without_full_marks_is_a_problem() -> None:
    question = SHORT.model_copy(update={"right_answers": ["It filters the output."]})
    (problem,) = validate_question(question, NONE)
    assert problem.startswith("right answer #1 gets 3/6, not full marks")
    assert "missing ['Documents schema']" in problem


def test_wrong_answer_above_a_third_is_a_problem() -> None:
    question = SHORT.model_copy(update={"wrong_answers": ["", "It filters the output."]})
    (problem,) = validate_question(question, NONE)
    assert problem.startswith("wrong answer #2 gets 3/6, more than a third")


def test_reference_must_get_full_marks() -> None:
    question = SHORT.model_copy(update={"reference": "It documents the schema."})
    assert [p[:35] for p in validate_question(question, NONE)] == [
        "the reference gets 3/6, not full ma"
    ]


def test_phrasing_problems() -> None:
    rubric = [
        RubricPoint(point="Stop words", points=2, phrasings=["it is the", "filters output"]),
        RubricPoint(point="Echo", points=4, phrasings=["response model", "documents schema"]),
    ]
    problems = validate_question(SHORT.model_copy(update={"rubric": rubric}), NONE)
    assert "phrasing 'it is the' has only stop words ('Stop words')" in problems
    assert "phrasing 'response model' is in the prompt itself ('Echo')" in problems


def test_prompt_echo_and_missing_examples() -> None:
    rubric = [RubricPoint(point="Schema", points=6, phrasings=["model"])]
    question = SHORT.model_copy(update={"rubric": rubric, "right_answers": [], "wrong_answers": []})
    problems = validate_question(question, NONE)
    assert "no right_answers to prove the rubric" in problems
    assert "no wrong_answers to prove the rubric" in problems
    assert any(p.startswith("the prompt echoed back gets 6/6") for p in problems)


def test_points_that_do_not_add_up_are_a_problem_even_unvalidated() -> None:
    """model_copy skips validators: validate_question checks the sum itself."""
    question = SHORT.model_copy(update={"points": 7})
    assert "rubric points sum to 6, the question is worth 7" in validate_question(question, NONE)
