"""Local preview: build, serve the site on this computer, rebuild when data or templates change."""

from __future__ import annotations

import functools
import http.server
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger(__name__)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        log.debug(format, *args)


class _Changes(FileSystemEventHandler):
    """Remembers that something changed; a build runs once the edits settle."""

    def __init__(self, ignore: tuple[Path, ...]):
        self.changed = threading.Event()
        self._ignore = tuple(p.resolve() for p in ignore)

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = Path(str(event.src_path)).resolve()
        if event.event_type in ("opened", "closed_no_write") or any(path.is_relative_to(p) for p in self._ignore):
            return
        if path.name.startswith((".", "~$")) or "__pycache__" in path.parts:
            return
        self.changed.set()


def serve(site: Path, watch: list[Path], ignore: list[Path], rebuild: Callable[[], None],
          host: str = "127.0.0.1", port: int = 8000, stop: threading.Event | None = None) -> None:
    """Serve `site` until `stop` is set (or forever); call `rebuild` after each change under `watch`."""
    stop = stop or threading.Event()
    changes = _Changes(tuple(ignore))
    observer = Observer()
    for path in watch:
        if path.exists():
            observer.schedule(changes, str(path), recursive=path.is_dir())
    # Watching before serving: once the preview answers, no edit can go unnoticed (start()
    # sets up the watches before it returns).
    observer.start()
    server = None
    try:
        # The handler reopens the folder by path on every request, so a swapped-in site shows at once.
        handler = functools.partial(_Quiet, directory=str(site.absolute()))
        server = http.server.ThreadingHTTPServer((host, port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        while not stop.is_set():
            if changes.changed.wait(0.2):
                time.sleep(0.3)  # let a spreadsheet finish saving
                changes.changed.clear()
                rebuild()
    finally:
        observer.stop()
        observer.join()
        if server is not None:
            server.shutdown()
            server.server_close()
