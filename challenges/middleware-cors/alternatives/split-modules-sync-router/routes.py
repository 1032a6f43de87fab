import json
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/ping")
def ping():
    return {"message": "pong"}


@router.get("/slow")
def slow():
    time.sleep(0.5)  # sync route: runs in the threadpool, the event loop stays free
    return {"message": "done"}


@router.post("/echo")
async def echo(request: Request):
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"detail": "body is not valid JSON"}, status_code=422)
    if not isinstance(body, dict):
        return JSONResponse({"detail": "body must be a JSON object"}, status_code=422)
    return {"echo": body}
