"""The clerk's commands: thin wrappers that parse options and delegate to the pipeline."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import NoReturn

from . import clock, pipeline
from .config import load_config
from .errors import DataError, Problem, PublisherError


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(f"{problem.level.value}：{problem}", file=sys.stderr)


def _options(parser: argparse.ArgumentParser, site: bool) -> None:
    parser.add_argument("--data", default="data", type=Path, help="数据文件夹（默认 data）")
    parser.add_argument("--config", default="mkdocs.yml", type=Path, help="站点配置（默认 mkdocs.yml）")
    if site:
        parser.add_argument("--site", default="site", type=Path, help="输出的网站文件夹（默认 site）")
        parser.add_argument("--as-of", default=None, help="以哪一天为准发布（YYYY-MM-DD，默认今天）")


def _validate(args: argparse.Namespace) -> int:
    # Also held against the published site, so a silent change to a posted notice shows here first.
    result = pipeline.prepare(args.data, args.site, load_config(args.config), clock.build_date(args.as_of))
    _print_problems(result.problems)
    errors, warnings = len(result.errors), len(result.problems) - len(result.errors)
    if errors:
        print(f"校验未通过：{errors} 处错误，{warnings} 处警告。", file=sys.stderr)
        return 1
    print(f"校验通过：没有错误，{warnings} 处警告。")
    return 0


def _build(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    as_of = clock.build_date(args.as_of)
    try:
        result = pipeline.build(args.data, args.site, config, as_of, args.previous, scheduler=args.scheduler)
    except DataError as exc:
        _print_problems(exc.problems)
        print(f"构建已停止：{len(exc.problems)} 处错误，原有网站未作任何改动。", file=sys.stderr)
        return 1
    _print_problems(result.warnings)
    print(f"已生成网站 {args.site}：截至 {as_of} 发布公告 {len(result.published)} 份，"
          f"另有 {len(result.waiting)} 份待到公布日期后发布。")
    return 0


def _print(args: argparse.Namespace) -> int:
    from .fields import FieldError, parse_period
    from .model import PeriodKey

    try:
        period = PeriodKey(*parse_period(args.period))
    except FieldError as exc:
        print(f"错误：--period {exc}", file=sys.stderr)
        return 1
    config = load_config(args.config)
    try:
        target = pipeline.print_batch_file(args.data, args.site, config, clock.build_date(args.as_of),
                                           args.township, period)
    except DataError as exc:
        _print_problems(exc.problems)
        print(f"已停止：{len(exc.problems)} 处错误。", file=sys.stderr)
        return 1
    print(f"已生成张贴材料：{target}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from . import serve

    if _build(args) != 0 and not args.site.exists():
        return 1
    project = args.config.parent
    watch = [args.data, args.config, project / "content", project / "theme"]

    def rebuild() -> None:
        print("检测到修改，重新生成……", file=sys.stderr)
        _build(args)

    print(f"预览地址：http://{args.host}:{args.port}/ （按 Ctrl+C 停止）")
    try:
        serve.serve(args.site, watch, [args.site, project / ".cache"], rebuild, args.host, args.port)
    except KeyboardInterrupt:
        pass
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .verify import verify_site

    report = verify_site(args.site)
    for problem in report.problems:
        print(f"错误：{problem}", file=sys.stderr)
    if not report.ok:
        print(f"核验未通过：{len(report.problems)} 处问题。", file=sys.stderr)
        return 1
    print(f"核验通过：{report.notices} 份公告、{report.files} 个文件与清单一致，历史清单 {report.manifests} 份首尾相连。")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from .sample import write_sample

    write_sample(args.out, args.villages, args.years, args.first_year)
    print(f"已生成示例数据 {args.out}：{args.villages} 个村，{args.years} 年（自 {args.first_year} 年起）。")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description="村务公开发布器")
    parser.add_argument("-v", "--verbose", action="store_true", help="显示详细过程")
    commands = parser.add_subparsers(dest="command", required=True)
    _options(commands.add_parser("validate", help="检查数据，列出所有问题"), site=True)
    builder = commands.add_parser("build", help="检查数据并生成网站、PDF 和数据下载")
    _options(builder, site=True)
    builder.add_argument("--previous", type=Path, default=None,
                         help="上次发布的 manifest.json（默认读取网站文件夹中的）")
    builder.add_argument("--scheduler", default=None,
                         help="Dask 集群地址，如 tcp://10.0.0.5:8786（默认在本机用多个进程生成）")
    batch = commands.add_parser("print", help="生成一个乡镇一个期间的张贴材料（一个 PDF，供打印店打印）")
    _options(batch, site=True)
    batch.add_argument("--township", required=True, help="乡镇代码，如 yangmiao")
    batch.add_argument("--period", required=True, help="季度如 2024Q3，或月份如 2024-07")
    checker = commands.add_parser("verify", help="核验网站文件夹：每个文件都与清单一致，历次清单首尾相连")
    checker.add_argument("--site", default="site", type=Path, help="网站文件夹（默认 site）")
    synthetic = commands.add_parser("sample", help="生成任意规模的合成数据（用于性能测试）")
    synthetic.add_argument("--villages", type=int, default=50, help="村数（每 15 个村一个乡镇）")
    synthetic.add_argument("--years", type=int, default=5, help="年数")
    synthetic.add_argument("--first-year", type=int, default=2021, help="第一年")
    synthetic.add_argument("--out", type=Path, required=True, help="输出文件夹")
    preview = commands.add_parser("serve", help="在本机预览网站，数据或模板修改后自动重新生成")
    _options(preview, site=True)
    preview.add_argument("--host", default="127.0.0.1", help="监听地址（默认只允许本机访问）")
    preview.add_argument("--port", default=8000, type=int, help="端口（默认 8000）")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    from . import progress

    progress.enable(args.command in ("build", "print", "serve"))
    try:
        commands_ = {"validate": _validate, "build": _build, "print": _print, "serve": _serve, "verify": _verify,
                     "sample": _sample}
        return commands_[args.command](args)
    except PublisherError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


def exit_now(code: int) -> NoReturn:
    """End the command's process with `code` once its output is flushed, skipping the
    interpreter's teardown. After a county's build that teardown is a full garbage collection
    over millions of records and notices and then freeing each of them: 2.1-2.3 s of a clerk's
    wait after a 5 s rebuild (0.03 s this way). Nothing is left to do by then: the site and the
    caches are written and closed, and the workers, Pagefind and the site scan have ended."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
