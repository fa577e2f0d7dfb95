"""The agency's and the office's pages through Django's test client, every file read back."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from desk_support import AGENCY, AREA, OTHER, YEAR, broken_bytes, client_for, sample_bytes, text, upload

from gaidocx import pipeline


def test_a_link_sets_a_session_and_redirects_without_the_secret(desk):
    from django.test import Client

    client = Client()
    secret_path = desk.agencies[AGENCY]
    response = client.get(secret_path)
    assert response.status_code == 303
    assert response["Location"] == "/agency/"
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get("/agency/")
    assert page["Referrer-Policy"] == "same-origin"
    assert secret_path.split("/")[-1] not in text(page)
    assert AGENCY in text(page) and f"{YEAR} 年度" in text(page)
    assert "2025年1月31日" in text(page)


def test_the_clerks_loop(desk, tmp_path):
    client = client_for(desk.agencies[AGENCY])
    workbook = client.get("/agency/workbook")
    assert workbook.status_code == 200
    assert "attachment" in workbook["Content-Disposition"]
    fresh = pipeline.check_bytes(workbook.content, "下载的.xlsx").report
    assert (fresh.agency, fresh.year) == (AGENCY, YEAR)

    page = text(upload(client, "我的填报表.xlsx", broken_bytes(tmp_path)))
    assert "“我的填报表.xlsx”" in page
    assert "共 1 个错误，0 个警告。" in page
    assert "错误  表三!D9" in page and "负数" in page
    assert "/agency/uploads/" not in page.split("检查结果")[1].split("上传记录")[0]  # no files for a failed upload

    page = text(upload(client, "改好的.xlsx", sample_bytes()))
    assert "检查通过：没有发现问题。" in page
    assert "没有安装 LibreOffice" in page
    upload_id = _latest_upload_id(AGENCY)
    docx = client.get(f"/agency/uploads/{upload_id}/docx")
    assert docx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    assert AGENCY in document and "政府信息公开工作年度报告" in document
    data = json.loads(client.get(f"/agency/uploads/{upload_id}/json").content)
    assert data["agency"] == AGENCY and data["year"] == YEAR
    assert AGENCY in client.get(f"/agency/uploads/{upload_id}/html").content.decode("utf-8")
    assert client.get(f"/agency/uploads/{upload_id}/xlsx").content == sample_bytes()

    history = text(client.get("/agency/")).split("上传记录")[1]
    assert history.index("改好的.xlsx") < history.index("我的填报表.xlsx")
    assert "共 1 个错误" in history and "检查通过" in history


def test_an_unreadable_upload_gets_a_chinese_message(desk):
    client = client_for(desk.agencies[AGENCY])
    response = upload(client, "坏文件.xlsx", b"this is not a workbook")
    assert response.status_code == 200
    page = text(response)
    assert "无法读取" in page and "坏文件.xlsx" in page
    assert "Traceback" not in page


def test_only_xlsx_is_accepted(desk):
    client = client_for(desk.agencies[AGENCY])
    response = upload(client, "报告.xls", sample_bytes())
    assert response.status_code == 400
    assert "只能上传 .xlsx 填报表" in text(response)
    assert _latest_upload_id(AGENCY) is None


def test_the_year_collected_is_checked(desk):
    from gaidocx.desk.models import Area

    Area.objects.update(year=YEAR + 1)
    client = client_for(desk.agencies[AGENCY])
    page = text(upload(client, "去年的.xlsx", sample_bytes()))
    assert f"填报表的年度是 {YEAR}，本次收集的是 {YEAR + 1} 年度的报告。" in page
    assert "共 1 个错误" in page


def test_the_pdf_is_made_in_a_job_when_libreoffice_is_there(desk, monkeypatch):
    import pytest

    from gaidocx.document import pdf

    monkeypatch.undo()
    if pdf.find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    client = client_for(desk.agencies[AGENCY])
    upload(client, "填报表.xlsx", sample_bytes())
    response = client.get(f"/agency/uploads/{_latest_upload_id(AGENCY)}/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_offices_loop(desk, tmp_path):
    office = client_for(desk.office)
    page = text(office.get("/office/"))
    assert page.count("未提交") == 2

    clerk = client_for(desk.agencies[AGENCY])
    upload(clerk, "填报表.xlsx", sample_bytes())
    other = client_for(desk.agencies[OTHER])
    upload(other, "财政局.xlsx", broken_bytes(tmp_path))
    rows = _rows(text(office.get("/office/")))
    assert "检查通过" in rows[AGENCY] and "有错误" in rows[OTHER]
    assert "逾期" in rows[AGENCY]  # the 2024 reports were due on 31 January 2025

    passed = _latest_upload_id(AGENCY)
    response = office.post(f"/office/uploads/{passed}/decide", {"decision": "return", "note": "请补充第五部分。"})
    assert response.status_code == 303
    assert "已退回" in _rows(text(office.get("/office/")))[AGENCY]
    clerk_page = text(clerk.get("/agency/"))
    assert "已退回" in clerk_page and "请补充第五部分。" in clerk_page

    upload(clerk, "补充后.xlsx", sample_bytes())
    refused = office.post(f"/office/uploads/{passed}/decide", {"decision": "accept"})  # the older upload
    assert refused.status_code == 400 and "只能处理该机关本年度最新的一次上传" in text(refused)
    office.post(f"/office/uploads/{_latest_upload_id(AGENCY)}/decide", {"decision": "accept"})
    assert "检查通过（已接受）" in _rows(text(office.get("/office/")))[AGENCY]

    assert office.post("/office/exports/summary").status_code == 303
    assert office.post("/office/exports/zip").status_code == 303
    from gaidocx.desk.models import Export

    summary = Export.objects.get(kind="summary")
    assert summary.state == "made", summary.message
    made = office.get(f"/office/exports/{summary.id}/file")
    assert made.status_code == 200
    area_report = pipeline.check_bytes(made.content, "汇总.xlsx").report
    assert (area_report.agency, area_report.year, area_report.kind) == (AREA, YEAR, "本行政区域")

    bundle = Export.objects.get(kind="zip")
    with zipfile.ZipFile(io.BytesIO(office.get(f"/office/exports/{bundle.id}/file").content)) as archive:
        names = archive.namelist()
        assert f"{AGENCY}/补充后.xlsx" in names
        assert {f"{AGENCY}/{AGENCY}2024年政府信息公开工作年度报告{s}" for s in (".docx", ".html", ".json")} <= set(names)
        assert not any(name.startswith(OTHER) for name in names)  # it has errors
        assert "全部数据.csv" in names and f"{AREA}2024年度汇总表.xlsx" in names
        assert AGENCY in archive.read("全部数据.csv").decode("utf-8-sig")

    log = text(office.get("/office/log"))
    assert "退回报告：请补充第五部分。" in log and "接受报告" in log
    assert hashlib.sha256(sample_bytes()).hexdigest() in log


def test_agencies_are_added_linked_and_revoked_from_the_page(desk):
    office = client_for(desk.office)
    page = text(office.post("/office/agencies", {"names": "策勒县教育局\n策勒县卫生健康委员会\n"}))
    links = dict(_links(page))
    assert set(links) == {"策勒县教育局", "策勒县卫生健康委员会"}
    clerk = client_for(links["策勒县教育局"])
    assert "策勒县教育局" in text(clerk.get("/agency/"))

    from gaidocx.desk.models import Agency

    agency = Agency.objects.get(name="策勒县教育局")
    page = text(office.post(f"/office/agencies/{agency.id}/link"))
    renewed = dict(_links(page))["策勒县教育局"]
    assert renewed != links["策勒县教育局"]
    assert clerk.get("/agency/").status_code == 404  # the old link's session ended with it
    from django.test import Client

    assert Client().get(links["策勒县教育局"]).status_code == 404
    fresh = client_for(renewed)
    office.post(f"/office/agencies/{agency.id}/revoke")
    assert fresh.get("/agency/").status_code == 404
    assert Client().get(renewed).status_code == 404


def _links(page: str) -> list[tuple[str, str]]:
    import re

    return [(name, "/" + link.split("/", 3)[3]) for name, link in re.findall(r"<tr><td>([^<]+)</td><td><code>(http://[^<]+)</code>", page)]


def _rows(page: str) -> dict[str, str]:
    rows = {}
    for row in page.split('<tr class="status-row">')[1:]:
        name = row.split("/\">", 1)[1].split("</a>", 1)[0]
        rows[name] = row.split("</tr>", 1)[0]
    return rows


def _latest_upload_id(agency: str) -> int | None:
    from gaidocx.desk.models import Upload

    latest = Upload.objects.filter(agency__name=agency).first()
    return latest.id if latest else None


def test_while_files_are_made_the_page_reloads_itself_with_get(desk):
    from gaidocx.desk.models import Making, Upload

    client = client_for(desk.agencies[AGENCY])
    upload(client, "填报表.xlsx", sample_bytes())
    Upload.objects.update(pdf=Making.MAKING)
    page = client.get("/agency/")
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="5; url=/agency/">' in text(page)
    assert "PDF 正在生成" in text(page)


def test_next_year_the_workbook_starts_from_last_years_passed_upload(desk, tmp_path):
    from gaidocx.desk import service

    import dataclasses

    from support import sample_report, write_workbook

    report = sample_report()
    carried = {**report.inputs, **{f"t3.r1.c{c}": c for c in range(1, 7)}, **{f"t3.r25.c{c}": c for c in range(1, 7)}}
    last_year = write_workbook(tmp_path / "2024.xlsx", dataclasses.replace(report, inputs=carried)).read_bytes()
    clerk = client_for(desk.agencies[AGENCY])
    assert "检查通过" in text(upload(clerk, "2024年.xlsx", last_year))
    upload(clerk, "后来改错的.xlsx", broken_bytes(tmp_path))  # the last one that passed counts
    service.next_year(YEAR + 1)
    page = text(clerk.get("/agency/"))
    assert "当前状态：<strong>未提交</strong>" in page and f"{YEAR + 1} 年度" in page
    assert "2024年.xlsx" in page.split("上传记录")[1]  # last year's uploads are still listed
    fresh = pipeline.check_bytes(client_for(desk.agencies[AGENCY]).get("/agency/workbook").content, "新.xlsx").report
    expected = pipeline.check_bytes(pipeline.template_bytes(previous=("2024年.xlsx", last_year)).data, "x.xlsx").report
    plain = pipeline.check_bytes(pipeline.template_bytes(agency=AGENCY, year=YEAR + 1).data, "y.xlsx").report
    assert (fresh.agency, fresh.year) == (AGENCY, YEAR + 1)
    assert fresh.inputs == expected.inputs != plain.inputs
    assert _rows(text(client_for(desk.office).get("/office/")))[AGENCY].count("未提交") == 1


def test_a_list_far_longer_than_a_province_is_refused(desk):
    from gaidocx.desk.models import Agency
    from gaidocx.desk.service import MOST_AGENCIES_AT_ONCE

    office = client_for(desk.office)
    response = office.post("/office/agencies", {"names": "\n".join(f"单位{n}" for n in range(MOST_AGENCIES_AT_ONCE + 1))})
    assert response.status_code == 400 and "一次最多登记" in text(response)
    assert Agency.objects.count() == 2
