"""The FastAPI docs' ConnectionManager, taken over as is: receive_json, no error handling."""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


class ConnectionManager:
    def __init__(self):
        self.rooms: dict[str, list[WebSocket]] = {}

    async def connect(self, room: str, websocket: WebSocket):
        await websocket.accept()
        self.rooms.setdefault(room, []).append(websocket)

    def disconnect(self, room: str, websocket: WebSocket):
        self.rooms[room].remove(websocket)

    async def broadcast(self, room: str, message: dict):
        for connection in self.rooms.get(room, []):
            await connection.send_json(message)


manager = ConnectionManager()


@app.websocket("/ws/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_text()
            await websocket.send_text(data)
    except WebSocketDisconnect:
        pass


@app.websocket("/ws/rooms/{room}")
async def chat(websocket: WebSocket, room: str, name: str = "anonymous"):
    await manager.connect(room, websocket)
    try:
        while True:
            data = await websocket.receive_json()
            await manager.broadcast(room, {"room": room, "from": name, "text": data["text"]})
    except WebSocketDisconnect:
        manager.disconnect(room, websocket)


@app.get("/rooms/{room}")
def room_info(room: str):
    return {"room": room, "clients": len(manager.rooms.get(room, []))}
