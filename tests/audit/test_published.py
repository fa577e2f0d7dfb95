"""What published reports really are (issue 16): their kind, their headings' wordings, the fee as
section 六 states it, the trial format said once, a whole-area report against its parts, and the
table every problem is in."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from audit_fixtures import Layout, make_docx, make_html, printed_figures, trial_figures
from click.testing import CliRunner
from support import varied_report, write_workbook

from gaidocx.audit import audit_file
from gaidocx.audit.findings import HYBRID_FORM
from gaidocx.audit.outline import OTHER_WORDINGS
from gaidocx.audit.read_docx import KIND_PROPERTY
from gaidocx.cli import cli
from gaidocx.core.form import AREA_REPORT, FORM_2021, OWN_REPORT, TRIAL_FORMAT_MARKERS
from gaidocx.document.render import render_docx

TODAY = datetime.date(2025, 6, 1)
SECTIONS = {s.number: s.title for s in FORM_2021.sections}
LATE = "2025年3月10日"  # after an agency's deadline (31 January), before a whole area's (31 March)


def written(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def deadline_warnings(audit) -> list[str]:
    return [p.message for p in audit.warnings if "成文日期晚于" in p.message]


def with_custom_property(docx: bytes, name: str, value: str) -> bytes:
    """A .docx with a custom document property, as Word's 文件 → 属性 → 自定义 writes it."""
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="{name}"><vt:lpwstr>{value}</vt:lpwstr></property>'
        "</Properties>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "docProps/custom.xml":  # ours records the kind already
                target.writestr(info, source.read(info))
        target.writestr("docProps/custom.xml", custom)
    return out.getvalue()


# ---------------------------------------------------------------- the kind and its deadline


def test_the_kind_recorded_in_our_docx_sets_the_deadline(tmp_path):
    report = dataclasses.replace(varied_report(), signed_on=datetime.date(2025, 3, 10))
    plain = render_docx(report)
    assert deadline_warnings(audit_file(written(tmp_path, "own.docx", plain), today=TODAY))
    area = audit_file(written(tmp_path, "area.docx", with_custom_property(plain, KIND_PROPERTY, AREA_REPORT)), today=TODAY)
    assert area.report.kind == AREA_REPORT and not deadline_warnings(area) and not area.kind_note
    ours = audit_file(written(tmp_path, "ours.docx", render_docx(dataclasses.replace(report, kind=AREA_REPORT))), today=TODAY)
    assert ours.report.kind == AREA_REPORT and not deadline_warnings(ours) and not ours.kind_note


def test_the_kind_recorded_in_a_page_sets_the_deadline(tmp_path):
    report = varied_report()
    page = make_html(report, printed_figures(report), Layout(date=LATE)).decode()
    assert deadline_warnings(audit_file(written(tmp_path, "own.html", page.encode()), today=TODAY))
    marked = page.replace("<head>", f'<head><meta name="report-kind" content="{AREA_REPORT}">', 1)
    area = audit_file(written(tmp_path, "area.html", marked.encode()), today=TODAY)
    assert area.report.kind == AREA_REPORT and not deadline_warnings(area)


def test_a_whole_area_report_is_inferred_from_its_title_and_said_so(tmp_path):
    for agency in ("某某县人民政府", "某某县"):
        report = dataclasses.replace(varied_report(), agency=agency)
        audit = audit_file(written(tmp_path, "a.docx", make_docx(report, printed_figures(report), Layout(date=LATE))), today=TODAY)
        assert audit.report.kind == AREA_REPORT, agency
        assert not deadline_warnings(audit)
        assert "按标题推断为“本行政区域”" in audit.kind_note and "--kind 本机关" in audit.kind_note
    for agency in ("某某县人民政府办公室", "某某县教育局", "某某县某某镇人民政府"):
        report = dataclasses.replace(varied_report(), agency=agency)
        audit = audit_file(written(tmp_path, "b.docx", make_docx(report, printed_figures(report), Layout(date=LATE))), today=TODAY)
        assert audit.report.kind == OWN_REPORT and deadline_warnings(audit) and not audit.kind_note, agency


def test_kind_given_on_the_command_line_overrides(tmp_path):
    area = dataclasses.replace(varied_report(), agency="某某县人民政府")
    own = varied_report()
    area_file = written(tmp_path, "area.docx", make_docx(area, printed_figures(area), Layout(date=LATE)))
    own_file = written(tmp_path, "own.docx", make_docx(own, printed_figures(own), Layout(date=LATE)))
    runner = CliRunner()
    inferred = runner.invoke(cli, ["audit", str(area_file)])
    assert "按标题推断为“本行政区域”" in inferred.output and "成文日期晚于" not in inferred.output
    told = runner.invoke(cli, ["audit", str(area_file), "--kind", OWN_REPORT])
    assert "推断" not in told.output and "成文日期晚于 " in told.output
    assert "成文日期晚于" not in runner.invoke(cli, ["audit", str(own_file), "--kind", AREA_REPORT]).output
    assert runner.invoke(cli, ["audit", str(own_file), "--kind", "部门"]).exit_code == 2


# ---------------------------------------------------------------- wordings, the trial format, the fee


def test_every_other_wording_of_a_heading_is_accepted_with_the_official_one_named(tmp_path):
    report = varied_report()
    numbers = "一二三四五六"
    for round_ in range(max(len(w) for w in OTHER_WORDINGS.values())):
        headings = {n: f"{n}、{w[round_ % len(w)]}" for n, w in OTHER_WORDINGS.items()}
        audit = audit_file(written(tmp_path, "w.docx", make_docx(report, printed_figures(report), Layout(headings=headings))), today=TODAY)
        assert audit.errors == [], [p.message for p in audit.errors]
        for number in numbers:
            assert f"标题写作“{headings[number]}”，官方格式为“{SECTIONS[number]}”。" in [p.message for p in audit.warnings]


def test_the_2019_wording_of_section_5_keeps_its_paragraphs(tmp_path):
    report = varied_report()
    layout = Layout(headings={"五": "五、政府信息公开工作存在的主要问题及改进情况"})
    audit = audit_file(written(tmp_path, "five.html", make_html(report, printed_figures(report), layout)), today=TODAY)
    assert audit.report.paragraphs("五") == report.paragraphs("五")
    assert [p.message for p in audit.problems] == [
        f"标题写作“五、政府信息公开工作存在的主要问题及改进情况”，官方格式为“{SECTIONS['五']}”。"
    ]


def test_a_trial_format_report_is_said_to_be_one_once(tmp_path):
    report = dataclasses.replace(varied_report(), year=2023)
    layout = Layout(form=HYBRID_FORM, label=lambda text: text.replace("本年制发件数", TRIAL_FORMAT_MARKERS[0]))
    audit = audit_file(written(tmp_path, "trial.docx", make_docx(report, trial_figures(report), layout)), today=TODAY)
    assert [p.message for p in audit.errors if "试行格式" in p.message or "其他处理" in p.message] == [
        next(p.message for p in audit.errors if "试行格式" in p.message)
    ]


def test_the_fee_stated_without_its_name_is_no_warning(tmp_path):
    report = varied_report()
    fee_said = "本年度未收取任何费用。"
    for text, warned in ((fee_said, False), ("本年度未发生收费。", False), ("无。", False), ("本年度无其他需要报告的事项。", True)):
        narratives = {**report.narratives, "六": (text,)}
        changed = dataclasses.replace(report, narratives=narratives)
        audit = audit_file(written(tmp_path, "fee.docx", make_docx(changed, printed_figures(changed))), today=TODAY)
        assert any("信息处理费" in p.message for p in audit.warnings) is warned, text


# ---------------------------------------------------------------- labels close to two official ones


def test_a_label_as_close_to_two_rows_is_never_read_silently(tmp_path):
    report = varied_report()
    layout = Layout(label=lambda text: "行政处制" if text == "行政处罚" else text)
    audit = audit_file(written(tmp_path, "close.docx", make_docx(report, printed_figures(report), layout)), today=TODAY)
    (message,) = [p.message for p in audit.warnings if "都相近" in p.message]
    assert "“行政处制”" in message and "“行政处罚”" in message and "“行政强制”" in message


# ---------------------------------------------------------------- JSON names the table


def test_json_names_the_table_or_section_of_every_problem(tmp_path):
    report = varied_report()
    key = FORM_2021.table("三").inputs[0].key
    figures = {**printed_figures(report), key: "/"}
    layout = Layout(headings={"五": "五、存在的主要问题及整改措施"}, date=LATE)
    path = written(tmp_path, "j.html", make_html(report, figures, layout))
    data = json.loads(CliRunner().invoke(cli, ["audit", str(path), "--json"]).output)
    tables = {p["message"][:12]: p["table"] for p in data["audit"]["problems"]}
    assert all(p["table"] for p in data["audit"]["problems"]), data["audit"]["problems"]
    assert "三" in tables.values() and "五" in tables.values() and "落款" in tables.values()


# ---------------------------------------------------------------- a whole-area report against its parts


def _doubled(report):
    return {key: value * 2 for key, value in report.inputs.items()}


def test_a_whole_area_report_is_held_against_the_sum_of_its_parts(tmp_path):
    base = varied_report()
    whole = dataclasses.replace(base, agency="某某县人民政府", inputs=_doubled(base))
    parts = tmp_path / "部门"
    parts.mkdir()
    first = dataclasses.replace(base, agency="ABC局")
    written(parts, "ABC局.html", make_html(first, printed_figures(first)))
    write_workbook(parts / "乙局.xlsx", dataclasses.replace(base, agency="乙局"))
    twin = dataclasses.replace(base, agency="ＡＢＣ\u200b局")
    written(parts, "ABC局-重复.docx", make_docx(twin, printed_figures(twin)))
    other_year = dataclasses.replace(base, agency="丙局", year=base.year - 1, signed_on=datetime.date(base.year, 1, 20))
    written(parts, "丙局-上年.docx", make_docx(other_year, printed_figures(other_year), Layout(date=f"{base.year}年1月20日")))
    whole_file = written(tmp_path, "全县.docx", make_docx(whole, printed_figures(whole), Layout(date=LATE)))

    result = CliRunner().invoke(cli, ["audit", str(whole_file), "--parts", str(parts)])
    assert result.exit_code == 0, result.output
    assert "已汇总 2 个部门的报告" in result.output
    assert "已汇总 2 个部门的报告" in result.output and "乙局.xlsx" in result.output
    (twin_line,) = [line for line in result.output.splitlines() if "同一机关" in line]
    assert twin_line.startswith("未汇总  ") and "ABC局" in twin_line
    assert f"丙局-上年.docx：年度是 {base.year - 1}" in result.output

    key = FORM_2021.table("三").inputs[0].key
    figures = printed_figures(whole)
    wrong = written(tmp_path, "全县-错.docx", make_docx(whole, {**figures, key: str(int(figures[key]) + 1)}, Layout(date=LATE)))
    result = CliRunner().invoke(cli, ["audit", str(wrong), "--parts", str(parts)])
    assert result.exit_code == 1
    f = FORM_2021.fields[key]
    line = next(line for line in result.output.splitlines() if "各部门报告之和为" in line)
    assert f"表三“{f.row_label}”×“{f.col_label}”" in line and f"各部门报告之和为 {figures[key]}（2 个部门）" in line
    # what was summed goes to stderr, the JSON alone to stdout
    command = [sys.executable, "-m", "gaidocx", "audit", str(wrong), "--parts", str(parts), "--json"]
    data = json.loads(subprocess.run(command, capture_output=True, timeout=120).stdout.decode("utf-8"))
    assert len(data["audit"]["parts"]["summed"]) == 2 and len(data["audit"]["parts"]["left_out"]) == 2
    assert any(p["table"] == "三" and "各部门报告之和为" in p["message"] for p in data["audit"]["problems"])


def test_parts_need_a_whole_and_at_least_one_part(tmp_path):
    report = varied_report()
    path = written(tmp_path, "a.docx", make_docx(report, printed_figures(report)))
    result = CliRunner().invoke(cli, ["audit", str(path), "--parts"])
    assert result.exit_code == 2 and "--parts 需要本行政区域的报告" in result.output
