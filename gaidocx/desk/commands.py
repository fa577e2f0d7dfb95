"""``gaidocx desk init/add/link/revoke/worker`` and ``gaidocx serve``.

This module imports only click: Django, huey and waitress are loaded when a desk command runs, and
without the ``desk`` extra the command says how to install it (exit 2).  Links are printed only
here and on the office's page; the desk keeps nothing but their hashes.
"""

from __future__ import annotations

import datetime
import secrets
import sys
from pathlib import Path

import click

EXIT_PROBLEM = 2
_FOLDER = click.Path(path_type=Path, file_okay=False)
_NEEDS_EXTRA = '收集台需要另外安装：pip install "gaidocx[desk]"（安装 Django、huey 和 waitress）。'


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(EXIT_PROBLEM)


def _require_extra() -> None:
    try:
        import django  # noqa: F401
        import huey  # noqa: F401
        import waitress  # noqa: F401
    except ImportError:
        _fail(_NEEDS_EXTRA)


def _load(folder: Path, *, init: dict | None = None):
    """Django set up for ``folder`` with its tables up to date; ``init`` makes a new desk first."""
    _require_extra()
    from gaidocx.desk.settings import DeskConfig, DeskError, configure

    try:
        if init is not None:
            _create(folder, DeskConfig(**init, queue_name=f"gaidocx-desk-{secrets.token_hex(6)}"))
        config = configure(folder)
        _migrate()
    except DeskError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a database that cannot be reached, a folder not writable
        _fail(f"无法打开收集台“{folder}”：{type(exc).__name__}：{str(exc)[:300]}")
    return config


def _create(folder: Path, config) -> None:
    from gaidocx.desk.settings import CONFIG_NAME, DeskError, database_settings, queue_settings

    if (folder / CONFIG_NAME).exists():
        raise DeskError(f"“{folder}”已经是一个收集台，不能再次建立。要换政务公开办链接，请用 gaidocx desk link {folder} --office。")
    database_settings(folder, config.database)  # refuse a wrong address before anything is written
    queue_settings(folder, config, immediate=False)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeskError(f"无法建立收集台文件夹“{folder}”：{exc.strerror}") from exc
    config.save(folder)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _run(action):
    """``action()`` with a desk problem printed in Chinese (exit 2)."""
    from gaidocx.desk.settings import DeskError

    try:
        return action()
    except DeskError as exc:
        _fail(str(exc))


def _default_year(today: datetime.date | None = None) -> int:
    """Reports are collected in January for the year before; from July on, for this year."""
    today = today or datetime.date.today()
    return today.year if today.month >= 7 else today.year - 1


@click.group(name="desk", options_metavar="[选项]")
def desk() -> None:
    """收集台：各单位在浏览器里下载、上传填报表，政务公开办查看谁已完成。"""


@desk.command(name="init", options_metavar="[选项]")
@click.argument("folder", type=_FOLDER, metavar="文件夹")
@click.option("--area", required=True, metavar="名称", help="收集单位，如“某某县人民政府办公室”。")
@click.option("--year", required=True, type=int, metavar="年度", help="收集哪一年度的报告。")
@click.option("--database", metavar="地址", help="用 PostgreSQL（postgresql://用户:密码@主机/库名）；默认是文件夹里的 SQLite。")
@click.option("--queue", metavar="地址", help="用 Redis 排队（redis://主机:6379/0），可在其他电脑上运行 gaidocx desk worker。")
@click.option("--address", default="http://127.0.0.1:8000", show_default=True, metavar="网址", help="各单位访问收集台的网址，打印的链接以它开头。")
def init(folder: Path, area: str, year: int, database: str | None, queue: str | None, address: str) -> None:
    """建立收集台，打印政务公开办的链接。"""
    _load(folder, init={"database": database, "queue": queue, "address": address})
    from gaidocx.desk import service

    office = _run(lambda: service.start_area(area, year))
    click.echo(f"收集台已建立：{folder}")
    click.echo(f"政务公开办链接（请妥善保管，只显示这一次）：{office}")


@desk.command(name="add", options_metavar="[选项]")
@click.argument("folder", type=_FOLDER, metavar="文件夹")
@click.argument("names", nargs=-1, metavar="[机关名称]...")
@click.option("--from", "from_file", type=click.Path(path_type=Path, dir_okay=False), metavar="名单.txt", help="名单文件，每行一个机关名称（UTF-8 或 GBK）。")
def add(folder: Path, names: tuple[str, ...], from_file: Path | None) -> None:
    """登记机关，每个机关打印一行：名称、Tab、链接。"""
    listed = list(names)
    if from_file is not None:
        listed += _read_list(from_file).splitlines()
    if not listed:
        _fail("请给出机关名称，或用 --from 名单.txt。")
    _load(folder)
    from gaidocx.desk import service

    for name, link in _run(lambda: service.add_agencies(listed)):
        click.echo(f"{name}\t{link}")


def _read_list(path: Path) -> str:
    try:
        data = path.read_bytes()[: 1024 * 1024]
    except OSError as exc:
        _fail(f"无法读取名单文件“{path}”：{exc.strerror}")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    _fail(f"名单文件“{path}”不是文本文件。")


@desk.command(name="link", options_metavar="[选项]")
@click.argument("folder", type=_FOLDER, metavar="文件夹")
@click.argument("name", required=False, metavar="[机关名称]")
@click.option("--office", is_flag=True, help="生成新的政务公开办链接。")
def link(folder: Path, name: str | None, office: bool) -> None:
    """为机关生成新链接（旧链接作废），或用 --office 生成政务公开办的新链接。"""
    if bool(name) == office:
        _fail("请给出一个机关名称，或者只写 --office。")
    _load(folder)
    from gaidocx.desk import service

    if office:
        click.echo(service.new_office_link())
    else:
        click.echo(f"{name}\t{_run(lambda: service.renew_link(service.agency_named(name)))}")


@desk.command(name="revoke", options_metavar="[选项]")
@click.argument("folder", type=_FOLDER, metavar="文件夹")
@click.argument("name", metavar="机关名称")
def revoke(folder: Path, name: str) -> None:
    """作废机关的链接。"""
    _load(folder)
    from gaidocx.desk import service

    _run(lambda: service.revoke(service.agency_named(name)))
    click.echo(f"已作废：{name}")


@desk.command(name="year", options_metavar="[选项]")
@click.argument("folder", type=_FOLDER, metavar="文件夹")
@click.argument("year", type=int, metavar="年度")
def year(folder: Path, year: int) -> None:
    """开始收集新一年度的报告：机关和链接不变，各单位的填报表从去年通过的那份开始。"""
    _load(folder)
    from gaidocx.desk import service

    _run(lambda: service.next_year(year))
    click.echo(f"已开始收集 {year} 年度的报告。")


@desk.command(name="worker", options_metavar="[选项]")
@click.argument("folder", type=_FOLDER, metavar="文件夹")
@click.option("--workers", default=2, type=click.IntRange(1, 64), metavar="N", help="同时处理的任务数（1 到 64，默认 2）。")
def worker(folder: Path, workers: int) -> None:
    """在这台电脑上处理收集台的后台任务（PDF、汇总、打包）。"""
    _load(folder)
    from gaidocx.desk.server import run_worker

    run_worker(workers)


@click.command(name="serve", options_metavar="[选项]")
@click.argument("folder", type=_FOLDER, required=False, metavar="[文件夹]")
@click.option("--host", default="127.0.0.1", metavar="地址", help="监听的地址（默认 127.0.0.1，只有本机能访问）；局域网内访问请用 0.0.0.0。")
@click.option("--port", default=8000, type=click.IntRange(0, 65535), metavar="端口", help="端口（默认 8000）。")
@click.option("--area", default="本地区", metavar="名称", help="第一次运行、建立收集台时的收集单位名称。")
@click.option("--year", type=int, metavar="年度", help="第一次运行时收集哪一年度的报告（默认：上半年为上一年度，下半年为本年度）。")
def serve(folder: Path | None, host: str, port: int, area: str, year: int | None) -> None:
    """运行收集台（不给文件夹时使用并在第一次建立 ./gaidocx-desk）。"""
    _require_extra()
    from gaidocx.desk.settings import CONFIG_NAME, DEFAULT_FOLDER

    folder = folder or Path(DEFAULT_FOLDER)
    first_run = not (folder / CONFIG_NAME).exists()
    if first_run and folder != Path(DEFAULT_FOLDER):
        _fail(f"“{folder}”不是收集台文件夹。请先运行 gaidocx desk init {folder} --area 名称 --year 年度。")
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port or 8000}"
    _load(folder, init={"address": address} if first_run else None)
    from gaidocx.desk import service

    if first_run:
        office = _run(lambda: service.start_area(area, year or _default_year()))
        click.echo(f"已建立收集台：{folder.resolve()}")
        click.echo(f"政务公开办链接（请妥善保管，只显示这一次）：{office}")
    from gaidocx.desk.server import run_server

    run_server(host, port, announce=click.echo)
