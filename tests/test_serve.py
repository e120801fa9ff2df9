"""The local preview serves the site and rebuilds it when the data changes."""

import datetime as dt
import socket
import threading
import time
import urllib.request

from generator import pipeline, serve
from generator.errors import DataError

from .conftest import add_row, set_cell


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:  # not listening yet
        return ""


def _wait_for(check, seconds=30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_serve_rebuilds_on_change_and_keeps_site_on_error(data, config):
    site = data.parent / "site"
    builds = []

    def rebuild():
        try:
            pipeline.build(data, site, config, dt.date(2025, 1, 31))
            builds.append("ok")
        except DataError:
            builds.append("error")

    rebuild()
    port, stop = _free_port(), threading.Event()
    thread = threading.Thread(target=serve.serve, args=(site, [data], [site], rebuild, "127.0.0.1", port, stop))
    thread.start()
    try:
        assert _wait_for(lambda: "鹿村" in _get(port, "v/lucun/"), 10)
        add_row(data / "commitment_progress.csv", {"村代码": "beixishang", "年度": "2024", "承诺编号": "2024-01",
                                                  "进展": "已完成全年任务的80%", "状态": "进行中", "公开日期": "2024-10-09"})
        assert _wait_for(lambda: "2024年村干部践诺情况公示" in _get(port, "v/beixishang/2024/progress-2024-10-09/")), builds
        set_cell(data / "villages.csv", 3, "村代码", "")
        assert _wait_for(lambda: builds[-1] == "error"), builds
        assert "已完成全年任务的80%" in _get(port, "v/beixishang/2024/progress-2024-10-09/")  # still served
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_a_port_in_use_is_reported_and_nothing_is_left_watching(data):
    from watchdog.observers.api import BaseObserver

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        try:
            serve.serve(data.parent / "site", [data], [], lambda: None, "127.0.0.1", port)
        except OSError:
            pass
        else:
            raise AssertionError("serving on a port in use did not fail")
    assert not [t for t in threading.enumerate() if isinstance(t, BaseObserver) and t.is_alive()]
