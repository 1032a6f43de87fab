"""A warm pool of sandbox slots: started, harness waiting, heavy imports done.

Each slot still serves exactly one submission and is destroyed after it: the pool only moves
container start-up and imports out of the candidate's wait. It refills in the background,
recycles slots older than `max_idle_seconds` and removes everything on `close()`. Leftovers of
a dead process are labelled like any sandbox and swept at start-up.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable

import docker.errors
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential

from worker.sandbox.errors import SandboxError
from worker.sandbox.slot import Slot

log = logging.getLogger(__name__)

#: Longest pause between failed slot starts (the daemon is down): short, so that the pool is
#: warm again within seconds of the daemon's return.
MAX_BACKOFF_SECONDS = 5.0

StartSlot = Callable[[bool], Slot]
"""start(background) -> a new slot (see `engine.SlotFactory`)."""


class SlotPool:
    """Keeps `size` warm slots; a `SlotSource` for `Sandbox.use_slots`."""

    def __init__(self, start: StartSlot, size: int, max_idle_seconds: float = 600.0) -> None:
        self.start = start
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
        if size > 0:
            self._thread = threading.Thread(target=self._refill, daemon=True, name="slot-pool")
            self._thread.start()

    def acquire(self) -> Slot:
        """A ready slot if one is waiting, else a new one (a cold start)."""
        with self._lock:
            slot = self._ready.popleft() if self._ready else None
        self._wake.set()
        if slot is not None and slot.alive:
            return slot
        if slot is not None:
            slot.destroy()
        return self.start(False)

    def release(self, slot: Slot) -> None:
        """Destroy a used slot in the background: a result need not wait for the clean-up
        (~0.1 s). `close()` waits until every released slot is gone."""
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

    def drain(self) -> None:
        """Destroy the waiting slots (e.g. after a daemon restart killed them)."""
        with self._lock:
            slots, self._ready = list(self._ready), deque()
        for slot in slots:
            slot.destroy()
        self._wake.set()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.drain()
        self._used.put(None)
        self._destroyer.join(timeout=60)

    def _refill(self) -> None:
        while not self._closed.is_set():
            self._recycle_stale()
            if self.ready >= self.size:
                self._wake.wait(timeout=5.0)
                self._wake.clear()
                continue
            slot = self._start_slot()
            if slot is None:
                continue
            if not slot.wait_warm(timeout=60.0):
                log.warning("a pooled sandbox slot did not warm up in 60 s; replacing it")
                slot.destroy()
                continue
            with self._lock:
                keep = not self._closed.is_set()
                if keep:
                    self._ready.append(slot)
            if not keep:
                slot.destroy()

    def _start_slot(self) -> Slot | None:
        """A new background slot, retrying with backoff while the daemon fails; None once
        the pool is closed."""

        def failed(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning("could not start a pooled sandbox slot: %s", error)

        retrying = Retrying(
            retry=retry_if_exception_type((docker.errors.DockerException, OSError, SandboxError)),
            wait=wait_exponential(multiplier=0.5, max=MAX_BACKOFF_SECONDS),
            stop=lambda state: self._closed.is_set(),
            sleep=self._pause,
            before_sleep=failed,
            retry_error_callback=lambda state: None,
        )
        slot: Slot | None = retrying(self.start, True)
        return slot

    def _pause(self, seconds: float) -> None:
        """Sleep between retries, cut short by `close()`."""
        self._closed.wait(seconds)

    def _recycle_stale(self) -> None:
        now = time.monotonic()
        with self._lock:
            stale = [s for s in self._ready if now - s.created > self.max_idle_seconds]
            for slot in stale:
                self._ready.remove(slot)
        for slot in stale:
            slot.destroy()
