"""The concept question bank: staff browse it to build assessments; admins add to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile, status

from grader.api.deps import AdminUser, SessionDep, SettingsDep, StaffReader
from grader.api.schemas import NO_NUL, error_responses
from grader.errors import InvalidInput, SubmissionTooLarge
from grader.services import question_bank

router = APIRouter(
    prefix="/questions", tags=["questions"], responses=error_responses(401, 403, 422)
)


@router.get("")
def list_questions(
    _: StaffReader,
    session: SessionDep,
    section: Annotated[int | None, Query(ge=1, le=99, description="The seed section.")] = None,
    search: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
) -> list[dict[str, Any]]:
    """Every question, keys and rubrics included (staff only)."""
    return [
        q.model_dump(mode="json") for q in question_bank.list_questions(session, section, search)
    ]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(409, 413),
)
def upload_questions(
    file: UploadFile, _: AdminUser, session: SessionDep, settings: SettingsDep
) -> list[str]:
    """Add questions: one bank file (TOML, the format of the repository's `questions/`). Each
    is validated like the bank's own (a rubric must give its paraphrases full marks); nothing
    is stored if one fails. Returns the ids added."""
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise SubmissionTooLarge(f"the file is over {settings.max_upload_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file is not UTF-8 text") from exc
    return question_bank.upload_bank_file(
        session, text, file.filename or "upload.toml", settings.questions_dir
    )
