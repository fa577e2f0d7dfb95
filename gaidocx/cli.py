"""The ``gaidocx`` command: a thin click layer over ``gaidocx.pipeline``.

Exit codes: 0 success, 1 the workbook has errors, 2 usage or file problems.
No traceback reaches the user unless ``--debug`` is given.
"""

from __future__ import annotations

import datetime
import glob
import io
import sys
import tempfile
import traceback
from pathlib import Path

import click

from gaidocx import __version__, click_zh
from gaidocx.core.form import FIRST_YEAR
from gaidocx.core.narrative import NOT_XML
from gaidocx.document.build import build_word_template
from gaidocx.document.pdf import PdfError, convert_to_pdf, find_soffice
from gaidocx.document.render import TemplateProblem, render_docx
from gaidocx.pipeline import (
    Checked,
    UserError,
    check_output_path,
    check_workbook,
    default_output,
    format_problem,
    write_atomically,
)
from gaidocx.workbook.build import build_template
from gaidocx.workbook.read import WorkbookError

click_zh.install()

EXIT_ERRORS = 1
EXIT_FILE_PROBLEM = 2
_LOCK_PREFIX = "~$"
DEFAULT_TEMPLATE_NAME = "政府信息公开年度报告填报表.xlsx"
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


class _Command(click.Command):
    """Usage lines say [选项], not [OPTIONS]."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


_FORCE = click.option("--force", is_flag=True, help="目标文件已存在时覆盖它。")


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
        except (UserError, WorkbookError, TemplateProblem, PdfError) as exc:
            click.echo(f"错误：{exc}", err=True)
            ctx.exit(EXIT_FILE_PROBLEM)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # anything we did not foresee
            if ctx.params.get("debug"):
                traceback.print_exc()
            else:
                click.echo(_unexpected(exc), err=True)
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

    退出码：0 成功；1 填报表有错误；2 文件或参数有问题。
    """


@cli.command()
@click.option("-o", "--output", type=_PATH, metavar=_FILE, help=f"保存为此文件（默认：当前文件夹下的“{DEFAULT_TEMPLATE_NAME}”）。")
@click.option("--agency", default="", metavar="名称", help="预先填入的机关名称。")
@click.option("--year", type=_Year(), metavar="年度", help="预先填入的报告年度，如 2025。")
@_FORCE
def template(output: Path | None, agency: str, year: int | None, force: bool) -> None:
    """生成空白的 Excel 填报表。"""
    if year is not None and year < FIRST_YEAR:
        raise UserError(f"报告年度 {year} 早于 {FIRST_YEAR}：{FIRST_YEAR} 年度以前的报告使用旧格式，本工具不支持。")
    if year is not None and year > datetime.date.today().year:
        raise UserError(f"报告年度 {year} 还没有到，请核对。")
    if NOT_XML.search(agency):
        raise UserError("机关名称中含有不可见的控制字符（可能是从别处复制来的），请重新输入。")
    output = output or Path(DEFAULT_TEMPLATE_NAME)
    check_output_path(output, inputs=(), force=force, suffix=".xlsx")
    buffer = io.BytesIO()
    build_template(agency=agency, year=year).save(buffer)
    write_atomically(output, buffer.getvalue())
    click.echo(f"已生成填报表：{output}\n请用 Excel 或 WPS 打开，在浅黄色单元格中填写，然后运行：gaidocx check {output}")


@cli.command(name="word-template")
@click.option("-o", "--output", type=_PATH, metavar=_FILE, help=f"保存为此文件（默认：“{DEFAULT_WORD_TEMPLATE_NAME}”）。")
@_FORCE
def word_template(output: Path | None, force: bool) -> None:
    """导出默认的 Word 模板，供修改字体、页边距等后用 render --template 使用。"""
    output = output or Path(DEFAULT_WORD_TEMPLATE_NAME)
    check_output_path(output, inputs=(), force=force, suffix=".docx")
    write_atomically(output, build_word_template())
    click.echo(f"已导出 Word 模板：{output}\n修改样式后，用 gaidocx render 填报表.xlsx --template {output} 生成报告。")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH, metavar="填报表.xlsx...")
@click.option("--previous", type=_PATH, metavar=_FILE, help="上一年度的填报表，用于核对“上年结转”数。")
def check(inputs: tuple[Path, ...], previous: Path | None) -> None:
    """检查一个或多个填报表，列出所有错误和警告。

    可以一次检查多个文件，如 gaidocx check 甲.xlsx 乙.xlsx，或 gaidocx check *.xlsx。
    """
    paths = _expand(inputs)
    if previous and len(paths) > 1:
        raise UserError("--previous 只能在检查单个文件时使用。")
    outcomes = []
    for path in paths:
        click.echo(f"【{path}】")
        try:
            checked = check_workbook(path, previous=previous)
        except WorkbookError as exc:
            click.echo(f"错误：{exc}")
            outcomes.append(EXIT_FILE_PROBLEM)
            continue
        except UserError:
            raise  # about the options, not this file
        except Exception as exc:  # one odd file must not stop a batch
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(f"错误：{_unexpected(exc)}")
            outcomes.append(EXIT_FILE_PROBLEM)
            continue
        _show(checked)
        outcomes.append(EXIT_ERRORS if checked.errors else 0)
    if len(paths) > 1:
        click.echo(
            f"共检查 {len(paths)} 个文件：{outcomes.count(0)} 个通过，"
            f"{outcomes.count(EXIT_ERRORS)} 个有错误，{outcomes.count(EXIT_FILE_PROBLEM)} 个无法读取。"
        )
    sys.exit(max(outcomes))


@cli.command()
@click.argument("source", type=_PATH, metavar="填报表.xlsx")
@click.option("-o", "--output", type=_PATH, metavar=_FILE, help="生成的 Word 文件（默认：填报表所在文件夹，按机关名称和年度命名）。")
@click.option("--template", "word_template_path", type=_PATH, metavar=_FILE, help="使用自定义的 Word 模板（见 gaidocx word-template）。")
@click.option("--pdf", "with_pdf", is_flag=True, help="同时生成 PDF（需要安装 LibreOffice）。")
@click.option("--previous", type=_PATH, metavar=_FILE, help="上一年度的填报表，用于核对“上年结转”数。")
@_FORCE
def render(
    source: Path,
    output: Path | None,
    word_template_path: Path | None,
    with_pdf: bool,
    previous: Path | None,
    force: bool,
) -> None:
    """检查填报表，无错误时生成官方格式的 Word 年度报告。"""
    inputs = tuple(path for path in (source, word_template_path, previous) if path is not None)
    if output is not None:
        check_output_path(output, inputs=inputs, force=force, suffix=".docx")
    if word_template_path is not None and not word_template_path.is_file():
        raise UserError(f"找不到 Word 模板文件：{word_template_path}")
    if with_pdf and find_soffice() is None:
        raise UserError("未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice，或去掉 --pdf 只生成 Word 文档。")
    checked = check_workbook(source, previous=previous)
    click.echo(f"【{source}】")
    _show(checked)
    if checked.errors:
        click.echo(f"未生成文档：请先改正以上 {len(checked.errors)} 个错误。")
        sys.exit(EXIT_ERRORS)
    output = output or default_output(source, checked.report)
    pdf_output = output.with_suffix(".pdf")
    check_output_path(output, inputs=inputs, force=force, suffix=".docx")
    if with_pdf:
        check_output_path(pdf_output, inputs=inputs, force=force, suffix=".pdf")
    write_atomically(output, render_docx(checked.report, word_template_path))
    click.echo(f"已生成：{output}")
    if with_pdf:
        with tempfile.TemporaryDirectory() as folder:
            converted = Path(folder) / "report.pdf"
            convert_to_pdf(output, converted)
            write_atomically(pdf_output, converted.read_bytes())
        click.echo(f"已生成：{pdf_output}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=_PATH, metavar="报告文件...")
@click.option("--previous", type=_PATH, metavar=_FILE, help="上一年度的报告（.docx、.html 或填报表），用于核对“上年结转”数。")
@click.option("--json", "as_json", is_flag=True, help="不列出问题，改为输出 JSON：读出的全部数字和问题。")
def audit(inputs: tuple[Path, ...], previous: Path | None, as_json: bool) -> None:
    """核对已发布的年度报告（Word .docx、网页 .html/.htm，或填报表 .xlsx）。

    找出三张表格，把每个数字对应到官方格式的行和列，按 check 的规则核对：勾稽关系、合计、
    空白和非数字、收费金额、标题中的机关和年度、六个部分的标题和顺序。退出码同 check。
    """
    import json

    from gaidocx.audit import UnreadableFile, audit_file, format_audit_problem
    from gaidocx.audit.data import audit_to_data

    paths = _expand(inputs)
    if previous and len(paths) > 1:
        raise UserError("--previous 只能在核对单个文件时使用。")
    if previous is not None:
        try:
            audit_file(previous)
        except UnreadableFile as exc:
            raise UserError(f"上一年度的报告（--previous）无法使用：{exc}") from exc
    outcomes, documents = [], []
    for path in paths:
        if not as_json:
            click.echo(f"【{path}】")
        try:
            result = audit_file(path, previous=previous)
        except UnreadableFile as exc:
            click.echo(f"错误：{exc}", err=as_json)
            outcomes.append(EXIT_FILE_PROBLEM)
            continue
        except Exception as exc:  # one odd file must not stop a batch
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(f"错误：{_unexpected(exc)}", err=as_json)
            outcomes.append(EXIT_FILE_PROBLEM)
            continue
        outcomes.append(EXIT_ERRORS if result.errors else 0)
        if as_json:
            documents.append(audit_to_data(result))
            continue
        for problem in result.problems:
            click.echo(format_audit_problem(result, problem))
        if result.problems:
            click.echo(f"共 {len(result.errors)} 个错误，{len(result.warnings)} 个警告。")
        else:
            click.echo("核对通过：没有发现问题。")
    if as_json:
        click.echo(json.dumps(documents[0] if len(paths) == 1 and documents else documents, ensure_ascii=False, indent=2))
    elif len(paths) > 1:
        click.echo(
            f"共核对 {len(paths)} 个文件：{outcomes.count(0)} 个通过，"
            f"{outcomes.count(EXIT_ERRORS)} 个有错误，{outcomes.count(EXIT_FILE_PROBLEM)} 个无法读取。"
        )
    sys.exit(max(outcomes))


def _unexpected(exc: Exception) -> str:
    return (
        f"gaidocx 遇到意外错误（{type(exc).__name__}：{exc}）。输入文件没有被修改，也没有生成输出文件。\n"
        "请加 --debug 重新运行（gaidocx --debug …）查看详细信息，并发给维护人员。"
    )


def _expand(inputs: tuple[Path, ...]) -> list[Path]:
    """Expand wildcards ourselves: the Windows command prompt passes ``*.xlsx`` unexpanded.

    Excel's lock files (``~$名称.xlsx``, present while a workbook is open) are skipped,
    also when the shell expanded the pattern.
    A pattern that matches nothing stays in the list, so it is reported as a missing file.
    """
    paths: list[Path] = []
    for given in inputs:
        pattern = str(given)
        if given.exists() or not any(mark in pattern for mark in "*?["):
            paths.append(given)
        else:
            paths.extend([Path(m) for m in sorted(glob.glob(pattern))] or [given])
    locks = [path for path in paths if path.name.startswith(_LOCK_PREFIX)]
    if locks:
        click.echo(f"已跳过 Excel 的临时锁定文件：{'、'.join(path.name for path in locks)}")
    return [path for path in paths if not path.name.startswith(_LOCK_PREFIX)]


def _show(checked: Checked) -> None:
    for problem in checked.problems:
        click.echo(format_problem(problem))
    if checked.problems:
        click.echo(f"共 {len(checked.errors)} 个错误，{len(checked.warnings)} 个警告。")
    else:
        click.echo("检查通过：没有发现问题。")


def main() -> None:
    cli(prog_name="gaidocx")
