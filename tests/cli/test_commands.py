"""The command line, driven through click's CliRunner on workbooks from the real template."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner
from support import ROOT, SAMPLE_WORKBOOK, write_workbook

from gaidocx import __version__
from gaidocx.cli import cli


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sabotaged(tmp_path: Path, edit) -> Path:
    return write_workbook(tmp_path / "填报.xlsx", edit=edit)


def set_cells(**cells):
    """An edit that writes ``表三_D7=5`` style assignments."""

    def edit(workbook):
        for name, value in cells.items():
            sheet, cell = name.split("_")
            workbook[sheet][cell] = value

    return edit


# ---------------------------------------------------------------- help and version


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_help_is_chinese():
    result = run("--help")
    assert result.exit_code == 0
    assert "用法：" in result.output and "命令" in result.output and "Usage" not in result.output
    for command in ("template", "check", "render", "word-template"):
        sub = run(command, "--help")
        assert sub.exit_code == 0 and "用法：" in sub.output and "选项" in sub.output, command


def test_usage_errors_are_chinese_with_exit_code_2():
    result = run("render")
    assert result.exit_code == 2 and "缺少参数" in result.output
    result = run("check", "--no-such-option", "x.xlsx")
    assert result.exit_code == 2 and "没有这个选项" in result.output


# ---------------------------------------------------------------- template


def test_template_writes_a_workbook_prefilled_with_agency_and_year(tmp_path):
    output = tmp_path / "表.xlsx"
    result = run("template", "-o", output, "--agency", "某某局", "--year", 2025)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(output)["基本信息"]
    assert sheet["B3"].value == "某某局" and sheet["B4"].value == 2025


def test_template_refuses_to_overwrite_without_force(tmp_path):
    output = tmp_path / "表.xlsx"
    output.write_bytes(b"keep me")
    result = run("template", "-o", output)
    assert result.exit_code == 2 and "--force" in result.output
    assert output.read_bytes() == b"keep me"
    assert run("template", "-o", output, "--force").exit_code == 0


def test_template_refuses_old_format_years(tmp_path):
    result = run("template", "-o", tmp_path / "x.xlsx", "--year", 2020)
    assert result.exit_code == 2 and "2021" in result.output
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "fragment"), [(("--year", 2999), "还没有到"), (("--agency", "坏\x07名"), "控制字符"), (("--year", "二〇二五"), "不是年度")]
)
def test_template_refuses_bad_prefills(tmp_path, args, fragment):
    result = run("template", "-o", tmp_path / "x.xlsx", *args)
    assert result.exit_code == 2 and fragment in result.output
    assert list(tmp_path.iterdir()) == []


def test_template_into_a_missing_folder(tmp_path):
    result = run("template", "-o", tmp_path / "没有" / "x.xlsx")
    assert result.exit_code == 2 and "输出文件夹不存在" in result.output


def test_word_template_export(tmp_path):
    output = tmp_path / "模板.docx"
    assert run("word-template", "-o", output).exit_code == 0
    assert docx.Document(str(output)).paragraphs


# ---------------------------------------------------------------- check


def test_the_shipped_sample_is_clean():
    result = run("check", SAMPLE_WORKBOOK)
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output


def test_a_blank_cell_names_sheet_cell_and_labels(tmp_path):
    path = sabotaged(tmp_path, set_cells(表三_D9=None))
    result = run("check", path)
    assert result.exit_code == 1
    assert "错误  表三!D9（（一）予以公开 × 自然人）：不能为空" in result.output


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"表三_D7": 1}, ["表三!D7:D29、D31（自然人）", "“总计”列因此也不平衡"]),
        ({"表三_E31": 2}, ["表三!E7:E29、E31（商业企业）", "0 + 0 = 0", "0 + 2 = 2"]),
        ({"表三_J7": 4}, ["表三!J7（一、本年新收政府信息公开申请数量 × 总计）", "SUM(D7:I7)"]),
        ({"表三_D30": "=SUM(D9:D28)"}, ["表三!D30（（七）总计 × 自然人）"]),
        ({"表四_E7": 9}, ["表四!E7（行政复议 × 总计）"]),
        ({"表四_O7": 1}, ["表四!O7（行政诉讼（复议后起诉） × 总计）"]),
        ({"表三_F12": -1}, ["表三!F12", "负数"]),
        ({"表三_F12": 1.5}, ["表三!F12", "整数"]),
        ({"表二_B6": 10**10}, ["表二!B6（规章 × 本年制发件数）", "过大"]),
        ({"表二_B17": 0.0000012}, ["表二!B17（行政事业性收费 × 本年收费金额（单位：万元））", "6 位小数"]),
        ({"表二_B17": "251000元"}, ["表二!B17"]),
        ({"表三_D7": "=1+1"}, ["表三!D7", "公式"]),
        ({"基本信息_B3": None}, ["基本信息!B3（机关名称）"]),
        ({"基本信息_B4": None}, ["基本信息!B4（年度）"]),
        ({"基本信息_B5": datetime.datetime(2024, 12, 30)}, ["基本信息!B5（成文日期）", "结束之后"]),
    ],
)
def test_every_rule_names_its_cells(tmp_path, cells, expected):
    path = sabotaged(tmp_path, set_cells(**cells))
    result = run("check", path)
    assert result.exit_code == 1, result.output
    for fragment in expected:
        assert fragment in result.output


def text_rows(place: str, *texts: str | None):
    """An edit that writes ``texts`` into the rows of a narrative block (None clears a row)."""
    from gaidocx.workbook.layout import TEXT_BLOCKS

    block = next(b for b in TEXT_BLOCKS if b.place == place)

    def edit(workbook):
        for row, text in zip(block.rows, texts):
            workbook["基本信息"][f"B{row}"] = text

    return edit, block


@pytest.mark.parametrize(
    ("place", "texts", "code", "fragments"),
    [
        ("六", ("本年度无其他需要报告的事项。",), 0, ["警告  基本信息!B", "六、其他需要报告的事项", "信息处理费"]),
        ("opening", ("本报告统计期限为____年。",), 1, ["错误  基本信息!B8（开头段落", "第1段", "____"]),
        ("五", ("（一）存在的主要问题。确有问题。", "（二）改进情况。"), 0, ["警告  基本信息!B59（五、存在的主要问题及改进情况 第2段）", "只有小标题"]),
        ("一", (None,) * 40, 0, ["警告  基本信息!B16:B55（一、总体情况）", "没有内容"]),
    ],
)
def test_text_rules_name_their_rows(tmp_path, place, texts, code, fragments):
    edit, _ = text_rows(place, *texts, *([None] * 40))
    result = run("check", sabotaged(tmp_path, edit))
    assert result.exit_code == code, result.output
    for fragment in fragments:
        assert fragment in result.output


def test_a_year_in_the_future_is_an_error(tmp_path):
    next_year = datetime.date.today().year + 1
    path = sabotaged(tmp_path, set_cells(基本信息_B4=next_year, 基本信息_B5=datetime.datetime(next_year + 1, 1, 20)))
    result = run("check", path)
    assert result.exit_code == 1 and "基本信息!B4（年度）" in result.output and "晚于今年" in result.output


def test_table_four_figures_that_would_not_fit_are_a_warning(tmp_path):
    result = run("check", sabotaged(tmp_path, set_cells(表四_A7=12000, 表四_E7="=SUM(A7:D7)")))
    assert result.exit_code == 0, result.output
    assert "警告  表四!A7（行政复议 × 结果维持）：数值 12000 异常地大" in result.output


def test_section_six_must_not_be_empty(tmp_path):
    def clear_six(workbook):
        from gaidocx.workbook.layout import TEXT_BLOCKS

        block = next(b for b in TEXT_BLOCKS if b.place == "六")
        for row in block.rows:
            workbook["基本信息"][f"B{row}"] = None

    result = run("check", sabotaged(tmp_path, clear_six))
    assert result.exit_code == 1 and "“六、其他需要报告的事项”不能为空" in result.output


def test_late_signature_is_only_a_warning(tmp_path):
    path = sabotaged(tmp_path, set_cells(基本信息_B5=datetime.datetime(2025, 3, 1)))
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert "警告  基本信息!B5（成文日期）" in result.output


def test_many_files_at_once_with_a_wildcard(tmp_path):
    write_workbook(tmp_path / "甲.xlsx")
    write_workbook(tmp_path / "乙.xlsx", edit=set_cells(表三_D9=None))
    (tmp_path / "丙.xlsx").write_bytes(b"not a workbook")
    result = run("check", tmp_path / "*.xlsx")
    assert result.exit_code == 2
    assert "共检查 3 个文件：1 个通过，1 个有错误，1 个无法读取。" in result.output


def test_excel_lock_files_are_skipped(tmp_path):
    write_workbook(tmp_path / "甲.xlsx")
    (tmp_path / "~$甲.xlsx").write_bytes(b"lock")
    for given in (tmp_path / "*.xlsx", tmp_path / "~$甲.xlsx"):  # expanded by gaidocx, or by the shell
        result = run("check", tmp_path / "甲.xlsx", given)
        assert result.exit_code == 0, result.output
        assert "已跳过 Excel 的临时锁定文件：~$甲.xlsx" in result.output and "【" + str(tmp_path / "~$") not in result.output


def test_previous_year_must_be_the_year_before(tmp_path):
    this = write_workbook(tmp_path / "2024.xlsx")
    result = run("check", this, "--previous", this)
    assert result.exit_code == 0
    assert "警告  基本信息!B4（年度）：用于核对的上年填报表“2024.xlsx”是 2024 年度的，不是 2023 年度的" in result.output


def test_an_unusable_previous_workbook_is_named_as_such(tmp_path):
    (tmp_path / "2023.xlsx").write_bytes(b"broken")
    result = run("check", write_workbook(tmp_path / "2024.xlsx"), "--previous", tmp_path / "2023.xlsx")
    assert result.exit_code == 2 and "上一年度的填报表（--previous）“" in result.output and "2023.xlsx”无法使用" in result.output


def test_carry_over_against_last_year(tmp_path):
    last = write_workbook(tmp_path / "2023.xlsx", edit=set_cells(表三_D7=3, 表三_D31=3, 基本信息_B4=2023))
    this = write_workbook(tmp_path / "2024.xlsx")
    result = run("check", this, "--previous", last)
    assert result.exit_code == 0
    assert "警告  表三!D8（二、上年结转政府信息公开申请数量 × 自然人）" in result.output


# ---------------------------------------------------------------- render


def test_render_the_sample_beside_the_input(tmp_path):
    source = tmp_path / "sample.xlsx"
    source.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    before = digest(source)
    result = run("render", source)
    assert result.exit_code == 0, result.output
    output = tmp_path / "策勒县人民政府办公室2024年政府信息公开工作年度报告.docx"
    assert output.is_file() and f"已生成：{output}" in result.output
    document = docx.Document(str(output))
    assert document.paragraphs[0].text.replace("\n", "") == "策勒县人民政府办公室2024年政府信息公开工作年度报告"
    assert len(document.tables) == 3
    assert digest(source) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_render_refuses_a_workbook_with_errors_and_writes_nothing(tmp_path):
    path = sabotaged(tmp_path, set_cells(表三_D9=None))
    before = digest(path)
    result = run("render", path, "-o", tmp_path / "out.docx")
    assert result.exit_code == 1
    assert "未生成文档" in result.output
    assert not (tmp_path / "out.docx").exists()
    assert digest(path) == before


def test_render_does_not_overwrite_without_force(tmp_path):
    output = tmp_path / "out.docx"
    output.write_bytes(b"old")
    result = run("render", SAMPLE_WORKBOOK, "-o", output)
    assert result.exit_code == 2 and output.read_bytes() == b"old"
    assert run("render", SAMPLE_WORKBOOK, "-o", output, "--force").exit_code == 0
    assert docx.Document(str(output)).tables


@pytest.mark.parametrize("name", ["报告.pdf", "报告.doc"])
def test_render_output_must_be_a_docx(tmp_path, name):
    result = run("render", SAMPLE_WORKBOOK, "-o", tmp_path / name)
    assert result.exit_code == 2 and "输出文件名应以 .docx 结尾" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_long_agency_name_gives_a_usable_file_name(tmp_path):
    source = write_workbook(tmp_path / "in.xlsx", edit=set_cells(基本信息_B3="某" * 300))
    result = run("render", source)
    assert result.exit_code == 0, result.output
    (output,) = tmp_path.glob("*.docx")
    assert output.name.startswith("某" * 32 + "…") and output.name.endswith("2024年政府信息公开工作年度报告.docx")
    assert len(output.name) == 39 + len("2024年政府信息公开工作年度报告.docx")


def test_render_refuses_to_write_over_its_input(tmp_path):
    source = tmp_path / "in.xlsx"
    source.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    result = run("render", source, "-o", source, "--force")
    assert result.exit_code == 2 and "不能与输入文件相同" in result.output
    assert source.read_bytes() == SAMPLE_WORKBOOK.read_bytes()


def test_render_never_writes_over_its_word_template(tmp_path):
    template = tmp_path / "我的模板.docx"
    assert run("word-template", "-o", template).exit_code == 0
    before = template.read_bytes()
    result = run("render", SAMPLE_WORKBOOK, "-o", template, "--template", template, "--force")
    assert result.exit_code == 2 and "不能与输入文件相同" in result.output
    assert template.read_bytes() == before


def test_one_odd_file_does_not_stop_a_batch(tmp_path, monkeypatch):
    from gaidocx.workbook import read

    real = read.read_workbook_bytes

    def flaky(data, name):
        if name == "乙.xlsx":
            raise RuntimeError("odd")
        return real(data, name)

    monkeypatch.setattr(read, "read_workbook_bytes", flaky)
    for name in ("甲", "乙", "丙"):
        write_workbook(tmp_path / f"{name}.xlsx")
    result = run("check", tmp_path / "*.xlsx")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "意外错误（RuntimeError：odd）" in result.output
    assert "共检查 3 个文件：2 个通过，0 个有错误，1 个无法读取。" in result.output


def test_unexpected_failure_prints_no_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("gaidocx.document.render.PreparedTemplate.render", broken)
    result = run("render", SAMPLE_WORKBOOK, "-o", tmp_path / "out.docx")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "--debug" in result.output and "boom" in result.output
    assert not (tmp_path / "out.docx").exists()


# ---------------------------------------------------------------- issue 17: what a new user tripped on


def test_help_reads_at_80_columns_without_english_broken_names_or_stray_spaces():
    for command in ("", "template", "word-template", "check", "render", "export", "summary", "audit"):
        result = CliRunner().invoke(cli, [*command.split(), "--help"], terminal_width=80)
        assert result.exit_code == 0, command
        text = result.output
        assert "[required]" not in text and "用法：" in text and "用法： " not in text, command
        assert not any(line.rstrip().endswith("word-") for line in text.splitlines()), command
        for stray in ("、 ", "。 ", "， ", "： "):
            assert stray not in text.replace("。  [必填]", "。[必填]"), (command, stray)
    assert "[必填]" in run("export", "--help").output


def test_template_never_makes_a_name_that_every_command_passes_over_as_a_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("template", "--agency", "~$卫健委", "--year", "2024")
    assert result.exit_code == 0, result.output
    (made,) = tmp_path.glob("*.xlsx")
    assert made.name == "卫健委2024年政府信息公开工作年度报告填报表.xlsx"
    assert run("check", tmp_path).exit_code == 1  # found and checked (its texts are still blank)


def test_control_characters_in_file_names_are_shown_escaped(tmp_path):
    hostile = tmp_path / "\x1b]0;标题\x07\x1b[2K坏\r.xlsx"
    hostile.write_bytes(b"not a workbook")
    write_workbook(tmp_path / "好.xlsx")
    for args in (("check", hostile), ("render", tmp_path, "-o", tmp_path / "out"), ("check", tmp_path)):
        result = run(*args)
        assert result.exit_code == 2
        assert "\x1b" not in result.output and "\r" not in result.output and "\x07" not in result.output, args
        assert "\\x1b[2K坏\\x0d.xlsx" in result.output, args


def test_a_symlink_loop_gets_a_chinese_message_from_every_command(tmp_path):
    loop = tmp_path / "环.xlsx"
    loop.symlink_to(loop)
    good = write_workbook(tmp_path / "好.xlsx")
    for args in (("check", loop), ("render", loop), ("render", good, loop, "-o", tmp_path / "out"), ("export", loop, "-o", tmp_path / "a.csv")):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "循环的符号链接" in result.output and "意外错误" not in result.output, (args, result.output)
    result = run("render", good, "-o", loop)
    assert result.exit_code == 2 and "意外错误" not in result.output, result.output


def test_the_quick_start_says_to_activate_the_environment_again_in_a_new_terminal():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## 快速开始")[1].split("\n## ")[0]
    assert "新的终端" in quick_start and "`. .venv/bin/activate`" in quick_start
    assert "`.venv\\Scripts\\activate`" in quick_start
