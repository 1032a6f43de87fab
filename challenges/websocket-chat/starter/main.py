from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    # TODO: send every text message back until the client disconnects
    await websocket.close()


# TODO: WebSocket /ws/rooms/{room} and GET /rooms/{room} (see the README)
