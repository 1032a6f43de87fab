from dataclasses import asdict, dataclass

from fastapi import FastAPI


@dataclass
class Greeting:
    message: str


class Greeter:
    def __init__(self, word: str = "Hello") -> None:
        self.word = word

    def root(self) -> dict:
        return asdict(Greeting(f"{self.word} World"))

    def named(self, name: str) -> dict:
        return asdict(Greeting(f"{self.word} {name}"))


greeter = Greeter()
app = FastAPI()
app.add_api_route("/", greeter.root, methods=["GET"])
app.add_api_route("/hello/{name}", greeter.named, methods=["GET"])
