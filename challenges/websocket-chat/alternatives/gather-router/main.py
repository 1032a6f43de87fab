"""APIRouter, Query() for the name, pydantic parsing, concurrent sends with asyncio.gather."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, WebSocket
from pydantic import BaseModel, ValidationError
from starlette.websockets import WebSocketDisconnect


class Incoming(BaseModel):
    text: str

    model_config = {"strict": True}


members: dict[str, set[WebSocket]] = {}
router = APIRouter()


@router.websocket("/ws/echo")
async def echo(ws: WebSocket):
    await ws.accept()
    async for message in ws.iter_text():
        await ws.send_text(message)


@router.websocket("/ws/rooms/{room}")
async def room_socket(ws: WebSocket, room: str, name: Annotated[str, Query()] = "anonymous"):
    await ws.accept()
    members.setdefault(room, set()).add(ws)
    try:
        async for raw in ws.iter_text():
            try:
                incoming = Incoming.model_validate_json(raw)
            except ValidationError:
                await ws.send_json({"error": "invalid message"})
                continue
            message = {"room": room, "from": name, "text": incoming.text}
            targets = list(members.get(room, ()))
            await asyncio.gather(*(t.send_json(message) for t in targets), return_exceptions=True)
    except WebSocketDisconnect:
        pass
    finally:
        members.get(room, set()).discard(ws)
        if not members.get(room):
            members.pop(room, None)


@router.get("/rooms/{room}")
def count(room: str):
    return {"room": room, "clients": len(members.get(room, ()))}


app = FastAPI()
app.include_router(router)
