"""Garbage collection fitted to a build, whose records are millions of long-lived objects.

CPython's collector runs a full collection, which visits every tracked object, each time
the long-lived objects have grown by a quarter. While a county's records are being made
that is over and over, and afterwards every page, download and index entry made adds
to the count again: a 50,000-notice rebuild spent 6.5 of its 33 s in the collector
(measured with gc.callbacks on tmpfs), 1.4 s with the policy below.
Records and notices hold no reference cycles, so reference counting frees them whatever
the collector does; collecting rarely only lets real cyclic garbage wait a little longer.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Young objects are collected every 50,000 allocations instead of 700; a full collection
# waits for 100 middle ones instead of 10.
BUILD_THRESHOLDS = (50_000, 20, 100)

_depth = 0

_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MAPPED_FROM = 256 * 1024  # bytes: blocks this large are mapped, and given back when freed


def _large_blocks_mapped() -> None:
    """Have glibc map every block of MAPPED_FROM bytes or more, so freeing one gives it back.

    By default glibc raises that threshold to the largest mapped block freed so far (up to
    32 MB). After the first big buffer freed (a Pagefind bundle arrives as one base64
    message of a megabyte or two), later ones were carved from the heap, where the small
    objects made meanwhile kept the freed space from being given back: at county scale the
    build process grew by 90 MB while it indexed, beside the two Pagefind processes at their
    peak, and by 36 MB with this (measured after a code change, which remakes everything).
    """
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, MAPPED_FROM)
    except (OSError, AttributeError):
        pass  # not glibc: its own policy stands


@contextmanager
def tuned() -> Iterator[None]:
    """Rare collections while inside; the caller's settings, and a heap nothing frozen, after.

    Reentrant: a check inside a build keeps the build's settings until the build ends.
    """
    global _depth
    before = gc.get_threshold()
    if _depth == 0:
        gc.set_threshold(*BUILD_THRESHOLDS)
        _large_blocks_mapped()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.set_threshold(*before)
            gc.unfreeze()  # what the build kept out of collections is collectable again


def settled() -> None:
    """Everything made so far lives until the build ends: leave it out of later collections.

    Only inside tuned(), which gives it back to the collector at the end.
    """
    if _depth:
        gc.freeze()


@contextmanager
def kept() -> Iterator[None]:
    """For loading or making records and notices by the hundred thousand, which live until the
    build ends and hold no cycle: no collection while inside, and inside tuned() what is alive
    after is left out of later collections (as settled() does). Only pausing would not do: the
    count of new objects goes on meanwhile, and the first collection after would scan them all,
    then again as they age. Reference counting still frees what is dropped.

    Loading a county's checked records took 1.07 s with rare collections, 0.82 s with none;
    collecting after making its notices took 0.12 s. Reentrant."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        settled()
        if enabled:
            gc.enable()
