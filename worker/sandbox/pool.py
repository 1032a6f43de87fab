"""A warm pool of sandbox slots: started, harness waiting, heavy imports done.

Each slot still serves exactly one submission and is destroyed after it: the pool only moves
container start-up and imports out of the candidate's wait. It refills in the background,
holds slots of one image at a time (a new image drains it), recycles slots older than
`max_idle_seconds` and removes everything on `close()`. Leftovers of a dead process are
labelled like any sandbox and reaped at start-up.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque

import docker
import docker.errors

from worker.sandbox.engine import Sandbox, Slot
from worker.sandbox.errors import SandboxError

log = logging.getLogger(__name__)

#: Longest pause between failed slot starts (the daemon is down): short, so that the pool is
#: warm again within seconds of the daemon's return.
MAX_BACKOFF_SECONDS = 5.0


class SlotPool:
    def __init__(self, sandbox: Sandbox, size: int, max_idle_seconds: float = 600.0) -> None:
        self.sandbox = sandbox
        self.size = size
        self.max_idle_seconds = max_idle_seconds
        self._ready: deque[Slot] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._used: queue.Queue[Slot | None] = queue.Queue()
        self._destroyer = threading.Thread(
            target=self._destroy_used, daemon=True, name="slot-destroyer"
        )
        self._destroyer.start()
        sandbox.pool = self
        if size > 0:
            self._thread = threading.Thread(target=self._refill, daemon=True, name="slot-pool")
            self._thread.start()

    def acquire(self) -> Slot:
        """A ready slot if one is waiting, else a new one (a cold start)."""
        with self._lock:
            slot = self._ready.popleft() if self._ready else None
        self._wake.set()
        if slot is not None and slot.image == self.sandbox.image and slot.alive:
            return slot
        if slot is not None:
            slot.destroy()
        return self.sandbox.new_slot()  # never acquire_slot(): that would come back here

    def discard(self, slot: Slot) -> None:
        """Destroy a used slot in the background: a result need not wait for the clean-up
        (~0.1 s). `close()` waits until every discarded slot is gone."""
        if self._closed.is_set():
            slot.destroy()
        else:
            self._used.put(slot)

    def _destroy_used(self) -> None:
        while (slot := self._used.get()) is not None:
            slot.destroy()

    @property
    def ready(self) -> int:
        with self._lock:
            return len(self._ready)

    def use_image(self, image: str) -> None:
        """Switch to a new sandbox image: waiting slots of the old one are destroyed."""
        self.sandbox.image = image
        self.drain()

    def drain(self) -> None:
        with self._lock:
            slots, self._ready = list(self._ready), deque()
        for slot in slots:
            slot.destroy()
        self._wake.set()

    def close(self) -> None:
        if self.sandbox.pool is self:
            self.sandbox.pool = None
        self._closed.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.drain()
        self._used.put(None)
        self._destroyer.join(timeout=60)

    def _refill(self) -> None:
        backoff = 0.5
        while not self._closed.is_set():
            self._recycle_stale()
            if self.ready >= self.size:
                self._wake.wait(timeout=5.0)
                self._wake.clear()
                continue
            try:
                slot = self.sandbox.new_slot(background=True)
            except (docker.errors.DockerException, OSError, SandboxError) as exc:
                log.warning("could not start a pooled sandbox slot: %s", exc)
                self._closed.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            if not slot.wait_warm(timeout=60.0):
                log.warning("a pooled sandbox slot did not warm up in 60 s; replacing it")
                slot.destroy()
                continue
            backoff = 0.5
            with self._lock:
                keep = not self._closed.is_set() and slot.image == self.sandbox.image
                if keep:
                    self._ready.append(slot)
            if not keep:
                slot.destroy()

    def _recycle_stale(self) -> None:
        now = time.monotonic()
        with self._lock:
            stale = [s for s in self._ready if now - s.created > self.max_idle_seconds]
            for slot in stale:
                self._ready.remove(slot)
        for slot in stale:
            slot.destroy()
