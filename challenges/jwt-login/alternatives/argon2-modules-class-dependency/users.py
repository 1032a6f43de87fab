"""In-memory user store with argon2 password hashes."""

from dataclasses import dataclass
from threading import Lock

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

_hasher = PasswordHasher()


@dataclass
class User:
    username: str
    password_hash: str


class UserStore:
    def __init__(self) -> None:
        self._users: dict[str, User] = {}
        self._lock = Lock()

    def add(self, username: str, password: str) -> User | None:
        """The new user, or None when the name is taken."""
        hashed = _hasher.hash(password)
        with self._lock:
            if username in self._users:
                return None
            user = self._users[username] = User(username, hashed)
            return user

    def get(self, username: str) -> User | None:
        return self._users.get(username)

    def authenticate(self, username: str, password: str) -> User | None:
        user = self.get(username)
        if user is None:
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except VerificationError:
            return None
        return user


store = UserStore()
