"""Where rendering runs: in this process, in local processes, or on a Dask cluster.

Each executor maps a picklable function over items and returns the results in order, so
the output is the same whichever one runs it. `--scheduler tcp://HOST:PORT` picks Dask.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any


class Executor:
    workers = 1

    def map(self, function: Callable, items: list, setup: Any = None) -> Iterator:
        """Results of function(setup, item) for each item, in order."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class Inline(Executor):
    def map(self, function, items, setup=None):
        return (function(setup, item) for item in items)


class LocalProcesses(Executor):
    """A process pool, started on first use and kept for the build."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def map(self, function, items, setup=None):
        if self.workers == 1 or len(items) <= 2:
            return Inline().map(function, items, setup)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_clean_start())
        return self._windowed(function, items, setup)

    def _windowed(self, function, items, setup):
        """A few tasks ahead per worker, not all at once: at county scale, results that the
        caller has not consumed yet (pages, PDFs) would otherwise pile up in memory."""
        assert self._pool is not None
        ahead = self.workers * 3
        pending: deque[Future] = deque()
        for item in items:
            pending.append(self._pool.submit(function, setup, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class DaskCluster(Executor):
    """Tasks on an existing Dask cluster; `setup` goes to every worker once (broadcast)."""

    def __init__(self, address_or_client):
        from distributed import Client

        self.client = address_or_client if isinstance(address_or_client, Client) else Client(address_or_client)
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def map(self, function, items, setup=None):
        if not items:
            return iter(())
        shared = self.client.scatter(setup, broadcast=True) if setup is not None else None
        futures = self.client.map(function, [shared] * len(items), items, pure=False)
        return iter(self.client.gather(futures))

    def close(self) -> None:
        pass  # the cluster belongs to whoever started it


def _clean_start() -> multiprocessing.context.BaseContext:
    """Workers forked from a small server process, not from the build: a worker forked from
    the build would soon hold a private copy of all its records (at 50,000 notices, about
    500 MB per worker), as Python touches every object it inherits."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["generator.render_html", "generator.render_pdf"])
    return context


def give_back_memory() -> None:
    """Return the memory the build freed to the system (glibc keeps freed heap otherwise).

    Called before Pagefind, whose processes run beside the build: the page and download
    stages leave hundreds of MB free but still held at county scale.
    """
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to ask


def chunks(items: list, size: int) -> list[list]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def make(scheduler: str | None, workers: int) -> Executor:
    return DaskCluster(scheduler) if scheduler else LocalProcesses(workers)


def flatten(results: Iterable[list]) -> Iterator:
    for chunk in results:
        yield from chunk
