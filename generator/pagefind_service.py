"""A township's search bundle from Pagefind's own indexer, run as `pagefind --service`.

Pages are handed to Pagefind in the order given, with their URLs, and the bundle comes back
in memory. Run over a folder instead (`pagefind --site`), Pagefind numbers pages in the order
the file system lists them, which on ext4 follows a hash seeded per file system: the same
pages gave other bytes on another machine. It also needed every page linked into a folder
of its own, and its output written, read back and deleted.

The wire format is that of the `pagefind` Python package (base64 JSON messages, each ended by
a comma). That package's client waits 0.1 s before reading each reply, which for a
township's thousand pages is minutes, so this small synchronous client is used instead.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import subprocess
import threading
from collections.abc import Callable, Sequence

from .errors import PublisherError

_GONE = "搜索索引程序 Pagefind 意外退出"
PIPE_SIZE = 1 << 20  # the most a process may ask for (/proc/sys/fs/pipe-max-size)


class PagefindService:
    """One `pagefind --service` process; indexes one bundle at a time."""

    def __init__(self, executable: str):
        # Buffered as much as the pipe holds: a township is written in a few dozen calls, each a
        # moment the feeding thread waits for the interpreter when the build runs beside it.
        self._process = subprocess.Popen([executable, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, bufsize=PIPE_SIZE)
        self._next_id = 0
        self._pending = bytearray()
        for pipe in (self._process.stdin, self._process.stdout):
            with contextlib.suppress(OSError, AttributeError):  # Linux only; elsewhere the default size serves
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)

    def _send(self, payload: dict) -> None:
        self._next_id += 1
        message = json.dumps({"message_id": self._next_id, "payload": payload}, ensure_ascii=False)
        self._write(base64.b64encode(message.encode("utf-8")) + b",")

    def _write(self, data: bytes = b"") -> None:
        """Writes (or with nothing, flushes) to Pagefind; a Pagefind that has exited is reported."""
        try:
            if data:
                self._process.stdin.write(data)
            else:
                self._process.stdin.flush()
        except (BrokenPipeError, ValueError):  # ValueError: the pipe was closed already
            raise PublisherError(_GONE) from None

    def _receive(self, expected: str) -> dict:
        while (end := self._pending.find(b",")) < 0:
            chunk = self._process.stdout.read1(PIPE_SIZE)
            if not chunk:
                raise PublisherError(_GONE)
            self._pending += chunk
        message = json.loads(base64.b64decode(bytes(self._pending[:end])))
        del self._pending[:end + 1]
        payload = message.get("payload") or {}
        if payload.get("type") != expected:
            raise PublisherError(f"搜索索引生成失败：{payload.get('message') or payload}")
        return payload

    def bundle(self, pages: Sequence[tuple[str, Callable[[], str]]], language: str) -> dict[str, bytes]:
        """The bundle's files (path → bytes) for pages given as (URL, reader of the HTML),
        numbered in that order."""
        self._send({"type": "NewIndex", "config": {"force_language": language}})
        self._write()
        index = self._receive("NewIndex")["index_id"]
        failed: list[BaseException] = []

        def feed() -> None:  # written while the replies are read, so neither pipe fills up
            try:
                for url, html in pages:
                    self._send({"type": "AddFile", "index_id": index, "url": url, "file_contents": html()})
                self._send({"type": "GetFiles", "index_id": index})
                self._write()
            except BaseException as exc:  # re-raised in the caller's thread
                failed.append(exc)
                self._process.kill()  # the reader then stops at the end of the replies

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for _ in pages:
                self._receive("IndexedFile")
            files = self._receive("GetFiles")["files"]
        except PublisherError:
            writer.join()
            if failed:
                raise failed[0] from None
            raise
        writer.join()
        self._send({"type": "DeleteIndex", "index_id": index})
        self._write()
        self._receive("DeleteIndex")
        return {file["path"]: base64.b64decode(file["content"]) for file in files}

    def close(self) -> None:
        try:
            self._process.stdin.close()
        except OSError:
            pass
        self._process.terminate()
        self._process.wait()
