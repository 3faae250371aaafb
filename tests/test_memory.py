"""Freed memory goes back to the system when asked (glibc), not kept by the process."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from declass import memory


def resident_anonymous_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_is_given_back() -> None:
    # Texts of a few kilobytes, as a reading process holds while it parses a volume,
    # come from the C heap; when nine in ten are freed and the tenth kept, the heap is
    # full of holes that it cannot shrink by itself.
    texts = [bytes(2048) + i.to_bytes(4, "big") for i in range(100_000)]
    kept = texts[::10]
    held = resident_anonymous_mb()
    del texts
    freed = resident_anonymous_mb()
    assert freed > held - 50, "the allocator gave the pages back by itself: nothing to test"
    memory.give_back()
    assert resident_anonymous_mb() < freed - 100
    assert len(kept) == 10_000


def test_pacer_gives_back_at_most_once_a_period(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "give_back", lambda: calls.append(1) or True)
    pacer = memory.Pacer(seconds=3600)
    for _ in range(1000):
        pacer.tick()
    assert calls == []
    pacer.seconds = 0
    pacer.tick()
    pacer.tick()
    assert len(calls) == 2
