"""The work is a threading.Timer started by the handler; reports live in store.py."""

import threading

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from store import ReportStore

WORK_SECONDS = 2.0

app = FastAPI()
store = ReportStore()


class Numbers(BaseModel):
    numbers: list[int]


@app.post("/reports")
def create(body: Numbers) -> JSONResponse:
    report = store.add(body.numbers)
    timer = threading.Timer(WORK_SECONDS, store.finish, args=(report.id,))
    timer.daemon = True
    timer.start()
    return JSONResponse({"id": report.id, "status": report.status}, status_code=202)


@app.get("/reports/{report_id}")
def read(report_id: str) -> dict:
    report = store.get(report_id)
    if report is None:
        raise HTTPException(404, "Report not found")
    return report.public()
