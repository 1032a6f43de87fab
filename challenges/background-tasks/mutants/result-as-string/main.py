import time
import uuid
from threading import Lock

from fastapi import BackgroundTasks, FastAPI, HTTPException, status
from pydantic import BaseModel

app = FastAPI()

reports: dict[str, dict] = {}
reports_lock = Lock()


class ReportRequest(BaseModel):
    numbers: list[int]


def build_report(report_id: str, numbers: list[int]) -> None:
    # A plain `def` task runs in the thread pool, so sleeping does not block the event loop.
    time.sleep(2)
    with reports_lock:
        reports[report_id].update(status="done", result=str(sum(numbers)))


@app.post("/reports", status_code=status.HTTP_202_ACCEPTED)
def create_report(body: ReportRequest, background_tasks: BackgroundTasks) -> dict:
    report_id = str(uuid.uuid4())
    with reports_lock:
        reports[report_id] = {"id": report_id, "status": "pending", "result": None}
    background_tasks.add_task(build_report, report_id, body.numbers)
    return {"id": report_id, "status": "pending"}


@app.get("/reports/{report_id}")
def get_report(report_id: str) -> dict:
    with reports_lock:
        report = reports.get(report_id)
        if report is None:
            raise HTTPException(status_code=404, detail="Report not found")
        return dict(report)
