"""Faults the VK emulator can be told to play: API errors and bare HTTP statuses, and requests that hang.

Kept apart from the world's state: they have their own lock, and a hanging request waits outside the
world's lock, so the rest of the emulated VK goes on answering.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from emulators.vk.model import HttpFault, VkFault

Match = Callable[[dict[str, str]], bool]


class VkFaults:
    """Injected failures and hangs, played by the API layer (`play_failure`, `hang_if_asked`)."""

    def __init__(self) -> None:
        self._fault_lock = threading.Lock()
        self._failures: dict[str, deque[tuple[int | None, int | None]]] = {}
        self._hangs: dict[str, list[tuple[threading.Event | float, Match | None, threading.Event]]] = {}

    def fail_next(
        self, method: str, error_code: int | None = None, *, times: int = 1, http_status: int | None = None
    ) -> None:
        """Make the next `times` calls of `method` fail with an API error code or a bare HTTP status."""
        if (error_code is None) == (http_status is None):
            raise ValueError("give exactly one of error_code and http_status")
        with self._fault_lock:
            self._failures.setdefault(method, deque()).extend([(error_code, http_status)] * times)

    def hang_next(
        self, method: str, until: threading.Event | float, when: Match | None = None
    ) -> threading.Event:
        """Make the next request of `method` (whose parameters satisfy `when`, if given) wait until the event
        is set, or for so many seconds, before it is answered: a VK front end that stalls, for which nothing
        else in the world waits. The returned event is set once the request is being held."""
        reached = threading.Event()
        with self._fault_lock:
            self._hangs.setdefault(method, []).append((until, when, reached))
        return reached

    def hang_if_asked(self, method: str, params: dict[str, str]) -> None:
        """Called by the API layer before it takes the world's lock."""
        with self._fault_lock:
            waiting = self._hangs.get(method, [])
            hang = next((h for h in waiting if h[1] is None or h[1](params)), None)
            if hang is not None:
                waiting.remove(hang)
        if hang is None:
            return
        until, _, reached = hang
        reached.set()
        if isinstance(until, threading.Event):
            until.wait(timeout=300)
        else:
            time.sleep(until)

    def play_failure(self, method: str, inner: bool) -> None:
        """Raise the next injected failure of `method`, if any (`inner`: a call inside `execute`)."""
        with self._fault_lock:
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None
        if failure is None:
            return
        code, status = failure
        if code is not None:
            raise VkFault(code, "Injected failure")
        if inner:  # no HTTP status of its own inside execute: VK reports an internal error for the call
            raise VkFault(10, "Internal server error: injected")
        raise HttpFault(status or 500)
