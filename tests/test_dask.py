"""Rendering on a Dask cluster gives exactly the bytes a local build gives."""

import dataclasses
import datetime as dt
import shutil

import pytest

from generator import pipeline

from .test_publish import tree

distributed = pytest.importorskip("distributed")


def _fresh_cache(config, folder):
    """An empty PDF cache (so everything is really rendered) with the prepared fonts."""
    shutil.copytree(config.cache / "fonts", folder / "fonts")
    return dataclasses.replace(config, cache_dir=folder)


def test_dask_build_equals_local_build(data, config, tmp_path, monkeypatch):
    worker_temp = tmp_path / "worker-temp"  # the workers' temp folder (they are new processes)
    worker_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(worker_temp))
    local = tmp_path / "local"
    pipeline.build(data, local, _fresh_cache(config, tmp_path / "cache-local"), dt.date(2025, 1, 31))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        on_cluster = tmp_path / "dask"
        pipeline.build(data, on_cluster, _fresh_cache(config, tmp_path / "cache-dask"), dt.date(2025, 1, 31),
                       scheduler=client)
        ran_on = client.run(lambda: __import__("os").getpid())
        shipped = client.run(lambda: sorted(__import__("os").listdir(str(worker_temp))))
    assert len(ran_on) == 2
    assert any(name.startswith("cunwu-fonts-") for names in shipped.values() for name in names)
    assert sorted(p.name for p in worker_temp.iterdir()) == []  # the fonts shipped to the workers went with them
    assert tree(on_cluster) == tree(local)
    assert len(list((tmp_path / "cache-dask" / "pdf").glob("*.pdf"))) >= 10  # rendered there, not copied
