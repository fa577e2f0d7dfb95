"""Many workbooks at once, through the library, click's CliRunner and real processes (pool, signals, consoles)."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from support import sample_report, write_workbook

from gaidocx import files, pipeline
from gaidocx.cli import cli

COMMAND = [sys.executable, "-m", "gaidocx"]


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def workbook(folder: Path, name: str, agency: str, **cells) -> Path:
    """A filled workbook of ``agency``; ``cells`` like ``表三_D7=None`` sabotage it."""

    def edit(wb):
        for where, value in cells.items():
            sheet, cell = where.split("_")
            wb[sheet][cell] = value

    report = dataclasses.replace(sample_report(), agency=agency)
    return write_workbook(folder / f"{name}.xlsx", report, edit=edit if cells else None)


def row(lines: list[str], status: str, name: str) -> str:
    """What the batch table says about a file, its wrapped lines joined."""
    starts = [index for index, line in enumerate(lines) if re.match(rf"{status}\s+{re.escape(name)}\s", line)]
    assert starts, lines
    said = [re.sub(rf"^{status}\s+{re.escape(name)}\s+", "", lines[starts[0]])]
    for line in lines[starts[0] + 1 :]:
        if not line.startswith(" "):
            break
        said.append(line.strip())
    return "".join(said)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    """What a county office receives: two good workbooks, one with an error, one unreadable, one lock file."""
    folder = tmp_path_factory.mktemp("收到的填报表")
    workbook(folder, "甲", "甲县教育局")
    workbook(folder, "乙", "甲县卫生健康委员会")
    workbook(folder, "丙", "甲县财政局", 表三_D7=None)
    (folder / "丁.xlsx").write_bytes(b"not a workbook")
    (folder / "~$甲.xlsx").write_bytes(b"lock")
    return folder


def test_render_a_folder_writes_each_good_report_and_reports_every_file(inbox, tmp_path):
    out = tmp_path / "报告"
    result = run("render", inbox, "-o", out, "--jobs", 1)
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "甲县卫生健康委员会2024年政府信息公开工作年度报告.docx",
        "甲县教育局2024年政府信息公开工作年度报告.docx",
    ]
    lines = result.output.splitlines()
    assert "已跳过 Excel 的临时锁定文件：~$甲.xlsx" in lines
    assert row(lines, "已生成", "甲.xlsx").startswith("甲县教育局2024年") and str(out) not in result.output.split("生成的文件在")[0]
    assert row(lines, "有错误", "丙.xlsx").startswith("表三!D7") and "不能为空" in row(lines, "有错误", "丙.xlsx")
    assert row(lines, "无法读取", "丁.xlsx")
    assert f"生成的文件在：{out}" in lines
    assert lines[-1] == "共 4 个文件：2 个已生成，1 个有错误，1 个无法读取。"
    assert len(docx.Document(str(out / "甲县教育局2024年政府信息公开工作年度报告.docx")).tables) == 3


def test_errors_without_unreadable_files_exit_1_and_outputs_are_never_replaced(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    workbook(folder, "甲", "甲县教育局")
    workbook(folder, "丙", "甲县财政局", 表三_D7=-1)
    out = tmp_path / "out"
    assert run("render", folder, "-o", out).exit_code == 1
    report = out / "甲县教育局2024年政府信息公开工作年度报告.docx"
    report.write_bytes(b"edited by hand")
    again = run("render", folder, "-o", out)
    assert again.exit_code == 2 and "文件已存在" in again.output and report.read_bytes() == b"edited by hand"
    assert run("render", folder, "-o", out, "--force").exit_code == 1
    assert report.read_bytes().startswith(b"PK")


def test_two_workbooks_of_the_same_agency_and_year_never_share_an_output(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    workbook(folder, "甲", "甲县教育局")
    workbook(folder, "甲（副本）", "甲县教育局")
    result = run("render", folder / "*.xlsx", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert row(result.output.splitlines(), "未生成", "甲（副本）.xlsx").startswith("输出文件“甲县教育局2024年")
    assert "已是“甲.xlsx”的报告" in row(result.output.splitlines(), "未生成", "甲（副本）.xlsx")
    assert len(list((tmp_path / "out").iterdir())) == 1


def test_a_workbook_refused_for_an_existing_output_claims_no_name(tmp_path):
    """甲's report exists already, so 甲 is refused; its copy must be told the same, not that
    甲's report was written."""
    folder = tmp_path / "in"
    folder.mkdir()
    workbook(folder, "甲", "甲县教育局")
    workbook(folder, "甲（副本）", "甲县教育局")
    out = tmp_path / "out"
    out.mkdir()
    (out / "甲县教育局2024年政府信息公开工作年度报告.docx").write_bytes(b"kept")
    lines = run("render", folder / "*.xlsx", "-o", out).output.splitlines()
    for name in ("甲.xlsx", "甲（副本）.xlsx"):
        assert "文件已存在" in row(lines, "未生成", name)


def test_a_name_too_long_for_the_file_system_is_a_missing_file_not_a_crash(tmp_path):
    result = run("check", tmp_path / ("a" * 300 + ".xlsx"))
    assert result.exit_code == 2 and "意外错误" not in result.output and "无法读取文件" in result.output


def test_without_hard_links_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """FAT drives have no hard links: the final name is then written directly, and a write that
    fails (a full disk) must not leave part of a file under it."""
    def no_links(*args):
        raise OSError("no hard links here")

    def disk_full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "link", no_links)
    monkeypatch.setattr(Path, "read_bytes", disk_full)
    target = tmp_path / "报告.docx"
    with pytest.raises(files.UserError):
        files.write_atomically(target, b"data", force=False)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_library_render_many_in_a_script(inbox, tmp_path):
    outcomes = pipeline.render_many(files.expand_inputs([inbox]).paths, folder=tmp_path, jobs=1)
    assert [(o.source.name, o.status) for o in outcomes] == [
        ("丁.xlsx", pipeline.Status.UNREADABLE),
        ("丙.xlsx", pipeline.Status.ERRORS),
        ("乙.xlsx", pipeline.Status.RENDERED),
        ("甲.xlsx", pipeline.Status.RENDERED),
    ]
    assert pipeline.exit_code(outcomes) == 2
    assert all(path.is_file() for o in outcomes for path in o.outputs)


def test_a_real_process_pool_renders_the_folder_quietly_when_redirected(inbox, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([*COMMAND, "render", str(inbox), "-o", str(out), "--jobs", "2"], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert len(list(out.glob("*.docx"))) == 2
    assert "正在生成" not in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.splitlines()[-1] == "共 4 个文件：2 个已生成，1 个有错误，1 个无法读取。"
    assert not list(out.glob(".gaidocx-*"))


def test_one_input_o_may_name_a_folder_or_a_name_without_suffix(tmp_path):
    source = workbook(tmp_path, "甲", "甲县教育局")
    folder = tmp_path / "报告"
    folder.mkdir()
    assert run("render", source, "-o", folder).exit_code == 0
    assert (folder / "甲县教育局2024年政府信息公开工作年度报告.docx").is_file()
    result = run("render", source, "-o", tmp_path / "年报")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "年报.docx").is_file()


def test_only_lock_files_means_nothing_to_check(tmp_path):
    lock = tmp_path / "~$甲.xlsx"
    lock.write_bytes(b"lock")
    result = run("check", lock)
    assert result.exit_code == 2 and "只有 Excel 的临时锁定文件" in result.output


def test_an_output_name_too_long_for_the_file_system_is_refused_in_chinese(tmp_path):
    source = workbook(tmp_path, "甲", "甲县教育局")
    result = run("render", source, "-o", tmp_path / ("报" * 100 + ".docx"))
    assert result.exit_code == 2 and "输出文件名太长" in result.output and "Traceback" not in result.output


def test_an_existing_output_is_never_replaced_without_force_even_when_it_appears_late(tmp_path):
    target = tmp_path / "报告.docx"
    target.write_bytes(b"written by another process")
    with pytest.raises(pipeline.UserError, match="文件已存在"):
        files.write_atomically(target, b"ours", force=False)
    assert target.read_bytes() == b"written by another process"
    assert [p.name for p in tmp_path.iterdir()] == ["报告.docx"]  # no temporary file left
    files.write_atomically(target, b"ours", force=True)
    assert target.read_bytes() == b"ours"


def test_warnings_only_still_says_the_check_passed(tmp_path):
    late = dataclasses.replace(sample_report(), signed_on=sample_report().signed_on.replace(month=3))
    result = run("check", write_workbook(tmp_path / "迟.xlsx", late))
    assert result.exit_code == 0 and "检查通过（有 1 个警告" in result.output


def test_check_imports_no_word_library():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from gaidocx.cli import cli\n"
        f"CliRunner().invoke(cli, ['check', {str(Path(__file__).parents[2] / 'samples' / 'cele-county-2024.xlsx')!r}])\n"
        "print(sorted(m for m in ('docx', 'docxtpl', 'jinja2') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_cp936_console_never_fails_on_a_character_outside_gbk(tmp_path):
    source = workbook(tmp_path, "检查😀", "甲县教育局")
    env = {**os.environ, "PYTHONIOENCODING": "gbk"}
    result = subprocess.run([*COMMAND, "check", str(source)], capture_output=True, env=env)
    assert result.returncode == 0, result.stderr.decode("gbk", "replace")
    stdout = result.stdout.decode("gbk")
    assert "检查?.xlsx" in stdout and "检查通过" in stdout
    assert b"UnicodeEncodeError" not in result.stderr


def test_a_closed_pipe_ends_quietly(inbox):
    many = " ".join(f"'{inbox / name}'" for name in ("甲.xlsx", "乙.xlsx", "丙.xlsx") * 3)
    result = subprocess.run(f"{sys.executable} -m gaidocx check {many} | head -c 10", shell=True, capture_output=True)
    assert result.stderr == b""


@pytest.mark.parametrize("delay", [0.05, 1.0], ids=["during start-up", "while rendering"])
def test_sigterm_ends_with_one_chinese_line_exit_130_and_no_temporary_file(inbox, tmp_path, delay):
    out = tmp_path / "out"
    # some 20 s of work: still running when the signal comes (hard links: a file named twice is read once)
    many = [str(os.link(inbox / "甲.xlsx", tmp_path / f"{index}.xlsx") or tmp_path / f"{index}.xlsx") for index in range(3000)]
    process = subprocess.Popen(
        [*COMMAND, "render", *many, "-o", str(out), "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(delay)
    assert process.poll() is None, "the batch ended before the signal: give it more work"
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    text = stderr.decode()
    if process.returncode == -signal.SIGTERM:  # before Python ran any of gaidocx: ended silently
        assert text == "" and not out.exists()
        return
    # Python itself may report an interruption by ending through SIGINT, which a shell shows as 130 too.
    assert process.returncode in (130, -signal.SIGINT), (process.returncode, text)
    assert text.strip().splitlines() == ["已中断：写到一半的文件已删除，输入文件没有被修改。"], text
    assert not out.exists() or not list(out.glob(".gaidocx-*"))


def test_render_many_writes_data_and_page_beside_each_report(inbox, tmp_path):
    import json

    import jsonschema

    from gaidocx.core.records import report_schema

    out = tmp_path / "out"
    result = run("render", inbox / "甲.xlsx", inbox / "乙.xlsx", "-o", out, "--json", "--html")
    assert result.exit_code == 0, result.output
    stems = {p.stem for p in out.iterdir()}
    assert len(stems) == 2 and {p.suffix for p in out.iterdir()} == {".docx", ".json", ".html"}
    for data_file in out.glob("*.json"):
        data = json.loads(data_file.read_text(encoding="utf-8"))
        jsonschema.validate(data, report_schema())
        assert data_file.stem.startswith(data["agency"])


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is not installed")
def test_render_many_with_pdf_converts_every_report_with_one_libreoffice(inbox, tmp_path, monkeypatch):
    from gaidocx.document import pdf

    starts = []
    real = pdf.convert_many

    def counted(documents, *args, **kwargs):
        starts.append(list(documents))
        return real(documents, *args, **kwargs)

    monkeypatch.setattr(pdf, "convert_many", counted)
    result = run("render", inbox, "-o", tmp_path / "out", "--pdf")
    assert result.exit_code == 2, result.output
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == 2 and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert len(starts) == 1 and len(starts[0]) == 2


def test_a_failed_conversion_fails_that_report_only_and_leaves_none_of_its_files(inbox, tmp_path, monkeypatch):
    from gaidocx.document import pdf

    def half_broken(documents, *args, **kwargs):
        documents = list(documents)
        first, second = documents
        Path(second[1]).write_bytes(b"%PDF-1.4 fake\n%%EOF")
        return {Path(first[0]): pdf.PdfError("LibreOffice 无法转换"), Path(second[0]): None}

    monkeypatch.setattr(pdf, "convert_many", half_broken)
    monkeypatch.setattr(pdf, "find_soffice", lambda: "/usr/bin/soffice")
    result = run("render", inbox / "甲.xlsx", inbox / "乙.xlsx", "-o", tmp_path / "out", "--pdf", "--json")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert row(lines, "未生成", "甲.xlsx").startswith("转换 PDF 失败"), result.output
    left = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert left == [f"甲县卫生健康委员会2024年政府信息公开工作年度报告{s}" for s in (".docx", ".json", ".pdf")]


def test_template_agency_like_a_formula_stays_text_and_format_characters_never_reach_a_name(tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.chdir(tmp_path)
    result = run("template", "--agency", '=HYPERLINK("x")局', "--year", "2024", "-o", "公式.xlsx")
    assert result.exit_code == 0, result.output
    cell = openpyxl.load_workbook(tmp_path / "公式.xlsx")["基本信息"]["B3"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")局'
    result = run("template", "--agency", "某某局\u202e文档.exe", "--year", "2024")
    assert result.exit_code == 0 and "警告：机关名称中有不可见的格式字符（U+202E）" in result.output
    (made,) = tmp_path.glob("某某局*.xlsx")
    assert made.name == "某某局文档.exe2024年政府信息公开工作年度报告填报表.xlsx"


def test_a_bad_word_template_is_refused_once_before_any_workbook_is_read(inbox, tmp_path):
    template = tmp_path / "模板.docx"
    template.write_bytes(b"not a word document")
    result = run("render", inbox, "-o", tmp_path / "out", "--template", template)
    assert result.exit_code == 2 and result.output.count("错误：") == 1, result.output
    assert "模板" in result.output and not (tmp_path / "out").exists()


def test_a_terminal_gets_a_progress_bar(inbox, tmp_path):
    import pty

    controller, terminal = pty.openpty()
    result = subprocess.run(
        [*COMMAND, "render", str(inbox / "甲.xlsx"), str(inbox / "乙.xlsx"), "-o", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "80"},
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert result.returncode == 0
    assert "正在生成" in shown.decode("utf-8", "replace") and "2/2" in shown.decode("utf-8", "replace")
    assert "正在生成" not in result.stdout.decode()


# ---------------------------------------------------------------- issue 17: the batch and the outputs


def test_the_batch_table_reads_at_80_columns_and_says_what_to_know(inbox, tmp_path):
    import datetime

    from gaidocx.click_zh import display_width

    late = workbook(tmp_path, "晚", "甲县民政局", 基本信息_B5=datetime.datetime(2025, 3, 1))  # one warning
    out = tmp_path / "out"
    result = run("render", inbox, late, "-o", out, "--html", "--json", "--jobs", 1)
    lines = result.output.splitlines()
    assert all(display_width(line) <= 80 for line in lines), [line for line in lines if display_width(line) > 80]
    rendered = row(lines, "已生成", "甲.xlsx")
    assert rendered == "甲县教育局2024年政府信息公开工作年度报告.docx（另有 .html、.json）"
    assert row(lines, "有错误", "丙.xlsx").startswith("表三!D7（")  # not 错误 twice
    warned = row(lines, "已生成", "晚.xlsx")
    assert "警告：基本信息!B5（成文日期）" in warned and "个警告" not in warned.split("警告：")[0]
    assert str(out) not in "\n".join(lines[:-2]) and f"生成的文件在：{out}" in lines


def problem_list(path: Path) -> list[list[str]]:
    import csv

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(data.decode("utf-8-sig").splitlines()))


def test_report_writes_every_files_errors_and_warnings_as_csv(inbox, tmp_path):
    import datetime

    late = workbook(tmp_path, "晚", "甲县民政局", 基本信息_B5=datetime.datetime(2025, 3, 1))
    for command, extra in (("check", ()), ("render", ("-o", tmp_path / "out"))):
        listed = tmp_path / f"{command}.csv"
        result = run(command, inbox, late, *extra, "--report", listed)
        assert result.exit_code == 2 and f"已写出问题清单：{listed}" in result.output
        rows = problem_list(listed)
        assert rows[0] == ["文件", "结果", "类别", "位置", "说明"]
        by_file = {}
        for file, *rest in rows[1:]:
            by_file.setdefault(Path(file).name, []).append(rest)
        assert sorted(by_file) == ["丁.xlsx", "丙.xlsx", "乙.xlsx", "晚.xlsx", "甲.xlsx"]
        assert any(kind == "错误" and place.startswith("表三!D7") and "不能为空" in text for _, kind, place, text in by_file["丙.xlsx"])
        assert [kind for _, kind, place, _ in by_file["晚.xlsx"]] == ["警告"] and by_file["晚.xlsx"][0][2].startswith("基本信息!B5")
        assert by_file["丁.xlsx"][0][0] == "无法读取" and "不是 Excel 工作簿" in by_file["丁.xlsx"][0][3]
        assert by_file["甲.xlsx"] == [["检查通过" if command == "check" else "已生成", "", "", ""]]
    one = run("render", inbox / "丁.xlsx", "--report", tmp_path / "one.csv")
    assert one.exit_code == 2 and problem_list(tmp_path / "one.csv")[1][:2] == [str(inbox / "丁.xlsx"), "无法读取"]
    again = run("check", inbox, "--report", tmp_path / "check.csv")
    assert again.exit_code == 2 and "文件已存在" in again.output and "【" not in again.output  # refused before any work
    assert run("check", inbox, "--report", inbox / "甲.xlsx", "--force").exit_code == 2  # never over an input


def test_jobs_are_capped_at_the_cpus_and_the_command_says_so(inbox, tmp_path, monkeypatch):
    import multiprocessing

    started = []
    real = multiprocessing.Pool

    def counted(processes, *args, **kwargs):
        started.append(processes)
        return real(processes, *args, **kwargs)

    monkeypatch.setattr(multiprocessing, "Pool", counted)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    result = run("render", inbox, "-o", tmp_path / "out", "--jobs", 1000)
    assert started == [2] and "--jobs 1000 多于 CPU 核数，只用 2 个进程" in result.output, result.output


def test_the_same_input_twice_is_processed_once(inbox, tmp_path):
    for given in ((inbox / "甲.xlsx", inbox / "甲.xlsx"), (inbox, inbox / "甲.xlsx"), (inbox / "甲.xlsx", inbox / ".." / inbox.name / "甲.xlsx")):
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        result = run("render", *given, "-o", out)
        assert "给出了不止一次，只处理一次" in result.output, result.output
        assert "会重名" not in result.output and "已是" not in result.output
        assert row(result.output.splitlines(), "已生成", "甲.xlsx")
        assert (out / "甲县教育局2024年政府信息公开工作年度报告.docx").exists()
    outcomes = pipeline.render_many([inbox / "甲.xlsx", inbox / "甲.xlsx"], folder=tmp_path / "lib", jobs=1)
    assert [o.status for o in outcomes] == [pipeline.Status.RENDERED]


def test_two_agencies_that_differ_beyond_the_longest_name_get_two_reports(tmp_path):
    common = "某某省某某市某某县人民政府办公室下属的某某某某某某某某某某某某某某某某某某某某某某某某"
    assert len(common) > 40
    workbook(tmp_path, "一", common + "第一科")
    workbook(tmp_path, "二", common + "第二科")
    result = run("render", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.docx"))) == 2


def test_an_interrupted_pdf_batch_leaves_no_report_without_its_pdf(inbox, tmp_path, monkeypatch):
    from gaidocx.document import pdf

    def interrupted(documents, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pdf, "convert_many", interrupted)
    monkeypatch.setattr(pdf, "find_soffice", lambda: "/usr/bin/soffice")
    out = tmp_path / "out"
    for given in ((inbox, "-o", out, "--html"), (inbox / "甲.xlsx", "-o", out / "one.docx")):
        result = run("render", *given, "--pdf")
        assert result.exit_code == 130, result.output
        assert list(out.iterdir()) == []
    monkeypatch.undo()

    def converted(documents, *args, **kwargs):
        for _, target in documents:
            Path(target).write_bytes(b"%PDF-1.4 fake\n%%EOF")
        return {}

    monkeypatch.setattr(pdf, "convert_many", converted)
    monkeypatch.setattr(pdf, "find_soffice", lambda: "/usr/bin/soffice")
    rerun = run("render", inbox, "-o", out, "--pdf")
    assert "已存在" not in rerun.output and len(list(out.glob("*.pdf"))) == 2
