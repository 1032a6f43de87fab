from dataclasses import dataclass, field
from itertools import count

TENANTS = {"acme", "globex"}
TOKENS = {  # bearer token -> who it belongs to
    "token-alice": {"user": "alice", "tenant": "acme"},
    "token-bob": {"user": "bob", "tenant": "acme"},
    "token-carol": {"user": "carol", "tenant": "globex"},
}
ADMIN_KEY = "letmein"


@dataclass(frozen=True)
class Note:
    id: int
    text: str
    owner: str
    tenant: str


@dataclass
class NoteStore:
    notes: list[Note] = field(default_factory=list)
    ids: count = field(default_factory=lambda: count(1))

    def add(self, text: str, owner: str, tenant: str) -> Note:
        note = Note(next(self.ids), text, owner, tenant)
        self.notes.append(note)
        return note

    def select(self, tenant: str, owner: str | None = None) -> list[Note]:
        return [n for n in self.notes if n.tenant == tenant and (owner is None or n.owner == owner)]

    def count_by_tenant(self) -> dict[str, int]:
        return {t: len(self.select(t)) for t in sorted(TENANTS)}


STORE = NoteStore()


def get_store() -> NoteStore:
    return STORE
