"""`propose_score` on a small handmade question: each tolerance, and each guard."""

from __future__ import annotations

import pytest

from grader.questions import Proposal, RubricPoint, ShortAnswerQuestion, Synonyms, propose_score
from grader.questions.matching import MAX_WORDS, stem

SYNONYMS = Synonyms.from_groups(
    {"async": ["asynchronous"], "database": ["db"], "io": ["i/o", "input/output"]}
)

QUESTION = ShortAnswerQuestion(
    kind="short_answer",
    id="t-validation",
    section=1,
    seed="How does it work?",
    points=6,
    prompt="How does it work?",
    reference="It validates requests and runs async database queries.",
    rubric=[
        RubricPoint(point="Validates requests", points=3, phrasings=["validate requests"]),
        RubricPoint(point="Async DB queries", points=3, phrasings=["async database queries"]),
    ],
    right_answers=["It validates requests and runs async database queries."],
    wrong_answers=[""],
)


def propose(text: str, synonyms: Synonyms = SYNONYMS) -> Proposal:
    return propose_score(QUESTION, text, synonyms)


def matched(text: str, synonyms: Synonyms = SYNONYMS) -> list[str | None]:
    return [m.phrasing for m in propose(text, synonyms).matches if m.matched]


def test_full_marks_and_evidence_from_the_original_text() -> None:
    text = "It validates requests. It runs async database queries."
    proposal = propose(text)
    assert proposal.points == 6
    assert proposal.max_points == 6
    assert proposal.question_id == "t-validation"
    assert [m.evidence for m in proposal.matches] == [
        "validates requests",
        "async database queries",
    ]
    assert proposal.notes == []


def test_case_is_ignored() -> None:
    assert matched("VALIDATE REQUESTS") == ["validate requests"]
    assert matched("Validate Requests") == ["validate requests"]


def test_word_order_is_ignored() -> None:
    assert matched("requests: it must validate them") == ["validate requests"]
    assert matched("database queries, async ones") == ["async database queries"]


def test_inflections_match_through_the_stemmer() -> None:
    assert stem("validation") == stem("validates") == stem("validated")
    assert matched("validation of every request") == ["validate requests"]
    assert matched("the request is validated") == ["validate requests"]


def test_synonyms_match_only_through_the_table() -> None:
    text = "It sends asynchronous DB queries."
    assert matched(text) == ["async database queries"]
    assert matched(text, Synonyms()) == []


def test_multi_word_synonyms_are_merged_before_stop_words_are_dropped() -> None:
    synonyms = Synonyms.from_groups({"io": ["i/o"]})
    question = QUESTION.model_copy(
        update={"rubric": [RubricPoint(point="I/O", points=6, phrasings=["io bound"])]}
    )
    assert propose_score(question, "for I/O-bound work", synonyms).points == 6
    assert propose_score(question, "for I/O-bound work", Synonyms()).points == 0


def test_stop_words_and_punctuation_are_ignored() -> None:
    assert matched("Validate (all of the) requests!") == ["validate requests"]


def test_words_far_apart_do_not_match() -> None:
    text = (
        "We validate the form input in the browser; later the server logs metrics, renders "
        "templates, caches pages and compresses responses for incoming requests."
    )
    assert matched(text) == []


def test_negated_words_do_not_match() -> None:
    assert matched("It does not validate requests.") == []
    assert matched("It doesn't validate requests.") == []
    assert matched("It never validates requests.") == []


def test_negation_stops_at_the_end_of_its_clause() -> None:
    assert matched("No, it validates requests.") == ["validate requests"]
    assert matched("It is not slow; it validates requests.") == ["validate requests"]


def test_phrasing_holding_a_negation_matches_the_negation() -> None:
    question = QUESTION.model_copy(
        update={"rubric": [RubricPoint(point="Non-blocking", points=6, phrasings=["not block"])]}
    )
    assert propose_score(question, "awaiting does not block the loop", SYNONYMS).points == 6
    assert propose_score(question, "awaiting blocks the loop", SYNONYMS).points == 0


@pytest.mark.parametrize("text", ["", " ", "\n\t  \n", "...!?", "the of and is it"])
def test_empty_answers_get_nothing(text: str) -> None:
    proposal = propose(text)
    assert proposal.points == 0
    assert proposal.notes == ["empty answer"]
    assert not any(m.matched for m in proposal.matches)


def test_keyword_list_is_capped_at_a_third() -> None:
    stuffed = "validate requests async database queries validation asynchronous db query"
    proposal = propose(stuffed)
    assert all(m.matched for m in proposal.matches)
    assert proposal.points == 2
    assert proposal.notes == ["reads as a list of keywords, not sentences: capped at a third"]


def test_terse_keyword_list_below_the_minimum_is_not_capped() -> None:
    """Short notes are left alone: the cap needs a list long enough to tell."""
    assert propose("validate requests; async DB queries").points == 6


def test_only_the_first_words_are_read() -> None:
    padding = "The answer talks about something else entirely here. " * (MAX_WORDS // 8)
    proposal = propose(padding + "It validates requests.")
    assert proposal.points == 0
    assert proposal.notes == [f"only the first {MAX_WORDS} words were read"]
    assert propose("It validates requests. " + padding).points == 3


def test_synonym_in_two_groups_is_refused() -> None:
    with pytest.raises(ValueError, match="'db' is in groups 'database' and 'dbms'"):
        Synonyms.from_groups({"database": ["db"], "dbms": ["db"]})
