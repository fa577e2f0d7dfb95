"""What the desk keeps: the area, its agencies and their links, every upload (never overwritten),
the files made from each, the office's decisions, the jobs it asked for and an audit log.

Files themselves are in the content store (``store.py``), named by SHA-256; rows hold the hash.
A link is stored only as the SHA-256 of its secret.
"""

from __future__ import annotations

from django.db import models


class Making(models.TextChoices):
    """Where a file made by a job stands: an upload's files and PDF, an export."""

    NONE = "none", "不生成"
    MAKING = "making", "正在生成"
    MADE = "made", "已生成"
    NO_LIBREOFFICE = "no-libreoffice", "未安装 LibreOffice"
    FAILED = "failed", "生成失败"


class Area(models.Model):
    """The one collection this desk runs: whose reports, for which year."""

    name = models.CharField(max_length=200)
    year = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)


class OfficeLink(models.Model):
    link_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    revoked = models.DateTimeField(null=True, blank=True)


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    #: SHA-256 of the agency's current link; None once revoked
    link_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]


class Upload(models.Model):
    """One workbook an agency sent, as checked when it arrived."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "检查通过"
        WARNINGS = "warnings", "检查通过（有警告）"
        ERRORS = "errors", "有错误"
        UNREADABLE = "unreadable", "无法读取"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="uploads")
    #: the year being collected when it arrived (a desk goes on from year to year)
    collected_for = models.PositiveIntegerField()
    received = models.DateTimeField(auto_now_add=True, db_index=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    verdict = models.CharField(max_length=100)
    messages = models.JSONField(default=list)
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    report_year = models.PositiveIntegerField(null=True)
    #: 本机关 or 本行政区域: it sets the deadline
    report_kind = models.CharField(max_length=10, blank=True)
    #: the report's own file name without suffix, e.g. ``某某局2025年政府信息公开工作年度报告``
    name_stem = models.CharField(max_length=255, blank=True)
    #: the .docx, page and JSON
    files = models.CharField(max_length=16, choices=Making.choices, default=Making.NONE)
    files_problem = models.TextField(blank=True)
    pdf = models.CharField(max_length=16, choices=Making.choices, default=Making.NONE)

    class Meta:
        ordering = ["-id"]

    @property
    def passed(self) -> bool:
        return self.outcome in (self.Outcome.PASSED, self.Outcome.WARNINGS)


class Product(models.Model):
    """A file made from a passed upload: .docx, .html, .json or .pdf."""

    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="products")
    suffix = models.CharField(max_length=8)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "suffix"], name="one_product_per_suffix")]
        ordering = ["id"]

    LABELS = {".docx": "Word 文档", ".html": "网页", ".json": "数据（JSON）", ".pdf": "PDF"}

    @property
    def label(self) -> str:
        return self.LABELS.get(self.suffix, self.suffix)

    @property
    def kind(self) -> str:
        """The suffix without its dot, as download addresses spell it."""
        return self.suffix.lstrip(".")


class Decision(models.Model):
    """The office accepted an upload, or returned it with a note the agency reads."""

    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="decisions")
    accepted = models.BooleanField()
    note = models.TextField(blank=True)
    decided = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class Export(models.Model):
    """A whole-area summary workbook or a zip of everything, made by a job."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", "汇总表"
        ZIP = "zip", "全部文件"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=Making.choices, default=Making.MAKING)
    requested = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    #: why it was not made, or what was left out
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]


class Event(models.Model):
    """The audit log: who did what, with which file."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    #: None: the office
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=300)
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]

    @property
    def who(self) -> str:
        return self.agency.name if self.agency_id else "政务公开办"
