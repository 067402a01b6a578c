"""The engine's read-write lock: rankings share it, changes take it alone, and changes are not starved."""

from __future__ import annotations

import threading
import time

from matching.rwlock import ReadWriteLock


def test_readers_share_the_lock() -> None:
    lock = ReadWriteLock()
    both_inside = threading.Barrier(2, timeout=2)

    def reader() -> None:
        with lock.read():
            both_inside.wait()  # breaks (BrokenBarrierError) unless two readers are inside at once

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3)
    assert not both_inside.broken


def test_a_writer_waits_for_readers_and_holds_new_readers_back() -> None:
    lock = ReadWriteLock()
    events: list[str] = []
    first_reader_in = threading.Event()
    release_first_reader = threading.Event()

    def first_reader() -> None:
        with lock.read():
            first_reader_in.set()
            release_first_reader.wait(timeout=3)
            events.append("first reader out")

    def writer() -> None:
        with lock.write():
            events.append("writer")

    def late_reader() -> None:
        with lock.read():
            events.append("late reader")

    threads = [threading.Thread(target=first_reader)]
    threads[0].start()
    first_reader_in.wait(timeout=3)
    threads.append(threading.Thread(target=writer))
    threads[1].start()
    time.sleep(0.1)  # the writer is now waiting
    threads.append(threading.Thread(target=late_reader))
    threads[2].start()
    time.sleep(0.1)
    assert events == []  # neither the writer nor the late reader got in while the first reader held on
    release_first_reader.set()
    for thread in threads:
        thread.join(timeout=3)
    assert events == ["first reader out", "writer", "late reader"]
