"""Handing memory the process freed back to the system.

Building BM25 over a side makes millions of short-lived objects (each document's terms as a list, an
array and its unique terms): at 100 000 a side, with short texts, 270 MB a rebuild. They are freed when
the build ends, but glibc's allocator keeps the freed pages in its heaps, between the pages still in
use, so every worker went on holding them as its own anonymous memory (bench/results/worker_memory.md).
``malloc_trim`` returns them; where the C library has no such call (not glibc) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _malloc_trim()


def release_free_memory() -> bool:
    """Return the freed pages of the C heap to the system (glibc); whether the call was made."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
