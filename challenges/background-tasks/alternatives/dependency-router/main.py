"""BackgroundTasks reached through a dependency, routes on an APIRouter."""

import asyncio
import uuid
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, HTTPException, Response
from pydantic import BaseModel


@dataclass
class ReportState:
    id: str
    status: str = "pending"
    result: int | None = None


DB: dict[str, ReportState] = {}


class NewReport(BaseModel):
    numbers: list[int]


async def finish(state: ReportState, numbers: list[int]) -> None:
    await asyncio.sleep(2.0)
    state.result = sum(numbers)
    state.status = "done"


class Scheduler:
    def __init__(self, tasks: BackgroundTasks) -> None:
        self.tasks = tasks

    def schedule(self, state: ReportState, numbers: list[int]) -> None:
        self.tasks.add_task(finish, state, numbers)


router = APIRouter(prefix="/reports", tags=["reports"])


@router.post("")
def create_report(
    body: NewReport, response: Response, scheduler: Annotated[Scheduler, Depends()]
) -> dict[str, str]:
    state = ReportState(id=uuid.uuid4().hex)
    DB[state.id] = state
    scheduler.schedule(state, body.numbers)
    response.status_code = 202
    return {"id": state.id, "status": state.status}


@router.get("/{report_id}")
def read_report(report_id: str) -> dict:
    state = DB.get(report_id)
    if state is None:
        raise HTTPException(404, "unknown report")
    return asdict(state)


app = FastAPI()
app.include_router(router)
