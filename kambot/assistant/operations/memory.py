"""Keep a threaded server's memory level: fewer glibc malloc arenas.

The API runs its handlers in a pool of threads, and glibc gives threads their own
memory arenas (up to eight per core); memory freed in one arena is not reused by the
others, so a busy server's resident memory creeps up. Two arenas keep it level
(measured in ``docs/deployment.md``). Setting ``MALLOC_ARENA_MAX`` in the environment
does the same before the process starts; :func:`limit_malloc_arenas` does it from
inside, for a server started without it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Mapping

M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
DEFAULT_ARENAS = 2


def limit_malloc_arenas(environ: Mapping[str, str], arenas: int = DEFAULT_ARENAS) -> bool:
    """Limit glibc's malloc arenas, unless ``MALLOC_ARENA_MAX`` already says how many.

    Call it before the process starts threads. Returns True when the limit was set
    here; False elsewhere than on glibc, or when the environment decides.
    """
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in environ:
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
