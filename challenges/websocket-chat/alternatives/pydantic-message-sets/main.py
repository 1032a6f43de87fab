"""Messages parsed by a pydantic model; rooms are sets of sockets; iter_text loop."""

import asyncio

from fastapi import FastAPI, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError


class Incoming(BaseModel):
    text: str  # other keys are ignored (pydantic's default)


rooms: dict[str, set[WebSocket]] = {}
app = FastAPI()


@app.websocket("/ws/echo")
async def echo(ws: WebSocket):
    await ws.accept()
    try:
        async for message in ws.iter_text():
            await ws.send_text(message)
    except WebSocketDisconnect:
        return


async def broadcast(room: str, payload: dict) -> None:
    members = list(rooms.get(room, ()))
    results = await asyncio.gather(*(m.send_json(payload) for m in members), return_exceptions=True)
    for member, result in zip(members, results):
        if isinstance(result, Exception):
            rooms.get(room, set()).discard(member)


@app.websocket("/ws/rooms/{room}")
async def chat(ws: WebSocket, room: str, name: str = Query("anonymous")):
    await ws.accept()
    rooms.setdefault(room, set()).add(ws)
    try:
        async for raw in ws.iter_text():
            try:
                message = Incoming.model_validate_json(raw)
            except ValidationError:
                await ws.send_json({"error": "invalid message"})
                continue
            await broadcast(room, {"room": room, "from": name, "text": message.text})
    except WebSocketDisconnect:
        pass
    finally:
        members = rooms.get(room)
        if members is not None:
            members.discard(ws)
            if not members:
                del rooms[room]


@app.get("/rooms/{room}")
def occupancy(room: str):
    return {"room": room, "clients": len(rooms.get(room, ()))}
