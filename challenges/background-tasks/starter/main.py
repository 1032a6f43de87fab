import uuid

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()

reports: dict[str, dict] = {}


class ReportRequest(BaseModel):
    numbers: list[int]


@app.post("/reports")
def create_report(body: ReportRequest):
    report_id = str(uuid.uuid4())
    # TODO: answer 202 at once and compute the sum in a background task (see the README)
    reports[report_id] = {"id": report_id, "status": "pending", "result": None}
    return {"id": report_id, "status": "pending"}


@app.get("/reports/{report_id}")
def get_report(report_id: str):
    if report_id not in reports:
        raise HTTPException(status_code=404, detail="Report not found")
    return reports[report_id]
