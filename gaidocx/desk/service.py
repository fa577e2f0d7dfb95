"""What the desk does, for the commands, the pages and the jobs alike: links, uploads checked by
``pipeline``, the office's decisions, the dashboard and the audit log.

Views only read requests and pick templates; every rule about the desk's data lives here.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gaidocx import pipeline
from gaidocx.core.checks import Problem, Severity
from gaidocx.core.form import AREA_REPORT, FIRST_YEAR
from gaidocx.desk import store
from gaidocx.desk.models import Agency, Area, Decision, Event, Making, OfficeLink, Product, Upload
from gaidocx.desk.settings import DeskError

#: 32 random bytes: 256 bits, far beyond guessing; only their SHA-256 is stored.
_SECRET_BYTES = 32
_LONGEST_NAME = 100
#: Twice a province's agencies: more at once is a mistake (a wrong file pasted), not a list.
MOST_AGENCIES_AT_ONCE = 20_000
#: The files a passed upload gets at once; the PDF follows in its own job.
MADE_AT_ONCE = (".docx", ".html", ".json")


# ---------------------------------------------------------------- links


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    return secret, hash_secret(secret)


def link(role: str, secret: str) -> str:
    """``http://…/a/SECRET`` for an agency, ``/o/`` for the office."""
    return f"{settings.DESK_ADDRESS.rstrip('/')}/{role}/{secret}"


def start_area(name: str, year: int) -> str:
    """A new desk's area and its first office link."""
    name = _clean_name(name, "地区或机关名称")
    if year < FIRST_YEAR or year > timezone.localdate().year:
        raise DeskError(f"报告年度 {year} 不对：应在 {FIRST_YEAR} 年至今年之间。")
    Area.objects.create(name=name, year=year)
    record(None, f"建立收集台：{name}{year}年度")
    return new_office_link()


def next_year(year: int) -> None:
    """Collect ``year``'s reports with the same agencies and links; last year's uploads stay, and
    each agency's workbook now starts from its last year's (``template --from``)."""
    the_area = area()
    if year <= the_area.year or year > timezone.localdate().year:
        raise DeskError(f"新的年度应在 {the_area.year} 之后、不晚于今年：{year}")
    record(None, f"开始收集{year}年度的报告（此前为{the_area.year}年度）")
    Area.objects.filter(id=the_area.id).update(year=year)


def area() -> Area:
    found = Area.objects.first()
    if found is None:
        raise DeskError("收集台还没有建立，请先运行 gaidocx desk init。")
    return found


def new_office_link() -> str:
    secret, digest = _new_secret()
    OfficeLink.objects.create(link_hash=digest)
    record(None, "生成新的政务公开办链接")
    return link("o", secret)


def office_link_valid(digest: str) -> bool:
    return OfficeLink.objects.filter(link_hash=digest, revoked__isnull=True).exists()


def add_agencies(names: Iterable[str]) -> list[tuple[str, str]]:
    """Register agencies; each gets a link, shown only in what this returns.  All or none."""
    cleaned = [_clean_name(name, "机关名称") for name in names]
    cleaned = [name for name in cleaned if name]
    if not cleaned:
        raise DeskError("没有给出机关名称。")
    if len(cleaned) > MOST_AGENCIES_AT_ONCE:
        raise DeskError(f"一次最多登记 {MOST_AGENCIES_AT_ONCE} 个机关，名单中有 {len(cleaned)} 个：请确认给出的是机关名单。")
    repeated = sorted({n for n in cleaned if cleaned.count(n) > 1})
    if repeated:
        raise DeskError(f"名单中有重复的机关：{'、'.join(repeated)}。")
    existing = sorted(Agency.objects.filter(name__in=cleaned).values_list("name", flat=True))
    if existing:
        raise DeskError(f"这些机关已经登记过（要换链接请用 gaidocx desk link）：{'、'.join(existing)}。")
    made = []
    with transaction.atomic():
        for name in cleaned:
            secret, digest = _new_secret()
            agency = Agency.objects.create(name=name, link_hash=digest)
            record(None, f"登记机关：{name}")
            made.append((agency.name, link("a", secret)))
    return made


def agency_named(name: str) -> Agency:
    try:
        return Agency.objects.get(name=name.strip())
    except Agency.DoesNotExist:
        raise DeskError(f"没有登记这个机关：{name}") from None


def renew_link(agency: Agency) -> str:
    """A new link for ``agency``; its old link (and any page opened with it) stops working."""
    secret, digest = _new_secret()
    agency.link_hash = digest
    agency.save(update_fields=["link_hash"])
    record(None, f"为{agency.name}生成新链接（旧链接作废）")
    return link("a", secret)


def revoke(agency: Agency) -> None:
    agency.link_hash = None
    agency.save(update_fields=["link_hash"])
    record(None, f"作废{agency.name}的链接")


def _clean_name(name: str, what: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise DeskError(f"{what}中有不可见的控制字符（可能是从别处复制来的），请重新输入：{name[:40]}")
    if len(name) > _LONGEST_NAME:
        raise DeskError(f"{what}太长（超过 {_LONGEST_NAME} 个字）：{name[:40]}……")
    return name


# ---------------------------------------------------------------- uploads


def receive(agency: Agency, file_name: str, data: bytes) -> Upload:
    """Keep an upload and check it as ``gaidocx check`` does (messages name ``file_name``); a passed
    one is marked as having its files made (``tasks.receive`` asks for them)."""
    digest = store.put(data)
    the_area = area()
    upload = Upload(agency=agency, collected_for=the_area.year, file_name=file_name, sha256=digest, size=len(data))
    try:
        checked = pipeline.check_bytes(data, file_name)
    except Exception as exc:  # noqa: BLE001 - one odd file must never take the desk down
        fallback = f"“{file_name}”无法读取，文件可能已损坏。请用 gaidocx template 重新生成填报表后填写。"
        upload.outcome, upload.verdict, upload.messages = Upload.Outcome.UNREADABLE, "无法读取", [reason_for(exc, fallback)]
        upload.errors = 1
    else:
        _judge(upload, checked, the_area, agency)
    with transaction.atomic():
        upload.save()
        record(agency, f"上传填报表：{upload.verdict}", file_name, digest)
    return upload


def _judge(upload: Upload, checked, the_area: Area, agency: Agency) -> None:
    """Fill in the verdict and messages; the desk adds its own two: the year collected and the name."""
    report = checked.report
    problems = list(checked.problems)
    if report.year and report.year != the_area.year:
        problems.insert(0, Problem(Severity.ERROR, f"填报表的年度是 {report.year}，本次收集的是 {the_area.year} 年度的报告。"))
    if report.agency and report.agency.strip() != agency.name:
        problems.append(Problem(Severity.WARNING, f"填报表中的机关名称“{report.agency}”与登记的“{agency.name}”不同，请核对。"))
    judged = pipeline.Checked(report, problems)
    upload.errors, upload.warnings = len(judged.errors), len(judged.warnings)
    upload.verdict = pipeline.verdict(judged)
    upload.messages = [pipeline.format_problem(p) for p in judged.problems]
    upload.report_year = report.year
    upload.report_kind = report.kind
    if upload.errors:
        upload.outcome = Upload.Outcome.ERRORS
    else:
        upload.outcome = Upload.Outcome.WARNINGS if upload.warnings else Upload.Outcome.PASSED
        upload.files, upload.pdf = Making.MAKING, Making.MAKING


def make_files(upload_id: int) -> bool:
    """The job after a passed upload: .docx, page and JSON.  True when they were made (the PDF
    job follows)."""
    upload = Upload.objects.select_related("agency").get(id=upload_id)
    rendered = pipeline.render_bytes(store.get(upload.sha256), upload.file_name, extras=MADE_AT_ONCE[1:])
    if rendered.status is not pipeline.Status.RENDERED:
        problem = rendered.messages[0] if rendered.messages else rendered.verdict
        Upload.objects.filter(id=upload_id).update(files=Making.FAILED, files_problem=problem, pdf=Making.NONE)
        return False
    with transaction.atomic():
        for suffix, data in rendered.files.items():
            Product.objects.get_or_create(upload=upload, suffix=suffix, defaults={"sha256": store.put(data), "size": len(data)})
        Upload.objects.filter(id=upload_id).update(files=Making.MADE, name_stem=rendered.name_stem)
    return True


def make_pdf(upload_id: int) -> None:
    """The PDF through LibreOffice, in a temporary folder; where LibreOffice is missing, say so."""
    import tempfile
    from pathlib import Path

    from gaidocx.document.pdf import convert_many, find_soffice

    if find_soffice() is None:
        Upload.objects.filter(id=upload_id).update(pdf=Making.NO_LIBREOFFICE)
        return
    docx = Product.objects.get(upload_id=upload_id, suffix=".docx")
    with tempfile.TemporaryDirectory(prefix="gaidocx-desk-") as folder:
        source, target = Path(folder) / "report.docx", Path(folder) / "report.pdf"
        source.write_bytes(store.get(docx.sha256))
        failure = convert_many([(source, target)]).get(source)
        if failure is not None or not target.exists():
            Upload.objects.filter(id=upload_id).update(pdf=Making.FAILED)
            return
        data = target.read_bytes()
    with transaction.atomic():
        Product.objects.get_or_create(upload_id=upload_id, suffix=".pdf", defaults={"sha256": store.put(data), "size": len(data)})
        Upload.objects.filter(id=upload_id).update(pdf=Making.MADE)


def product(upload: Upload, suffix: str) -> tuple[str, bytes]:
    """A stored file of ``upload`` as (download name, bytes); ``.xlsx`` is the upload itself."""
    if suffix == ".xlsx":
        return upload.file_name, store.get(upload.sha256)
    made = upload.products.get(suffix=suffix)
    stem = upload.name_stem or upload.file_name.rsplit(".", 1)[0]
    return stem + suffix, store.get(made.sha256)


def fill_in_workbook(agency: Agency) -> tuple[str, bytes]:
    """The agency's workbook for this year: from its last passed upload of the previous year when
    the desk has one (like ``template --from``), else a fresh one with its name and year."""
    the_area = area()
    last = (
        agency.uploads.filter(collected_for=the_area.year - 1, outcome__in=(Upload.Outcome.PASSED, Upload.Outcome.WARNINGS))
        .order_by("-id")
        .first()
    )
    if last is not None:
        made = pipeline.template_bytes(previous=(last.file_name, store.get(last.sha256)))
    else:
        made = pipeline.template_bytes(agency=agency.name, year=the_area.year)
    return made.name, made.data


# ---------------------------------------------------------------- the office


def decide(upload: Upload, *, accept: bool, note: str = "") -> Decision:
    """Accept a passed upload, or return one with a note its agency reads: only the agency's latest
    upload of the year, the one its page and status show."""
    note = note.strip()[:2000]
    if agency_standing(upload.agency).latest != upload:
        raise DeskError("只能处理该机关本年度最新的一次上传。")
    if accept and not upload.passed:
        raise DeskError("只能接受检查通过的填报表。")
    if not accept and not note:
        raise DeskError("退回时请写明原因，填报单位会在自己的页面上看到。")
    decision = Decision.objects.create(upload=upload, accepted=accept, note=note)
    action = "接受报告" if accept else f"退回报告：{note}"
    record(None, f"{action}（{upload.agency.name}）", upload.file_name, upload.sha256)
    return decision


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an agency stands: its latest upload, the office's last word on it, status and deadline."""

    agency: Agency
    area: Area
    latest: Upload | None
    decision: Decision | None
    status: str
    deadline: datetime.date
    late: bool

    @property
    def days_left(self) -> int:
        """Days to the deadline; negative once it has passed."""
        return (self.deadline - timezone.localdate()).days

    @property
    def days_late(self) -> int:
        return -self.days_left


def standing(agency: Agency, the_area: Area, latest: Upload | None, decision: Decision | None) -> Standing:
    if latest is None:
        status = "未提交"
    elif decision is not None and not decision.accepted:
        status = "已退回"
    else:
        status = {Upload.Outcome.UNREADABLE: "有错误"}.get(latest.outcome, latest.get_outcome_display())
    kind = latest.report_kind if latest is not None else ""
    due = deadline(the_area.year, kind)
    passed_on = latest.received if latest is not None and latest.passed and status != "已退回" else None
    day = timezone.localdate(passed_on) if passed_on else timezone.localdate()
    return Standing(agency, the_area, latest, decision, status, due, day > due)


def deadline(year: int, kind: str) -> datetime.date:
    """31 January after the year; 31 March for a whole-area (本行政区域) report."""
    return datetime.date(year + 1, 3, 31) if kind == AREA_REPORT else datetime.date(year + 1, 1, 31)


def dashboard() -> list[Standing]:
    """One row per agency, in three queries whatever the number of agencies."""
    the_area = area()
    this_year = Upload.objects.filter(collected_for=the_area.year)
    latest_ids = this_year.values("agency_id").annotate(latest=Max("id")).values_list("latest", flat=True)
    latest = {u.agency_id: u for u in Upload.objects.filter(id__in=latest_ids).prefetch_related("products")}
    decisions = {}
    for decision in Decision.objects.filter(upload_id__in=latest_ids).order_by("id"):
        decisions[decision.upload_id] = decision
    rows = []
    for agency in Agency.objects.all():
        upload = latest.get(agency.id)
        rows.append(standing(agency, the_area, upload, decisions.get(upload.id) if upload else None))
    return rows


def agency_standing(agency: Agency) -> Standing:
    the_area = area()
    latest = agency.uploads.filter(collected_for=the_area.year).first()
    decision = latest.decisions.first() if latest else None
    return standing(agency, the_area, latest, decision)


def reason_for(exc: Exception, fallback: str) -> str:
    """What a page says of a failure: a foreseen one's own Chinese message, else ``fallback``
    (never an exception's English name, nor the command line's advice to rerun with --debug)."""
    return str(exc) if isinstance(exc, pipeline.foreseen_failures()) else fallback


def record(agency: Agency | None, action: str, file_name: str = "", sha256: str = "") -> None:
    Event.objects.create(agency=agency, action=action[:300], file_name=file_name[:255], sha256=sha256)
