"""The concept question bank's data: bank files, questions, rubric points and the results of
grading. Pure data: loading lives in `loader`, scoring in `grading` and `matching`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
KINDS = ("multiple_choice", "short_answer")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricPoint(_Frozen):
    """One key point of a short answer, shown to the reviewer as `point`.

    The answer shows the point when any one of `phrasings` matches it (see `matching`)."""

    point: str = Field(min_length=1)
    points: int = Field(ge=1)
    phrasings: list[str] = Field(min_length=1)


class _QuestionBase(_Frozen):
    id: str = Field(pattern=ID_PATTERN, max_length=80)
    section: int = Field(ge=1, description="The seed section; set from the bank file.")
    seed: str = Field(min_length=1, description="The seed question this one comes from.")
    points: int = Field(ge=1, le=100)
    prompt: str = Field(min_length=1)


class MultipleChoiceQuestion(_QuestionBase):
    kind: Literal["multiple_choice"]
    options: list[str] = Field(min_length=2, max_length=8)
    correct: list[int] = Field(min_length=1, description="Indices into `options`, from 0.")
    explanation: str = Field(min_length=1, description="One line shown after the assessment.")

    @model_validator(mode="after")
    def _check_indices(self) -> MultipleChoiceQuestion:
        bad = [i for i in self.correct if not 0 <= i < len(self.options)]
        if bad:
            raise ValueError(
                f"correct index {bad[0]} is out of range for {len(self.options)} options "
                f"(indices start at 0)"
            )
        if len(set(self.correct)) != len(self.correct):
            raise ValueError("correct lists an index twice")
        return self


class ShortAnswerQuestion(_QuestionBase):
    kind: Literal["short_answer"]
    reference: str = Field(min_length=1, description="Model answer shown to reviewers.")
    rubric: list[RubricPoint] = Field(min_length=1)
    right_answers: list[str] = Field(
        default_factory=list, description="Paraphrased right answers: must get full marks."
    )
    wrong_answers: list[str] = Field(
        default_factory=list, description="Wrong or empty answers: must get at most a third."
    )

    @model_validator(mode="after")
    def _check_points(self) -> ShortAnswerQuestion:
        total = sum(p.points for p in self.rubric)
        if total != self.points:
            raise ValueError(f"rubric points sum to {total}, the question is worth {self.points}")
        return self


Question = Annotated[MultipleChoiceQuestion | ShortAnswerQuestion, Field(discriminator="kind")]


class BankFile(_Frozen):
    """One TOML file of the bank: the questions of one seed section."""

    section: int = Field(ge=1)
    title: str = Field(min_length=1)
    questions: list[Question]


class Grade(_Frozen):
    """An exact grade (multiple choice): nothing for a reviewer to confirm."""

    question_id: str
    points: int
    max_points: int
    correct: bool
    explanation: str


class PointMatch(_Frozen):
    """One rubric point: the phrasing that matched and the answer's words it matched in."""

    point: str
    points: int
    phrasing: str | None = None
    evidence: str | None = None

    @property
    def matched(self) -> bool:
        return self.phrasing is not None


class Proposal(_Frozen):
    """A proposed score for a short answer, to be confirmed by a reviewer."""

    question_id: str
    points: int
    max_points: int
    matches: list[PointMatch]
    notes: list[str] = Field(default_factory=list, description="Why the score was capped, etc.")
