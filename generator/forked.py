"""Half of a long list of rendering done by a forked copy of this process, on the second core.

A notice's page or downloads take well under a millisecond to make, and shipping the notice
to a worker process and the result back costs about as much: a process pool on 2 cores was
slower than this process alone (render_html._page_runner). A forked copy has every notice,
template and record already; it writes its files itself and sends back only what it
recorded (the files it wrote, the units it made or carried) and what `work` returns. Each
file is written by one process, so the site is byte for byte what one process makes.

The copy's memory is shared with this process until either writes to it; the records and
notices, frozen out of garbage collection (heap.settled), are not walked by its collector.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from . import paths, reuse

T = TypeVar("T")
R = TypeVar("R")

# Fewer items are done here alone: a fork and the records sent back cost a few milliseconds.
MINIMUM = 500
# The memory a build may take (a county of 50,000 notices, Pagefind's processes included). A
# copy comes to hold about as much as this process: every page of memory either of them then
# writes to is copied, and Python writes to every object it so much as reads (its reference
# count). At 50,000 notices this process had about 450 MB and the two 913 MB together.
MEMORY_BUDGET = 1024 * 2**20


def _two_cores() -> bool:
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # no sched_getaffinity (not Linux)
        return (os.cpu_count() or 1) >= 2


def _resident() -> int | None:
    """This process's resident memory in bytes (None where /proc does not say)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def can_fork() -> bool:
    """Whether a forked copy of this process can work beside it: fork, and a second core."""
    return hasattr(os, "fork") and _two_cores()


def worth_it(count: int) -> bool:
    """Whether `count` items are done in two processes: with fork, a second core, enough
    items to pay for the fork, and memory for a copy of this process within MEMORY_BUDGET."""
    if count < MINIMUM or not can_fork():
        return False
    resident = _resident()
    return resident is not None and 2 * resident <= MEMORY_BUDGET


class CopyLost(RuntimeError):
    """The forked copy ended without sending anything back (killed, out of memory)."""


class Dealer:
    """Deals 0, 1, 2, ... once each to whichever process asks next, this one or a forked copy
    of it: two processes taking items from one list finish together, however long each takes."""

    def __init__(self):
        self._next = multiprocessing.Value("q", 0)  # shared memory with its lock: seen by copies forked later

    @classmethod
    def made(cls) -> Dealer | None:
        """A dealer, or None where no lock can be shared between processes (a sandbox without
        /dev/shm, a platform without sem_open)."""
        try:
            return cls()
        except (OSError, ImportError):
            return None

    def take(self) -> int:
        with self._next.get_lock():
            index = self._next.value
            self._next.value = index + 1
        return index

    def deal(self, items: list[T]) -> Iterator[T]:
        """The items this process is dealt, until none is left for anyone."""
        while (index := self.take()) < len(items):
            yield items[index]


class Beside:
    """`work()` run by a forked copy of this process while this one goes on; `result()` waits
    for it and gives what it returned, or raises what it raised."""

    def __init__(self, work: Callable[[], R]):
        read, write = os.pipe()
        self._received: list[bytes] = []
        self.pid = os.fork()
        if self.pid == 0:  # the copy: never returns
            os.close(read)
            _child(work, write)
        os.close(write)
        # Drained meanwhile: the copy may finish first, and a full pipe would stop it.
        self._reader = threading.Thread(target=_read_all, args=(read, self._received), daemon=True)
        self._reader.start()

    def result(self) -> R:
        status = _wait(self.pid, self._reader)
        if not self._received or not self._received[0]:
            raise CopyLost(f"并行处理的子进程意外退出（状态 {status}）")
        ok, outcome = pickle.loads(self._received[0])
        if not ok:
            raise outcome
        return outcome

    def stop(self) -> None:
        """Kill the copy and wait for it: its work is of no use now."""
        os.kill(self.pid, signal.SIGKILL)
        _wait(self.pid, self._reader)


def in_two(items: list[T], work: Callable[[list[T], int], R], stage: Path, carry: reuse.Reuse) -> list[R]:
    """`work(part, shown)` over the first half of `items` here and over the second half in a
    forked copy, at the same time; the copy's files and units are then recorded here as if
    made here. The results, in the order of the halves (one when not `worth_it`).

    `shown` is how many items each of the part's stands for in progress reports: 2 here (the
    copy goes as fast), 0 in the copy, which reports nothing; 1 in a process alone.
    """
    if not worth_it(len(items)):
        return [work(items, 1)]
    half = (len(items) + 1) // 2
    before_files, before_units = paths.snapshot(stage), carry.snapshot()
    copy = Beside(lambda: (work(items[half:], 0), paths.since(stage, before_files), carry.since(before_units)))
    try:
        mine = work(items[:half], 2)
    except BaseException:
        copy.stop()  # the stage is thrown away
        raise
    try:
        theirs, files, units = copy.result()
    except CopyLost as lost:
        raise CopyLost(f"{lost}，网站没有改动") from None  # the build stops: its stage is thrown away
    paths.take_in(stage, files)
    carry.take_in(units)
    return [mine, theirs]


def _child(run: Callable[[], object], write: int) -> None:
    """Run in the forked copy, send what it gives (or its error) down `write`, and exit
    without the interpreter's shutdown: the parent's other threads do not exist here, and
    any lock one of them held (a stream's, a pool's) stays held."""
    code = 0
    try:
        try:
            payload = pickle.dumps((True, run()), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # re-raised in the parent
            code = 1
            try:
                payload = pickle.dumps((False, error), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an error that does not pickle: its text
                payload = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
        view = memoryview(payload)
        while view:
            view = view[os.write(write, view):]
    finally:
        os._exit(code)


def _read_all(read: int, into: list[bytes]) -> None:
    chunks = []
    try:
        while chunk := os.read(read, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(read)
        into.append(b"".join(chunks))


def _wait(pid: int, reader: threading.Thread) -> int:
    _, status = os.waitpid(pid, 0)
    reader.join()
    return status
