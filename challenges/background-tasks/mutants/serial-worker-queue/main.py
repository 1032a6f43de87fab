"""One worker task consumes a queue: reports are worked on one after another."""

import asyncio
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

reports: dict[str, dict] = {}
queue: asyncio.Queue = asyncio.Queue()


async def worker() -> None:
    while True:
        report_id, numbers = await queue.get()
        await asyncio.sleep(2)
        reports[report_id].update(status="done", result=sum(numbers))
        queue.task_done()


@asynccontextmanager
async def lifespan(app: FastAPI):
    task = asyncio.create_task(worker())
    yield
    task.cancel()


app = FastAPI(lifespan=lifespan)


class ReportRequest(BaseModel):
    numbers: list[int]


@app.post("/reports", status_code=202)
async def create_report(body: ReportRequest):
    report_id = str(uuid.uuid4())
    reports[report_id] = {"id": report_id, "status": "pending", "result": None}
    await queue.put((report_id, body.numbers))
    return {"id": report_id, "status": "pending"}


@app.get("/reports/{report_id}")
async def get_report(report_id: str):
    if report_id not in reports:
        raise HTTPException(status_code=404, detail="Report not found")
    return reports[report_id]
