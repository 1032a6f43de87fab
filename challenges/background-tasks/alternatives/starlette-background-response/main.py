"""The task is attached to the response itself (Starlette's BackgroundTask)."""

import itertools
import time

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.background import BackgroundTask

app = FastAPI()
_ids = itertools.count(1)
REPORTS: dict[str, dict] = {}


class Job(BaseModel):
    numbers: list[int]


def crunch(report_id: str, numbers: list[int]) -> None:
    time.sleep(2)
    REPORTS[report_id] = {**REPORTS[report_id], "status": "done", "result": sum(numbers)}


@app.post("/reports")
def submit(job: Job):
    report_id = f"r{next(_ids)}"
    REPORTS[report_id] = {"id": report_id, "status": "pending", "result": None}
    return JSONResponse(
        {"id": report_id, "status": "pending"},
        status_code=202,
        background=BackgroundTask(crunch, report_id, job.numbers),
    )


@app.get("/reports/{report_id}")
def status_of(report_id: str):
    if report_id not in REPORTS:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    return REPORTS[report_id]
