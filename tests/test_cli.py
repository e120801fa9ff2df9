"""The clerk's commands: exit codes, messages, and the untouched site on a failed build."""

import os
import subprocess
import sys

from .conftest import ROOT, set_cell
from .test_publish import tree


def run(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def test_validate_ok_and_broken(data):
    site = str(data.parent / "site")
    ok = run("validate", "--data", str(data), "--site", site)
    assert ok.returncode == 0 and "校验通过" in ok.stdout
    set_cell(data / "finance.csv", 3, "支出", "1,2")
    broken = run("validate", "--data", str(data), "--site", site)
    assert broken.returncode == 1
    assert '错误：data/finance.csv 第3行 「支出」: 金额格式无效 "1,2"（应为数字，最多两位小数）' in broken.stderr.splitlines()


def test_failed_build_leaves_the_site_byte_for_byte(data):
    site = data.parent / "site"
    first = run("build", "--data", str(data), "--site", str(site), "--as-of", "2025-01-31")
    assert first.returncode == 0, first.stderr
    before = tree(site)
    set_cell(data / "decisions.csv", 2, "实到", "20")
    set_cell(data / "decisions.csv", 2, "同意", "17")
    failed = run("build", "--data", str(data), "--site", str(site), "--as-of", "2025-02-28")
    assert failed.returncode == 1
    assert "错误：data/decisions.csv 第2行 「实到」: 实到 20 人不足应到 45 人的三分之二，村民代表会议无效，不能作为决议公开" in failed.stderr
    assert "原有网站未作任何改动" in failed.stderr
    assert tree(site) == before
    assert sorted(p.name for p in site.parent.iterdir() if p.name != ".site.lock") == ["data", "site"]


def test_as_of_and_source_date_epoch(data):
    site = data.parent / "site"
    bad = run("build", "--data", str(data), "--site", str(site), "--as-of", "2025/01/31")
    assert bad.returncode == 1 and '--as-of 日期格式无效 "2025/01/31"' in bad.stderr
    epoch = run("build", "--data", str(data), "--site", str(site), env={"SOURCE_DATE_EPOCH": "1728345600"})  # 2024-10-08 Beijing
    assert epoch.returncode == 0, epoch.stderr
    assert '"generated_as_of": "2024-10-08"' in (site / "manifest.json").read_text(encoding="utf-8")


def test_missing_data_folder(tmp_path):
    result = run("validate", "--data", str(tmp_path / "nope"), "--site", str(tmp_path / "site"))
    assert result.returncode == 1 and "数据文件夹不存在" in result.stderr


def test_the_command_ends_without_teardown_but_with_its_output_and_code():
    """exit_now skips the interpreter's teardown (2 s after a county's build) but not what was
    printed: buffered output to a pipe would otherwise be lost (buffered, as PYTHONUNBUFFERED is unset)."""
    buffered = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    ended = subprocess.run([sys.executable, "-c", "import logging, sys\nfrom generator.cli import exit_now\n"
                            "print('已生成', end='')\nsys.stderr.write('警告')\nlogging.getLogger('x').warning('记录')\n"
                            "exit_now(3)"], cwd=ROOT, capture_output=True, text=True, env=buffered)
    assert (ended.returncode, ended.stdout, ended.stderr) == (3, "已生成", "警告记录\n")
