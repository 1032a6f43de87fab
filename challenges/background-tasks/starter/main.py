from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()

# Keeping reports in memory is fine, e.g. report id -> {"id": ..., "status": ..., "result": ...}
reports: dict[str, dict] = {}


class ReportRequest(BaseModel):
    numbers: list[int]


# TODO: POST /reports: answer 202 {"id": ..., "status": "pending"} at once, and sum the numbers
#       in the background, taking 2 seconds (see the README's rules and hint)
# TODO: GET /reports/{id}: the report's id, status ("pending" or "done") and result, or 404
