"""Loading bank files and folders, and the errors that name the file and the question."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.questions import (
    MultipleChoiceQuestion,
    QuestionBankError,
    ShortAnswerQuestion,
    load_bank,
    load_bank_file,
    parse_bank_file,
)

MC = """
[[question]]
id = "{id}"
kind = "multiple_choice"
seed = "Seed?"
points = 2
prompt = "Pick one"
options = ["a", "b", "c"]
correct = [{correct}]
explanation = "because"
"""

SHORT = """
[[question]]
id = "{id}"
kind = "short_answer"
seed = "Seed?"
points = {points}
prompt = "Explain"
reference = "It validates requests."
right_answers = ["Requests get validated."]
wrong_answers = [""]

  [[question.rubric]]
  point = "Validation"
  points = 4
  phrasings = ["validate requests"]
"""


def bank_text(*questions: str, section: int = 1) -> str:
    return f'section = {section}\ntitle = "T"\n' + "".join(questions)


def mc(qid: str = "q-mc", correct: str = "1") -> str:
    return MC.format(id=qid, correct=correct)


def short(qid: str = "q-short", points: int = 4) -> str:
    return SHORT.format(id=qid, points=points)


def error(text: str) -> QuestionBankError:
    with pytest.raises(QuestionBankError) as info:
        parse_bank_file(text, "07-x.toml")
    return info.value


def test_loads_both_kinds_and_sets_the_section() -> None:
    bank_file = parse_bank_file(bank_text(mc(), short(), section=3), "03-x.toml")
    assert bank_file.section == 3
    first, second = bank_file.questions
    assert isinstance(first, MultipleChoiceQuestion)
    assert first.correct == [1]
    assert isinstance(second, ShortAnswerQuestion)
    assert second.rubric[0].phrasings == ["validate requests"]
    assert first.section == second.section == 3


def test_duplicate_id_in_a_file() -> None:
    exc = error(bank_text(mc("same"), short("same")))
    assert (exc.file, exc.question_id) == ("07-x.toml", "same")
    assert str(exc) == "07-x.toml, question 'same': duplicate id"


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    (tmp_path / "01-a.toml").write_text(bank_text(mc("same"), section=1))
    (tmp_path / "02-b.toml").write_text(bank_text(short("same"), section=2))
    with pytest.raises(QuestionBankError, match=r"02-b.toml, question 'same': .*01-a.toml"):
        load_bank(tmp_path)


def test_duplicate_section_across_files(tmp_path: Path) -> None:
    (tmp_path / "01-a.toml").write_text(bank_text(mc("one")))
    (tmp_path / "01-b.toml").write_text(bank_text(mc("two")))
    with pytest.raises(QuestionBankError, match=r"01-b.toml: section 1 is also in 01-a.toml"):
        load_bank(tmp_path)


@pytest.mark.parametrize("correct", ["3", "-1", "0, 0"])
def test_bad_indices(correct: str) -> None:
    exc = error(bank_text(mc("bad", correct)))
    assert exc.question_id == "bad"
    assert "out of range" in exc.message or "index twice" in exc.message


def test_rubric_points_must_add_up() -> None:
    exc = error(bank_text(short("sum", points=6)))
    assert exc.question_id == "sum"
    assert "rubric points sum to 4, the question is worth 6" in exc.message


def test_unknown_kind() -> None:
    exc = error(bank_text(mc("odd").replace('"multiple_choice"', '"essay"')))
    assert exc.question_id == "odd"
    assert "unknown kind 'essay'" in exc.message


def test_missing_and_extra_fields_are_named() -> None:
    exc = error(bank_text(mc("m").replace('explanation = "because"', 'explain = "because"')))
    assert "explanation: Field required" in exc.message
    assert "explain: Extra inputs are not permitted" in exc.message


def test_answers_written_under_a_rubric_table_get_a_hint() -> None:
    text = short("late").replace('right_answers = ["Requests get validated."]\n', "")
    text += '  right_answers = ["Requests get validated."]\n'
    exc = error(bank_text(text))
    assert exc.question_id == "late"
    assert "right_answers is inside a [[question.rubric]] table" in exc.message


def test_section_is_not_set_per_question() -> None:
    exc = error(
        bank_text(
            mc("s").replace('kind = "multiple_choice"', 'kind = "multiple_choice"\nsection = 2')
        )
    )
    assert "section is set once" in exc.message


def test_invalid_toml_and_bad_top_level() -> None:
    assert "not valid TOML" in error("section = = 1").message
    assert "section must be a positive integer" in error('title = "T"').message
    assert (
        "unknown top-level keys: questions"
        in error('section = 1\ntitle = "T"\nquestions = []').message
    )


def test_load_bank_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "05-x.toml"
    path.write_text(bank_text(mc("q", "9")))
    with pytest.raises(
        QuestionBankError, match=r"^05-x.toml, question 'q': correct index 9 is out of range"
    ):
        load_bank_file(path)


def test_folder_without_bank_files(tmp_path: Path) -> None:
    with pytest.raises(QuestionBankError, match="no bank files"):
        load_bank(tmp_path)


def test_synonyms_file_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "01-a.toml").write_text(bank_text(mc()))
    (tmp_path / "synonyms.toml").write_text('database = ["db"]\n')
    bank = load_bank(tmp_path)
    assert [q.id for q in bank.questions] == ["q-mc"]
    assert bank.synonyms.table[("db",)] == "databas"
    (tmp_path / "synonyms.toml").write_text('database = ["db"]\ndbms = ["db"]\n')
    with pytest.raises(QuestionBankError, match=r"^synonyms.toml: synonym 'db' is in groups"):
        load_bank(tmp_path)
    (tmp_path / "synonyms.toml").write_text('database = "db"\n')
    with pytest.raises(QuestionBankError, match="must be a list of strings"):
        load_bank(tmp_path)
