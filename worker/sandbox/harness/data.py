"""Reading the app's files in the shared /data directory, within bounds.

The app writes /data; the suite only reads it, and everything there is the candidate's: a file
may be a symlink, a device, huge, or an SQLite database whose view yields endless rows or a
400 MB blob. `copy_file` refuses anything but a regular file and copies at most a cap;
`open_database` opens a private copy of an SQLite database with a cap on each value's size, on
the rows and on the work of the queries made through that connection.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

#: Largest file copied out of /data (the volume itself holds 16 MB).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Largest string or blob one SQLite value may hold.
MAX_VALUE_BYTES = 1024 * 1024
#: Most rows read through one connection.
MAX_ROWS = 10_000
#: SQLite virtual-machine steps one connection may take (a fraction of a second of work).
MAX_STEPS = 20_000_000
_STEP_BATCH = 10_000


class DataLimitExceeded(Exception):
    """The app's data is bigger, or a query on it longer, than the suite reads."""


def copy_file(source: Path, target: Path, limit: int = MAX_FILE_BYTES) -> None:
    """Copy a regular file (never through a symlink) of at most `limit` bytes."""
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DataLimitExceeded(f"{source.name} is not a regular file")
        copied = 0
        with open(target, "wb") as out:
            while chunk := os.read(fd, 1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise DataLimitExceeded(f"{source.name} is larger than {limit} bytes")
                out.write(chunk)
    finally:
        os.close(fd)


def open_database(path: Path, workdir: Path) -> sqlite3.Connection:
    """A connection to a private copy of the SQLite database at `path` (with its -wal and
    -journal files), bounded as the module's docstring says."""
    copy = workdir / path.name
    copy_file(path, copy)
    for suffix in ("-wal", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists() or extra.is_symlink():
            copy_file(extra, copy.with_name(copy.name + suffix))
    connection = sqlite3.connect(copy, timeout=5)
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    steps = [0]

    def budget() -> int:
        steps[0] += _STEP_BATCH
        return 1 if steps[0] > MAX_STEPS else 0  # non-zero interrupts the query

    connection.set_progress_handler(budget, _STEP_BATCH)
    rows = [0]

    def count(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> tuple[Any, ...]:
        rows[0] += 1
        if rows[0] > MAX_ROWS:
            raise DataLimitExceeded(f"the app's database returned over {MAX_ROWS} rows")
        return row

    connection.row_factory = count
    return connection
