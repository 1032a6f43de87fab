"""Disconnected clients are never removed from their room."""

import json

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
rooms: dict[str, list[WebSocket]] = {}


@app.websocket("/ws/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.websocket("/ws/rooms/{room}")
async def chat(websocket: WebSocket, room: str, name: str = "anonymous"):
    await websocket.accept()
    rooms.setdefault(room, []).append(websocket)
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                data = json.loads(raw)
                text = data["text"] if isinstance(data, dict) and isinstance(data.get("text"), str) else None
            except ValueError:
                text = None
            if text is None:
                await websocket.send_json({"error": "invalid message"})
                continue
            for member in rooms[room]:
                try:
                    await member.send_json({"room": room, "from": name, "text": text})
                except Exception:
                    pass
    except WebSocketDisconnect:
        pass


@app.get("/rooms/{room}")
def room_info(room: str):
    return {"room": room, "clients": len(rooms.get(room, []))}
