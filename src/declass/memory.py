"""Giving freed memory back to the system.

The C allocator keeps what a process frees for its own later use: once a large
structure is gone (a parsed FRUS volume in a reading process, the search index
writer's buffer after a run), the process still holds its pages, and a long-lived
process (a run followed by another, a server that ingests) carries them on. glibc
returns them when asked (`malloc_trim`); under another C library this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import time
from collections.abc import Callable


def _trimmer() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


_TRIM = _trimmer()


def give_back() -> bool:
    """Return the pages this process has freed to the system; whether any were."""
    return bool(_TRIM(0)) if _TRIM is not None else False


class Pacer:
    """Gives memory back at most once every `seconds`: after each file a reading
    process reads, without paying for it after each of ten thousand small ones."""

    def __init__(self, seconds: float = 2.0) -> None:
        self.seconds = seconds
        self._last = time.monotonic()

    def tick(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.seconds:
            give_back()
            self._last = time.monotonic()
