"""Big blocks given back to the system when freed.

Reading a million units makes temporaries of a few MB each. glibc's malloc raises its mmap
threshold as big blocks are freed (up to 32 MB), so later blocks come from the heap and,
once freed, stay in the process: 45-75 MB resident after a 1M-unit import beyond what the
document holds. A fixed threshold keeps every block of 1 MiB or more in its own mapping,
unmapped when freed. Elsewhere (macOS, Windows, musl) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
_THRESHOLD = 1 << 20


def give_back_big_blocks() -> bool:
    """Make freed blocks of 1 MiB or more go back to the system at once (call early, once);
    False where the C library has no such setting."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, _THRESHOLD))
    except (OSError, AttributeError):
        return False
