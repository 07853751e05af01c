"""Fewer C heaps: glibc gives each thread that allocates its own arena (up to 8 per
core), and keeps what it once held. Under a burst the console's worker threads (the
store writes its whole file from one) grew RSS by ~10 MB more than the Python objects
alive at the peak (tracemalloc) explain; with MALLOC_ARENA_MAX=1 that went away
(bench/scale.py, see bench/RESULTS.md). Two arenas serve a UI thread and its workers.
"""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8
"""mallopt's parameter number for the arena limit (glibc's malloc.h)."""
ARENAS = 2


def limit_malloc_arenas() -> bool:
    """Cap glibc's arenas unless MALLOC_ARENA_MAX says otherwise; False where there is
    no glibc (macOS, musl) or it refused."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:  # the process's own symbols: no library search (find_library runs ldconfig)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, ARENAS))
