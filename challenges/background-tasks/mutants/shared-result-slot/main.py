"""One global slot for 'the' result: concurrent reports overwrite each other."""

import asyncio
import uuid

from fastapi import BackgroundTasks, FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()

statuses: dict[str, str] = {}
last_result: int | None = None


class ReportRequest(BaseModel):
    numbers: list[int]


async def build_report(report_id: str, numbers: list[int]) -> None:
    global last_result
    await asyncio.sleep(2)
    last_result = sum(numbers)
    statuses[report_id] = "done"


@app.post("/reports", status_code=202)
async def create_report(body: ReportRequest, tasks: BackgroundTasks):
    report_id = uuid.uuid4().hex
    statuses[report_id] = "pending"
    tasks.add_task(build_report, report_id, body.numbers)
    return {"id": report_id, "status": "pending"}


@app.get("/reports/{report_id}")
async def get_report(report_id: str):
    if report_id not in statuses:
        raise HTTPException(404)
    done = statuses[report_id] == "done"
    return {"id": report_id, "status": statuses[report_id], "result": last_result if done else None}
