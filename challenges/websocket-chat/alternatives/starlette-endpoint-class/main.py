"""Class-based Starlette WebSocketEndpoint handlers registered on the FastAPI app."""

import json

from fastapi import FastAPI
from starlette.endpoints import WebSocketEndpoint
from starlette.websockets import WebSocket

ROOMS: dict[str, set[WebSocket]] = {}


class Echo(WebSocketEndpoint):
    encoding = "text"

    async def on_receive(self, websocket: WebSocket, data: str) -> None:
        await websocket.send_text(data)


class Room(WebSocketEndpoint):
    encoding = "text"

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        ROOMS.setdefault(websocket.path_params["room"], set()).add(websocket)

    async def on_receive(self, websocket: WebSocket, data: str) -> None:
        room = websocket.path_params["room"]
        try:
            payload = json.loads(data)
        except json.JSONDecodeError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            await websocket.send_text(json.dumps({"error": "invalid message"}))
            return
        out = json.dumps(
            {
                "room": room,
                "from": websocket.query_params.get("name", "anonymous"),
                "text": payload["text"],
            }
        )
        for member in list(ROOMS.get(room, ())):
            try:
                await member.send_text(out)
            except Exception:
                ROOMS.get(room, set()).discard(member)

    async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
        members = ROOMS.get(websocket.path_params["room"], set())
        members.discard(websocket)


app = FastAPI()
app.router.add_websocket_route("/ws/echo", Echo)
app.router.add_websocket_route("/ws/rooms/{room}", Room)


@app.get("/rooms/{room}")
async def occupancy(room: str):
    return {"room": room, "clients": len(ROOMS.get(room, ()))}
