import asyncio
from typing import Literal
from uuid import uuid4

from fastapi import BackgroundTasks, FastAPI, HTTPException
from pydantic import BaseModel, Field


class ReportIn(BaseModel):
    numbers: list[int]


class Accepted(BaseModel):
    id: str
    status: Literal["pending", "done"]


class Report(Accepted):
    result: int | None = None


class Store:
    def __init__(self) -> None:
        self.items: dict[str, Report] = {}


store = Store()
app = FastAPI(title="reports")


async def compute(report: Report, numbers: list[int]) -> None:
    await asyncio.sleep(2)
    report.result = sum(numbers)
    report.status = "done"


@app.post("/reports", status_code=202, response_model=Accepted)
async def create(payload: ReportIn, background: BackgroundTasks) -> Accepted:
    report = Report(id=str(uuid4()), status="pending")
    store.items[report.id] = report
    background.add_task(compute, report, payload.numbers)
    return Accepted(id=report.id, status=report.status)


@app.get("/reports/{report_id}", response_model=Report)
async def read(report_id: str) -> Report:
    try:
        return store.items[report_id]
    except KeyError:
        raise HTTPException(status_code=404, detail=f"no report {report_id}") from None
