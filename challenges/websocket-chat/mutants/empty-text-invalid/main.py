"""An empty "text" is answered with the error instead of being broadcast."""

import json
from collections import defaultdict

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


class RoomManager:
    def __init__(self) -> None:
        self.rooms: dict[str, list[WebSocket]] = defaultdict(list)

    async def join(self, room: str, websocket: WebSocket) -> None:
        await websocket.accept()
        self.rooms[room].append(websocket)

    def leave(self, room: str, websocket: WebSocket) -> None:
        members = self.rooms.get(room, [])
        if websocket in members:
            members.remove(websocket)
        if not members:
            self.rooms.pop(room, None)

    def count(self, room: str) -> int:
        return len(self.rooms.get(room, []))

    async def broadcast(self, room: str, message: dict) -> None:
        for member in list(self.rooms.get(room, [])):
            try:
                await member.send_json(message)
            except Exception:  # a member that vanished mid-broadcast
                self.leave(room, member)


manager = RoomManager()


@app.websocket("/ws/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


def parse(raw: str) -> str | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("text"), str):
        return data["text"]
    return None


@app.websocket("/ws/rooms/{room}")
async def chat(websocket: WebSocket, room: str, name: str = "anonymous") -> None:
    await manager.join(room, websocket)
    try:
        while True:
            text = parse(await websocket.receive_text())
            if not text:  # also refuses ""
                await websocket.send_json({"error": "invalid message"})
                continue
            await manager.broadcast(room, {"room": room, "from": name, "text": text})
    except WebSocketDisconnect:
        pass
    finally:
        manager.leave(room, websocket)


@app.get("/rooms/{room}")
def room_info(room: str) -> dict:
    return {"room": room, "clients": manager.count(room)}
