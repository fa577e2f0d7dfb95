"""The ``gaidocx`` command: a thin click layer over ``gaidocx.pipeline``.

It parses options, prints what the library returns and picks exit codes:
0 success, 1 the workbook has errors, 2 usage or file problems, 130 interrupted.
No traceback reaches the user unless ``--debug`` is given.  Office libraries
are imported only by the commands that use them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gaidocx import __version__, click_zh, files, pipeline
from gaidocx.console import printable, table
from gaidocx.exits import EXIT_ERRORS, EXIT_FILE_PROBLEM, EXIT_INTERRUPTED, INTERRUPTED
from gaidocx.files import UserError
from gaidocx.pipeline import Status, WorkbookError
from gaidocx.core.form import REPORT_KINDS

click_zh.install()

DEFAULT_WORD_TEMPLATE_NAME = "年度报告Word模板.docx"

_PATH = click.Path(path_type=Path, dir_okay=True)
_FILE = "文件"


class _Year(click.ParamType):
    """A report year, refused in Chinese (click's own message would say 'integer')."""

    name = "年度"

    def convert(self, value, param, ctx):
        try:
            return int(str(value).strip())
        except ValueError:
            self.fail(f"“{value}”不是年度，请写四位数字，如 2025。", param, ctx)


class _Count(click.ParamType):
    """A number of worker processes, refused in Chinese."""

    name = "进程数"

    def convert(self, value, param, ctx):
        try:
            count = int(str(value).strip())
        except ValueError:
            count = 0
        if count < 1:
            self.fail(f"“{value}”不是有效的进程数，请写 1 或更大的整数。", param, ctx)
        return count


class _Command(click.Command):
    """Usage lines say [选项], not [OPTIONS]."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


_FORCE = click.option("--force", is_flag=True, help="目标文件已存在时覆盖它。")
_REPORT = click.option(
    "--report",
    type=_PATH,
    metavar=_FILE,
    help="把每个文件的结果、错误和警告写入此 CSV 文件（带 BOM 的 UTF-8，Excel 和 WPS 可直接打开），可发回各单位。",
)
_PREVIOUS = click.option("--previous", type=_PATH, metavar=_FILE, help="上一年度的填报表，用于核对“上年结转”数。")


class _Cli(click.Group):
    """Turns every failure into a short Chinese message and an exit code."""

    command_class = _Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # temporary files are gone: removed as the interruption unwound
            _say(INTERRUPTED, err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except Exception as exc:
            if isinstance(exc, pipeline.foreseen_failures()):
                _say(f"错误：{exc}", err=True)
            elif ctx.params.get("debug"):
                import traceback  # only here: importing it took as long as reading a workbook

                traceback.print_exc()
            else:  # anything we did not foresee
                _say(pipeline.unexpected(exc), err=True)
            ctx.exit(EXIT_FILE_PROBLEM)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="gaidocx")
@click.option("--debug", is_flag=True, help="出错时显示详细的技术信息（供维护人员排查）。")
def cli(debug: bool) -> None:
    """政府信息公开工作年度报告：Excel 填报表 → 校验 → 官方格式 Word 文档。

    \b
    一般步骤：
      1. gaidocx template            生成填报表（Excel）
      2. 在 Excel 或 WPS 中填写
      3. gaidocx check 填报表.xlsx    检查填写是否正确
      4. gaidocx render 填报表.xlsx   生成 Word 年度报告

    退出码：0 成功；1 填报表有错误；2 文件或参数有问题；130 被中断。
    """


@cli.command()
@click.option("-o", "--output", type=_PATH, metavar="文件或文件夹", help="保存为此文件（默认：当前文件夹下，按机关名称和年度命名）。")
@click.option("--agency", default="", metavar="名称", help="预先填入的机关名称。")
@click.option("--year", type=_Year(), metavar="年度", help="预先填入的报告年度，如 2025。")
@click.option(
    "--from",
    "previous",
    type=_PATH,
    metavar=_FILE,
    help="从上一年度的填报表开始：填好机关名称、下一年度、上年结转数和小标题（不复制上年的文字）。",
)
@_FORCE
def template(output: Path | None, agency: str, year: int | None, previous: Path | None, force: bool) -> None:
    """生成空白的 Excel 填报表。"""
    made = pipeline.make_template(output, agency=agency, year=year, previous=previous, force=force)
    for message in made.warnings:
        _say(f"警告：{message}")
    if previous is not None:
        _say(
            f"已生成 {made.year} 年度的填报表：{made.path}\n上年结转数已按上年的“结转下年度继续办理”填好，"
            f"请核对后填写本年内容，然后运行：gaidocx check {made.path} --previous {previous}"
        )
    else:
        _say(f"已生成填报表：{made.path}\n请用 Excel 或 WPS 打开，在浅黄色单元格中填写，然后运行：gaidocx check {made.path}")


@cli.command(name="word-template")
@click.option("-o", "--output", type=_PATH, metavar=_FILE, help=f"保存为此文件（默认：“{DEFAULT_WORD_TEMPLATE_NAME}”）。")
@_FORCE
def word_template(output: Path | None, force: bool) -> None:
    """导出默认的 Word 模板，供修改字体、页边距等后用 render --template 使用。"""
    output = pipeline.export_word_template(output or Path(DEFAULT_WORD_TEMPLATE_NAME), force=force)
    _say(f"已导出 Word 模板：{output}\n修改样式后，用 gaidocx render 填报表.xlsx --template {output} 生成报告。")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH, metavar="填报表.xlsx或文件夹...")
@_PREVIOUS
@_REPORT
@_FORCE
def check(inputs: tuple[Path, ...], previous: Path | None, report: Path | None, force: bool) -> None:
    """检查一个或多个填报表，列出所有错误和警告。

    可以一次检查多个文件或整个文件夹，如 gaidocx check 甲.xlsx 乙.xlsx、gaidocx check *.xlsx、gaidocx check 收到的填报表。
    """
    paths = _expand(inputs).paths
    if previous and len(paths) > 1:
        raise UserError("--previous 只能在检查单个文件时使用。")
    problem_list = pipeline.problem_list_path(report, inputs=[*paths, previous], force=force) if report else None
    results = []
    for one in pipeline.check_many(paths, previous=previous, raise_unforeseen=_debug()):
        _say(f"【{one.source}】")
        if one.checked is None:
            _say(f"错误：{one.reason}")
        else:
            _show(one.checked)
        results.append(one)
    codes = [one.exit_code for one in results]
    if len(paths) > 1:
        _say(
            f"共检查 {len(paths)} 个文件：{codes.count(0)} 个通过，"
            f"{codes.count(EXIT_ERRORS)} 个有错误，{codes.count(EXIT_FILE_PROBLEM)} 个无法读取。"
        )
    if problem_list:
        pipeline.write_problem_list(problem_list, [one.file_problems() for one in results], force=force)
        _say(f"已写出问题清单：{problem_list}")
    sys.exit(max(codes))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH, metavar="填报表.xlsx或文件夹...")
@click.option(
    "-o",
    "--output",
    type=_PATH,
    metavar="文件或文件夹",
    help="一个填报表时：生成的 Word 文件名，或放入的文件夹（默认：填报表所在文件夹，按机关名称和年度命名）。"
    "多个填报表时：输出文件夹（不存在时自动创建）。",
)
@click.option("--template", "word_template_path", type=_PATH, metavar=_FILE, help="使用自定义的 Word 模板（见 gaidocx word-template）。")
@click.option("--pdf", "with_pdf", is_flag=True, help="同时生成 PDF（需要安装 LibreOffice）。")
@click.option("--html", "with_html", is_flag=True, help="同时生成网页（.html），可发布到政府网站。")
@click.option("--json", "with_json", is_flag=True, help="同时生成数据文件（.json），包含全部表格数字。")
@click.option("--jobs", type=_Count(), metavar="N", help="同时处理的进程数（默认和最多：CPU 核数）。")
@_PREVIOUS
@_REPORT
@_FORCE
def render(
    inputs: tuple[Path, ...],
    output: Path | None,
    word_template_path: Path | None,
    with_pdf: bool,
    with_html: bool,
    with_json: bool,
    jobs: int | None,
    previous: Path | None,
    report: Path | None,
    force: bool,
) -> None:
    """检查填报表，无错误时生成官方格式的 Word 年度报告。

    可以一次处理多个文件或整个文件夹：每个填报表分别检查和生成，一个文件有问题不影响其他文件。
    """
    extras = [suffix for suffix, wanted in ((".html", with_html), (".json", with_json)) if wanted]
    given = _expand(inputs)
    protected = [*given.paths, word_template_path, previous]
    problem_list = pipeline.problem_list_path(report, inputs=protected, force=force) if report else None
    if not given.many:
        source = given.paths[0]
        try:
            outcome = _render_one(source, output, word_template_path, previous, force, with_pdf, extras)
        except WorkbookError as exc:  # said by _Cli; the problem list has its row too
            _write_problem_list(problem_list, [pipeline.Outcome(source, Status.UNREADABLE, reason=str(exc))], force)
            raise
        _write_problem_list(problem_list, [outcome], force)
        sys.exit(outcome.status.exit_code)
    if previous is not None:
        raise UserError("--previous 只能在处理单个文件时使用。")
    if jobs is not None and jobs > pipeline.worker_cap():
        _say(f"--jobs {jobs} 多于 CPU 核数，只用 {pipeline.worker_cap()} 个进程（更多进程只会等待 CPU，并多占内存）。")
    progress = _Progress(len(given.paths))
    try:
        outcomes = pipeline.render_many(
            given.paths,
            folder=output,
            template=word_template_path,
            force=force,
            pdf=with_pdf,
            extras=extras,
            jobs=jobs,
            progress=progress.advance,
        )
    finally:
        progress.close()
    for notice in outcomes[0].notices:
        _say(f"警告  Word 模板：{notice}")
    for line in table([outcome.cells() for outcome in outcomes], ("结果", "填报表", "说明")):
        _say(line)
    folders = {path.parent for outcome in outcomes for path in outcome.outputs}
    if folders:
        _say(f"生成的文件在：{folders.pop()}" if len(folders) == 1 else "生成的文件在各填报表所在的文件夹中。")
    _say(pipeline.counts_line(outcomes))
    _write_problem_list(problem_list, outcomes, force)
    sys.exit(pipeline.exit_code(outcomes))


def _write_problem_list(problem_list: Path | None, outcomes: list[pipeline.Outcome], force: bool) -> None:
    if problem_list:
        pipeline.write_problem_list(problem_list, [outcome.file_problems() for outcome in outcomes], force=force)
        _say(f"已写出问题清单：{problem_list}")


def _render_one(
    source: Path,
    output: Path | None,
    template: Path | None,
    previous: Path | None,
    force: bool,
    pdf: bool,
    extras: list[str],
) -> pipeline.Outcome:
    _say(f"【{source}】")
    outcome = pipeline.render_workbook(
        source, output=output, template=template, previous=previous, force=force, pdf=pdf, extras=extras
    )
    for line in outcome.messages:
        _say(line)
    for notice in outcome.notices:
        _say(f"警告  {notice}")
    if outcome.status is Status.ERRORS:
        _say(f"共 {outcome.errors} 个错误，{outcome.warnings} 个警告。")
        _say(f"未生成文档：请先改正以上 {outcome.errors} 个错误。")
    elif outcome.status is Status.FAILED:
        _say(f"错误：{outcome.reason}", err=True)
    else:
        if outcome.warnings:
            _say(f"检查通过（有 {outcome.warnings} 个警告，请核对）。")
        for path in outcome.outputs:
            _say(f"已生成：{path}")
    return outcome


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH, metavar="填报表.xlsx或文件夹...")
@click.option("-o", "--output", type=_PATH, required=True, metavar=_FILE, help="保存为此 CSV 文件（如 数据.csv）。")
@_FORCE
def export(inputs: tuple[Path, ...], output: Path, force: bool) -> None:
    """把多个填报表的数字导出为一个 CSV 表格（每个报告一行，每个数字一列，表头为官方表格的行列标签）。

    没有错误的填报表才导出；有错误或无法读取的文件会列出，不导出。CSV 为带 BOM 的 UTF-8，Excel 和 WPS 可直接打开。
    """
    exported = pipeline.export_csv(_expand(inputs).paths, output, force=force)
    for path, why in exported.left_out:
        _say(f"未导出  {path}：{why}")
    _say(f"已导出 {exported.count} 个报告：{output}")
    sys.exit(exported.exit_code)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH, metavar="填报表.xlsx或文件夹...")
@click.option("-o", "--output", type=_PATH, required=True, metavar=_FILE, help="汇总后的填报表（如 汇总.xlsx）。")
@click.option("--agency", required=True, metavar="名称", help="本行政区域报告的机关名称，如“某某县人民政府”。")
@click.option("--year", type=_Year(), metavar="年度", help="报告年度；不给出时取各填报表的共同年度。")
@click.option("--skip-errors", is_flag=True, help="跳过有错误、无法读取、年度不同或机关重复的填报表（在“汇总明细”中列为未汇总）。")
@_FORCE
def summary(inputs: tuple[Path, ...], output: Path, agency: str, year: int | None, skip_errors: bool, force: bool) -> None:
    """把各部门的填报表汇总为本行政区域的填报表：三张表格为各表之和，文字部分待填写。

    生成的文件是普通的填报表（报告类型为“本行政区域”），另有“汇总明细”工作表列出每个文件的情况。
    填写成文日期和文字部分后，用 gaidocx render 生成本行政区域的年度报告。
    """
    from gaidocx.core.summary import Refusal

    planned = pipeline.summarise_workbooks(
        _expand(inputs).paths, output, agency=agency, year=year, skip_errors=skip_errors, force=force
    )
    if planned.refusals:
        for _, message in planned.refusals:
            _say(f"错误：{message}")
        _say("未生成汇总表。")
        kinds = {kind for kind, _ in planned.refusals}
        sys.exit(EXIT_ERRORS if kinds == {Refusal.ERRORS} else EXIT_FILE_PROBLEM)
    for entry in planned.left_out:
        _say(f"未汇总  {entry.item.path}：{entry.reason}")
    _say(
        f"已汇总 {len(planned.included)} 个填报表：{output}\n"
        f"请填写“基本信息”中的成文日期和文字部分，然后运行：gaidocx render {output}"
    )


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH, metavar="报告文件...")
@click.option("--previous", type=_PATH, metavar=_FILE, help="上一年度的报告（.pdf、.docx、.html 或填报表），用于核对“上年结转”数。")
@click.option(
    "--kind",
    type=click.Choice(REPORT_KINDS),
    help="报告类型（决定成文日期的期限）。不指定时按文件中记录的类型，没有记录时按标题推断。",
)
@click.option(
    "--parts",
    is_flag=True,
    help="第一个文件是本行政区域的报告，其余文件或文件夹是各部门的报告：逐格核对本行政区域报告的数字是否等于各部门之和。",
)
@click.option("--json", "as_json", is_flag=True, help="不列出问题，改为输出 JSON：读出的全部数字和问题。")
def audit(inputs: tuple[Path, ...], previous: Path | None, kind: str | None, parts: bool, as_json: bool) -> None:
    """核对已发布的年度报告（PDF、Word .docx、网页 .html/.htm，或填报表 .xlsx）。

    找出三张表格，把每个数字对应到官方格式的行和列，按 check 的规则核对：勾稽关系、合计、空白和非数字、收费金额、标题中的机关和年度、六个部分的标题和顺序、成文日期的期限。

    可以给出文件夹或通配符（如 *.pdf）。退出码同 check。
    """
    import json

    from gaidocx.audit import SUFFIXES, format_audit_problem

    what = f"{'、'.join(SUFFIXES)} 报告"
    if parts and len(inputs) < 2:
        raise UserError("--parts 需要本行政区域的报告和至少一个部门的报告：gaidocx audit 本行政区域报告 --parts 部门报告或文件夹...")
    given = files.expand_inputs(inputs[:1] if parts else inputs, suffixes=SUFFIXES, what=what)
    part_paths = files.expand_inputs(inputs[1:], suffixes=SUFFIXES, what=what).paths if parts else []
    if parts and len(given.paths) > 1:
        raise UserError(f"--parts 的第一个文件应是一个本行政区域的报告，但“{inputs[0]}”是 {len(given.paths)} 个文件。")
    if given.skipped_locks:
        _say(f"已跳过 Office 的临时锁定文件：{'、'.join(path.name for path in given.skipped_locks)}", err=as_json)
    paths = given.paths
    results = pipeline.audit_reports(paths, previous=previous, kind=kind, parts=part_paths)
    documents = []
    for result in results:
        if not as_json:
            _say(f"【{result.source}】")
        if result.audit is None:
            _say(f"错误：{result.reason}", err=as_json)
            continue
        if result.audit.kind_note:
            _say(result.audit.kind_note, err=as_json)
        if result.parts is not None:
            summed = result.parts.summed
            _say(f"已汇总 {len(summed)} 个部门的报告：{'、'.join(summed) or '（无）'}", err=as_json)
            for name, reason in result.parts.left_out:
                _say(f"未汇总  {name}：{reason}", err=as_json)
        if as_json:
            from gaidocx.audit.as_data import audited_to_data

            documents.append(audited_to_data(result.audit, result.parts))
            continue
        for problem in result.audit.problems:
            _say(format_audit_problem(result.audit, problem))
        errors, warnings = len(result.audit.errors), len(result.audit.warnings)
        if errors:
            _say(f"共 {errors} 个错误，{warnings} 个警告。")
        elif warnings:
            _say(f"核对通过（有 {warnings} 个警告，请核对）。")
        else:
            _say("核对通过：没有发现问题。")
    codes = [result.exit_code for result in results]
    if as_json:
        click.echo(json.dumps(documents[0] if not given.many and documents else documents, ensure_ascii=False, indent=2))
    elif given.many:
        click.echo(
            f"共核对 {len(paths)} 个文件：{codes.count(0)} 个通过，"
            f"{codes.count(EXIT_ERRORS)} 个有错误，{codes.count(EXIT_FILE_PROBLEM)} 个无法读取。"
        )
    sys.exit(max(codes))


class _Progress:
    """A progress bar on a terminal; nothing at all when output is redirected."""

    def __init__(self, total: int) -> None:
        self.bar = None
        if total > 1 and _is_terminal(sys.stderr):
            self.bar = click.progressbar(length=total, label="正在生成", file=sys.stderr, show_pos=True)
            self.bar.__enter__()

    def advance(self, _outcome: pipeline.Outcome) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _debug() -> bool:
    return bool(click.get_current_context().find_root().params.get("debug"))


def _expand(inputs: tuple[Path, ...]) -> files.Inputs:
    given = files.expand_inputs(inputs)
    if given.repeated:
        _say(f"以下文件给出了不止一次，只处理一次：{'、'.join(str(path) for path in given.repeated)}")
    if given.skipped_locks:
        _say(f"已跳过 Excel 的临时锁定文件：{'、'.join(path.name for path in given.skipped_locks)}")
    return given


def _say(text: str, err: bool = False) -> None:
    """Print a line with every control character from a user's file shown escaped."""
    click.echo(printable(text), err=err)


def _show(checked: pipeline.Checked) -> None:
    for problem in checked.problems:
        _say(pipeline.format_problem(problem))
    _say(pipeline.verdict(checked))


from gaidocx.desk.commands import desk, serve  # noqa: E402 - the desk's commands load Django only when run

cli.add_command(desk)
cli.add_command(serve)
