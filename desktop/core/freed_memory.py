"""Freed memory given back to the system.

Reading a million units makes temporaries of a few MB each. Once freed, glibc's malloc
keeps most of them in the process for reuse: 80 MB resident after a 1M-unit import beyond
what the document holds. `give_back_freed` (malloc_trim) returns the free pages of the
heap at once; the window calls it when the document has changed and it is idle. (A fixed
low mmap threshold did the same for every block as it was freed, but tripled the page
faults of a 1M-unit `sectors` run: 0.6 s of a 2.8 s run went to the kernel.) Elsewhere
(macOS, Windows, musl) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def give_back_freed() -> bool:
    """Return the heap's free pages to the system (a fraction of a millisecond when there
    are few); False where the C library cannot."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
