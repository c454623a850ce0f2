"""Freed memory given back to the system.

Reading a million units makes temporaries of a few MB each. Once freed, glibc's malloc
keeps most of them in the process for reuse: 80 MB resident after a 1M-unit import beyond
what the document holds. `give_back_freed` (malloc_trim) returns the free pages of the
heap at once; the window calls it when the document has changed and it is idle. (A fixed
low mmap threshold did the same for every block as it was freed, but tripled the page
faults of a 1M-unit `sectors` run: 0.6 s of a 2.8 s run went to the kernel.)
`one_heap`, called as the program starts, keeps every thread on that heap: malloc_trim
cannot give back the free top of a thread's own heap, and after a million-row CSV read
Arrow's reader threads (desktop.core.importers.csv_arrow) left 5 to 40 MB there, a
different amount each run. Elsewhere (macOS, Windows, musl) both do nothing.
"""
from __future__ import annotations

import ctypes
from functools import cache


_M_ARENA_MAX = -8  # (glibc's malloc.h)


@cache
def _libc_function(name: str):
    """The C library's `name`, from the symbols the process has loaded (no search for the
    library: ctypes.util.find_library runs ldconfig, 7 ms of every start); None without."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError, TypeError):  # (TypeError: Windows has no CDLL(None))
        return None


def one_heap() -> bool:
    """Make every thread allocate from the main heap (glibc's MALLOC_ARENA_MAX=1): call it
    before any thread starts (the limit is read when the first thread needs a heap). Python
    threads allocate holding the GIL, so they hardly contend for it; a million-row import
    ran as fast. False where the C library cannot."""
    mallopt = _libc_function("mallopt")
    return bool(mallopt(_M_ARENA_MAX, 1)) if mallopt is not None else False


def give_back_freed() -> bool:
    """Return the heap's free pages to the system (a fraction of a millisecond when there
    are few); False where the C library cannot."""
    trim = _libc_function("malloc_trim")
    return bool(trim(0)) if trim is not None else False
