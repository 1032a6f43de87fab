"""Reports which network interfaces and routes exist and whether any outside address is reachable."""
import socket

from fastapi import FastAPI

interfaces = [name for _, name in socket.if_nameindex()]
with open("/proc/net/route") as f:
    routes = f.read().splitlines()[1:]
try:
    # TEST-NET-1: never routed anywhere; with no route the kernel refuses before sending anything.
    socket.create_connection(("192.0.2.1", 80), timeout=2).close()
    outside = "CONNECTED"
except OSError as exc:
    outside = f"refused: {exc}"
print(f"interfaces={interfaces} routes={routes} outside={outside}", flush=True)

app = FastAPI()


@app.get("/")
def home():
    return {"message": "Hello World"}
