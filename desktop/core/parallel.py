"""Big numeric passes split over the machine's cores.

Only for work that releases the GIL (PROJ's transforms and numpy's arithmetic on numbers
do; most numpy string casts and the CSV tokenizer do not, so they gain nothing here).
Below `MIN_ROWS` rows the threads cost more than they save.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ROWS = 200_000
_MAX_WORKERS = 4


@cache
def workers() -> int:
    """Threads of the pool: the cores, at most _MAX_WORKERS."""
    return min(_MAX_WORKERS, os.cpu_count() or 1)


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="rows")


def over_rows(n: int, work: Callable[[slice], None]) -> None:
    """Call `work` on consecutive slices covering range(n), in parallel when n is large;
    returns when all are done (the first exception raised is raised here)."""
    parts = workers() if n >= MIN_ROWS else 1
    if parts <= 1:
        work(slice(0, n))
        return
    bounds = [n * k // parts for k in range(parts + 1)]
    for done in [_pool().submit(work, slice(a, b)) for a, b in zip(bounds, bounds[1:])]:
        done.result()


def in_order(work: Callable[[T], R], items: Iterable[T], parallel: bool = True) -> Iterator[R]:
    """work(item) for each item, in order, computed on the pool a few items ahead of the
    one the caller takes (bounded memory); in this thread when not `parallel`."""
    if not parallel or workers() <= 1:
        yield from map(work, items)
        return
    pending = []
    for item in items:
        pending.append(_pool().submit(work, item))
        if len(pending) > workers():
            yield pending.pop(0).result()
    for done in pending:
        yield done.result()
