"""No task at all: each report records when its result becomes available, and a read
reports "done" once that moment has passed."""

import time
import uuid

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict

WORK_SECONDS = 2.0

app = FastAPI()


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    numbers: list[int]


class Pending:
    def __init__(self, numbers: list[int]) -> None:
        self.ready_at = time.monotonic() + WORK_SECONDS
        self.total = sum(numbers)


reports: dict[str, Pending] = {}


@app.post("/reports", status_code=202)
def create_report(request: ReportRequest) -> dict:
    report_id = str(uuid.uuid4())
    reports[report_id] = Pending(request.numbers)
    return {"id": report_id, "status": "pending"}


@app.get("/reports/{report_id}")
def get_report(report_id: str) -> dict:
    report = reports.get(report_id)
    if report is None:
        raise HTTPException(status_code=404, detail="Report not found")
    if time.monotonic() >= report.ready_at:
        return {"id": report_id, "status": "done", "result": report.total}
    return {"id": report_id, "status": "pending", "result": None}
