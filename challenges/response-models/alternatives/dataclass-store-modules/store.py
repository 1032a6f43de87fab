import hashlib
import os
import threading
from dataclasses import dataclass, field


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000)
    return salt.hex() + ":" + digest.hex()


@dataclass
class StoredUser:
    id: int
    username: str
    email: str
    full_name: str | None
    password_hash: str


@dataclass
class UserStore:
    users: dict[int, StoredUser] = field(default_factory=dict)
    last_id: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def username_taken(self, username: str) -> bool:
        return any(u.username == username for u in self.users.values())

    def add(self, username: str, email: str, full_name: str | None, password: str) -> StoredUser | None:
        with self.lock:
            if self.username_taken(username):
                return None
            self.last_id += 1
            user = StoredUser(self.last_id, username, email, full_name, hash_password(password))
            self.users[user.id] = user
            return user

    def get(self, user_id: int) -> StoredUser | None:
        return self.users.get(user_id)

    def remove(self, user_id: int) -> bool:
        with self.lock:
            return self.users.pop(user_id, None) is not None

    def all(self) -> list[StoredUser]:
        return sorted(self.users.values(), key=lambda u: u.id)


store = UserStore()
