"""Progress on long builds: a bar per stage on a terminal, plain lines in CI logs."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

log = logging.getLogger("generator.progress")
T = TypeVar("T")
_enabled = False


def enable(on: bool = True) -> None:
    """Only the command line turns progress on; the library stays quiet by default."""
    global _enabled
    _enabled = on
    if on and not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _interactive() -> bool:
    return sys.stderr.isatty()


def track(items: Iterable[T], description: str, total: int | None = None, each: int = 1) -> Iterator[T]:
    """Yield `items`, showing how far along they are. Each item counts as `each` (2 where a
    forked copy does as many beside it; 0 shows nothing: the copy itself)."""
    if not _enabled or each == 0:
        yield from items
        return
    total = total if total is not None else (len(items) if hasattr(items, "__len__") else None)
    if _interactive():
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(description, total=total)
            for item in items:
                yield item
                bar.advance(task, each)
        return
    step = max(1, (total or 10) // 10)
    done = 0
    for item in items:
        yield item
        before, done = done, done + each
        if done // step > before // step or done == total:
            log.info("[%s] %d/%s", description, done, total if total is not None else "?")


@contextmanager
def stage(description: str) -> Iterator[None]:
    """Time one step of the pipeline and say so when progress is on."""
    started = time.perf_counter()
    yield
    if _enabled:
        log.info("[%s] 完成，用时 %.1f 秒", description, time.perf_counter() - started)
