"""`grader questions ...`: read the concept question bank and try its rubrics on answers of
your own. Works on the bank's files (no service, no database needed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from grader.cli.output import console, fail
from grader.config import get_settings
from grader.questions import (
    Bank,
    MultipleChoiceQuestion,
    QuestionBankError,
    grade_choice,
    load_bank,
    propose_score,
)

app = typer.Typer(help="The concept question bank.", no_args_is_help=True)

BankOption = Annotated[
    Path | None, typer.Option(help="The bank's folder (default: the repository's questions/).")
]


def _bank(folder: Path | None) -> Bank:
    try:
        return load_bank(folder or get_settings().questions_dir)
    except (OSError, QuestionBankError) as exc:
        raise fail(str(exc)) from exc


@app.command("list")
def list_questions(
    bank: BankOption = None,
    section: Annotated[int | None, typer.Option(help="Only this seed section.")] = None,
) -> None:
    """Print the bank: id, seed section, kind, points, prompt."""
    table = Table("id", "section", "kind", "points", "prompt")
    for question in _bank(bank).questions:
        if section is None or question.section == section:
            table.add_row(
                question.id,
                str(question.section),
                question.kind,
                str(question.points),
                Text(question.prompt),
            )
    console.print(table)


def _grade_line(bank: Bank, number: int, line: str) -> dict[str, Any]:
    """One answer's proposed score; ValueError says what is wrong with the line."""
    try:
        given = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from exc
    if not isinstance(given, dict) or set(given) != {"question", "answer"}:
        raise ValueError('expected {"question": ID, "answer": ...}')
    try:
        question = bank.question(str(given["question"]))
    except KeyError:
        raise ValueError(f"no question {given['question']!r} in the bank") from None
    answer = given["answer"]
    if isinstance(question, MultipleChoiceQuestion):
        valid = isinstance(answer, int) or (
            isinstance(answer, list) and all(isinstance(a, int) for a in answer)
        )
        if not valid or isinstance(answer, bool):
            raise ValueError("a multiple-choice answer is an option index or a list of them")
        grade = grade_choice(question, answer)
        return {
            "line": number,
            "question": question.id,
            "kind": question.kind,
            "points": grade.points,
            "max_points": grade.max_points,
            "correct": grade.correct,
            "explanation": grade.explanation,
        }
    if not isinstance(answer, str):
        raise ValueError("a short answer is a string")
    proposal = propose_score(question, answer, bank.synonyms)
    return {
        "line": number,
        "question": question.id,
        "kind": question.kind,
        "points": proposal.points,
        "max_points": proposal.max_points,
        "matched": [m.model_dump(mode="json") for m in proposal.matches],
        "notes": proposal.notes,
    }


@app.command("grade")
def grade(
    file: Annotated[
        Path, typer.Argument(help='JSON lines of {"question": ID, "answer": ...}; - reads stdin.')
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per answer.")] = False,
    bank: BankOption = None,
) -> None:
    """Propose a score for each answer (an option index or a list of them for multiple
    choice, text for a short answer), with the rubric points it matched. Exit 2 on a bad
    line (nothing is printed for the file then)."""
    questions = _bank(bank)
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{file}: {exc}") from exc
    results = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            results.append(_grade_line(questions, number, line))
        except ValueError as exc:
            raise fail(f"{file}:{number}: {exc}") from exc
    if as_json:
        for result in results:
            typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for result in results:
        console.print(
            Text.assemble(
                (f"line {result['line']} ", "dim"),
                (result["question"], "bold"),
                f"  {result['points']}/{result['max_points']}",
            )
        )
        for match in result.get("matched", []):
            mark, style = ("+", "green") if match["phrasing"] else ("-", "red")
            shown = f' (matched "{match["evidence"]}")' if match["phrasing"] else ""
            console.print(Text(f"  {mark} {match['point']} [{match['points']}]{shown}", style))
        if "correct" in result:
            console.print(
                Text(f"  {'right' if result['correct'] else 'wrong'}: {result['explanation']}")
            )
