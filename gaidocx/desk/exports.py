"""The office's roll-ups, made by jobs: the whole-area summary workbook and one zip of everything.

Both take each agency's latest upload when it passed and was not returned.
"""

from __future__ import annotations

import io
import zipfile

from gaidocx import pipeline
from gaidocx.files import safe_file_name
from gaidocx.desk import store
from gaidocx.desk.models import Export, Making, Upload
from gaidocx.desk.service import area, dashboard, reason_for, record

SUMMARY_SUFFIX = "汇总表.xlsx"
CSV_NAME = "全部数据.csv"


def request(kind: str) -> Export:
    """A summary or a zip asked for (``tasks.request_export`` starts its job)."""
    export = Export.objects.create(kind=kind)
    record(None, f"请求生成{export.get_kind_display()}")
    return export


def chosen() -> list[Upload]:
    """Each agency's latest upload that passed and was not sent back, by agency name."""
    return [row.latest for row in dashboard() if row.latest is not None and row.latest.passed and row.status != "已退回"]


def make(export_id: int) -> None:
    export = Export.objects.get(id=export_id)
    try:
        name, data, message = (_summary if export.kind == Export.Kind.SUMMARY else _zip)()
    except Exception as exc:  # noqa: BLE001 - the office reads why, the desk keeps running
        name, data, message = "", None, f"生成失败：{reason_for(exc, '意外错误，请稍后重试；仍然失败时请联系维护人员。')}"
    if data is None:
        Export.objects.filter(id=export_id).update(state=Making.FAILED, message=message)
        return
    digest = store.put(data)
    Export.objects.filter(id=export_id).update(state=Making.MADE, file_name=name, sha256=digest, message=message)
    record(None, f"生成{export.get_kind_display()}", name, digest)


def _items(uploads: list[Upload]) -> list[tuple[str, bytes]]:
    return [(upload.file_name, store.get(upload.sha256)) for upload in uploads]


def _summary_bytes(items: list[tuple[str, bytes]]) -> tuple[str, bytes | None, str]:
    the_area = area()
    name = safe_file_name(f"{the_area.name}{the_area.year}年度{SUMMARY_SUFFIX}")
    if not items:
        return name, None, "还没有检查通过的报告，无法汇总。"
    summarised = pipeline.summarise_bytes(items, agency=the_area.name, year=the_area.year)
    refused = "；".join(message for _, message in summarised.summary.refusals)
    return name, summarised.data, refused


def _summary() -> tuple[str, bytes | None, str]:
    return _summary_bytes(_items(chosen()))


def _zip() -> tuple[str, bytes | None, str]:
    """Every agency's latest passed files in a folder of its own, named by agency so that the
    listing sorts by agency, then the CSV of every figure and the summary."""
    uploads = chosen()
    if not uploads:
        return "", None, "还没有检查通过的报告。"
    the_area = area()
    items = _items(uploads)
    buffer = io.BytesIO()
    notes = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for upload, (file_name, data) in zip(uploads, items):
            folder = safe_file_name(upload.agency.name)
            archive.writestr(f"{folder}/{safe_file_name(file_name)}", data)
            stem = upload.name_stem or folder
            for made in upload.products.all():
                archive.writestr(f"{folder}/{stem}{made.suffix}", store.get(made.sha256))
        exported = pipeline.export_csv_bytes(items)
        if exported.data is not None:
            archive.writestr(CSV_NAME, exported.data)
        notes += [f"{name}：{why}" for name, why in exported.left_out]
        summary_name, summary, refused = _summary_bytes(items)
        if summary is not None:
            archive.writestr(summary_name, summary)
        elif refused:
            notes.append(f"汇总表未生成：{refused}")
    name = safe_file_name(f"{the_area.name}{the_area.year}年度全部报告.zip")
    return name, buffer.getvalue(), "；".join(notes)
