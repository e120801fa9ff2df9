"""MkDocs' output is kept in the cache and copied from there while its inputs stay the same."""

import dataclasses
import datetime as dt
import hashlib
import shutil

import pytest

from generator import paths, site_shell
from generator.config import load_config

from .conftest import ROOT

AS_OF = dt.date(2025, 3, 1)


@pytest.fixture
def config(tmp_path):
    """A project of its own (mkdocs.yml, content/, theme/) with a cache of its own."""
    project = tmp_path / "project"
    for folder in ("theme", "content"):
        shutil.copytree(ROOT / folder, project / folder)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return dataclasses.replace(load_config(project / "mkdocs.yml"), cache_dir=tmp_path / "cache")


def _files(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _shell(config, folder, as_of=AS_OF):
    folder.mkdir()
    paths.forget(folder)
    shell = site_shell.build_mkdocs(folder, config, as_of)
    return shell.html, _files(folder)


@pytest.fixture
def runs(monkeypatch):
    """How many times MkDocs itself ran."""
    count = []
    real = site_shell.mkdocs_build

    def counted(*args, **kwargs):
        count.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(site_shell, "mkdocs_build", counted)
    return count


def test_the_same_inputs_give_mkdocs_output_from_the_cache(config, tmp_path, runs):
    first = _shell(config, tmp_path / "one")
    second = _shell(config, tmp_path / "two", dt.date(2026, 6, 30))  # the build date is not an input
    assert len(runs) == 1
    assert second == first
    assert "help/index.html" in first[1] and "_shell/index.html" not in first[1]


def test_an_edited_page_runs_mkdocs_again(config, tmp_path, runs):
    _shell(config, tmp_path / "one")
    page = config.mkdocs_file.parent / "content" / "help.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新增一条说明：周三下午村委会有人值班。\n", encoding="utf-8")
    _shell(config, tmp_path / "two")
    assert len(runs) == 2
    assert "周三下午村委会有人值班" in (tmp_path / "two" / "help" / "index.html").read_text(encoding="utf-8")
    assert len(list((config.cache / "mkdocs").iterdir())) == 2  # the other entry stays an hour


def test_an_edited_theme_override_runs_mkdocs_again(config, tmp_path, runs):
    _shell(config, tmp_path / "one")
    override = config.mkdocs_file.parent / "theme" / "overrides" / "main.html"
    text = override.read_text(encoding="utf-8").replace("{% block extrahead %}", "{% block extrahead %}<!-- 主题改过了 -->")
    override.write_text(text, encoding="utf-8")
    _shell(config, tmp_path / "two")
    assert len(runs) == 2
    assert "主题改过了" in (tmp_path / "two" / "help" / "index.html").read_text(encoding="utf-8")


def test_a_damaged_cache_entry_is_made_again(config, tmp_path, runs):
    first = _shell(config, tmp_path / "one")
    (entry,) = (config.cache / "mkdocs").iterdir()
    (entry / "help" / "index.html").write_text("被改坏了", encoding="utf-8")
    again = _shell(config, tmp_path / "two")
    assert len(runs) == 2
    assert again == first


def test_a_project_with_plugins_is_not_cached(config, tmp_path, runs):
    text = config.mkdocs_file.read_text(encoding="utf-8").replace("plugins: []", "plugins:\n  - search")
    config.mkdocs_file.write_text(text, encoding="utf-8")
    _shell(config, tmp_path / "one")
    _shell(config, tmp_path / "two")
    assert len(runs) == 2
    assert not (config.cache / "mkdocs").exists()
