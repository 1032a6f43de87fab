"""Each client gets an outbox queue drained by its own writer task (producer/consumer)."""

import asyncio
import json
from dataclasses import dataclass, field

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@dataclass(eq=False)
class Client:
    ws: WebSocket
    name: str
    outbox: asyncio.Queue = field(default_factory=asyncio.Queue)


ROOMS: dict[str, list[Client]] = {}


async def writer(client: Client) -> None:
    while True:
        text = await client.outbox.get()
        await client.ws.send_text(text)


def publish(room: str, payload: dict) -> None:
    text = json.dumps(payload)
    for member in ROOMS.get(room, []):
        member.outbox.put_nowait(text)


@app.websocket("/ws/echo")
async def echo(ws: WebSocket):
    await ws.accept()
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await ws.send_text(message["text"])


@app.websocket("/ws/rooms/{room}")
async def room_ws(ws: WebSocket, room: str, name: str = "anonymous"):
    await ws.accept()
    me = Client(ws, name)
    ROOMS.setdefault(room, []).append(me)
    task = asyncio.create_task(writer(me))
    try:
        while True:
            raw = await ws.receive_text()
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("text"), str):
                publish(room, {"room": room, "from": me.name, "text": data["text"]})
            else:
                me.outbox.put_nowait(json.dumps({"error": "invalid message"}))
    except WebSocketDisconnect:
        pass
    finally:
        ROOMS[room].remove(me)
        if not ROOMS[room]:
            del ROOMS[room]
        task.cancel()


@app.get("/rooms/{room}")
async def room_info(room: str):
    return {"room": room, "clients": len(ROOMS.get(room, []))}
