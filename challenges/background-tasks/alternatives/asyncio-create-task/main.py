"""No BackgroundTasks: the handler starts an asyncio task and keeps a reference to it."""

import asyncio
import secrets

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel

app = FastAPI()

REPORTS: dict[str, dict] = {}
RUNNING: set[asyncio.Task] = set()


class ReportIn(BaseModel):
    numbers: list[int]


async def work(report_id: str, numbers: list[int]) -> None:
    await asyncio.sleep(2)
    REPORTS[report_id]["result"] = sum(numbers)
    REPORTS[report_id]["status"] = "done"


@app.post("/reports", status_code=status.HTTP_202_ACCEPTED)
async def post_report(payload: ReportIn):
    report_id = secrets.token_hex(8)
    REPORTS[report_id] = {"id": report_id, "status": "pending", "result": None}
    task = asyncio.create_task(work(report_id, payload.numbers))
    RUNNING.add(task)
    task.add_done_callback(RUNNING.discard)
    return {"id": report_id, "status": "pending"}


@app.get("/reports/{report_id}")
async def get_report(report_id: str):
    report = REPORTS.get(report_id)
    if report is None:
        raise HTTPException(status_code=404, detail="not found")
    return report
